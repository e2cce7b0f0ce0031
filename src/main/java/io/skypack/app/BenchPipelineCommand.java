package io.skypack.app;

import io.skypack.detect.BatchStats;
import io.skypack.detect.FrameImage;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.ingest.FlightSource;
import io.skypack.ingest.FrameProducer;
import io.skypack.ingest.Pace;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.DetectionStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.stream.FrameValidator;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
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
            "the same JPEG frames (decoding them, then detecting; no Kafka), for each batch size. All frames are sent",
            "at once (replay at pace fast), or paced as a camera would send them (--pace).",
            "Detector ms/frame is the detector's own time (inside the pipeline, from each record's batch timings);",
            "wall ms/frame is 1000 / frames/s; CPU cores busy is the CPU time of all threads over the wall time."
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
            names = "--pace",
            description = "How the pipeline's frames are sent: fast (all at once: throughput, and latency that is"
                    + " queueing), original (the flight's 2 frames/s, as a camera would) or xN (e.g. x0.5 for 1"
                    + " frame/s): a live feed's latency while the pipeline keeps up (default ${DEFAULT-VALUE}).")
    String pace = "fast";

    @Option(
            names = "--canvases-per-frame",
            description = "UFP canvas budget per frame of a batch, 0 for none (default: the profile's, 4). The"
                    + " budget is rounded down per batch (2.5: batch 1 gets 2 canvases a frame and batch 8 gets 20"
                    + " for 8); compare batch sizes at 0 or a whole number for the same work per frame.")
    Double canvasesPerFrame;

    @Option(
            names = "--warmup-frames",
            description = "Before the pipeline's clock starts, this many of the flight's frames go through it under"
                    + " another flight id and their results are awaited, so its Kafka, Avro and JPEG code runs"
                    + " warm, as the detector's does in both rows (0: none; default ${DEFAULT-VALUE}).")
    int warmupFrames = 16;

    @Option(
            names = "--rounds",
            description = "Times the whole comparison runs, each batch size's detector-alone and pipeline rows side"
                    + " by side in every round; the targets are judged on the median ratio over the rounds, as a"
                    + " shared machine's noise moves single rows by 10-20%. Every other round runs in the reverse"
                    + " order (batch sizes from the largest, the pipeline row first) (default ${DEFAULT-VALUE}).")
    int rounds = 5;

    @Option(
            names = "--warmup-rounds",
            description = "Whole rounds run first and left out of the table and the targets, as a benchmark's"
                    + " warm-up iterations are: the JIT is still compiling the Kafka clients' and the broker's code"
                    + " through the first rounds, the detector's long since (default ${DEFAULT-VALUE}).")
    int warmupRounds = 1;

    @Option(
            names = "--set",
            description = "KEY=VALUE over the profile (Kafka Streams or skypack.* keys, e.g."
                    + " commit.interval.ms=1000); repeatable. Applies to the pipeline and the detector alone.")
    Map<String, String> set = new HashMap<>();

    @Option(
            names = "--threads",
            description = "Also print each row's CPU seconds by thread name (PyTorch's OpenMP workers carry the"
                    + " name of the thread that started them; Linux only).")
    boolean threads;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        Pace sendPace = Pace.parse(pace);
        if (warmupFrames < 0) throw new IllegalArgumentException("--warmup-frames must be >= 0, got " + warmupFrames);
        if (rounds < 1) throw new IllegalArgumentException("--rounds must be >= 1, got " + rounds);
        if (warmupRounds < 0) throw new IllegalArgumentException("--warmup-rounds must be >= 0, got " + warmupRounds);
        SynthConfig synth = new SynthConfig(1280, 720, frames, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.92, 9300);
        FlightWriter.FlightSummary flight = new FlightWriter(synth, out, false).writeFlight(0);
        FlightSource source = FlightSource.open(out, flight.name(), synth.fps(), Instant.now());
        List<Frame> all = new ArrayList<>();
        source.forEach(all::add);
        List<String> rows = new ArrayList<>();
        double[][] detectorFps = new double[rounds][batches.size()],
                decodedFps = new double[rounds][batches.size()],
                pipelineFps = new double[rounds][batches.size()];
        try (LocalKafkaBroker broker = LocalKafkaBroker.start();
                LocalSchemaRegistry registryServer = LocalSchemaRegistry.start()) {
            for (int round = -warmupRounds; round < rounds; round++) {
                boolean warmUp = round < 0, reverse = !warmUp && reversed(round);
                int number = warmUp ? warmupRounds + round + 1 : round + 1; // from 1, warm-up and measured apart
                for (int i = 0; i < batches.size(); i++) {
                    int b = reverse ? batches.size() - 1 - i : i;
                    int batch = batches.get(b);
                    // Each round and batch size its own application and topics: nothing carries over but the JIT.
                    String name = (warmUp ? "w" : "r") + number + "-b" + batch;
                    Map<String, String> overrides =
                            PipelineConfig.local(broker.bootstrapServers(), registryServer.url());
                    overrides.put("skypack.warmup.rounds", "2"); // both rows warm, whatever the profile says
                    overrides.putAll(set);
                    overrides.put("application.id", "skypack-bench-" + name);
                    overrides.put("skypack.batch.max", String.valueOf(batch));
                    if (canvasesPerFrame != null) {
                        overrides.put("skypack.ufp.canvases.per.frame", String.valueOf(canvasesPerFrame));
                    }
                    for (String t : List.of("frames", "detections", "flight-stats", "dead-letters")) {
                        overrides.put("skypack.topics." + t, "bench-" + name + "." + t);
                    }
                    PipelineConfig cfg = PipelineConfig.load(profile, null, Map.of(), overrides);
                    SkypackTopology.Topics topics = cfg.topics();
                    broker.createTopics(
                            1, topics.frames(), topics.detections(), topics.flightStats(), topics.deadLetters());
                    String of = warmUp ? ", warm-up round " + number : rounds > 1 ? ", round " + number : "";
                    Alone alone = reverse ? null : detectorAlone(cfg, all, batch, of);
                    Row piped = pipeline(cfg, topics, broker.bootstrapServers(), source, all, sendPace, batch, of);
                    if (reverse) alone = detectorAlone(cfg, all, batch, of);
                    for (Row r : List.of(alone.row(), piped)) {
                        if (!warmUp) rows.add(r.line());
                        o.println(r.line());
                    }
                    o.flush();
                    if (!warmUp) {
                        detectorFps[round][b] = alone.row().fps();
                        decodedFps[round][b] = alone.decodedFps();
                        pipelineFps[round][b] = piped.fps();
                    }
                }
            }
        }
        o.println();
        o.println(
                "| what | batch | frames | network inputs/frame | detector ms/frame | wall ms/frame | frames/s | CPU cores busy"
                        + " | latency p50 ms | latency p99 ms |");
        o.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        rows.forEach(o::println);
        o.println();
        if (Double.isInfinite(sendPace.speed())) {
            targets(batches, detectorFps, decodedFps, pipelineFps).forEach(o::println);
        } else {
            o.println("targets: not judged at --pace " + pace + ": the pipeline's frames/s is the pace's, not its own");
        }
        return 0;
    }

    /**
     * Whether a round runs in the reverse order: its batch sizes from the largest, and in each the pipeline
     * before the detector alone. Every other round is, so that a drift over the run (the machine's load, the
     * JIT, the heap) weighs on both sides of each ratio alike instead of always on the row that runs second.
     */
    static boolean reversed(int round) {
        return round % 2 == 1;
    }

    /** The targets: the pipeline at least this fraction of the detector alone's frames/s ... */
    static final double PIPELINE_TARGET = 0.85;

    /** ... and micro-batching at least this many times batch size 1's frames/s, in the pipeline. */
    static final double BATCHING_TARGET = 1.3;

    /**
     * The targets' lines: per batch size, the pipeline's frames/s over the detector alone's in the same
     * round; and the pipeline's frames/s at the largest batch size over the smallest, round by round. Each
     * as the median over the rounds (the lower middle one of an even count, as {@link DemoCommand#percentile}
     * takes it), with the range; a target counts as met when its median is.
     *
     * <p>The pipeline is judged against the detector alone on the same JPEG frames, its decoding counted:
     * both turn the same encoded frames into detections, so the ratio is what Kafka, the registry, the
     * batching and the commits cost. Its ratio against the detector on frames decoded before its clock is
     * printed under it, not judged.
     *
     * @param detectorFps frames/s of the detector alone from JPEG, [round][batch size index]
     * @param decodedFps frames/s of the detector alone less its decoding, [round][batch size index]
     * @param pipelineFps frames/s of the pipeline, [round][batch size index]
     */
    static List<String> targets(
            List<Integer> batches, double[][] detectorFps, double[][] decodedFps, double[][] pipelineFps) {
        int rounds = detectorFps.length;
        List<String> out = new ArrayList<>();
        out.add(
                rounds == 1
                        ? "targets, one round (use --rounds 3 or more on a shared machine):"
                        : "targets, median of " + rounds + " rounds (range):");
        for (int b = 0; b < batches.size(); b++) {
            List<Double> judged = new ArrayList<>(), decoded = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                judged.add(pipelineFps[r][b] / detectorFps[r][b]);
                decoded.add(pipelineFps[r][b] / decodedFps[r][b]);
            }
            out.add(target("pipeline / detector alone from JPEG, batch " + batches.get(b), judged, PIPELINE_TARGET));
            out.add("    against frames decoded before the detector's clock: " + ratio(decoded) + ", not judged");
        }
        int small = 0, large = 0;
        for (int b = 1; b < batches.size(); b++) {
            if (batches.get(b) < batches.get(small)) small = b;
            if (batches.get(b) > batches.get(large)) large = b;
        }
        if (small != large) {
            List<Double> ratio = new ArrayList<>();
            for (int r = 0; r < rounds; r++) ratio.add(pipelineFps[r][large] / pipelineFps[r][small]);
            out.add(target(
                    "batching, pipeline batch " + batches.get(large) + " / batch " + batches.get(small),
                    ratio,
                    BATCHING_TARGET));
        }
        return out;
    }

    private static String target(String what, List<Double> ratios, double target) {
        double median = DemoCommand.percentile(ratios, 0.5);
        return String.format(
                Locale.ROOT,
                "  %s: %s, target >= %.2fx: %s",
                what,
                ratio(ratios),
                target,
                median >= target ? "met" : "missed");
    }

    /** The median ratio, and the range when there is more than one. */
    private static String ratio(List<Double> ratios) {
        String range = ratios.size() == 1
                ? ""
                : String.format(Locale.ROOT, " (%.2f-%.2f)", Collections.min(ratios), Collections.max(ratios));
        return String.format(Locale.ROOT, "%.3fx%s", DemoCommand.percentile(ratios, 0.5), range);
    }

    /**
     * The detector alone on the same frames: each batch's JPEGs decoded (by the pipeline's own {@link
     * FrameValidator}, one thread, as a program without Kafka would before detecting), then detected. Its
     * detectors are warmed up as the pipeline's are ({@code skypack.warmup.rounds}, in {@link
     * DetectorRuntime#openDetectors}), before the clock starts. The row's frames/s counts the decoding; {@link
     * Alone#decodedFps} leaves it out, as if the frames had arrived decoded.
     */
    private Alone detectorAlone(PipelineConfig cfg, List<Frame> all, int batch, String round) throws Exception {
        FrameValidator decoder = new FrameValidator(Long.MAX_VALUE, Long.MAX_VALUE);
        int n = all.size();
        DetectorRuntime.Detectors d = DetectorRuntime.openDetectors(cfg);
        try (var pool = d.pool()) {
            List<Double> perFrame = new ArrayList<>();
            BatchStats total = BatchStats.ZERO;
            long decodeNanos = 0;
            ThreadCpu cpu0 = ThreadCpu.now();
            long t0 = System.nanoTime();
            for (int s = 0; s < n; s += batch) {
                long b0 = System.nanoTime();
                List<FrameImage> part = new ArrayList<>();
                for (int i = s; i < Math.min(n, s + batch); i++)
                    part.add(new FrameImage(i, decode(decoder, all.get(i))));
                decodeNanos += System.nanoTime() - b0;
                total = total.plus(pool.detect(part).stats());
                double ms = (System.nanoTime() - b0) / 1e6;
                for (int k = 0; k < part.size(); k++) perFrame.add(ms); // a frame waits for its whole batch
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            double cores = cpu(
                            "detector alone, batch " + batch + round,
                            ThreadCpu.now().since(cpu0))
                    / secs;
            spec.commandLine()
                    .getOut()
                    .printf(
                            Locale.ROOT,
                            "detector alone, batch %d%s, ms per frame: JPEG decoding %.1f, coarse %.0f, pack %.0f, fine"
                                    + " %.0f (%.2f UFP canvases a frame)%n",
                            batch,
                            round,
                            decodeNanos / 1e6 / n,
                            total.coarseMs() / n,
                            total.packMs() / n,
                            total.fineMs() / n,
                            (double) total.mosaics() / n);
            Row row = row(
                    "detector alone from JPEG (" + d.modelId() + ")" + round,
                    batch,
                    n,
                    String.format(Locale.ROOT, "%.2f", (double) total.networkInputs() / n),
                    total.totalMs() / n,
                    n / secs,
                    cores,
                    perFrame);
            return new Alone(row, n / (secs - decodeNanos / 1e9));
        }
    }

    /**
     * The detector alone's row, and its frames/s without the JPEG decoding.
     *
     * @param decodedFps frames/s had the frames arrived decoded: the row's time less its decoding
     */
    record Alone(Row row, double decodedFps) {}

    private static BufferedImage decode(FrameValidator decoder, Frame frame) {
        FrameValidator.Result r = decoder.validate(frame);
        if (!r.accepted()) throw new IllegalStateException("bench frame " + frame.getFrameIndex() + ": " + r.message());
        return r.image();
    }

    private Row pipeline(
            PipelineConfig cfg,
            SkypackTopology.Topics topics,
            String bootstrap,
            FlightSource source,
            List<Frame> all,
            Pace sendPace,
            int batch,
            String round)
            throws Exception {
        try (DetectorRuntime app = DetectorRuntime.create(cfg)) {
            app.start();
            DemoCommand.awaitRunning(app.streams());
            SchemaRegistryClient registry = app.registry();
            List<Double> latencies = new ArrayList<>();
            try (KafkaProducer<String, Frame> producer = cfg.frameProducer(registry);
                    OutputWatcher watcher = new OutputWatcher(bootstrap, registry, topics)) {
                warmUp(producer, watcher, topics.frames(), all, source.flightId());
                int before = watcher.detections.size(), rejectedBefore = watcher.rejected.size();
                Map<String, double[]> thread0 = streamThreadTimes(app.streams().metrics());
                ThreadCpu cpu0 = ThreadCpu.now();
                long t0 = System.nanoTime();
                // Sent from another thread while this one reads, so a paced frame's latency is measured
                // when its result becomes visible, not after the last frame was sent.
                CompletableFuture<Integer> sending = CompletableFuture.supplyAsync(() -> {
                    try {
                        return new FrameProducer(producer, topics.frames()).replay(source, sendPace, (n, total) -> {});
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while sending frames", e);
                    }
                });
                boolean done = watcher.awaitFrames(
                        before + rejectedBefore + source.size(),
                        Duration.ofMinutes(10),
                        r -> latencies.add((double) (System.currentTimeMillis() - r.timestamp())));
                sending.join();
                double secs = (System.nanoTime() - t0) / 1e9;
                double cores =
                        cpu("pipeline, batch " + batch + round, ThreadCpu.now().since(cpu0)) / secs;
                printStreamThread(
                        batch + round,
                        source.size(),
                        thread0,
                        streamThreadTimes(app.streams().metrics()));
                var timed = watcher.detections.subList(before, watcher.detections.size());
                if (!done)
                    throw new IllegalStateException(
                            "pipeline did not finish: " + timed.size() + " of " + source.size());
                return row(
                        "pipeline, " + cfg.get("processing.guarantee")
                                + (Double.isInfinite(sendPace.speed()) ? "" : ", paced " + pace) + round,
                        batch,
                        source.size(),
                        "same",
                        detectorMs(timed) / source.size(),
                        source.size() / secs,
                        cores,
                        latencies);
            }
        }
    }

    /**
     * Sends the flight's first {@code --warmup-frames} frames under the flight id {@code <flight>-warm-up} and
     * waits for their results, so that the timed frames find the pipeline idle and its code compiled.
     */
    private void warmUp(
            KafkaProducer<String, Frame> producer, OutputWatcher watcher, String topic, List<Frame> all, String flight)
            throws Exception {
        int n = Math.min(warmupFrames, all.size());
        if (n == 0) return;
        String id = flight + "-warm-up";
        for (Frame f : all.subList(0, n)) {
            producer.send(new ProducerRecord<>(
                            topic, id, Frame.newBuilder(f).setFlightId(id).build()))
                    .get();
        }
        if (!watcher.awaitFrames(n, Duration.ofMinutes(5), r -> {})) {
            throw new IllegalStateException("the pipeline's warm-up did not finish: "
                    + (watcher.detections.size() + watcher.rejected.size()) + " of " + n + " frames out");
        }
    }

    /**
     * Milliseconds the detector spent on these frames, from each record's batch timings: a batch's
     * time counted once, shared by its frames.
     */
    static double detectorMs(List<ConsumerRecord<String, FrameDetections>> records) {
        double ms = 0;
        for (ConsumerRecord<String, FrameDetections> r : records) {
            DetectionStats st = r.value().getStats();
            ms += (st.getCoarseMs() + st.getPackMs() + st.getFineMs()) / Math.max(1, st.getBatchSize());
        }
        return ms;
    }

    private static final List<String> STREAM_THREAD_OPS = List.of("process", "punctuate", "commit", "poll");

    /**
     * Per operation of the stream thread ({@link #STREAM_THREAD_OPS}), its count and its count x average
     * latency in ms so far, from Kafka Streams' own thread metrics. The averages cover the metrics'
     * sample window (2 x 30 s), so the difference of two readings is only an estimate for longer runs.
     */
    static Map<String, double[]> streamThreadTimes(Map<MetricName, ? extends Metric> metrics) {
        Map<String, double[]> out = new HashMap<>();
        for (String op : STREAM_THREAD_OPS) {
            double count = 0, avgMs = 0;
            for (Map.Entry<MetricName, ? extends Metric> m : metrics.entrySet()) {
                if (!m.getKey().group().equals("stream-thread-metrics")) continue;
                if (!(m.getValue().metricValue() instanceof Number n) || Double.isNaN(n.doubleValue())) continue;
                if (m.getKey().name().equals(op + "-total")) count += n.doubleValue();
                if (m.getKey().name().equals(op + "-latency-avg")) avgMs = Math.max(avgMs, n.doubleValue());
            }
            out.put(op, new double[] {count, count * avgMs});
        }
        return out;
    }

    /** Prints where the stream thread's time went between two readings of {@link #streamThreadTimes}. */
    private void printStreamThread(
            String batch, int frames, Map<String, double[]> before, Map<String, double[]> after) {
        StringBuilder line = new StringBuilder("stream thread, batch " + batch + ", ms per frame:");
        for (String op : STREAM_THREAD_OPS) {
            double n = after.get(op)[0] - before.get(op)[0];
            double ms = after.get(op)[1] - before.get(op)[1];
            line.append(String.format(Locale.ROOT, " %s %.0f (%.0f calls);", op, ms / frames, n));
        }
        PrintWriter o = spec.commandLine().getOut();
        o.println(line);
        o.flush();
    }

    /** CPU seconds of all threads; by thread name too with {@code --threads}. */
    private double cpu(String what, Map<String, Double> byThread) {
        double total =
                byThread.values().stream().mapToDouble(Double::doubleValue).sum();
        if (threads) {
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "CPU seconds by thread, %s (%.1f s in all):%n", what, total);
            byThread.entrySet().stream()
                    .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                    .limit(12)
                    .forEach(e -> o.printf(Locale.ROOT, "  %-16s %7.2f%n", e.getKey(), e.getValue()));
            o.flush();
        }
        return total;
    }

    /** A table row and its frames/s. */
    record Row(String line, double fps) {}

    private static Row row(
            String what,
            int batch,
            int frames,
            String inputsPerFrame,
            double detectorMs,
            double fps,
            double cores,
            List<Double> latencies) {
        return new Row(
                String.format(
                        Locale.ROOT,
                        "| %s | %d | %d | %s | %.0f | %.0f | %.2f | %.2f | %.0f | %.0f |",
                        what,
                        batch,
                        frames,
                        inputsPerFrame,
                        detectorMs,
                        1000 / fps,
                        fps,
                        cores,
                        DemoCommand.percentile(latencies, 0.5),
                        DemoCommand.percentile(latencies, 0.99)),
                fps);
    }
}
