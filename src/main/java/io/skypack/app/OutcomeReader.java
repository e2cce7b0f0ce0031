package io.skypack.app;

import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectedFrame;
import io.skypack.stream.SkypackTopology;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Deserializer;

/**
 * Reads the detector's results into a {@link FrameLedger}: the detections and dead-letter topics from
 * their beginning with {@code isolation.level=read_committed}, by partition assignment (no consumer
 * group), each record resolved to the frame it stands for (a dead letter through the frame bytes it
 * carries). {@link #settle} reads to the end once no transaction is open, so an open transaction cannot
 * hide a duplicate.
 */
final class OutcomeReader implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> committed;
    /** read_uncommitted, only for the high watermarks. */
    private final KafkaConsumer<String, byte[]> uncommitted;

    private final SkypackTopology.Topics topics;
    private final List<TopicPartition> partitions;
    private final AvroDeserializer<FrameDetections> detections;
    private final AvroDeserializer<RejectedFrame> rejected;
    private final AvroDeserializer<Frame> frames;

    OutcomeReader(String bootstrap, SchemaRegistryClient registry, SkypackTopology.Topics topics) {
        this.topics = topics;
        committed = OutputConsumers.open(bootstrap, "read_committed");
        uncommitted = OutputConsumers.open(bootstrap, "read_uncommitted");
        partitions = OutputConsumers.assignFromStart(
                committed, List.of(topics.detections(), topics.deadLetters()), Duration.ofSeconds(30));
        detections = AvroDeserializer.forType(FrameDetections.class, registry);
        rejected = AvroDeserializer.forType(RejectedFrame.class, registry);
        frames = AvroDeserializer.forType(Frame.class, registry);
    }

    /** Polls once; records each result in {@code ledger} and hands each detections record to {@code onDetections}. */
    void poll(Duration timeout, FrameLedger ledger, Consumer<FrameDetections> onDetections) {
        for (ConsumerRecord<String, byte[]> r : committed.poll(timeout)) {
            if (r.topic().equals(topics.detections())) {
                FrameDetections d = detections.deserialize(r.topic(), r.value());
                ledger.result(
                        d.getFlightId(),
                        d.getFrameIndex(),
                        d.getStats().getSkipped() ? FrameLedger.Outcome.SKIPPED : FrameLedger.Outcome.DETECTED);
                onDetections.accept(d);
            } else {
                RejectedFrame x = rejected.deserialize(r.topic(), r.value());
                // -1 (not a frame at all) counts as a result for no sent frame: unexpected
                ledger.result(x.getFlightId(), frameIndexOf(x, frames), FrameLedger.Outcome.DEAD_LETTERED);
            }
        }
    }

    /**
     * Waits until no transaction is open on the output (every partition's last stable offset has reached
     * its high watermark), then reads everything up to there. Call it once the detector has stopped.
     *
     * @return false when a transaction stayed open or the output could not be read within {@code timeout}
     */
    boolean settle(FrameLedger ledger, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<TopicPartition, Long> stable;
        while (true) {
            stable = committed.endOffsets(partitions);
            if (stable.equals(uncommitted.endOffsets(partitions))) break;
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(200);
        }
        while (!reached(stable)) {
            if (System.nanoTime() > deadline) return false;
            poll(Duration.ofMillis(200), ledger, d -> {});
        }
        return true;
    }

    private boolean reached(Map<TopicPartition, Long> end) {
        return OutputConsumers.reached(committed, end);
    }

    /** The frame index in a dead letter's original bytes; -1 when they are absent or not a frame. */
    static long frameIndexOf(RejectedFrame x, Deserializer<Frame> frames) {
        if (x.getOriginalValue() == null) return -1;
        ByteBuffer b = x.getOriginalValue().duplicate();
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        try {
            return frames.deserialize(x.getSourceTopic(), bytes).getFrameIndex();
        } catch (RuntimeException e) {
            return -1;
        }
    }

    @Override
    public void close() {
        committed.close(Duration.ofSeconds(5));
        uncommitted.close(Duration.ofSeconds(5));
    }
}
