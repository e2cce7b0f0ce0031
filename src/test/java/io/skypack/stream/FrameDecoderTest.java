package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.AvroSerializer;
import io.skypack.registry.FakeSchemaRegistry;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.registry.SchemaRegistryConfig;
import io.skypack.registry.SchemaRegistryException;
import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {
    private static final String TOPIC = "uav.frames";
    private static final Instant NOW = Instant.ofEpochMilli(1_800_000_000_000L);

    private FakeSchemaRegistry registry;
    private SchemaRegistryClient client;
    private MockProcessorContext<String, SpecificRecord> context;
    private FrameDecoder decoder;
    private DecodedImages decoded;
    private long offset;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        client = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                .retries(2)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .build());
        context = new MockProcessorContext<>();
        decoded = new DecodedImages(DecodedImages.DEFAULT_MAX_PIXELS);
        decoder = new FrameDecoder(
                AvroDeserializer.forType(Frame.class, client), new FrameValidator(1000, 64L * 64), decoded, () -> NOW);
        decoder.init(context);
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private static Frame raw(String flight, long index, int w, int h, byte[] rgb) {
        return Frame.newBuilder()
                .setFlightId(flight)
                .setFrameIndex(index)
                .setCaptureTime(Instant.ofEpochMilli(1_700_000_000_000L + 40 * index))
                .setWidth(w)
                .setHeight(h)
                .setEncoding(ImageEncoding.RAW_RGB)
                .setImage(rgb == null ? null : ByteBuffer.wrap(rgb))
                .build();
    }

    private static Frame good(long index) {
        return raw("f1", index, 4, 2, new byte[4 * 2 * 3]);
    }

    private byte[] bytes(Frame f) {
        return new AvroSerializer<Frame>(client, false).serialize(TOPIC, f);
    }

    private void feed(byte[] value) {
        context.setRecordMetadata(TOPIC, 3, offset++);
        decoder.process(new Record<>("k".getBytes(), value, 1000 + offset));
    }

    private List<MockProcessorContext.CapturedForward<? extends String, ? extends SpecificRecord>> to(String child) {
        List<MockProcessorContext.CapturedForward<? extends String, ? extends SpecificRecord>> out = new ArrayList<>();
        for (var f : context.forwarded()) if (f.childName().orElse("").equals(child)) out.add(f);
        return out;
    }

    @Test
    void shouldForwardAValidFrameKeyedByFlight() {
        feed(bytes(good(5)));
        var valid = to(FrameDecoder.VALID);
        assertEquals(1, valid.size());
        assertEquals("f1", valid.get(0).record().key());
        assertEquals(5L, ((Frame) valid.get(0).record().value()).getFrameIndex());
        assertEquals(1001, valid.get(0).record().timestamp());
        assertEquals(0, to(FrameDecoder.REJECTED).size());
    }

    @Test
    void shouldKeepTheDecodedImageOfAValidFrameForInferenceAndNothingOfARejectedOne() {
        Frame frame = good(5);
        feed(bytes(frame));
        feed(bytes(raw("f1", 6, 4, 2, new byte[7]))); // size mismatch: rejected
        assertEquals(1, decoded.size());
        assertEquals(4 * 2, decoded.pixels());
        assertEquals(null, decoded.take(frame, 1), "another offset is another record");
        var image = decoded.take(frame, 0);
        assertEquals(4, image.getWidth());
        assertEquals(2, image.getHeight());
        assertEquals(0, decoded.size(), "taken once");
    }

    /** One bad record of each kind, each followed by a good frame, which must still come out. */
    @Test
    void shouldDeadLetterEveryKindOfBadInputAndKeepProcessingTheNextGoodFrame() {
        byte[] good = bytes(good(0));
        byte[] unknownId = good.clone();
        unknownId[1] = 0x7f; // schema id 0x7f...: never registered
        byte[] badMagic = good.clone();
        badMagic[0] = 9;
        List<Object[]> cases = List.of(
                new Object[] {Arrays.copyOf(good, good.length - 5), RejectReason.TRUNCATED_RECORD},
                new Object[] {unknownId, RejectReason.UNKNOWN_SCHEMA_ID},
                new Object[] {badMagic, RejectReason.BAD_MAGIC_BYTE},
                new Object[] {new byte[0], RejectReason.TRUNCATED_RECORD},
                new Object[] {bytes(raw("f1", 1, 100, 100, new byte[3])), RejectReason.FRAME_TOO_LARGE},
                new Object[] {bytes(raw("f1", 2, 0, 2, new byte[3])), RejectReason.ZERO_SIZE_IMAGE},
                new Object[] {bytes(raw("f1", 3, 4, 2, null)), RejectReason.MISSING_FIELD},
                new Object[] {bytes(raw("f1", 4, 4, 2, new byte[7])), RejectReason.SIZE_MISMATCH},
                new Object[] {bytes(jpeg(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})), RejectReason.CORRUPT_IMAGE});
        for (Object[] c : cases) {
            feed((byte[]) c[0]);
            feed(good);
        }
        var rejected = to(FrameDecoder.REJECTED);
        var valid = to(FrameDecoder.VALID);
        assertEquals(cases.size(), rejected.size());
        assertEquals(cases.size(), valid.size(), "the good frame after each bad one still comes out");
        assertEquals(2L * cases.size(), offset, "in = valid + rejected");
        for (int i = 0; i < cases.size(); i++) {
            RejectedFrame r = (RejectedFrame) rejected.get(i).record().value();
            assertEquals(cases.get(i)[1], r.getReasonCode(), "case " + i + ": " + r.getMessage());
            assertEquals(TOPIC, r.getSourceTopic());
            assertEquals(3, r.getSourcePartition());
            assertEquals(2L * i, r.getSourceOffset(), "the bad record's own offset");
            assertArrayEquals((byte[]) cases.get(i)[0], bytesOf(r.getOriginalValue()), "original bytes kept");
            assertEquals(NOW, r.getRejectedAt());
            assertTrue(!r.getMessage().isBlank());
        }
    }

    /**
     * A registry outage says nothing about the record: it must not be dead-lettered (as CORRUPT_RECORD,
     * say) but fail the task, so that the record is read again once the registry answers.
     */
    @Test
    void shouldFailTheTaskAndNotDeadLetterWhenTheRegistryCannotBeReached() {
        byte[] good = bytes(good(0));
        // A client that has not learned the schema id yet, as a freshly started detector.
        SchemaRegistryClient cold = new SchemaRegistryClient(SchemaRegistryConfig.builder(registry.url())
                .retries(2)
                .retryBackoff(Duration.ofMillis(1), Duration.ofMillis(2))
                .build());
        FrameDecoder fresh = new FrameDecoder(
                AvroDeserializer.forType(Frame.class, cold), new FrameValidator(1000, 64L * 64), decoded, () -> NOW);
        fresh.init(context);
        registry.failNext(3, 503); // the first try and both retries
        context.setRecordMetadata(TOPIC, 3, 0);
        StreamsException e =
                assertThrows(StreamsException.class, () -> fresh.process(new Record<>("k".getBytes(), good, 1000L)));
        assertInstanceOf(SchemaRegistryException.class, e.getCause());
        assertTrue(e.getMessage().contains("uav.frames-3@0"), e.getMessage());
        assertTrue(context.forwarded().isEmpty(), "nothing forwarded, nothing dead-lettered");

        fresh.process(new Record<>("k".getBytes(), good, 1000L)); // the record again, the registry back
        assertEquals(1, to(FrameDecoder.VALID).size());
        assertEquals(0, to(FrameDecoder.REJECTED).size());
    }

    /**
     * A flight id of hundreds of kB would make every record that carries it too large for the broker
     * (the batcher's changelog, the outputs, the dead letter itself): rejected, and not copied.
     */
    @Test
    void shouldDeadLetterAnOverlongFlightIdWithoutCopyingIt() {
        Frame f = good(1);
        f.setFlightId("x".repeat(FrameValidator.MAX_FLIGHT_ID_CHARS + 1));
        feed(bytes(f));
        var rejected = to(FrameDecoder.REJECTED);
        assertEquals(1, rejected.size());
        RejectedFrame r = (RejectedFrame) rejected.get(0).record().value();
        assertEquals(RejectReason.CORRUPT_RECORD, r.getReasonCode());
        assertTrue(r.getMessage().contains("over the limit of 1024"), r.getMessage());
        assertEquals(null, r.getFlightId());
        assertEquals(null, rejected.get(0).record().key());
        assertEquals(0, to(FrameDecoder.VALID).size());
    }

    /** A dead letter must fit where its record did: huge original bytes are cut, and the message says so. */
    @Test
    void shouldCutTheOriginalBytesOfAHugeRecordInItsDeadLetter() {
        byte[] junk = new byte[1000 + FrameDecoder.DEAD_LETTER_VALUE_SLACK + 5000];
        junk[0] = 9; // not the magic byte
        byte[] key = new byte[FrameDecoder.DEAD_LETTER_KEY_BYTES + 1];
        context.setRecordMetadata(TOPIC, 3, 0);
        decoder.process(new Record<>(key, junk, 1000L));
        RejectedFrame r =
                (RejectedFrame) to(FrameDecoder.REJECTED).get(0).record().value();
        assertEquals(RejectReason.BAD_MAGIC_BYTE, r.getReasonCode());
        assertEquals(
                1000 + FrameDecoder.DEAD_LETTER_VALUE_SLACK,
                r.getOriginalValue().remaining());
        assertEquals(FrameDecoder.DEAD_LETTER_KEY_BYTES, r.getOriginalKey().remaining());
        assertTrue(r.getMessage().contains("[original value cut to 66536 of 71536 bytes]"), r.getMessage());
        assertTrue(r.getMessage().contains("[original key cut to 65536 of 65537 bytes]"), r.getMessage());
    }

    private static Frame jpeg(byte[] notAJpeg) {
        Frame f = raw("f1", 9, 4, 2, notAJpeg);
        f.setEncoding(ImageEncoding.JPEG);
        return f;
    }

    private static byte[] bytesOf(ByteBuffer b) {
        ByteBuffer d = b.duplicate();
        byte[] out = new byte[d.remaining()];
        d.get(out);
        return out;
    }
}
