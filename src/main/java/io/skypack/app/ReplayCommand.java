package io.skypack.app;

import io.skypack.ingest.FlightSource;
import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.Pace;
import io.skypack.ingest.VideoOptions;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Produces a recorded flight onto the frames topic. */
@Command(
        name = "replay",
        mixinStandardHelpOptions = true,
        description = {
            "Produce a recorded flight onto uav.frames (Avro, Confluent wire format), keyed by flight id, with "
                    + "capture timestamps, at --pace.",
            "Sources: a video file (mp4, mkv, avi, mov, ts, webm, flv, mpg; any codec FFmpeg decodes), sent as JPEG "
                    + "frames timed by the video's own timestamps and decoded by the FFmpeg libraries bundled in the jar "
                    + "(nothing to install); a folder of JPEG/PNG frames, sent as stored and timed by --fps; or a "
                    + "VisDrone root with sequences/<flight>."
        })
final class ReplayCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Mixin
    VideoInputOptions video = new VideoInputOptions();

    @Option(names = "--source", required = true, description = "Video file, image folder or VisDrone root.")
    Path source;

    @Option(
            names = "--flight",
            required = true,
            description = "Flight id (record key; the sequence name for a VisDrone root).")
    String flight;

    @Option(names = "--pace", description = "original, fast or xN (default ${DEFAULT-VALUE}).")
    String pace = "original";

    @Option(
            names = "--fps",
            description = "Frame rate of an image sequence (default ${DEFAULT-VALUE}); a video's comes from the file.")
    double fps = 30;

    @Override
    public Integer call() throws Exception {
        Pace p = Pace.parse(pace);
        PipelineConfig cfg = cluster.load();
        var o = spec.commandLine().getOut();
        SchemaRegistryClient registry = new SchemaRegistryClient(cfg.registry());
        VideoOptions options = video.options(cfg);
        try (FlightSource frames = FlightSource.open(source, flight, fps, Instant.now(), options);
                KafkaProducer<String, Frame> producer = checked(cfg, registry).frameProducer(registry)) {
            if (FlightSource.isVideo(source)) {
                o.println("decoding " + source + " with the " + VideoInputOptions.describe(options));
            }
            long t0 = System.nanoTime();
            int sent = new FrameProducer(producer, cfg.topics().frames()).replay(frames, p, (n, total) -> {
                double secs = (System.nanoTime() - t0) / 1e9;
                String bar = total > 0 ? String.format("[%-20s] %d/%d", "#".repeat(20 * n / total), n, total) : n + "";
                o.printf(Locale.ROOT, "\r%s %s frames, %.1f frames/s", flight, bar, n / Math.max(secs, 1e-9));
                o.flush();
            });
            o.printf(
                    Locale.ROOT,
                    "%nreplayed %d frames of %s to %s in %.1f s%n",
                    sent,
                    flight,
                    cfg.topics().frames(),
                    (System.nanoTime() - t0) / 1e9);
            frames.endReason().ifPresent(r -> o.println("the video ended early: " + r));
        } catch (UncheckedIOException e) {
            throw unwrap(e);
        }
        return 0;
    }

    /** After the source opened (a missing file is reported first): the cluster and registry accept us. */
    private static PipelineConfig checked(PipelineConfig cfg, SchemaRegistryClient registry) throws IOException {
        ClusterCheck.verify(cfg, registry);
        return cfg;
    }

    /** A read failure inside the frame iteration, as the IOException it is (its message says what failed). */
    static IOException unwrap(UncheckedIOException e) {
        return e.getCause();
    }
}
