package io.skypack.app;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.registry.AvroDeserializer;
import io.skypack.registry.SchemaRegistryClient;
import io.skypack.schema.FlightStats;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectedFrame;
import io.skypack.stream.SkypackTopology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Reads what the detector application wrote (committed records only): detections, dead letters and
 * flight statistics, from the beginning of each topic. The demo, the benchmark and the end-to-end
 * tests watch the pipeline through it.
 */
final class OutputWatcher implements AutoCloseable {
    private final KafkaConsumer<String, byte[]> consumer;
    private final SkypackTopology.Topics topics;
    private final AvroDeserializer<FrameDetections> detectionsReader;
    private final AvroDeserializer<RejectedFrame> rejectedReader;
    private final AvroDeserializer<FlightStats> statsReader;

    final List<ConsumerRecord<String, FrameDetections>> detections = new ArrayList<>();
    final List<RejectedFrame> rejected = new ArrayList<>();
    /** The latest statistics per flight and window start. */
    final Map<String, FlightStats> stats = new TreeMap<>();

    OutputWatcher(String bootstrapServers, SchemaRegistryClient registry, SkypackTopology.Topics topics) {
        this.topics = topics;
        this.consumer = OutputConsumers.open(bootstrapServers, "read_committed");
        OutputConsumers.assignFromStart(
                consumer,
                List.of(topics.detections(), topics.deadLetters(), topics.flightStats()),
                Duration.ofSeconds(30));
        this.detectionsReader = AvroDeserializer.forType(FrameDetections.class, registry);
        this.rejectedReader = AvroDeserializer.forType(RejectedFrame.class, registry);
        this.statsReader = AvroDeserializer.forType(FlightStats.class, registry);
    }

    /** {@code r} with its value replaced, everything else (coordinates, timestamps, headers) kept. */
    static <V> ConsumerRecord<String, V> withValue(ConsumerRecord<String, byte[]> r, V value) {
        return new ConsumerRecord<>(
                r.topic(),
                r.partition(),
                r.offset(),
                r.timestamp(),
                r.timestampType(),
                r.serializedKeySize(),
                r.serializedValueSize(),
                r.key(),
                value,
                r.headers(),
                r.leaderEpoch());
    }

    /** Polls once; hands each new detections record to {@code onDetections}. */
    void poll(Duration timeout, Consumer<ConsumerRecord<String, FrameDetections>> onDetections) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(timeout)) {
            if (r.topic().equals(topics.detections())) {
                ConsumerRecord<String, FrameDetections> typed =
                        withValue(r, detectionsReader.deserialize(r.topic(), r.value()));
                detections.add(typed);
                onDetections.accept(typed);
            } else if (r.topic().equals(topics.deadLetters())) {
                rejected.add(rejectedReader.deserialize(r.topic(), r.value()));
            } else {
                FlightStats s = statsReader.deserialize(r.topic(), r.value());
                stats.put(s.getFlightId() + "@" + s.getWindowStart().toEpochMilli(), s);
            }
        }
    }

    /** Polls until {@code frames} input frames have come out (detections plus dead letters) or the time is up. */
    boolean awaitFrames(int frames, Duration timeout, Consumer<ConsumerRecord<String, FrameDetections>> onDetections) {
        long end = System.nanoTime() + timeout.toNanos();
        while (detections.size() + rejected.size() < frames && System.nanoTime() < end) {
            poll(Duration.ofMillis(200), onDetections);
        }
        return detections.size() + rejected.size() >= frames;
    }

    /** A record's detections as the detector API has them, masks pasted back into the whole frame. */
    static List<Detection> toDetections(FrameDetections record, int frameWidth, int frameHeight) {
        List<Detection> out = new ArrayList<>();
        for (io.skypack.schema.Detection d : record.getDetections()) {
            Box box = new Box(d.getX1(), d.getY1(), d.getX2(), d.getY2());
            MaskRle mask = null;
            if (d.getMask() != null) {
                io.skypack.schema.MaskRle m = d.getMask();
                MaskRle inBox = MaskRle.fromCocoString(m.getCounts(), m.getHeight(), m.getWidth());
                boolean[] px = inBox.decode();
                int x0 = (int) Math.floor(d.getX1()), y0 = (int) Math.floor(d.getY1());
                int w = m.getWidth();
                mask = MaskRle.encodeWindow(
                        frameHeight,
                        frameWidth,
                        x0,
                        y0,
                        x0 + w,
                        y0 + m.getHeight(),
                        (x, y) -> px[(y - y0) * w + (x - x0)]);
            }
            out.add(new Detection(box, d.getClassId(), Math.min(1, Math.max(0, d.getScore())), mask, d.getProxy()));
        }
        return out;
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
