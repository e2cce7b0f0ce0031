package io.skypack.app;

import io.skypack.detect.FrameImage;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.ingest.FlightSource;
import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.Pace;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code skypack bench pipeline}: the whole pipeline through the embedded broker against the detector
 * alone on the same frames, in one run, and micro-batching against batch size 1.
 */
@Command(
        name = "pipeline",
        mixinStandardHelpOptions = true,
        description = {
            "Frames/s and end-to-end latency (record timestamp at the producer to the committed detections record",
            "at a read_committed consumer) through the embedded broker and registry, against the detector alone on",
            "the same decoded frames, for each batch size. All frames are sent at once (replay at pace fast)."
        })
final class BenchPipelineCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--frames", description = "Frames of the generated flight (default ${DEFAULT-VALUE}).")
    int frames = 24;

    @Option(names = "--batch", split = ",", description = "Batch sizes (default ${DEFAULT-VALUE}).")
    List<Integer> batches = List.of(1, 8);

    @Option(names = "--out", description = "Where the flight goes (default ${DEFAULT-VALUE}).")
    Path out = Path.of("skypack-bench/pipeline");

    @Option(names = "--profile", description = "replay or live (default ${DEFAULT-VALUE}).")
    String profile = "replay";

    @Option(
            names = "--canvases-per-frame",
            description = "UFP canvas budget per frame of a batch, 0 for none (default: the profile's, 4). The"
                    + " budget is rounded down per batch (2.5: batch 1 gets 2 canvases a frame and batch 8 gets 20"
                    + " for 8); compare batch sizes at 0 or a whole number for the same work per frame.")
    Double canvasesPerFrame;

    @Option(
            names = "--set",
            description = "KEY=VALUE over the profile (Kafka Streams or skypack.* keys, e.g."
                    + " commit.interval.ms=1000); repeatable. Applies to the pipeline and the detector alone.")
    Map<String, String> set = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        SynthConfig synth = new SynthConfig(1280, 720, frames, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.92, 9300);
        FlightWriter.FlightSummary flight = new FlightWriter(synth, out, false).writeFlight(0);
        FlightSource source = FlightSource.open(out, flight.name(), synth.fps(), Instant.now());
        List<Frame> all = new ArrayList<>();
        source.forEach(all::add);
        List<String> rows = new ArrayList<>();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
                LocalSchemaRegistry registryServer = LocalSchemaRegistry.start()) {
            for (int batch : batches) {
                Map<String, String> overrides = PipelineConfig.local(broker.bootstrapServers(), registryServer.url());
                overrides.put("skypack.warmup.rounds", "2"); // both rows warm, whatever the profile says
                overrides.putAll(set);
                overrides.put("application.id", "skypack-bench-b" + batch);
                overrides.put("skypack.batch.max", String.valueOf(batch));
                if (canvasesPerFrame != null) {
                    overrides.put("skypack.ufp.canvases.per.frame", String.valueOf(canvasesPerFrame));
                }
                for (String t : List.of("frames", "detections", "flight-stats", "dead-letters")) {
                    overrides.put("skypack.topics." + t, "bench-b" + batch + "." + t);
                }
                PipelineConfig cfg = PipelineConfig.load(profile, null, Map.of(), overrides);
                SkypackTopology.Topics topics = cfg.topics();
                broker.createTopics(
                        1, topics.frames(), topics.detections(), topics.flightStats(), topics.deadLetters());
                rows.add(detectorAlone(cfg, all, batch));
                rows.add(pipeline(cfg, topics, broker.bootstrapServers(), source, batch));
                o.println(rows.get(rows.size() - 2));
                o.println(rows.get(rows.size() - 1));
                o.flush();
            }
        }
        o.println();
        o.println("| what | batch | frames | network inputs/frame | frames/s | latency p50 ms | latency p99 ms |");
        o.println("|---|---:|---:|---:|---:|---:|---:|");
        rows.forEach(o::println);
        return 0;
    }

    /**
     * The detector alone: decoded frames in batches. Its detectors are warmed up as the pipeline's are
     * ({@code skypack.warmup.rounds}, in {@link DetectorRuntime#openDetectors}), before either clock starts.
     */
    private String detectorAlone(PipelineConfig cfg, List<Frame> all, int batch) throws Exception {
        List<FrameImage> images = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            images.add(new FrameImage(
                    i,
                    ImageIO.read(new ByteArrayInputStream(all.get(i).getImage().array()))));
        }
        DetectorRuntime.Detectors d = DetectorRuntime.openDetectors(cfg);
        try (var pool = d.pool()) {
            List<Double> perFrame = new ArrayList<>();
            int inputs = 0;
            long t0 = System.nanoTime();
            for (int s = 0; s < images.size(); s += batch) {
                long b0 = System.nanoTime();
                List<FrameImage> part = images.subList(s, Math.min(images.size(), s + batch));
                inputs += pool.detect(part).stats().networkInputs();
                double ms = (System.nanoTime() - b0) / 1e6;
                for (int k = 0; k < part.size(); k++) perFrame.add(ms); // a frame waits for its whole batch
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            return row(
                    "detector alone (" + d.modelId() + ")",
                    batch,
                    images.size(),
                    String.format(Locale.ROOT, "%.2f", (double) inputs / images.size()),
                    images.size() / secs,
                    perFrame);
        }
    }

    private String pipeline(
            PipelineConfig cfg, SkypackTopology.Topics topics, String bootstrap, FlightSource source, int batch)
            throws Exception {
        try (DetectorRuntime app = DetectorRuntime.create(cfg)) {
            app.start();
            DemoCommand.awaitRunning(app.streams());
            SchemaRegistryClient registry = app.registry();
            List<Double> latencies = new ArrayList<>();
            try (KafkaProducer<String, Frame> producer = cfg.frameProducer(registry);
                    OutputWatcher watcher = new OutputWatcher(bootstrap, registry, topics)) {
                long t0 = System.nanoTime();
                new FrameProducer(producer, topics.frames()).replay(source, Pace.FAST, (n, total) -> {});
                boolean done = watcher.awaitFrames(
                        source.size(),
                        Duration.ofMinutes(10),
                        r -> latencies.add((double) (System.currentTimeMillis() - r.timestamp())));
                double secs = (System.nanoTime() - t0) / 1e9;
                if (!done)
                    throw new IllegalStateException(
                            "pipeline did not finish: " + watcher.detections.size() + " of " + source.size());
                return row(
                        "pipeline, " + cfg.get("processing.guarantee"),
                        batch,
                        source.size(),
                        "same",
                        source.size() / secs,
                        latencies);
            }
        }
    }

    private static String row(
            String what, int batch, int frames, String inputsPerFrame, double fps, List<Double> latencies) {
        return String.format(
                Locale.ROOT,
                "| %s | %d | %d | %s | %.2f | %.0f | %.0f |",
                what,
                batch,
                frames,
                inputsPerFrame,
                fps,
                DemoCommand.percentile(latencies, 0.5),
                DemoCommand.percentile(latencies, 0.99));
    }
}
