package io.skypack.app;

import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/** Readers of SkyPack's output topics, as the demo, the benchmarks, the soak and the tests read them. */
final class OutputConsumers {
    private OutputConsumers() {}

    /**
     * A consumer for partition assignment (no group, no commits) from the earliest offset: keys as
     * strings (the flight id), values as the record's bytes, fetches large enough for the largest record.
     *
     * @param isolation {@code read_committed} or {@code read_uncommitted}
     */
    static KafkaConsumer<String, byte[]> open(String bootstrap, String isolation) {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        bootstrap,
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        isolation,
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                        "earliest",
                        ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG,
                        16 << 20),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }

    /** Whether the consumer's position on every partition of {@code end} has reached its offset there. */
    static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
