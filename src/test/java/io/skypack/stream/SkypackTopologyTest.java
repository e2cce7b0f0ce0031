package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.BatchStats;
import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
import io.skypack.detect.MaskRle;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.AvroSerdes;
import io.skypack.registry.AvroSerializer;
import io.skypack.registry.FakeSchemaRegistry;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.schema.FlightStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The whole topology on {@link TopologyTestDriver}: real Avro in the Confluent wire format (against a
 * registry speaking its REST API), a scripted detector, wall-clock time moved by hand.
 */
class SkypackTopologyTest {
    private static final Instant NOW = Instant.ofEpochMilli(1_800_000_000_000L);
    /** The topology's wall clock, moved with the driver's by {@link #advance}. */
    private Instant now = NOW;

    private static final SkypackTopology.Topics T = SkypackTopology.Topics.DEFAULT;

    private FakeSchemaRegistry registry;
    private SchemaRegistryClient client;
    private TopologyTestDriver driver;
    private TestInputTopic<byte[], byte[]> frames;
    private TestOutputTopic<String, byte[]> detections;
    private TestOutputTopic<String, byte[]> deadLetters;
    private TestOutputTopic<String, byte[]> stats;
    /** Frame indices (of the flight) the scripted detector fails on, even alone. */
    private final Set<Long> poisoned = new java.util.HashSet<>();
    /** Batch sizes the detector was called with. */
    private final List<Integer> calls = new ArrayList<>();
    /** Frame indices the scripted detector runs out of heap on, even alone. */
    private final Set<Long> outOfMemory = new java.util.HashSet<>();
    /** The detector call (0-based, as counted by {@link #calls}) that runs out of heap once; -1 for none. */
    private int outOfMemoryOnCall = -1;
    /** Whether the inference stage goes on while a batch runs ({@link InferenceStage.Settings#overlap()}). */
    private boolean overlap;
    /** How long each call of the scripted detector takes on the topology's clock. */
    private Duration inferenceTime = Duration.ZERO;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                .retries(2)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .build());
    }

    @AfterEach
    void stop() {
        if (driver != null) driver.close();
        registry.close();
    }

    /** One detection per frame (box (1, 0)-(3, 2), mask its left column) plus one below the output score. */
    private final Detector scripted = new Detector() {
        @Override
        public DetectionBatch detect(List<FrameImage> batch) throws DetectionException {
            calls.add(batch.size());
            now = now.plus(inferenceTime);
            if (calls.size() - 1 == outOfMemoryOnCall) throw new OutOfMemoryError("scripted: Java heap space");
            List<FrameResult> out = new ArrayList<>();
            for (FrameImage f : batch) {
                // The scripted failure keys on the image's top-left red value, which carries the frame index.
                long index = (f.image().getRGB(0, 0) >> 16) & 0xff;
                if (outOfMemory.contains(index))
                    throw new OutOfMemoryError("scripted: Java heap space on frame " + index);
                if (poisoned.contains(index))
                    throw new DetectionException(
                            "scripted failure on frame " + index, new IllegalStateException("scripted"));
                MaskRle mask = MaskRle.ofRectangle(2, 4, 1, 0, 2, 2);
                out.add(new FrameResult(
                        f.index(),
                        List.of(
                                new Detection(new Box(1, 0, 3, 2), 4, 0.9, mask, 1),
                                new Detection(new Box(0, 0, 1, 1), 1, 0.1, null, 0)),
                        List.of(),
                        false));
            }
            return new DetectionBatch(
                    out, new BatchStats(batch.size(), batch.size(), 8L * batch.size(), 0, 0, 0, 1, 1));
        }
    };

    private Topology topology(Optional<Duration> staleAfter) {
        SkypackTopology.Settings settings = new SkypackTopology.Settings(
                T,
                BatchingConfig.of(2, Duration.ofMillis(100)),
                new InferenceStage.Settings("test-model", staleAfter, id -> "class-" + id, 0.3, overlap),
                1000,
                64L * 64,
                Duration.ofSeconds(10));
        SkypackTopology.Codecs codecs = new SkypackTopology.Codecs(
                AvroDeserializer.forType(Frame.class, client),
                AvroSerdes.forType(Frame.class, client, false),
                new AvroSerializer<SpecificRecord>(client, false));
        return SkypackTopology.build(settings, codecs, DetectorPool.of(scripted), () -> now);
    }

    /** Moves wall-clock time: the driver's (punctuators) and the topology's clock together. */
    private void advance(Duration d) {
        now = now.plus(d);
        driver.advanceWallClockTime(d);
    }

    private void drive(Optional<Duration> staleAfter) {
        Properties props = new Properties();
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "skypack-test");
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology(staleAfter), props, NOW);
        frames = driver.createInputTopic(T.frames(), new ByteArraySerializer(), new ByteArraySerializer());
        detections = driver.createOutputTopic(
                T.detections(),
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        deadLetters = driver.createOutputTopic(
                T.deadLetters(),
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
        stats = driver.createOutputTopic(
                T.flightStats(),
                new StringDeserializer(),
                new org.apache.kafka.common.serialization.ByteArrayDeserializer());
    }

    /** A 4 x 2 RAW_RGB frame whose first pixel's red value is its index (the scripted detector reads it). */
    private static Frame frame(long index) {
        byte[] rgb = new byte[4 * 2 * 3];
        rgb[0] = (byte) index;
        return Frame.newBuilder()
                .setFlightId("f1")
                .setFrameIndex(index)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + 500 * index))
                .setWidth(4)
                .setHeight(2)
                .setEncoding(ImageEncoding.RAW_RGB)
                .setImage(ByteBuffer.wrap(rgb))
                .build();
    }

    private byte[] bytes(Frame f) {
        return new AvroSerializer<Frame>(client, false).serialize(T.frames(), f);
    }

    private void send(byte[] value, Instant at) {
        frames.pipeInput("f1".getBytes(), value, at);
    }

    private List<FrameDetections> readDetections() {
        AvroDeserializer<FrameDetections> r = AvroDeserializer.forType(FrameDetections.class, client);
        return detections.readValuesToList().stream()
                .map(b -> r.deserialize(T.detections(), b))
                .toList();
    }

    private List<RejectedFrame> readRejected() {
        AvroDeserializer<RejectedFrame> r = AvroDeserializer.forType(RejectedFrame.class, client);
        return deadLetters.readValuesToList().stream()
                .map(b -> r.deserialize(T.deadLetters(), b))
                .toList();
    }

    @Test
    void shouldCountInferenceInEachFramesTime() {
        // Kafka Streams' cached currentSystemTimeMs() stands still through process(), so a time read from it
        // after inference left inference out.
        inferenceTime = Duration.ofMillis(700);
        drive(Optional.empty());
        send(bytes(frame(0)), NOW);
        send(bytes(frame(1)), NOW);

        List<FrameDetections> out = readDetections();
        assertEquals(2, out.size());
        for (FrameDetections d : out) assertEquals(700f, d.getStats().getTotalMs(), 0.5f);
    }

    @Test
    void shouldWriteOneDetectionsRecordPerFrameInOrderWithMasksWithinTheBox() {
        drive(Optional.empty());
        for (long i = 0; i < 5; i++) send(bytes(frame(i)), NOW);
        advance(Duration.ofMillis(150)); // the fifth frame waits for the budget
        List<FrameDetections> out = readDetections();
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L),
                out.stream().map(FrameDetections::getFrameIndex).toList());
        assertEquals(List.of(2, 2, 1), calls, "two full batches, then the budget flushes the last frame");
        FrameDetections first = out.get(0);
        assertEquals("test-model", first.getModelId());
        assertEquals(1, first.getDetections().size(), "the 0.1 detection is below the output score");
        io.skypack.schema.Detection d = first.getDetections().get(0);
        assertEquals("class-4", d.getClassName());
        assertEquals(1, d.getProxy());
        assertEquals(0.9f, d.getScore(), 1e-6);
        // The frame mask covers column 1, rows 0-1; within the box [1, 3) x [0, 2) that is its first column.
        assertEquals(2, d.getMask().getWidth());
        assertEquals(2, d.getMask().getHeight());
        boolean[] px = MaskRle.fromCocoString(d.getMask().getCounts(), 2, 2).decode();
        assertEquals(List.of(true, false, true, false), List.of(px[0], px[1], px[2], px[3]));
        assertEquals(2, first.getStats().getBatchSize());
        assertEquals(0, readRejected().size());
    }

    @Test
    void withOverlapShouldWriteOneDetectionsRecordPerFrameInOrderAndEmptyTheInFlightStore()
            throws InterruptedException {
        overlap = true;
        drive(Optional.empty());
        for (long i = 0; i < 5; i++) send(bytes(frame(i)), NOW);
        advance(Duration.ofMillis(150)); // the fifth frame waits for the budget
        List<FrameDetections> out = new ArrayList<>();
        long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (out.size() < 5 && System.nanoTime() < end) {
            advance(InferenceStage.FORWARD_CHECK); // results go out at the stage's punctuation once finished
            out.addAll(readDetections());
            Thread.sleep(1);
        }
        assertEquals(
                List.of(0L, 1L, 2L, 3L, 4L),
                out.stream().map(FrameDetections::getFrameIndex).toList());
        assertEquals(List.of(2, 2, 1), calls);
        assertEquals(0, readRejected().size());
        var inFlight = driver.<Long, Object>getKeyValueStore(SkypackTopology.IN_FLIGHT_STORE);
        try (var all = inFlight.all()) {
            assertTrue(!all.hasNext(), "every forwarded batch deleted from the in-flight store");
        }
    }

    @Test
    void shouldCountFlightStatisticsPerWindow() {
        drive(Optional.empty());
        for (long i = 0; i < 4; i++) send(bytes(frame(i)), NOW.plusSeconds(i < 3 ? 1 : 12));
        advance(Duration.ofMillis(150));
        AvroDeserializer<FlightStats> r = AvroDeserializer.forType(FlightStats.class, client);
        List<FlightStats> all = stats.readValuesToList().stream()
                .map(b -> r.deserialize(T.flightStats(), b))
                .toList();
        assertEquals(4, all.size(), "every detections record re-publishes its window");
        FlightStats firstWindowFinal = all.get(2);
        assertEquals(3, firstWindowFinal.getFrames());
        assertEquals(3, firstWindowFinal.getDetections());
        assertEquals(3L, firstWindowFinal.getPerClass().get("class-4"));
        assertEquals(
                10_000,
                firstWindowFinal.getWindowEnd().toEpochMilli()
                        - firstWindowFinal.getWindowStart().toEpochMilli());
        FlightStats second = all.get(3);
        assertEquals(1, second.getFrames());
        assertTrue(second.getWindowStart().isAfter(firstWindowFinal.getWindowStart()));
    }

    @Test
    void shouldRetryAFailedBatchFrameByFrameAndDeadLetterOnlyTheFrameThatFailsAlone() {
        drive(Optional.empty());
        poisoned.add(1L);
        for (long i = 0; i < 4; i++) send(bytes(frame(i)), NOW);
        List<FrameDetections> out = readDetections();
        assertEquals(
                List.of(0L, 2L, 3L),
                out.stream().map(FrameDetections::getFrameIndex).toList());
        List<RejectedFrame> rejected = readRejected();
        assertEquals(1, rejected.size());
        assertEquals(RejectReason.INFERENCE_FAILED, rejected.get(0).getReasonCode());
        assertEquals(1L, rejected.get(0).getSourceOffset(), "the failed frame's own input offset");
        assertTrue(
                rejected.get(0).getMessage().contains("scripted failure on frame 1"),
                rejected.get(0).getMessage());
        Frame back = AvroDeserializer.forType(Frame.class, client)
                .deserialize(T.frames(), rejected.get(0).getOriginalValue().array());
        assertEquals(1, back.getFrameIndex(), "the dead letter carries the frame itself");
    }

    @Test
    void shouldRetryTheFramesAloneWhenTheDetectorRunsOutOfHeapOnABatch() {
        drive(Optional.empty());
        outOfMemoryOnCall = 0;
        for (long i = 0; i < 4; i++) send(bytes(frame(i)), NOW);
        assertEquals(
                List.of(0L, 1L, 2L, 3L),
                readDetections().stream().map(FrameDetections::getFrameIndex).toList());
        assertEquals(List.of(), readRejected());
        assertEquals(List.of(2, 1, 1, 2), calls, "the failed batch again frame by frame, then the next batch");
    }

    /**
     * A frame the detector fails on even alone, in a batch that the latency budget closed (so no input
     * record is current when it fails): dead-lettered with the failure and its own input coordinates, and
     * the next batch runs.
     */
    @Test
    void shouldDeadLetterAFrameOfABatchClosedByTheLatencyBudgetWithItsSourceAndTheFailure() {
        drive(Optional.empty());
        outOfMemory.add(5L);
        send(bytes(frame(5)), NOW);
        advance(Duration.ofMillis(150));
        List<RejectedFrame> rejected = readRejected();
        assertEquals(1, rejected.size());
        RejectedFrame r = rejected.get(0);
        assertEquals(RejectReason.INFERENCE_FAILED, r.getReasonCode());
        assertTrue(r.getMessage().contains("OutOfMemoryError"), r.getMessage());
        assertEquals(T.frames(), r.getSourceTopic());
        assertEquals(0, r.getSourcePartition());
        assertEquals(0L, r.getSourceOffset());
        send(bytes(frame(6)), NOW);
        send(bytes(frame(7)), NOW);
        assertEquals(
                List.of(6L, 7L),
                readDetections().stream().map(FrameDetections::getFrameIndex).toList());
        assertEquals(List.of(1, 1, 2), calls);
    }

    @Test
    void liveConfigurationShouldSkipAndCountStaleFramesNeverDropThem() {
        drive(Optional.of(Duration.ofSeconds(2)));
        send(bytes(frame(0)), NOW.minusSeconds(5)); // produced 5 s ago: stale on arrival
        send(bytes(frame(1)), NOW);
        List<FrameDetections> out = readDetections();
        assertEquals(2, out.size());
        assertTrue(out.get(0).getStats().getSkipped());
        assertTrue(
                out.get(0).getStats().getSkipReason().startsWith("stale"),
                out.get(0).getStats().getSkipReason());
        assertEquals(0, out.get(0).getDetections().size());
        assertEquals(false, out.get(1).getStats().getSkipped());
        assertNull(out.get(1).getStats().getSkipReason());
        assertEquals(List.of(1), calls, "only the fresh frame reached the detector");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "truncated",
                "unknown-schema",
                "empty",
                "corrupt-image",
                "oversized",
                "zero-size",
                "missing-image",
                "size-mismatch"
            })
    void aBadRecordShouldBeDeadLetteredWithItsReasonAndTheNextFrameStillDetected(String kind) {
        drive(Optional.empty());
        byte[] good = bytes(frame(7));
        byte[] bad =
                switch (kind) {
                    case "truncated" -> java.util.Arrays.copyOf(good, good.length - 10);
                    case "unknown-schema" -> {
                        byte[] b = good.clone();
                        b[1] = 0x7f; // schema id 0x7f...... is not registered
                        yield b;
                    }
                    case "empty" -> new byte[0];
                    case "corrupt-image" ->
                        bytes(Frame.newBuilder(frame(3))
                                .setEncoding(ImageEncoding.JPEG)
                                .setImage(ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3}))
                                .build());
                    case "oversized" ->
                        bytes(Frame.newBuilder(frame(3))
                                .setWidth(400)
                                .setHeight(400)
                                .setImage(ByteBuffer.wrap(new byte[400 * 400 * 3]))
                                .build());
                    case "zero-size" ->
                        bytes(Frame.newBuilder(frame(3))
                                .setWidth(0)
                                .setHeight(0)
                                .build());
                    case "missing-image" ->
                        bytes(Frame.newBuilder(frame(3)).setImage(null).build());
                    case "size-mismatch" ->
                        bytes(Frame.newBuilder(frame(3)).setWidth(5).build());
                    default -> throw new IllegalArgumentException(kind);
                };
        send(bad, NOW);
        send(good, NOW);
        advance(Duration.ofMillis(150));
        List<RejectedFrame> rejected = readRejected();
        assertEquals(1, rejected.size(), kind);
        assertNotNull(rejected.get(0).getReasonCode());
        assertTrue(!rejected.get(0).getMessage().isBlank());
        assertEquals(
                List.of(7L),
                readDetections().stream().map(FrameDetections::getFrameIndex).toList(),
                kind);
    }

    @ParameterizedTest
    @ValueSource(strings = {"replay", "live"})
    void theBuiltTopologyShouldMatchItsCommittedDescription(String profile) throws IOException {
        // Both profiles build the same graph today (they differ in settings, not in nodes); each has its file
        // so a profile-specific change shows up in review.
        Path committed = Path.of("topologies", profile + ".txt");
        String built = topology(profile.equals("live") ? Optional.of(Duration.ofSeconds(2)) : Optional.empty())
                .describe()
                .toString();
        if (Boolean.getBoolean("skypack.updateTopologies")) Files.writeString(committed, built);
        assertEquals(
                Files.readString(committed),
                built,
                "topology changed: review it and run with -Dskypack.updateTopologies=true");
    }
}
