package io.skypack.app;

import static io.skypack.app.ReliabilityHarness.TOPICS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.skypack.app.ReliabilityHarness.Output;
import io.skypack.app.ReliabilityHarness.OutputReader;
import io.skypack.embedded.LocalKafkaBroker;
import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.registry.AvroSerializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.registry.SchemaRegistryException;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import io.skypack.train.synth.SynthConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * The schema registry unreachable at the detector's start and again in the middle of a replay, on
 * real components: Apicurio in a child JVM behind a {@link TcpProxy} the test cuts and opens (so the
 * registry keeps its schemas: Apicurio's in-memory storage would lose them, and their ids, on a
 * restart), the in-process broker, and {@code skypack detect} (replay profile, {@code
 * exactly_once_v2}, bundled models) in a child JVM that reaches the registry only through the proxy.
 *
 * <ol>
 *   <li>Frames 0-11 are on the topic before the detector starts, with the proxy cut: the detector
 *       cannot fetch their writer schema; its registry client retries with backoff and logs each retry,
 *       and when the retries are exhausted the task fails and the stream thread is replaced (the frame is
 *       read again, never dead-lettered). Nothing is written. The proxy opens: frames 0-11 come out.
 *   <li>The proxy is cut again; frames 12-23 are written with a newer (compatible) version of the Frame
 *       schema, registered directly, whose id the detector has never seen: the same again. A frame
 *       producer whose registry is behind the cut proxy fails its send and writes nothing.
 * </ol>
 *
 * Afterwards, read with {@code read_committed}: exactly one detections record per frame, in frame
 * order, every one written with the registered FrameDetections schema id, one dead letter (a corrupt
 * frame sent on purpose in the first half, so that the detector has learned the dead-letter schema
 * id before the second outage: an outage must not turn the frames into dead letters then either),
 * and the detector's log has the retry lines.
 */
class RegistryOutageIT {
    private static final long SEED = 4_404L;
    private static final int FRAMES = 24, HALF = 12;
    /** A corrupt frame (index {@value #CORRUPT_INDEX}) is sent after this frame, in the first half. */
    private static final long CORRUPT_AFTER = 5, CORRUPT_INDEX = 1_000;

    private static final String RETRY_LINE = "Schema registry request failed";
    private static final String REPLACED_LINE = "stream thread failed, replacing it";
    private static final Duration PATIENCE = Duration.ofSeconds(150);

