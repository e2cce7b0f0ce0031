package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.internals.AutoOffsetResetStrategy;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class OutputConsumersTest {

    /** A consumer whose broker learns of topic "late" only at the third metadata request. */
    private static final class LateTopicConsumer extends MockConsumer<String, byte[]> {
        int asked;

        LateTopicConsumer() {
            super(AutoOffsetResetStrategy.EARLIEST.name());
            updatePartitions("early", List.of(new PartitionInfo("early", 0, null, null, null)));
        }

        @Override
        public synchronized List<PartitionInfo> partitionsFor(String topic, Duration timeout) {
            if (topic.equals("late") && ++asked == 3) {
                updatePartitions(
                        "late",
                        List.of(
                                new PartitionInfo("late", 0, null, null, null),
                                new PartitionInfo("late", 1, null, null, null)));
            }
            return super.partitionsFor(topic, timeout);
        }
    }

    @Test
    void shouldAskAgainUntilAJustCreatedTopicHasPartitions() {
        try (LateTopicConsumer c = new LateTopicConsumer()) {
            List<TopicPartition> got =
                    OutputConsumers.assignFromStart(c, List.of("early", "late"), Duration.ofSeconds(5));
            assertEquals(3, c.asked);
            assertEquals(
                    List.of(
                            new TopicPartition("early", 0),
                            new TopicPartition("late", 0),
                            new TopicPartition("late", 1)),
                    got);
            assertEquals(Set.copyOf(got), c.assignment());
        }
    }

    @Test
    void shouldNameATopicThatNeverGetsPartitions() {
        try (LateTopicConsumer c = new LateTopicConsumer()) {
            var e = assertThrows(
                    IllegalStateException.class,
                    () -> OutputConsumers.assignFromStart(c, List.of("early", "missing"), Duration.ofMillis(300)));
            assertTrue(e.getMessage().startsWith("topic missing has no partitions"), e.getMessage());
            assertTrue(c.assignment().isEmpty());
        }
    }
}
