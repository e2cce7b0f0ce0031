package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.BatchStats;
import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.DetectionBatch;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
import io.skypack.registry.AvroSerdes;
import io.skypack.registry.FakeSchemaRegistry;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.ImageEncoding;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link InferenceStage} on Kafka's {@link MockProcessorContext} with a real {@link DetectorPool} (its
 * worker thread) and a detector held at a gate, so a test decides when a batch finishes: what is in the
 * in-flight store while a batch runs, when results are forwarded, and what happens at a restart.
 */
class InferenceStageTest {
    private static final String STORE = "inference-in-flight";
    private static final long T0 = 1_800_000_000_000L;

    private FakeSchemaRegistry registry;
    private Serde<Frame> frameSerde;
    private MockProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, BufferedFrame<String, Frame>> store;
    private DetectorPool pool;
    /** Frame indices of each detector call, in call order. */
    private final List<List<Long>> calls = Collections.synchronizedList(new ArrayList<>());
    /** A batch may finish only once this is open; open unless a test closes it. */
    private volatile CountDownLatch gate = new CountDownLatch(0);

    private final Detector gated = frames -> {
        calls.add(frames.stream().map(f -> index(f)).toList());
        try {
            if (!gate.await(30, TimeUnit.SECONDS)) throw new IllegalStateException("gate never opened");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        List<FrameResult> out = new ArrayList<>();
        for (FrameImage f : frames) {
            out.add(new FrameResult(
                    f.index(), List.of(new Detection(new Box(0, 0, 2, 2), 4, 0.9, null, 0)), List.of(), false));
        }
        return new DetectionBatch(out, new BatchStats(frames.size(), frames.size(), 8L * frames.size(), 0, 0, 0, 1, 1));
    };

    private static long index(FrameImage f) {
        return (f.image().getRGB(0, 0) >> 16) & 0xff; // the frame's index, in its first pixel's red value
    }

    @BeforeEach
    void setUp() throws IOException {
        registry = FakeSchemaRegistry.start();
        SchemaRegistryClient client = new SchemaRegistryClient(
                SchemaRegistryConfig.builder(registry.url()).retries(2).build());
        frameSerde = AvroSerdes.forType(Frame.class, client, false);
        context = new MockProcessorContext<>();
        store = InferenceStage.inFlightStore(STORE, frameSerde)
                .withLoggingDisabled() // the mock context has no changelog to write to
                .build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        pool = DetectorPool.of(gated);
    }

    @AfterEach
    void tearDown() {
        gate.countDown();
        pool.close();
        registry.close();
    }

    private InferenceStage stage(boolean overlap) {
        InferenceStage stage = new InferenceStage(
                pool,
                "uav.frames",
                STORE,
                new DecodedImages(DecodedImages.DEFAULT_MAX_PIXELS),
                new FrameValidator(1000, 64L * 64),
                frameSerde.serializer(),
                new InferenceStage.Settings("test-model", Optional.empty(), id -> "class-" + id, 0.3, overlap),
                System::currentTimeMillis);
        stage.init(context);
        return stage;
    }

    /** A 4 x 2 RAW_RGB frame of flight f1 whose first pixel's red value is its index. */
    private static BufferedFrame<String, Frame> frame(long index) {
        byte[] rgb = new byte[4 * 2 * 3];
        rgb[0] = (byte) index;
        Frame f = Frame.newBuilder()
                .setFlightId("f1")
                .setFrameIndex(index)
                .setCaptureTime(Instant.ofEpochMilli(T0 + 500 * index))
                .setWidth(4)
                .setHeight(2)
                .setEncoding(ImageEncoding.RAW_RGB)
                .setImage(ByteBuffer.wrap(rgb))
                .build();
        return new BufferedFrame<>("f1", f, T0 + index, T0 + index, index);
    }

    private static Record<String, List<BufferedFrame<String, Frame>>> batch(long... indices) {
        List<BufferedFrame<String, Frame>> frames = new ArrayList<>();
        for (long i : indices) frames.add(frame(i));
        return new Record<>("f1", List.copyOf(frames), T0);
    }

    /** Frame indices forwarded to the detections sink, in order. */
    private List<Long> detected() {
        return context.forwarded().stream()
                .filter(f -> InferenceStage.DETECTIONS.equals(f.childName().orElse(null)))
                .map(f -> ((FrameDetections) f.record().value()).getFrameIndex())
                .toList();
    }

    /** Fires the stage's punctuator, as the stream thread would between records, until {@code n} frames are out. */
    private void punctuateUntil(int n) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (detected().size() < n && System.nanoTime() < end) {
            context.scheduledPunctuators().get(0).getPunctuator().punctuate(System.currentTimeMillis());
            Thread.sleep(2);
        }
    }