    @Test
    void shouldLoseNothingAndWriteNothingMisEncodedWhenTheRegistryIsDownAtStartAndMidReplay() throws Exception {
        long t0 = System.nanoTime();
        List<Frame> frames = ReliabilityHarness.syntheticFlights(
                        new SynthConfig(160, 96, FRAMES, 1, 2.0, 40, 110, 1.0, 1.0, 0, 0.9, SEED))
                .get(0);
        byte[] junk = new byte[512];
        new java.util.Random(SEED).nextBytes(junk);
        junk[0] = (byte) 0xff;
        junk[1] = (byte) 0xd8; // a JPEG start marker, then nothing a decoder can use
        Frame corrupt = Frame.newBuilder(frames.get(0))
                .setFrameIndex(CORRUPT_INDEX)
                .setImage(java.nio.ByteBuffer.wrap(junk))
                .build();
        Path dir = ReliabilityHarness.freshDir("registry-outage-it", "down-at-start-and-mid-replay");
        try (LocalSchemaRegistry registry = LocalSchemaRegistry.start();
                LocalKafkaBroker broker = ReliabilityHarness.startBroker(1);
                TcpProxy proxy = TcpProxy.cut(registry.port())) {
            SchemaRegistryClient direct = ReliabilityHarness.registryClient(registry.url());
            String proxied = registry.url().replaceFirst(":" + registry.port() + "/", ":" + proxy.port() + "/");
            assertTrue(proxied.contains(":" + proxy.port() + "/"), proxied);

            try (KafkaProducer<byte[], byte[]> producer = ReliabilityHarness.rawProducer(broker.bootstrapServers());
                    OutputReader output = new OutputReader(broker.bootstrapServers(), direct, 1)) {
                AvroSerializer<Frame> v1 = new AvroSerializer<>(direct, false);
                for (Frame f : frames.subList(0, HALF)) {
                    send(producer, f, v1.serialize(TOPICS.frames(), f));
                    // One corrupt frame: its dead letter makes the detector learn the dead-letter schema id, so
                    // that in the second outage only reading the frames needs the registry.
                    if (f.getFrameIndex() == CORRUPT_AFTER)
                        send(producer, corrupt, v1.serialize(TOPICS.frames(), corrupt));
                }

                // 1. The registry is unreachable when the detector starts.
                DetectorProcess child = DetectorProcess.start(
                        dir.resolve("detector.log"),
                        DetectorProcess.restartableArgs(
                                broker.bootstrapServers(), proxied, "replay", dir.resolve("state"), List.of()));
                try {
                    awaitLog(
                            child,
                            "retries exhausted at start",
                            () -> child.count(REPLACED_LINE) >= 1,
                            () -> nothingWritten(output));
                    assertEquals(List.of(), output.poll(Duration.ofMillis(500)), "nothing written while down");
                    long retriesAtStart = child.count(RETRY_LINE);
                    long replacedAtStart = child.count(REPLACED_LINE);
                    proxy.open();
                    output.await(HALF + 1, PATIENCE, () -> alive(child));

                    // 2. Down again in the middle of the replay, and a schema version the detector has not seen.
                    proxy.cut();
                    assertFrameProducerFailsWhileDown(broker, proxied);
                    long retriesBefore = child.count(RETRY_LINE), replacedBefore = child.count(REPLACED_LINE);
                    Schema v2 = newerFrameSchema();
                    AvroSerializer<GenericRecord> newer = new AvroSerializer<>(direct, false);
                    for (Frame f : frames.subList(HALF, FRAMES)) {
                        send(producer, f, newer.serialize(TOPICS.frames(), asNewer(f, v2)));
                    }
                    awaitLog(
                            child,
                            "retries exhausted mid-replay",
                            () -> child.count(REPLACED_LINE) > replacedBefore,
                            () -> nothingWritten(output));
                    output.poll(Duration.ofMillis(500));
                    assertEquals(HALF + 1, output.all().size(), "nothing more written while down");
                    long retriesMid = child.count(RETRY_LINE) - retriesBefore;
                    long replacedMid = child.count(REPLACED_LINE) - replacedBefore;
                    proxy.open();
                    output.await(FRAMES + 1, PATIENCE, () -> alive(child));

                    Optional<Integer> code = child.terminate(Duration.ofSeconds(90));
                    assertTrue(code.isPresent(), "the detector stopped on SIGTERM");
                    List<Output> all = output.drain(Duration.ofSeconds(2));

                    int detectionsId = direct.lookup(TOPICS.detections() + "-value", FrameDetections.getClassSchema());
                    String summary = String.format(
                            Locale.ROOT,
                            "RegistryOutageIT: %d frames in, %d output records (read_committed), %d dead letters;"
                                    + " down at start: %d retry lines, %d stream-thread replacements; down mid-replay:"
                                    + " %d retry lines, %d replacements; proxy connections %d; %.0f s%n  first retry"
                                    + " line: %s",
                            FRAMES,
                            all.size(),
                            all.stream().filter(Output::isDeadLetter).count(),
                            retriesAtStart,
                            replacedAtStart,
                            retriesMid,
                            replacedMid,
                            proxy.connections(),
                            (System.nanoTime() - t0) / 1e9,
                            child.lines(RETRY_LINE).stream().findFirst().orElse("-"));
                    System.out.println(summary);

                    List<Long> expected = new ArrayList<>();
                    for (long i = 0; i < FRAMES; i++) expected.add(i);
                    assertEquals(
                            expected,
                            all.stream()
                                    .filter(o -> !o.isDeadLetter())
                                    .map(o -> o.detections().getFrameIndex())
                                    .toList(),
                            "one detections record per frame, in order; " + summary);
                    List<Output> dead =
                            all.stream().filter(Output::isDeadLetter).toList();
                    assertEquals(1, dead.size(), "only the corrupt frame dead-lettered; " + summary);
                    assertEquals(
                            RejectReason.CORRUPT_IMAGE, dead.get(0).rejected().getReasonCode(), summary);
                    assertEquals(FRAMES + 1, all.size(), summary);
                    int deadLettersId = direct.lookup(TOPICS.deadLetters() + "-value", RejectedFrame.getClassSchema());
                    for (Output o : all) {
                        assertEquals(
                                o.isDeadLetter() ? deadLettersId : detectionsId,
                                o.schemaId(),
                                "written with its topic's schema id: " + o);
                    }
                    assertTrue(retriesAtStart >= 5 && retriesMid >= 5, summary);
                    assertEquals(1, child.count("starting anyway"), "the start-up check only warned");
                    assertTrue(
                            child.lines(RETRY_LINE).stream()
                                    .anyMatch(l -> l.contains("unreachable") && l.contains("retry 1/")),
                            summary);
                } finally {
                    child.close();
                }
            }
        }
    }

