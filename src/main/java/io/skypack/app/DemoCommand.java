package io.skypack.app;

import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.ingest.FlightSource;
import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.Pace;
import io.skypack.schema.FlightStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import javax.imageio.ImageIO;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.streams.KafkaStreams;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The README's main command: everything on this machine, nothing to install. Starts an in-process
 * KRaft broker and a local schema registry, generates a synthetic flight, replays it onto
 * {@code uav.frames}, runs the detector application on it, reads the results back from
 * {@code uav.detections} (committed records only), writes an overlay per frame and a summary, and exits.
 */
@Command(
        name = "demo",
        mixinStandardHelpOptions = true,
        description = {
            "Run the whole pipeline locally: in-process Kafka (KRaft) and schema registry, a generated flight",
            "replayed onto uav.frames, the detector topology, detections with masks read back from uav.detections.",
            "Writes OUT/overlays/*.png (boxes, classes, scores, masks) and OUT/summary.txt, then exits."
        })
final class DemoCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--out", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out = Path.of("skypack-demo");

    @Option(names = "--frames", description = "Frames in the generated flight (default ${DEFAULT-VALUE}).")
    int frames = 20;

    @Option(names = "--seed", description = "Seed of the generated flight (default ${DEFAULT-VALUE}).")
    long seed = 4242;

    @Option(names = "--pace", description = "Replay pace: original, fast or xN (default ${DEFAULT-VALUE}).")
    String pace = "fast";

    @Option(names = "--profile", description = "Configuration: replay or live (default ${DEFAULT-VALUE}).")
    String profile = "replay";

    @Option(names = "--config", description = "Properties file layered over the profile.")
    Path config;

    @Option(names = "--min-score", description = "Draw detections scoring at least this (default ${DEFAULT-VALUE}).")
    double minScore = 0.3;

    @Option(
            names = "--timeout",
            description = "Give up when results stop coming for this long, seconds (default ${DEFAULT-VALUE}).")
    int timeoutSeconds = 300;

    @Option(
            names = "--bad-frames",
            description =
                    "Also send this many corrupt frames (garbage JPEG bytes), to show the dead-letter path (default ${DEFAULT-VALUE}).")
    int badFrames = 1;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (frames < 1 || frames > 10_000)
            throw new IllegalArgumentException("--frames must be in [1, 10000]: " + frames);
        Pace replayPace = Pace.parse(pace);
        Files.createDirectories(out.resolve("overlays"));
        o.println("generating a synthetic flight (" + frames + " frames, seed " + seed + ")");
        SynthConfig synth = new SynthConfig(1280, 720, frames, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.92, seed);
        Path flightRoot = out.resolve("flight");
        FlightWriter.FlightSummary flight = new FlightWriter(synth, flightRoot, false).writeFlight(0);
        FlightSource source = FlightSource.open(flightRoot, flight.name(), synth.fps(), Instant.now());
        o.flush();

        o.println("starting Kafka (KRaft, in-process) and the schema registry (Apicurio, child JVM)");
        o.flush();
        long t0 = System.nanoTime();
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
                LocalSchemaRegistry registryServer = LocalSchemaRegistry.start()) {
            o.printf(
                    Locale.ROOT,
                    "  broker %s, registry %s (%.1f s)%n",
                    broker.bootstrapServers(),
                    registryServer.url(),
                    (System.nanoTime() - t0) / 1e9);
            Map<String, String> overrides = PipelineConfig.local(broker.bootstrapServers(), registryServer.url());
            PipelineConfig cfg = PipelineConfig.load(profile, config, System.getenv(), overrides);
            SkypackTopology.Topics topics = cfg.topics();
            broker.createTopics(1, topics.frames(), topics.detections(), topics.flightStats(), topics.deadLetters());
            return run(o, cfg, topics, broker.bootstrapServers(), source, replayPace);
        }
    }

    private int run(
            PrintWriter o,
            PipelineConfig cfg,
            SkypackTopology.Topics topics,
            String bootstrap,
            FlightSource source,
            Pace replayPace)
            throws Exception {
        try (DetectorRuntime app = DetectorRuntime.create(cfg)) {
            o.println("detector " + app.modelId() + ", profile " + cfg.get("skypack.profile") + ", batch "
                    + cfg.get("skypack.batch.max") + " / " + cfg.get("skypack.batch.latency.ms") + " ms, "
                    + cfg.get("processing.guarantee"));
            o.flush();
            app.start();
            awaitRunning(app.streams());
            Map<Long, Path> imageOf = new HashMap<>();
            List<Path> files;
            try (var list = Files.list(out.resolve("flight/sequences").resolve(source.flightId()))) {
                files = list.filter(p -> p.toString().endsWith(".jpg")).sorted().toList();
            }
            for (int i = 0; i < files.size(); i++) imageOf.put((long) i, files.get(i));

            AtomicInteger sent = new AtomicInteger();
            Thread producerThread;
            long start = System.nanoTime();
            try (KafkaProducer<String, Frame> producer = cfg.frameProducer(app.registry());
                    OutputWatcher watcher = new OutputWatcher(bootstrap, app.registry(), topics)) {
                FrameProducer frames = new FrameProducer(producer, topics.frames());
                Exception[] failed = new Exception[1];
                producerThread = new Thread(
                        () -> {
                            try {
                                frames.replay(source, replayPace, (n, total) -> sent.set(n));
                                for (int b = 0; b < badFrames; b++) {
                                    producer.send(new org.apache.kafka.clients.producer.ProducerRecord<>(
                                            topics.frames(), source.flightId(), corrupt(source, b)));
                                    sent.incrementAndGet();
                                }
                                producer.flush();
                            } catch (Exception e) {
                                failed[0] = e;
                            }
                        },
                        "skypack-demo-producer");
                producerThread.start();
                long lastProgress = System.nanoTime();
                int lastOut = -1;
                List<Double> latencies = new ArrayList<>();
                Map<String, Long> perClass = new TreeMap<>();
                while (watcher.detections.size() + watcher.rejected.size() < source.size() + badFrames) {
                    watcher.poll(Duration.ofMillis(200), r -> {
                        FrameDetections d = r.value();
                        latencies.add((double) d.getStats().getTotalMs());
                        d.getDetections().forEach(det -> perClass.merge(det.getClassName(), 1L, Long::sum));
                        writeOverlay(d, imageOf.get(d.getFrameIndex()));
                    });
                    if (failed[0] != null) throw failed[0];
                    int outNow = watcher.detections.size() + watcher.rejected.size();
                    if (outNow != lastOut) {
                        lastOut = outNow;
                        lastProgress = System.nanoTime();
                        double secs = (System.nanoTime() - start) / 1e9;
                        o.printf(
                                Locale.ROOT,
                                "\rframes in %d/%d, out %d (dead-lettered %d), %.2f frames/s, latency p50 %.0f ms   ",
                                sent.get(),
                                source.size() + badFrames,
                                watcher.detections.size(),
                                watcher.rejected.size(),
                                watcher.detections.size() / Math.max(1e-9, secs),
                                percentile(latencies, 0.5));
                        o.flush();
                    } else if (System.nanoTime() - lastProgress
                            > Duration.ofSeconds(timeoutSeconds).toNanos()) {
                        throw new IllegalStateException("no result for " + timeoutSeconds + " s; streams state "
                                + app.streams().state() + "; " + lastOut + " of " + (source.size() + badFrames)
                                + " frames out");
                    }
                }
                producerThread.join();
                double secs = (System.nanoTime() - start) / 1e9;
                // Statistics windows lag the detections by at most a commit; read them too.
                long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
                while (System.nanoTime() < until) watcher.poll(Duration.ofMillis(200), r -> {});
                o.println();
                String summary = summary(app.modelId(), source, watcher, secs, latencies, perClass);
                Files.writeString(out.resolve("summary.txt"), summary);
                o.print(summary);
                o.println("overlays: " + out.resolve("overlays").toAbsolutePath());
            }
            return 0;
        }
    }

    /** A frame whose JPEG bytes are garbage: the decode stage must dead-letter it and go on. */
    private static Frame corrupt(FlightSource source, int b) {
        byte[] junk = new byte[2048];
        new java.util.Random(b).nextBytes(junk);
        junk[0] = (byte) 0xff;
        junk[1] = (byte) 0xd8; // a JPEG start marker, then nothing a decoder can use
        return Frame.newBuilder()
                .setFlightId(source.flightId())
                .setFrameIndex(source.size() + b)
                .setCaptureTime(Instant.now())
                .setWidth(1280)
                .setHeight(720)
                .setEncoding(io.skypack.schema.ImageEncoding.JPEG)
                .setImage(java.nio.ByteBuffer.wrap(junk))
                .build();
    }

    private void writeOverlay(FrameDetections d, Path image) {
        if (image == null) return;
        try {
            BufferedImage img = ImageIO.read(image.toFile());
            var dets = OutputWatcher.toDetections(d, img.getWidth(), img.getHeight()).stream()
                    .filter(x -> x.score() >= minScore)
                    .toList();
            ImageIO.write(
                    DetectionOverlay.draw(img, dets),
                    "png",
                    out.resolve("overlays")
                            .resolve(String.format(Locale.ROOT, "%s_%06d.png", d.getFlightId(), d.getFrameIndex()))
                            .toFile());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("overlay of frame " + d.getFrameIndex(), e);
        }
    }

    private static String summary(
            String modelId,
            FlightSource source,
            OutputWatcher w,
            double secs,
            List<Double> latencies,
            Map<String, Long> perClass) {
        StringBuilder sb = new StringBuilder();
        long masks = w.detections.stream()
                .flatMap(r -> r.value().getDetections().stream())
                .filter(d -> d.getMask() != null)
                .count();
        long dets = w.detections.stream()
                .mapToLong(r -> r.value().getDetections().size())
                .sum();
        long skipped = w.detections.stream()
                .filter(r -> r.value().getStats().getSkipped())
                .count();
        boolean inOrder = true;
        for (int i = 1; i < w.detections.size(); i++) {
            inOrder &= w.detections.get(i).value().getFrameIndex()
                    > w.detections.get(i - 1).value().getFrameIndex();
        }
        sb.append(String.format(
                Locale.ROOT,
                "flight %s: %d frames sent (+ corrupt ones), %d detections records (%s), %d dead-lettered, %d skipped%n",
                source.flightId(),
                source.size(),
                w.detections.size(),
                inOrder ? "in frame order" : "OUT OF ORDER",
                w.rejected.size(),
                skipped));
        for (var r : w.rejected) {
            sb.append(String.format(
                    Locale.ROOT,
                    "dead letter: %s %s (%s)%n",
                    r.getReasonCode(),
                    r.getMessage(),
                    r.getSourceTopic() + "-" + r.getSourcePartition() + "@" + r.getSourceOffset()));
        }
        sb.append(String.format(Locale.ROOT, "detector %s: %d detections, %d with masks%n", modelId, dets, masks));
        sb.append(String.format(
                Locale.ROOT,
                "throughput %.2f frames/s end to end (%.1f s); latency p50 %.0f ms, p99 %.0f ms%n",
                w.detections.size() / Math.max(1e-9, secs),
                secs,
                percentile(latencies, 0.5),
                percentile(latencies, 0.99)));
        sb.append("detections per class: ").append(perClass).append('\n');
        for (FlightStats s : w.stats.values()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "uav.flight-stats %s [%s, %s): %d frames, %d skipped, %d detections %s, latency p50 %.0f ms p99 %.0f ms%n",
                    s.getFlightId(),
                    s.getWindowStart(),
                    s.getWindowEnd(),
                    s.getFrames(),
                    s.getSkipped(),
                    s.getDetections(),
                    s.getPerClass(),
                    s.getLatencyP50Ms(),
                    s.getLatencyP99Ms()));
        }
        return sb.toString();
    }

    static double percentile(List<Double> values, double q) {
        if (values.isEmpty()) return 0;
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(v);
        return v[Math.min(v.length - 1, (int) Math.ceil(q * v.length) - 1 < 0 ? 0 : (int) Math.ceil(q * v.length) - 1)];
    }

    static void awaitRunning(KafkaStreams streams) throws InterruptedException {
        long end = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (streams.state() != KafkaStreams.State.RUNNING) {
            if (streams.state() == KafkaStreams.State.ERROR
                    || streams.state() == KafkaStreams.State.NOT_RUNNING
                    || System.nanoTime() > end) {
                throw new IllegalStateException("Kafka Streams did not start: " + streams.state());
            }
            Thread.sleep(50);
        }
    }
}
