package io.skypack.registry;

import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;

/** Serdes of generated Avro classes in the Confluent wire format, for topic descriptors. */
public final class AvroSerdes {
    private AvroSerdes() {}

    /**
     * A serde of the generated class {@code type} for record values ({@code isKey} false) or keys.
     * Writes with the class's schema, reads with it as reader schema.
     */
    public static <T extends SpecificRecord> Serde<T> forType(
            Class<T> type, SchemaRegistryClient client, boolean isKey) {
        return Serdes.serdeFrom(new AvroSerializer<>(client, isKey), AvroDeserializer.forType(type, client));
    }
}