    private static void send(KafkaProducer<byte[], byte[]> producer, Frame f, byte[] value) throws Exception {
        producer.send(new ProducerRecord<>(TOPICS.frames(), f.getFlightId().getBytes(), value))
                .get();
    }

    /**
     * A replay producer whose registry is behind the cut proxy: {@code send} fails with the registry's
     * error after the client's retries, and nothing reaches the topic.
     */
    private static void assertFrameProducerFailsWhileDown(LocalKafkaBroker broker, String proxied) throws Exception {
        SchemaRegistryClient client = new SchemaRegistryClient(SchemaRegistryConfig.builder(proxied)
                .retries(2)
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .build());
        TopicPartition p0 = new TopicPartition(TOPICS.frames(), 0);
        try (KafkaProducer<String, Frame> producer = new KafkaProducer<>(
                        Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(), "acks", "all"),
                        new StringSerializer(),
                        new AvroSerializer<Frame>(client, false));
                var admin = org.apache.kafka.clients.admin.Admin.create(
                        Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
            long before = end(admin, p0);
            Frame f = Frame.newBuilder()
                    .setFlightId("never-sent")
                    .setFrameIndex(0)
                    .setCaptureTime(java.time.Instant.EPOCH)
                    .setWidth(1)
                    .setHeight(1)
                    .setEncoding(io.skypack.schema.ImageEncoding.RAW_RGB)
                    .setImage(java.nio.ByteBuffer.wrap(new byte[3]))
                    .build();
            SchemaRegistryException e = assertThrows(
                    SchemaRegistryException.class,
                    () -> producer.send(new ProducerRecord<>(TOPICS.frames(), "never-sent", f)));
            assertTrue(e.getMessage().contains("gave up after 3 attempts"), e.getMessage());
            producer.flush();
            assertEquals(before, end(admin, p0), "nothing written by the producer");
        }
    }

    private static long end(org.apache.kafka.clients.admin.Admin admin, TopicPartition p) throws Exception {
        return admin.listOffsets(Map.of(p, org.apache.kafka.clients.admin.OffsetSpec.latest()))
                .partitionResult(p)
                .get()
                .offset();
    }

    /** Frame with one more field, defaulted: a BACKWARD-compatible next version, with a new id. */
    private static Schema newerFrameSchema() {
        Schema v1 = Frame.getClassSchema();
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : v1.getFields()) fields.add(new Schema.Field(f, f.schema()));
        fields.add(new Schema.Field("sensor", Schema.create(Schema.Type.STRING), "Camera that took the frame.", "eo"));
        return Schema.createRecord(v1.getName(), v1.getDoc(), v1.getNamespace(), false, fields);
    }

    private static GenericRecord asNewer(Frame f, Schema v2) {
        GenericData.Record r = new GenericData.Record(v2);
        r.put("flightId", f.getFlightId());
        r.put("frameIndex", f.getFrameIndex());
        r.put("captureTime", f.getCaptureTime().toEpochMilli());
        r.put("width", f.getWidth());
        r.put("height", f.getHeight());
        r.put(
                "encoding",
                new GenericData.EnumSymbol(
                        v2.getField("encoding").schema(), f.getEncoding().name()));
        r.put("image", f.getImage());
        r.put("imageRef", null);
        r.put("telemetry", null);
        r.put("sensor", "eo-2");
        return r;
    }

    private static void awaitLog(DetectorProcess child, String what, BooleanSupplier done, Runnable check)
            throws InterruptedException {
        long end = System.nanoTime() + PATIENCE.toNanos();
        while (!done.getAsBoolean()) {
            alive(child);
            check.run();
            if (System.nanoTime() > end) fail("waited " + PATIENCE + " for " + what + "; log:\n" + child.tail(40));
            Thread.sleep(250);
        }
    }

    /** Fails when an output record is committed while the registry is unreachable. */
    private static void nothingWritten(OutputReader output) {
        List<Output> got = output.poll(Duration.ofMillis(100));
        if (!got.isEmpty()) {
            fail("written while the registry was unreachable: "
                    + got.stream()
                            .map(o -> o.isDeadLetter()
                                    ? "dead letter " + o.rejected().getReasonCode() + ": "
                                            + o.rejected().getMessage()
                                    : "detections of frame " + o.detections().getFrameIndex())
                            .toList());
        }
    }

    private static void alive(DetectorProcess child) {
        if (!child.isAlive()) fail("the detector exited by itself; its last lines:\n" + child.tail(40));
    }
}