    private List<Long> storeKeys() {
        List<Long> keys = new ArrayList<>();
        try (KeyValueIterator<Long, BufferedFrame<String, Frame>> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedFrame<String, Frame>> e = all.next();
                keys.add(e.key);
            }
        }
        return keys;
    }

    @Test
    void withOverlapShouldKeepABatchInTheStoreWhileItRunsAndForwardItsResultsOnlyOnceFinished() throws Exception {
        InferenceStage stage = stage(true);
        gate = new CountDownLatch(1);
        stage.process(batch(0, 1)); // returns while the batch runs

        assertEquals(List.of(), detected());
        assertEquals(List.of(0L, 1L), storeKeys(), "batch 0, frames 0 and 1");
        gate.countDown();
        punctuateUntil(2);

        assertEquals(List.of(0L, 1L), detected());
        assertEquals(4, context.forwarded().size(), "each frame to the detections sink and to the flight statistics");
        assertEquals(List.of(), storeKeys(), "deleted once the results are forwarded");
    }

    @Test
    void withOverlapTheNextBatchShouldWaitForTheOldestAndFindItsResultsForwardedFirst() throws Exception {
        InferenceStage stage = stage(true);
        gate = new CountDownLatch(1);
        stage.process(batch(0, 1));
        CountDownLatch g = gate;
        CompletableFuture.runAsync(() -> {
            sleep(200);
            gate = new CountDownLatch(1); // holds the next batch
            g.countDown();
        });
        long t0 = System.nanoTime();
        stage.process(batch(2, 3)); // one detector: waits for batch 0 (about 200 ms)
        long waitedMs = (System.nanoTime() - t0) / 1_000_000;

        assertTrue(waitedMs >= 150, "returned after " + waitedMs + " ms, before the oldest batch had finished");
        assertEquals(List.of(0L, 1L), detected(), "the oldest batch's results, forwarded by the next process()");
        assertEquals(List.of(1L << 16, (1L << 16) | 1), storeKeys(), "only the running batch 1 left in the store");
        gate.countDown();
        punctuateUntil(4);
        assertEquals(List.of(0L, 1L, 2L, 3L), detected());
        assertEquals(List.of(List.of(0L, 1L), List.of(2L, 3L)), calls);
        assertEquals(List.of(), storeKeys());
    }

    @Test
    void shouldRunTheBatchesLeftInTheStoreAgainAtStartBeforeNewOnes() throws Exception {
        // What a crash leaves: two batches whose frames were committed with their input offsets, not their results.
        store.put((7L << 16), frame(0));
        store.put((7L << 16) | 1, frame(1));
        store.put((8L << 16), frame(2));
        InferenceStage stage = stage(true);
        stage.process(batch(3));
        punctuateUntil(4);

        assertEquals(List.of(0L, 1L, 2L, 3L), detected(), "restored batches first, in their order");
        assertEquals(List.of(List.of(0L, 1L), List.of(2L), List.of(3L)), calls, "each restored batch as it was");
        assertEquals(List.of(), storeKeys());
    }

    @Test
    void theInFlightStoreShouldHaveAChangelogSinceThatIsWhatACrashRestoresFrom() {
        assertTrue(InferenceStage.inFlightStore(STORE, frameSerde).loggingEnabled());
    }

    @Test
    void withoutOverlapTheRestoredBatchesShouldStillRunFirst() {
        store.put((3L << 16), frame(5));
        InferenceStage stage = stage(false);
        stage.process(batch(6));

        assertEquals(List.of(5L, 6L), detected(), "all forwarded before process() returns");
        assertEquals(List.of(), storeKeys());
    }

    @Test
    void withoutOverlapShouldForwardBeforeProcessReturnsAndNeverUseTheStore() {
        InferenceStage stage = stage(false);
        stage.process(batch(0, 1));

        assertEquals(List.of(0L, 1L), detected());
        assertEquals(List.of(), storeKeys());
    }

    @Test
    void aBatchStillRunningAtCloseShouldStayInTheStoreForTheTasksNextOwner() {
        InferenceStage stage = stage(true);
        gate = new CountDownLatch(1);
        stage.process(batch(4, 5));
        stage.close();
        gate.countDown();

        assertEquals(List.of(), detected());
        assertEquals(List.of(0L, 1L), storeKeys());
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
