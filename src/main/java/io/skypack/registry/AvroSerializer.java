package io.skypack.registry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericContainer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DatumWriter;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumWriter;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;

/**
 * Writes Avro records (generated {@link SpecificRecord} classes, or generic records) in the Confluent
 * wire format: magic byte, the id of the record's schema under the topic's subject ({@link
 * TopicNameStrategy}), Avro binary.
 *
 * <p>The schema id comes from {@link SchemaRegistryClient#register} when the client's configuration
 * allows auto-registration, else from {@link SchemaRegistryClient#lookup}; either way once per schema.
 * A null record is written as null (a tombstone). Thread-safe.
 *
 * @param <T> the record type
 */
public final class AvroSerializer<T extends GenericContainer> implements Serializer<T> {
    private final SchemaRegistryClient client;
    private final boolean isKey;
    private final boolean autoRegister;
    private final ConcurrentMap<Schema, DatumWriter<Object>> writers = new ConcurrentHashMap<>();

    /**
     * @param client the registry (its configuration decides auto-registration)
     * @param isKey whether this serializer writes record keys ({@code <topic>-key}) or values
     */
    public AvroSerializer(SchemaRegistryClient client, boolean isKey) {
        this.client = client;
        this.isKey = isKey;
        this.autoRegister = client.config().autoRegister();
    }

    /**
     * @throws SchemaRegistryException when no schema id can be had: the registry is unreachable,
     *     rejects the schema as incompatible, or (without auto-registration) does not hold it
     * @throws SerializationException when the record does not fit its own schema (e.g. a null in a
     *     required field)
     */
    @Override
    public byte[] serialize(String topic, T record) {
        if (record == null) return null;
        Schema schema = record.getSchema();
        String subject = TopicNameStrategy.subject(topic, isKey);
        int id;
        try {
            id = autoRegister ? client.register(subject, schema) : client.lookup(subject, schema);
        } catch (SchemaRegistryException e) {
            throw new SchemaRegistryException(
                    e.httpStatus(),
                    e.errorCode(),
                    "no schema id for " + schema.getFullName() + " under subject '" + subject + "'"
                            + (autoRegister ? "" : " (auto-registration is off)") + ": " + e.getMessage(),
                    e);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(256);
        WireFormat.writeHeader(out, id);
        BinaryEncoder encoder = EncoderFactory.get().directBinaryEncoder(out, null);
        try {
            writers.computeIfAbsent(schema, s -> newWriter(s, record)).write(record, encoder);
            encoder.flush();
        } catch (IOException | RuntimeException e) {
            throw new SerializationException(
                    "cannot write a " + schema.getFullName() + " for topic " + topic + ": " + e.getMessage(), e);
        }
        return out.toByteArray();
    }

    @SuppressWarnings("unchecked")
    private static DatumWriter<Object> newWriter(Schema schema, GenericContainer sample) {
        if (sample instanceof SpecificRecord) {
            // The class's own model knows its logical-type conversions (timestamp-millis <-> Instant).
            SpecificData model = SpecificData.getForClass(sample.getClass());
            return (DatumWriter<Object>) (DatumWriter<?>) new SpecificDatumWriter<>(schema, model);
        }
        return new GenericDatumWriter<>(schema, GenericData.get());
    }
}
