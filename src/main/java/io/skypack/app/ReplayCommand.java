package io.skypack.app;

import io.skypack.ingest.FlightSource;
import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.Pace;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
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
            "Produce a recorded flight onto uav.frames (Avro, Confluent wire format), keyed by flight id, with capture",
            "timestamps. Sources: a folder of JPEG/PNG frames, or a VisDrone root with sequences/<flight>.",
            "Video files need an ffmpeg binary, which this build does not bundle: extract frames first",
            "(ffmpeg -i flight.mp4 frames/%06d.jpg)."
        })
final class ReplayCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Mixin
    ClusterOptions cluster = new ClusterOptions();

    @Option(names = "--source", required = true, description = "Image folder or VisDrone root.")
    Path source;

    @Option(
            names = "--flight",
            required = true,
            description = "Flight id (record key; the sequence name for a VisDrone root).")
    String flight;

    @Option(names = "--pace", description = "original, fast or xN (default ${DEFAULT-VALUE}).")
    String pace = "original";

    @Option(names = "--fps", description = "Frame rate of the recording (default ${DEFAULT-VALUE}).")
    double fps = 30;

    @Override
    public Integer call() throws Exception {
        Pace p = Pace.parse(pace);
        PipelineConfig cfg = cluster.load();
        FlightSource frames = FlightSource.open(source, flight, fps, Instant.now());
        var o = spec.commandLine().getOut();
        SchemaRegistryClient registry = new SchemaRegistryClient(cfg.registry());
        long t0 = System.nanoTime();
        try (KafkaProducer<String, Frame> producer = cfg.frameProducer(registry)) {
            int sent = new FrameProducer(producer, cfg.topics().frames()).replay(frames, p, (n, total) -> {
                double secs = (System.nanoTime() - t0) / 1e9;
                o.printf(
                        Locale.ROOT,
                        "\r%s [%-20s] %d/%d frames, %.1f frames/s",
                        flight,
                        "#".repeat(20 * n / total),
                        n,
                        total,
                        n / Math.max(secs, 1e-9));
                o.flush();
            });
            o.printf(
                    Locale.ROOT,
                    "%nreplayed %d frames of %s to %s in %.1f s%n",
                    sent,
                    flight,
                    cfg.topics().frames(),
                    (System.nanoTime() - t0) / 1e9);
        }
        return 0;
    }
}
