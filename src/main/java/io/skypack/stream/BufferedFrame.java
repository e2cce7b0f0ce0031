package io.skypack.stream;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One frame waiting in {@link FrameBatcher}'s buffer store.
 *
 * @param key the record key (the flight id)
 * @param value the frame
 * @param timestamp the record's timestamp (Kafka time, ms since the epoch)
 * @param arrivalMs wall-clock time when the batcher received it (ms since the epoch); what the
 *     latency budget counts from, also after a restart
 * @param sourceOffset the frame's offset in its input partition, for dead letters; -1 when unknown
 */
public record BufferedFrame<K, V>(K key, V value, long timestamp, long arrivalMs, long sourceOffset) {

    public BufferedFrame {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
    }

    /**
     * The store's value serde: key and value in their own serdes' bytes, each prefixed by its
     * length, then the two times and the source offset. Entries written before the offset was
     * added (no trailing 8 bytes) read with offset -1. The inner serdes see the store's changelog
     * topic, as usual.
     */
    public static <K, V> Serde<BufferedFrame<K, V>> serde(Serde<K> keySerde, Serde<V> valueSerde) {
        Serializer<K> keys = keySerde.serializer();
        Serializer<V> values = valueSerde.serializer();
        Deserializer<K> keyReader = keySerde.deserializer();
        Deserializer<V> valueReader = valueSerde.deserializer();
        Serializer<BufferedFrame<K, V>> serializer = new Serializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                keys.configure(configs, true);
                values.configure(configs, false);
            }

            @Override
            public byte[] serialize(String topic, BufferedFrame<K, V> frame) {
                if (frame == null) return null;
                byte[] k = keys.serialize(topic, frame.key());
                byte[] v = values.serialize(topic, frame.value());
                if (k == null || v == null)
                    throw new SerializationException(
                            "a buffered frame's key or value" + " serialized to null (" + frame.key() + ")");
                return ByteBuffer.allocate(4 + k.length + 4 + v.length + 8 + 8 + 8)
                        .putInt(k.length)
                        .put(k)
                        .putInt(v.length)
                        .put(v)
                        .putLong(frame.timestamp())
                        .putLong(frame.arrivalMs())
                        .putLong(frame.sourceOffset())
                        .array();
            }

            @Override
            public void close() {
                keys.close();
                values.close();
            }
        };
        Deserializer<BufferedFrame<K, V>> deserializer = new Deserializer<>() {
            @Override
            public void configure(Map<String, ?> configs, boolean isKey) {
                keyReader.configure(configs, true);
                valueReader.configure(configs, false);
            }

            @Override
            public BufferedFrame<K, V> deserialize(String topic, byte[] data) {
                if (data == null) return null;
                try {
                    ByteBuffer in = ByteBuffer.wrap(data);
                    byte[] k = new byte[in.getInt()];
                    in.get(k);
                    byte[] v = new byte[in.getInt()];
                    in.get(v);
                    K key = keyReader.deserialize(topic, k);
                    V value = valueReader.deserialize(topic, v);
                    long timestamp = in.getLong(), arrival = in.getLong();
                    return new BufferedFrame<>(key, value, timestamp, arrival, in.remaining() >= 8 ? in.getLong() : -1);
                } catch (RuntimeException e) {
                    throw new SerializationException(
                            "not a buffered frame (" + data.length + " bytes) in " + topic + ": " + e, e);
                }
            }

            @Override
            public void close() {
                keyReader.close();
                valueReader.close();
            }
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }
}
