package io.skypack.stream;

import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
import io.skypack.schema.Frame;
import io.skypack.schema.FrameDetections;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import java.awt.image.BufferedImage;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference step of the topology (DESIGN.md section 1): a flight's micro-batch from {@link
 * FrameBatcher} in; for every frame, in the batch's order, exactly one of
 *
 * <ul>
 *   <li>a {@link FrameDetections} to the child {@link #DETECTIONS} and to {@link #STATISTICS}: the
 *       detector's result, or, in the live configuration, a record marked {@code skipped} for a frame
 *       that reached inference more than {@link Settings#staleAfter()} after it was produced (counted,
 *       never dropped silently);
 *   <li>a {@link RejectedFrame} with reason {@code INFERENCE_FAILED} to {@link #REJECTED}, for a frame the
 *       detector failed on even alone.
 * </ul>
 *
 * <p>When the detector fails on a batch (a {@link DetectionException}, a DJL engine error such as
 * native memory running out, or an {@link OutOfMemoryError} of the Java heap), each of its frames is
 * retried alone, so one bad frame does not take the others down and the next batch runs as usual. A
 * heap {@code OutOfMemoryError} is caught here on purpose: a batch's images and tensors are the
 * large allocations of this thread and are garbage once the batch has failed, so the frames retried
 * alone usually fit; letting it kill the stream thread would only run the same batch again after
 * the restart, and fail it again. Other {@link Error}s still end the thread.
 * Everything happens on the stream thread that consumed the frames, so under {@code exactly_once_v2}
 * the results, the batcher's store deletes and the input offsets commit together: an input offset is
 * never committed before its frame's result is produced.
 */
public final class InferenceStage
        implements Processor<String, List<BufferedFrame<String, Frame>>, String, SpecificRecord> {
    public static final String DETECTIONS = "detections-sink";
    public static final String STATISTICS = "flight-statistics";
    public static final String REJECTED = FrameDecoder.REJECTED;

    private static final Logger LOG = LoggerFactory.getLogger(InferenceStage.class);

    /**
     * @param modelId written into every record (which models produced it)
     * @param staleAfter live configuration: frames older than this (record timestamp to inference start)
     *     are skipped; empty in the replay configuration, where nothing is skipped
     * @param classNames class id to the name written with each detection
     * @param minScore detections scoring less are not written (the detector keeps low scores for
     *     evaluation; a consumer of the topic wants objects)
     */
    public record Settings(
            String modelId, Optional<Duration> staleAfter, IntFunction<String> classNames, double minScore) {
        public Settings {
            if (!(minScore >= 0 && minScore <= 1))
                throw new IllegalArgumentException("minScore must be in [0, 1]: " + minScore);
            Objects.requireNonNull(modelId, "modelId");
            Objects.requireNonNull(staleAfter, "staleAfter");
            Objects.requireNonNull(classNames, "classNames");
            staleAfter.ifPresent(d -> {
                if (d.isNegative() || d.isZero()) throw new IllegalArgumentException("staleAfter must be > 0: " + d);
            });
        }
    }

    private final DetectorPool detectors;
    private final String sourceTopic;
    private final DecodedImages decoded;
    private final FrameValidator decoder;
    private final Serializer<Frame> frameBytes;
    private final Settings settings;
    private final LongSupplier wallClockMs;
    private ProcessorContext<String, SpecificRecord> context;

    /**
     * @param sourceTopic the frames topic, named in dead letters: a batch flushed by the batcher's
     *     punctuator has no record metadata to take it from
     * @param decoded the images the decode step kept
     * @param decoder decodes the (already validated) images again when they are not in {@code decoded}
     * @param frameBytes re-encodes a frame for the dead-letter record of an inference failure
     * @param wallClockMs when inference starts and ends, for the stale check and the latency written with
     *     each record. Not the context's {@code currentSystemTimeMs()}, which Kafka Streams caches once per
     *     round of processing: it does not move during inference, so latencies left inference out.
     */
    public InferenceStage(
            DetectorPool detectors,
            String sourceTopic,
            DecodedImages decoded,
            FrameValidator decoder,
            Serializer<Frame> frameBytes,
            Settings settings,
            LongSupplier wallClockMs) {
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        this.detectors = Objects.requireNonNull(detectors, "detectors");
        this.sourceTopic = Objects.requireNonNull(sourceTopic, "sourceTopic");
        this.decoded = Objects.requireNonNull(decoded, "decoded");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.frameBytes = Objects.requireNonNull(frameBytes, "frameBytes");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<String, List<BufferedFrame<String, Frame>>> batch) {
        List<BufferedFrame<String, Frame>> frames = batch.value();
        long start = wallClockMs.getAsLong();
        Object[] outcome = new Object[frames.size()]; // FrameDetections, RejectedFrame, or FrameResult
        List<FrameImage> images = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            BufferedFrame<String, Frame> f = frames.get(i);
            BufferedImage image = decoded.take(f.value(), f.sourceOffset());
            long waited = start - f.timestamp();
            if (settings.staleAfter().isPresent()
                    && waited > settings.staleAfter().get().toMillis()) {
                outcome[i] = DetectionRecords.skipped(
                        f.value(),
                        frames.size(),
                        start - f.arrivalMs(),
                        settings.modelId(),
                        "stale: reached inference " + waited + " ms after it was produced, limit "
                                + settings.staleAfter().get().toMillis() + " ms");
                continue;
            }
            if (image == null) {
                FrameValidator.Result again = decoder.validate(f.value());
                if (!again.accepted()) { // validated upstream; only a changed validator gets here
                    outcome[i] = rejected(f, again.reason(), again.message());
                    continue;
                }
                image = again.image();
            }
            images.add(new FrameImage(i, image));
            positions.add(i);
        }
        DetectionBatch result = null;
        if (!images.isEmpty()) {
            try {
                result = detectors.detect(images);
            } catch (DetectionException | RuntimeException | OutOfMemoryError e) {
                LOG.warn(
                        "detector failed on a batch of {} frame(s) of flight {} ({}); retrying each frame alone",
                        images.size(),
                        batch.key(),
                        e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StreamsException("interrupted while waiting for a detector", e);
            }
        }
        long end = wallClockMs.getAsLong();
        for (int j = 0; j < images.size(); j++) {
            int i = positions.get(j);
            BufferedFrame<String, Frame> f = frames.get(i);
            if (result != null) {
                FrameResult r = result.frames().get(j);
                outcome[i] = DetectionRecords.detected(
                        f.value(), r, result.stats(), frames.size(), end - f.arrivalMs(), settings);
            } else {
                outcome[i] = alone(f, images.get(j), frames.size());
            }
        }
        for (int i = 0; i < frames.size(); i++) {
            BufferedFrame<String, Frame> f = frames.get(i);
            if (outcome[i] instanceof FrameDetections d) {
                Record<String, SpecificRecord> out = new Record<>(f.key(), d, f.timestamp());
                context.forward(out, DETECTIONS);
                context.forward(out, STATISTICS);
            } else {
                context.forward(new Record<>(f.key(), (RejectedFrame) outcome[i], f.timestamp()), REJECTED);
            }
        }
    }

    /** The retry of one frame of a failed batch: its detections, or its dead-letter record. */
    private SpecificRecord alone(BufferedFrame<String, Frame> f, FrameImage image, int batchSize) {
        try {
            DetectionBatch one = detectors.detect(List.of(new FrameImage(0, image.image())));
            return DetectionRecords.detected(
                    f.value(),
                    one.frames().get(0),
                    one.stats(),
                    batchSize,
                    wallClockMs.getAsLong() - f.arrivalMs(),
                    settings);
        } catch (DetectionException | RuntimeException | OutOfMemoryError e) {
            LOG.warn(
                    "detector failed on frame {} of flight {} alone; dead-lettered: {}",
                    f.value().getFrameIndex(),
                    f.key(),
                    e.toString());
            return rejected(f, RejectReason.INFERENCE_FAILED, "detector failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for a detector", e);
        }
    }

    private RejectedFrame rejected(BufferedFrame<String, Frame> f, RejectReason reason, String message) {
        byte[] value = frameBytes.serialize(sourceTopic, f.value());
        return RejectedFrame.newBuilder()
                .setReasonCode(reason)
                .setMessage(message)
                .setSourceTopic(sourceTopic)
                // One source topic per sub-topology: the task's partition is the frame's input partition,
                // also when a punctuator flushed the batch and there is no current record.
                .setSourcePartition(context.taskId().partition())
                .setSourceOffset(f.sourceOffset())
                .setFlightId(f.value().getFlightId())
                .setOriginalKey(ByteBuffer.wrap(f.key().getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setRejectedAt(Instant.ofEpochMilli(wallClockMs.getAsLong()))
                .build();
    }
}
