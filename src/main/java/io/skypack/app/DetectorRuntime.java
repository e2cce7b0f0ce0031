package io.skypack.app;

import ai.djl.Device;
import ai.djl.engine.Engine;
import io.skypack.detect.Detector;
import io.skypack.detect.FullFrameDetector;
import io.skypack.detect.InferenceLanes;
import io.skypack.detect.LanedModel;
import io.skypack.detect.SlicedDetector;
import io.skypack.detect.UfpmpConfig;
import io.skypack.detect.UfpmpDetector;
import io.skypack.model.MpDetRunner;
import io.skypack.model.TorchThreads;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.AvroSerdes;
import io.skypack.registry.AvroSerializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.stream.DetectorPool;
import io.skypack.stream.SkypackTopology;
import io.skypack.train.data.VisDroneCategory;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.IntConsumer;
import java.util.function.UnaryOperator;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector application as the commands run it: models opened from the configuration, one
 * detector per worker in a {@link DetectorPool}, the Avro codecs on the configured registry, the
 * topology, and the Kafka Streams instance running it. Closing it closes all of them.
 */
final class DetectorRuntime implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectorRuntime.class);

    /**
     * Most images in one network call of a lane. On 2 cores, two single-threaded copies side by side ran
     * the fine model at 76-81 ms an image in calls of 4 against 87-100 in calls of 8; in the detector at
     * batch 8 (24-frame bench flight, 3 rounds each, two runs alternated), the fine pass took 71-79 ms a
     * frame in calls of 2 against 78-97 in calls of 4, and calls of 1 were no faster than 4. Smaller
     * chunks also let a lane that a busy core slows down take fewer of them.
     */
    static final int LANE_CHUNK = 2;

    private final DetectorPool pool;
    private final SchemaRegistryClient registry;
    private final Topology topology;
    private final KafkaStreams streams;
    private final String modelId;

    private DetectorRuntime(
            DetectorPool pool, SchemaRegistryClient registry, Topology topology, KafkaStreams streams, String modelId) {
        this.pool = pool;
        this.registry = registry;
        this.topology = topology;
        this.streams = streams;
        this.modelId = modelId;
    }

    /** Opens the models and builds (but does not start) the application. */
    static DetectorRuntime create(PipelineConfig config) throws IOException {
        return create(config, UnaryOperator.identity());
    }

    /**
     * As {@link #create(PipelineConfig)}, with every detector passed through {@code decorate} first (the
     * fault tests wrap the real detector in one that fails on a chosen batch).
     */
    static DetectorRuntime create(PipelineConfig config, UnaryOperator<Detector> decorate) throws IOException {
        Detectors d = openDetectors(config, decorate);
        try {
            SchemaRegistryClient registry = new SchemaRegistryClient(config.registry());
            SkypackTopology.Codecs codecs = codecs(registry);
            Topology topology = SkypackTopology.build(
                    config.settings(d.modelId(), DetectorRuntime::className), codecs, d.pool(), Instant::now);
            Properties props = config.streams();
            KafkaStreams streams = new KafkaStreams(topology, props);
            streams.setUncaughtExceptionHandler(DetectorRuntime::onStreamThreadFailure);
            return new DetectorRuntime(d.pool(), registry, topology, streams, d.modelId());
        } catch (RuntimeException e) {
            d.pool().close();
            throw e;
        }
    }

    /**
     * A failed task (broker gone, a producer fenced, the schema registry unreachable) restarts from its
     * committed state in a new thread; but credentials the cluster rejects (revoked, or a certificate no
     * longer trusted) do not heal by retrying, so the application stops (state ERROR; {@code detect}
     * exits with 1).
     */
    static StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse onStreamThreadFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof AuthenticationException) {
                LOG.error("Kafka rejected this client's authentication, stopping: {}", t.toString());
                return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
            }
        }
        LOG.error("stream thread failed, replacing it: {}{}", e.toString(), rootCause(e));
        return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
    }

    /**
     * The innermost cause with a message, which says what went wrong (Kafka Streams wraps it in its own
     * exceptions), or "" when that is {@code e} itself.
     */
    private static String rootCause(Throwable e) {
        Throwable said = e;
        for (Throwable t = e.getCause(); t != null && t != t.getCause(); t = t.getCause()) {
            if (t.getMessage() != null) said = t;
        }
        return said == e ? "" : "; cause: " + said;
    }

    static SkypackTopology.Codecs codecs(SchemaRegistryClient registry) {
        return new SkypackTopology.Codecs(
                AvroDeserializer.forType(Frame.class, registry),
                AvroSerdes.forType(Frame.class, registry, false),
                new AvroSerializer<SpecificRecord>(registry, false));
    }

    static String className(int id) {
        try {
            return VisDroneCategory.ofId(id).label();
        } catch (IllegalArgumentException e) {
            return "class-" + id;
        }
    }

    record Detectors(DetectorPool pool, String modelId) {}

    /**
     * {@code skypack.detector}: {@code ufp} (coarse + fine), {@code full-frame} or {@code sliced} (the fine
     * model, {@code skypack.model.fine}, alone); {@code skypack.workers} detectors, each with its own models
     * on its device ({@link InferenceDevices}: {@code skypack.devices}); a {@code ufp} detector on the CPU
     * with a copy of both models per inference lane ({@code skypack.inference.lanes}, {@link
     * InferenceDevices#lanesOf}; the other two detectors run on one); each run {@code
     * skypack.warmup.rounds} times on a batch of {@code skypack.batch.max} synthetic frames on its own
     * worker thread before it serves ({@link DetectorWarmUp}; the fault tests' decorations see none of it).
     * The fine model decodes detections from {@code skypack.output.min.score}, the least the pipeline writes
     * ({@link UfpOptions#fineParams}): the same detections above it, without the masks of those under it.
     */
    static Detectors openDetectors(PipelineConfig config) throws IOException {
        return openDetectors(config, UnaryOperator.identity());
    }

    private static Detectors openDetectors(PipelineConfig config, UnaryOperator<Detector> decorate) throws IOException {
        String kind = config.string("detector");
        InferenceDevices devices = InferenceDevices.resolve(
                config.string("devices"),
                config.string("workers"),
                Engine.getInstance().getGpuCount());
        String coarse = config.string("model.coarse"), fine = config.string("model.fine");
        List<Detector> detectors = new ArrayList<>();
        List<InferenceDevices.Lanes> laneCounts = new ArrayList<>();
        List<AutoCloseable> models = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        String modelId = null;
        DetectorWarmUp warmUp = DetectorWarmUp.of(
                (int) config.number("batch.max", 1, 1024), (int) config.number("warmup.rounds", 0, 100));
        try {
            for (int w = 0; w < devices.workers(); w++) {
                Device device = devices.deviceOf(w);
                switch (kind) {
                    case "ufp" -> {
                        UfpOptions o = new UfpOptions();
                        o.coarse = coarse;
                        o.fine = fine;
                        o.candidateScore = config.fraction("ufp.candidate.score");
                        o.canvasesPerFrame = config.decimal("ufp.canvases.per.frame", 0, 1000);
                        o.fineScore = config.fraction("output.min.score");
                        o.canvasBudget = UfpOptions.canvasBudget(
                                        PipelineConfig.PREFIX + "ufp.canvas.budget", config.string("ufp.canvas.budget"))
                                .name();
                        o.coarseInput = config.string("ufp.coarse.input");
                        InferenceDevices.Lanes lanes = devices.lanesOf(w, config.string("inference.lanes"), cores);
                        List<MpDetRunner> c = new ArrayList<>(), f = new ArrayList<>();
                        for (int i = 0; i < lanes.count(); i++) {
                            c.add(o.openCoarse(device));
                            models.add(c.get(i));
                            f.add(o.openFine(device));
                            models.add(f.get(i));
                        }
                        if (lanes.count() == 1) {
                            detectors.add(
                                    new UfpmpDetector(c.get(0), f.get(0), o.config(UfpmpConfig.DEFAULT.maxBatch())));
                        } else {
                            InferenceLanes l = openLanes(w, lanes);
                            models.add(l);
                            // Each pass goes to the laned model whole; it cuts the chunks each lane runs.
                            detectors.add(new UfpmpDetector(
                                    new LanedModel(l, c, LANE_CHUNK),
                                    new LanedModel(l, f, LANE_CHUNK),
                                    o.config(Integer.MAX_VALUE)));
                        }
                        laneCounts.add(lanes);
                        modelId = "ufp:" + c.get(0).config().name() + "+"
                                + f.get(0).config().name();
                    }
                    case "full-frame", "sliced" -> {
                        MpDetRunner f = ModelOption.open(
                                fine, UfpOptions.fineParams(config.fraction("output.min.score")), device);
                        models.add(f);
                        laneCounts.add(InferenceDevices.Lanes.ONE);
                        detectors.add(
                                kind.equals("sliced")
                                        ? new SlicedDetector(f, SlicedDetector.DEFAULT_OVERLAP, 8)
                                        : new FullFrameDetector(f, 8));
                        modelId = kind + ":" + f.config().name();
                    }
                    default ->
                        throw new IllegalArgumentException(
                                "skypack.detector must be ufp, full-frame or sliced, got '" + kind + "'");
                }
            }
        } catch (IOException | RuntimeException e) {
            closeQuietly(models);
            throw e;
        }
        IntConsumer prepare = w -> {
            InferenceDevices.Lanes lanes = laneCounts.get(w);
            int capped = capThreads(devices.coresOf(w, cores));
            if (lanes.count() == 1) {
                LOG.info(
                        "detector {}/{} on {}{}",
                        w + 1,
                        detectors.size(),
                        devices.deviceOf(w),
                        capped > 0 ? ", " + capped + " PyTorch thread(s) (its share of the cores)" : "");
            } else {
                LOG.info(
                        "detector {}/{} on {}, {} lanes of {} PyTorch thread(s)",
                        w + 1,
                        detectors.size(),
                        devices.deviceOf(w),
                        lanes.count(),
                        lanes.threadsEach());
            }
            if (warmUp.rounds() == 0) return;
            Duration took = warmUp.warm(detectors.get(w));
            LOG.info(
                    "detector {}/{} warmed up in {} ms ({} x {} synthetic frames)",
                    w + 1,
                    detectors.size(),
                    took.toMillis(),
                    warmUp.rounds(),
                    warmUp.batchSize());
        };
        return new Detectors(new DetectorPool(detectors.stream().map(decorate).toList(), models, prepare), modelId);
    }

    /**
     * Lowers the calling detector thread's PyTorch threads to {@code share}, the cores it may keep busy,
     * where they are more, so that detectors sharing the CPU do not each start the engine's full count
     * (which is also what any thread new to PyTorch then starts with). Never raises them: a lower
     * {@code ai.djl.pytorch.num_threads} stays. Returns the new count, or 0 where nothing changed
     * ({@code share} 0: a GPU detector).
     */
    static int capThreads(int share) {
        if (share < 1 || share >= TorchThreads.ofThisThread()) return 0;
        TorchThreads.setForThisThread(share);
        return share;
    }

    /**
     * Lanes whose threads each run {@code lanes.threadsEach()} PyTorch threads. Setting them changes the
     * count that threads new to PyTorch start with (see {@link TorchThreads}), so this thread's count,
     * the engine's, is set back after.
     */
    static InferenceLanes openLanes(int worker, InferenceDevices.Lanes lanes) {
        int engine = TorchThreads.ofThisThread();
        try {
            return new InferenceLanes(
                    lanes.count(), "skypack-lane-" + worker, () -> TorchThreads.setForThisThread(lanes.threadsEach()));
        } finally {
            TorchThreads.setForThisThread(engine);
        }
    }

    private static void closeQuietly(List<AutoCloseable> models) {
        for (AutoCloseable m : models) {
            try {
                m.close();
            } catch (Exception ignored) {
                // the original failure is what matters
            }
        }
    }

    void start() {
        streams.start();
    }

    KafkaStreams streams() {
        return streams;
    }

    Topology topology() {
        return topology;
    }

    String modelId() {
        return modelId;
    }

    SchemaRegistryClient registry() {
        return registry;
    }

    @Override
    public void close() {
        streams.close(java.time.Duration.ofSeconds(30));
        pool.close();
    }
}
