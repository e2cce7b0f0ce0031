package io.skypack.registry;

import io.skypack.schema.RejectReason;
import java.io.EOFException;
import java.io.IOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.AvroTypeException;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DatumReader;
import org.apache.avro.specific.SpecificData;
import org.apache.avro.specific.SpecificDatumReader;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads records in the Confluent wire format: the writer schema is fetched from the registry by the
 * id in the header (once per id) and resolved against this deserializer's reader schema, so data
 * written with an older or newer compatible schema reads as the reader's type (fields the writer
 * lacks take their defaults, fields the reader lacks are skipped).
 *
 * <p>Bytes that cannot be read throw {@link AvroDeserializationException} with a {@link RejectReason}
 * for the dead-letter topic; registry outages throw {@link SchemaRegistryException}. Null bytes read
 * as null. Thread-safe.
 *
 * @param <T> the record type: a generated class, or {@link GenericRecord}
 */
public final class AvroDeserializer<T> implements Deserializer<T> {
    private final SchemaRegistryClient client;
    private final Schema readerSchema;
    private final GenericData model;
    private final ConcurrentMap<Integer, DatumReader<T>> readers = new ConcurrentHashMap<>();

    private AvroDeserializer(SchemaRegistryClient client, Schema readerSchema, GenericData model) {
        this.client = client;
        this.readerSchema = readerSchema;
        this.model = model;
    }

    /** Reads records as the generated class {@code type}, with that class's schema as reader schema. */
    public static <T extends SpecificRecord> AvroDeserializer<T> forType(Class<T> type, SchemaRegistryClient client) {
        SpecificData model = SpecificData.getForClass(type);
        return new AvroDeserializer<>(client, model.getSchema(type), model);
    }

    /** Reads records as {@link GenericRecord}s of {@code readerSchema} (tools, schema evolution). */
    public static AvroDeserializer<GenericRecord> generic(Schema readerSchema, SchemaRegistryClient client) {
        return new AvroDeserializer<>(client, readerSchema, GenericData.get());
    }

    public Schema readerSchema() {
        return readerSchema;
    }

    /**
     * @throws AvroDeserializationException when the bytes are not a readable record (reason {@code
     *     TRUNCATED_RECORD}, {@code BAD_MAGIC_BYTE}, {@code UNKNOWN_SCHEMA_ID}, {@code MISSING_FIELD},
     *     {@code CORRUPT_RECORD} or {@code OTHER})
     * @throws SchemaRegistryException when the writer schema cannot be fetched for other reasons
     */
    @Override
    public T deserialize(String topic, byte[] data) {
        if (data == null) return null;
        if (data.length < WireFormat.HEADER_SIZE) {
            throw new AvroDeserializationException(
                    RejectReason.TRUNCATED_RECORD,
                    -1,
                    "record of " + data.length + " bytes is shorter than the " + WireFormat.HEADER_SIZE
                            + "-byte wire-format header",
                    null);
        }
        if (data[0] != WireFormat.MAGIC_BYTE) {
            throw new AvroDeserializationException(
                    RejectReason.BAD_MAGIC_BYTE,
                    -1,
                    String.format(
                            "first byte is 0x%02x, not the magic byte 0 of the Confluent wire format", data[0] & 0xff),
                    null);
        }
        int id = WireFormat.schemaId(data);
        DatumReader<T> reader = reader(id);
        // Not Avro's BinaryDecoder: it allocates whatever a length prefix claims (see BoundedBinaryDecoder).
        BoundedBinaryDecoder decoder =
                new BoundedBinaryDecoder(data, WireFormat.HEADER_SIZE, data.length - WireFormat.HEADER_SIZE);
        T value;
        boolean leftOver;
        try {
            value = reader.read(null, decoder);
            leftOver = !decoder.isEnd();
        } catch (EOFException e) {
            throw new AvroDeserializationException(
                    RejectReason.TRUNCATED_RECORD,
                    id,
                    "record ends early: " + data.length + " bytes do not hold a whole record of schema id " + id,
                    e);
        } catch (AvroTypeException e) {
            // Raised while resolving the writer schema against the reader schema.
            boolean missing = e.getMessage() != null && e.getMessage().contains("missing required field");
            throw new AvroDeserializationException(
                    missing ? RejectReason.MISSING_FIELD : RejectReason.OTHER,
                    id,
                    "schema id " + id + " cannot be read as " + readerSchema.getFullName() + ": " + e.getMessage(),
                    e);
        } catch (IOException | RuntimeException e) {
            // Invalid lengths, union or enum indexes, strings: the bytes are not what the schema says.
            throw new AvroDeserializationException(
                    RejectReason.CORRUPT_RECORD, id, "bytes are not a valid record of schema id " + id + ": " + e, e);
        }
        if (leftOver) {
            throw new AvroDeserializationException(
                    RejectReason.CORRUPT_RECORD,
                    id,
                    "bytes left over after the record: they were not written with schema id " + id,
                    null);
        }
        return value;
    }

    private DatumReader<T> reader(int id) {
        DatumReader<T> reader = readers.get(id);
        if (reader != null) return reader;
        Schema writer;
        try {
            writer = client.schemaById(id);
        } catch (SchemaRegistryException e) {
            // Only the registry's own "no such schema" makes the record bad; a 404 without that code
            // (a wrong URL, a proxy) must not send every record to the dead-letter topic.
            if (!e.isSchemaNotFound()) throw e;
            throw new AvroDeserializationException(
                    RejectReason.UNKNOWN_SCHEMA_ID, id, "schema id " + id + " is unknown to the registry", e);
        } catch (AvroRuntimeException e) {
            throw new AvroDeserializationException(
                    RejectReason.UNKNOWN_SCHEMA_ID,
                    id,
                    "schema id " + id + " does not name a usable Avro schema: " + e.getMessage(),
                    e);
        }
        return readers.computeIfAbsent(id, k -> newReader(writer));
    }

    @SuppressWarnings("unchecked")
    private DatumReader<T> newReader(Schema writer) {
        if (model instanceof SpecificData specific) {
            return (DatumReader<T>) new SpecificDatumReader<>(writer, readerSchema, specific);
        }
        return (DatumReader<T>) new GenericDatumReader<>(writer, readerSchema, model);
    }
}
