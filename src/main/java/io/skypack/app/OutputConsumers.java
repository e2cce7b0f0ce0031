package io.skypack.app;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
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

    /**
     * Assigns every partition of {@code topics} to {@code consumer} from its beginning and returns them. A
     * topic just created can be unknown to the broker that answers for a moment, and {@code partitionsFor}
     * then returns no partitions rather than failing: this asks again until each topic has some.
     *
     * @throws IllegalStateException naming the topic when it still has none after {@code timeout}
     */
    static List<TopicPartition> assignFromStart(Consumer<?, ?> consumer, List<String> topics, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<TopicPartition> partitions = new ArrayList<>();
        for (String t : topics) {
            var infos = consumer.partitionsFor(t, timeout);
            while (infos == null || infos.isEmpty()) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("topic " + t + " has no partitions after " + timeout.toSeconds()
                            + " s: is it created, and is the broker reachable?");
                }
                sleep(Duration.ofMillis(100));
                infos = consumer.partitionsFor(t, timeout);
            }
            infos.forEach(p -> partitions.add(new TopicPartition(t, p.partition())));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        return partitions;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for topic metadata", e);
        }
    }

    /** Whether the consumer's position on every partition of {@code end} has reached its offset there. */
    static boolean reached(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (consumer.position(e.getKey()) < e.getValue()) return false;
        }
        return true;
    }
}
