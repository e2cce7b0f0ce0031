package io.skypack.stream;

import io.skypack.schema.FlightStats;
import io.skypack.schema.Frame;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.Topology;

/**
 * Builds the detector application's topology (DESIGN.md section 1):
 *
 * <pre>
 *   uav.frames -> decode (FrameDecoder) -+-> frame-batcher (FrameBatcher, store frame-batches)
 *                                        |      -> inference (InferenceStage, store inference-in-flight)
 *                                        |                                     +-> uav.detections
 *                                        |                                     +-> flight-statistics -> uav.flight-stats
 *                                        |                                     +-> uav.frames.dlq
 *                                        +-> uav.frames.dlq
 * </pre>
 *
 * One sub-topology, so a frame, its batch, its result and its input offset belong to one task and,
 * under {@code exactly_once_v2}, to one transaction. The committed {@code Topology#describe()} of each
 * configuration is in {@code topologies/}; a test fails when the two differ.
 */
public final class SkypackTopology {
    public static final String SOURCE = "frames-source";
    public static final String DECODE = "decode";
    public static final String INFERENCE = "inference";
    public static final String STATS_SINK = "flight-stats-sink";
    public static final String BATCH_STORE = "frame-batches";
    public static final String IN_FLIGHT_STORE = "inference-in-flight";
    public static final String STATS_STORE = "flight-stats-windows";

    private SkypackTopology() {}

    /** Topic names (DESIGN.md section 3); configurable. */
    public record Topics(String frames, String detections, String flightStats, String deadLetters) {
        public static final Topics DEFAULT =
                new Topics("uav.frames", "uav.detections", "uav.flight-stats", "uav.frames.dlq");

        public Topics {
            Objects.requireNonNull(frames, "frames topic");
            Objects.requireNonNull(detections, "detections topic");
            Objects.requireNonNull(flightStats, "flight-stats topic");
            Objects.requireNonNull(deadLetters, "dead-letter topic");
        }
    }

    /**
     * Everything about the topology that is not Kafka client configuration.
     *
     * @param maxImageBytes frames whose encoded image is larger are dead-lettered (FRAME_TOO_LARGE)
     * @param maxPixels frames with more pixels are dead-lettered
     * @param statsWindow the tumbling window of {@code uav.flight-stats}
     */
    public record Settings(
            Topics topics,
            BatchingConfig batching,
            InferenceStage.Settings inference,
            long maxImageBytes,
            long maxPixels,
            Duration statsWindow) {
        public Settings {
            Objects.requireNonNull(topics, "topics");
            Objects.requireNonNull(batching, "batching");
            Objects.requireNonNull(inference, "inference");
            Objects.requireNonNull(statsWindow, "statsWindow");
        }
    }

    /**
     * The Avro side, from the registry client: how frames are read, how the batcher's store keeps them,
     * and how the output records are written.
     */
    public record Codecs(
            Deserializer<Frame> frameReader, Serde<Frame> frameSerde, Serializer<SpecificRecord> records) {}

    /**
     * @param clock the wall clock: when a frame arrives at the batcher and the latency budget is checked,
     *     when inference starts and ends (stale check, latency), when a record is rejected ({@code
     *     Instant::now}; tests move their own). Kafka Streams' {@code currentSystemTimeMs()} is not used for
     *     these: it is cached once per round of processing and stands still through a batch's inference.
     */
    public static Topology build(Settings settings, Codecs codecs, DetectorPool detectors, Supplier<Instant> clock) {
        Topics t = settings.topics();
        FrameValidator validator = new FrameValidator(settings.maxImageBytes(), settings.maxPixels());
        DecodedImages decoded = new DecodedImages(DecodedImages.DEFAULT_MAX_PIXELS);
        Serializer<String> keys = new StringSerializer();
        LongSupplier wallClockMs = () -> clock.get().toEpochMilli();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(), t.frames());
        topology.addProcessor(DECODE, () -> new FrameDecoder(codecs.frameReader(), validator, decoded, clock), SOURCE);
        topology.addProcessor(
                FrameDecoder.VALID,
                () -> new FrameBatcher<String, Frame>(settings.batching(), BATCH_STORE, wallClockMs),
                DECODE);
        topology.addStateStore(
                FrameBatcher.bufferStore(BATCH_STORE, Serdes.String(), codecs.frameSerde()), FrameDecoder.VALID);
        topology.addProcessor(
                INFERENCE,
                () -> new InferenceStage(
                        detectors,
                        t.frames(),
                        IN_FLIGHT_STORE,
                        decoded,
                        validator,
                        codecs.frameSerde().serializer(),
                        settings.inference(),
                        wallClockMs),
                FrameDecoder.VALID);
        topology.addStateStore(InferenceStage.inFlightStore(IN_FLIGHT_STORE, codecs.frameSerde()), INFERENCE);
        topology.addProcessor(
                InferenceStage.STATISTICS, () -> new FlightStatistics(settings.statsWindow(), STATS_STORE), INFERENCE);
        topology.addStateStore(FlightStatistics.store(STATS_STORE), InferenceStage.STATISTICS);
        topology.addSink(InferenceStage.DETECTIONS, t.detections(), keys, codecs.records(), INFERENCE);
        topology.addSink(STATS_SINK, t.flightStats(), keys, narrow(codecs.records()), InferenceStage.STATISTICS);
        topology.addSink(FrameDecoder.REJECTED, t.deadLetters(), keys, codecs.records(), DECODE, INFERENCE);
        return topology;
    }

    @SuppressWarnings("unchecked")
    private static Serializer<FlightStats> narrow(Serializer<SpecificRecord> records) {
        return (Serializer<FlightStats>) (Serializer<?>) records;
    }
}
