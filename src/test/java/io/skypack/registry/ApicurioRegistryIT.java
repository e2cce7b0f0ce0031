package io.skypack.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.embedded.LocalSchemaRegistry;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectReason;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The client and the serdes against a real registry: Apicurio Registry's Confluent-compatible API,
 * started from the Maven-resolved distribution by {@link LocalSchemaRegistry}. Each test uses its
 * own topic, so they share one registry.
 */
class ApicurioRegistryIT {
    private static LocalSchemaRegistry registry;
    private static SchemaRegistryConfig config;

    @BeforeAll
    static void start() throws IOException {
        registry = LocalSchemaRegistry.start();
        config = SchemaRegistryConfig.builder(registry.url()).build();
        System.out.printf(
                "Apicurio Registry: %s, started in %d ms, child RSS %s%n",
                registry.url(), registry.startupTime().toMillis(), rss(registry.pid()));
    }

    @AfterAll
    static void stop() {
        if (registry == null) return;
        long pid = registry.pid();
        System.out.printf("Apicurio Registry child RSS at the end: %s%n", rss(pid));
        registry.close();
        assertFalse(registry.isAlive(), "the registry JVM is stopped by close()");
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    private static SchemaRegistryClient newClient() {
        return new SchemaRegistryClient(config);
    }

    @Test
    void shouldRoundTripContractRecordsThroughTheWireFormat() {
        SchemaRegistryClient producerSide = newClient();
        Frame frame = Records.frame("flight-it", 1);
        FrameDetections detections = Records.detections("flight-it", 1);

        byte[] frameBytes = new AvroSerializer<Frame>(producerSide, false).serialize("it.frames", frame);
        byte[] detectionBytes =
                new AvroSerializer<FrameDetections>(producerSide, false).serialize("it.detections", detections);

        // The consumer has its own client: it fetches the writer schemas by id from the registry.
        SchemaRegistryClient consumerSide = newClient();
        assertEquals(frame, AvroDeserializer.forType(Frame.class, consumerSide).deserialize("it.frames", frameBytes));
        assertEquals(
                detections,
                AvroDeserializer.forType(FrameDetections.class, consumerSide)
                        .deserialize("it.detections", detectionBytes));
        RegisteredSchema latest = consumerSide.latest("it.frames-value");
        assertEquals(latest.id(), WireFormat.schemaId(frameBytes));
        assertEquals(Frame.getClassSchema(), latest.schema());
        assertEquals(1, latest.version());
    }

    @Test
    void shouldReadOldFramesWithABackwardCompatibleSecondVersion() {
        SchemaRegistryClient client = newClient();
        String subject = TopicNameStrategy.subject("it.evolving", false);
        client.setCompatibility(subject, Compatibility.BACKWARD);
        Frame frame = Records.frame("flight-it", 2);
        byte[] v1Bytes = new AvroSerializer<Frame>(client, false).serialize("it.evolving", frame);
        Schema v2 = SchemaRegistryClientTest.evolved(Frame.getClassSchema());

        assertTrue(client.isCompatible(subject, v2));
        int v2Id = client.register(subject, v2);

        assertNotEquals(WireFormat.schemaId(v1Bytes), v2Id);
        assertEquals(2, client.latest(subject).version());
        GenericRecord old = AvroDeserializer.generic(v2, newClient()).deserialize("it.evolving", v1Bytes);
        assertNull(old.get("cameraModel"), "the new field takes its default");
        assertEquals("flight-it", old.get("flightId").toString());
        assertEquals(2L, old.get("frameIndex"));
        assertEquals(Records.T0.plusMillis(80).toEpochMilli(), old.get("captureTime"));

        // And a consumer still on v1 reads what a v2 producer writes (the new field is skipped).
        GenericRecord newer = new GenericData.Record(v2);
        for (Schema.Field f : Frame.getClassSchema().getFields()) newer.put(f.name(), old.get(f.name()));
        newer.put("cameraModel", "FC3170");
        byte[] v2Bytes = new AvroSerializer<GenericRecord>(client, false).serialize("it.evolving", newer);
        assertEquals(v2Id, WireFormat.schemaId(v2Bytes));
        Frame read = AvroDeserializer.forType(Frame.class, newClient()).deserialize("it.evolving", v2Bytes);
        assertEquals(frame.getFlightId(), read.getFlightId());
        assertEquals(frame.getCaptureTime(), read.getCaptureTime());
        assertEquals(frame.getImage(), read.getImage());
    }

    @Test
    void shouldRejectIncompatibleChangesWith409() {
        SchemaRegistryClient client = newClient();
        String subject = TopicNameStrategy.subject("it.strict", false);
        client.setCompatibility(subject, Compatibility.BACKWARD);
        client.register(subject, Frame.getClassSchema());
        Schema newFieldWithoutDefault = SchemaRegistryClientTest.withField(
                Frame.getClassSchema(), "cameraModel", Schema.create(Schema.Type.STRING), null);
        Schema typeChange = retyped(Frame.getClassSchema(), "frameIndex", Schema.create(Schema.Type.STRING));

        for (Schema incompatible : List.of(newFieldWithoutDefault, typeChange)) {
            assertFalse(client.isCompatible(subject, incompatible));
            SchemaRegistryException e =
                    assertThrows(SchemaRegistryException.class, () -> client.register(subject, incompatible));
            assertEquals(409, e.httpStatus(), e.getMessage());
            assertTrue(e.isIncompatible());
        }
        assertEquals(1, client.latest(subject).version());
    }

    @Test
    void shouldRejectRecordsWithASchemaIdTheRegistryDoesNotKnow() {
        byte[] bytes = new AvroSerializer<Frame>(newClient(), false).serialize("it.unknown", Records.frame("f", 0));
        bytes[1] = 0x7f; // id 2^30 and more: never assigned

        AvroDeserializationException e = assertThrows(
                AvroDeserializationException.class,
                () -> AvroDeserializer.forType(Frame.class, newClient()).deserialize("it.unknown", bytes));

        assertEquals(RejectReason.UNKNOWN_SCHEMA_ID, e.reason());
    }

    @Test
    void shouldReportAnUnknownSubjectWithItsErrorCode() {
        SchemaRegistryException e =
                assertThrows(SchemaRegistryException.class, () -> newClient().latest("it.no-such-subject-value"));

        assertEquals(404, e.httpStatus());
        assertTrue(e.isSubjectNotFound(), e.getMessage());
    }

    private static Schema retyped(Schema record, String name, Schema type) {
        List<Schema.Field> fields = new ArrayList<>();
        for (Schema.Field f : record.getFields()) {
            fields.add(f.name().equals(name) ? new Schema.Field(name, type, f.doc()) : new Schema.Field(f, f.schema()));
        }
        return Schema.createRecord(record.getName(), record.getDoc(), record.getNamespace(), false, fields);
    }

    /** Resident memory of a process from /proc (Linux), for the record. */
    private static String rss(long pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                    .filter(l -> l.startsWith("VmRSS:"))
                    .map(l -> l.substring(6).strip())
                    .findFirst()
                    .orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
