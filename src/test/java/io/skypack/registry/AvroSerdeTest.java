package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.schema.FlightStats;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaBuilder;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AvroSerdeTest {
    private static final String FRAMES = "uav.frames";

    private FakeSchemaRegistry registry;
    private SchemaRegistryClient client;

    @BeforeEach
    void start() throws IOException {
        registry = FakeSchemaRegistry.start();
        client = new SchemaRegistryClient(
                SchemaRegistryClientTest.fastRetries(registry.url()).build());
    }

    @AfterEach
    void stop() {
        registry.close();
    }

    private byte[] serialize(Frame frame) {
        return new AvroSerializer<Frame>(client, false).serialize(FRAMES, frame);
    }

    private Frame deserialize(byte[] bytes) {
        return AvroDeserializer.forType(Frame.class, client).deserialize(FRAMES, bytes);
    }

    @Test
    void shouldRoundTripAFrameThroughTheConfluentWireFormat() {
        Frame frame = Records.frame("flight-7", 42);

        byte[] bytes = serialize(frame);

        int id = registry.put("uav.frames-value", Frame.getClassSchema());
        assertEquals(WireFormat.MAGIC_BYTE, bytes[0]);
        assertArrayEquals(ByteBuffer.allocate(4).putInt(id).array(), Arrays.copyOfRange(bytes, 1, 5));
        assertEquals(frame, deserialize(bytes));
        assertEquals(Records.T0.plusMillis(40 * 42), deserialize(bytes).getCaptureTime());
    }

    @Test
    void shouldRoundTripDetectionsWithMasksAndStats() {
        Serde<FrameDetections> serde = AvroSerdes.forType(FrameDetections.class, client, false);
        FrameDetections detections = Records.detections("flight-7", 3);

        FrameDetections back = serde.deserializer()
                .deserialize("uav.detections", serde.serializer().serialize("uav.detections", detections));

        assertEquals(detections, back);
        assertEquals("52203", back.getDetections().get(0).getMask().getCounts());
        assertNull(back.getDetections().get(1).getMask());
        assertEquals(-1, back.getDetections().get(1).getProxy());
    }

    @Test
    void shouldRoundTripFlightStatsAndRejectedFrames() {
        FlightStats stats = FlightStats.newBuilder()
                .setFlightId("flight-7")
                .setWindowStart(Records.T0)
                .setWindowEnd(Records.T0.plusSeconds(10))
                .setFrames(250)
                .setPerClass(Map.of("car", 31L, "pedestrian", 7L))
                .setLatencyP99Ms(180.5)
                .build();
        RejectedFrame rejected = RejectedFrame.newBuilder()
                .setReasonCode(RejectReason.BAD_MAGIC_BYTE)
                .setMessage("first byte is 0x01")
                .setSourceTopic(FRAMES)
                .setSourcePartition(3)
                .setSourceOffset(1234L)
                .setOriginalKey(ByteBuffer.wrap("flight-7".getBytes(StandardCharsets.UTF_8)))
                .setOriginalValue(ByteBuffer.wrap(new byte[] {1, 2, 3}))
                .setRejectedAt(Records.T0)
                .build();
        Serde<FlightStats> statsSerde = AvroSerdes.forType(FlightStats.class, client, false);
        Serde<RejectedFrame> dlqSerde = AvroSerdes.forType(RejectedFrame.class, client, false);

        assertEquals(
                stats,
                statsSerde
                        .deserializer()
                        .deserialize("s", statsSerde.serializer().serialize("s", stats)));
        assertEquals(
                rejected,
                dlqSerde.deserializer().deserialize("d", dlqSerde.serializer().serialize("d", rejected)));
    }

    @Test
    void shouldRegisterUnderTheTopicNameStrategySubjects() {
        new AvroSerializer<Frame>(client, false).serialize(FRAMES, Records.frame("f", 0));
        new AvroSerializer<Frame>(client, true).serialize(FRAMES, Records.frame("f", 0));

        assertEquals(
                List.of("POST /subjects/uav.frames-value/versions", "POST /subjects/uav.frames-key/versions"),
                registry.requests());
    }

    @Test
    void shouldCallTheRegistryOncePerSchemaNotPerRecord() {
        AvroSerializer<Frame> serializer = new AvroSerializer<>(client, false);
        // A consumer elsewhere: its own client, so it learns the writer schema over HTTP.
        AvroDeserializer<Frame> deserializer =
                AvroDeserializer.forType(Frame.class, new SchemaRegistryClient(client.config()));

        for (int i = 0; i < 100; i++) {
            Frame frame = Records.frame("f", i);
            assertEquals(frame, deserializer.deserialize(FRAMES, serializer.serialize(FRAMES, frame)));
        }

        assertEquals(1, registry.calls("POST"));
        assertEquals(1, registry.calls("GET /schemas/ids/"));
    }

    @Test
    void shouldOnlyLookUpSchemasWhenAutoRegistrationIsOff() {
        SchemaRegistryClient noRegister = new SchemaRegistryClient(SchemaRegistryClientTest.fastRetries(registry.url())
                .autoRegister(false)
                .build());
        AvroSerializer<Frame> serializer = new AvroSerializer<>(noRegister, false);

        SchemaRegistryException e =
                assertThrows(SchemaRegistryException.class, () -> serializer.serialize(FRAMES, Records.frame("f", 0)));
        assertTrue(e.isSubjectNotFound(), e.getMessage());
        assertTrue(e.getMessage().contains("auto-registration is off"), e.getMessage());

        registry.put("uav.frames-value", Frame.getClassSchema());
        byte[] bytes = serializer.serialize(FRAMES, Records.frame("f", 0));

        assertEquals(Records.frame("f", 0), deserialize(bytes));
        assertEquals(0, registry.calls("POST /subjects/uav.frames-value/versions"));
    }

    @Test
    void shouldWriteAndReadNullAsNull() {
        assertNull(serialize(null));
        assertNull(deserialize(null));
        assertEquals(List.of(), registry.requests());
    }

    @Test
    void shouldRejectBytesShorterThanTheHeaderAsTruncated() {
        AvroDeserializationException e =
                assertThrows(AvroDeserializationException.class, () -> deserialize(new byte[] {0, 0, 0}));

        assertEquals(RejectReason.TRUNCATED_RECORD, e.reason());
        assertEquals(-1, e.schemaId());
    }

    @Test
    void shouldRejectARecordCutShortAsTruncated() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));

        for (int cut : new int[] {WireFormat.HEADER_SIZE, WireFormat.HEADER_SIZE + 3, bytes.length - 1}) {
            AvroDeserializationException e =
                    assertThrows(AvroDeserializationException.class, () -> deserialize(Arrays.copyOf(bytes, cut)));
            assertEquals(RejectReason.TRUNCATED_RECORD, e.reason(), "cut at " + cut + ": " + e.getMessage());
            assertEquals(WireFormat.schemaId(bytes), e.schemaId());
        }
    }

    @Test
    void shouldRejectABadMagicByte() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        bytes[0] = 1;

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(bytes));

        assertEquals(RejectReason.BAD_MAGIC_BYTE, e.reason());
        assertTrue(e.getMessage().contains("0x01"), e.getMessage());
    }

    @Test
    void shouldRejectAnIdTheRegistryDoesNotKnow() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        bytes[4] = 99;

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(bytes));

        assertEquals(RejectReason.UNKNOWN_SCHEMA_ID, e.reason());
        assertEquals(99, e.schemaId());
        assertTrue(e.getCause() instanceof SchemaRegistryException, String.valueOf(e.getCause()));
    }

    @Test
    void shouldNotRejectRecordsWhileTheRegistryIsDown() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        registry.failNext(100, 503);
        AvroDeserializer<Frame> fresh =
                AvroDeserializer.forType(Frame.class, new SchemaRegistryClient(client.config()));

        SchemaRegistryException e = assertThrows(SchemaRegistryException.class, () -> fresh.deserialize(FRAMES, bytes));

        assertEquals(503, e.httpStatus());
    }

    @Test
    void shouldRejectBytesLeftOverAfterTheRecord() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(longer));

        assertEquals(RejectReason.CORRUPT_RECORD, e.reason());
    }

    @Test
    void shouldRejectGarbageAfterAValidHeaderAsCorrupt() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        // flightId's length as a zig-zag varint of -3: a negative string length.
        bytes[WireFormat.HEADER_SIZE] = 5;

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(bytes));

        assertEquals(RejectReason.CORRUPT_RECORD, e.reason(), e.getMessage());
    }

    @Test
    void shouldRejectAHugeLengthPrefixWithoutAllocatingIt() {
        byte[] bytes = serialize(Records.frame("flight-7", 1));
        // The header, then a flightId whose length prefix claims ~1 GiB.
        byte[] header = Arrays.copyOf(bytes, WireFormat.HEADER_SIZE);
        byte[] huge = {(byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08};
        byte[] record = new byte[header.length + huge.length];
        System.arraycopy(header, 0, record, 0, header.length);
        System.arraycopy(huge, 0, record, header.length, huge.length);

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(record));

        assertEquals(RejectReason.TRUNCATED_RECORD, e.reason(), e.getMessage());
    }

    @Test
    void shouldReadOldDataWithANewerReaderSchema() {
        byte[] old = serialize(Records.frame("flight-7", 5));
        Schema v2 = SchemaRegistryClientTest.evolved(Frame.getClassSchema());
        client.register("uav.frames-value", v2);

        GenericRecord read = AvroDeserializer.generic(v2, client).deserialize(FRAMES, old);

        assertNull(read.get("cameraModel"));
        assertEquals("flight-7", read.get("flightId"));
        assertEquals(5L, read.get("frameIndex"));
    }

    @Test
    void shouldReadNewerDataWithTheGeneratedClass() {
        Schema v2 = SchemaRegistryClientTest.evolved(Frame.getClassSchema());
        GenericRecord record = new GenericData.Record(v2);
        Frame frame = Records.frame("flight-7", 6);
        for (Schema.Field f : Frame.getClassSchema().getFields()) {
            record.put(f.name(), GenericData.get().deepCopy(f.schema(), genericValue(frame, f)));
        }
        record.put("cameraModel", "DJI FC3170");

        byte[] bytes = new AvroSerializer<GenericRecord>(client, false).serialize(FRAMES, record);

        assertEquals(frame, deserialize(bytes));
    }

    @Test
    void shouldRejectAWriterThatLacksAFieldTheReaderRequires() {
        Schema v0 = SchemaBuilder.record("Frame")
                .namespace("io.skypack.schema")
                .fields()
                .requiredString("flightId")
                .endRecord();
        GenericRecord old = new GenericData.Record(v0);
        old.put("flightId", "flight-7");
        client.setCompatibility("uav.frames-value", Compatibility.NONE);
        byte[] bytes = new AvroSerializer<GenericRecord>(client, false).serialize(FRAMES, old);

        AvroDeserializationException e = assertThrows(AvroDeserializationException.class, () -> deserialize(bytes));

        assertEquals(RejectReason.MISSING_FIELD, e.reason(), e.getMessage());
    }

    @Test
    void shouldRefuseToWriteARecordThatBreaksItsSchema() {
        Frame broken = Records.frame("flight-7", 1);
        broken.setFlightId(null);

        SerializationException e = assertThrows(SerializationException.class, () -> serialize(broken));

        assertTrue(e.getMessage().contains("io.skypack.schema.Frame"), e.getMessage());
    }

    /** A field of a generated record as the generic model holds it (Instant becomes epoch millis). */
    private static Object genericValue(Frame frame, Schema.Field f) {
        Object v = frame.get(f.pos());
        return v instanceof java.time.Instant t ? t.toEpochMilli() : v;
    }
}
