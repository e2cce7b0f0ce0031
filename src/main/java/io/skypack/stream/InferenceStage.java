package io.skypack.stream;

import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
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
 * large allocations of inference and are garbage once the batch has failed, so the frames retried
 * alone usually fit; letting it fail the task would only run the same batch again after the restart,
 * and fail it again. Other {@link Error}s fail the task.
 *
 * <p><b>Threads and crashes.</b> A batch runs on a worker thread of the {@link DetectorPool}; its
 * records are forwarded on the stream thread that consumed its frames, so under {@code
 * exactly_once_v2} they commit in that thread's transactions. Without {@link Settings#overlap()} the
 * stream thread waits for each batch, and its results, the batcher's store deletes and the input
 * offsets commit together. With it, the stream thread goes on (consuming, decoding, batching and
 * committing) while the batch runs, and forwards its results at the next record or punctuation after
 * it has finished, in batch order; at most one batch per detector is in inference, so the next
 * waits for the oldest. Kafka Streams may commit the frames' input offsets in the meantime, so the
 * frames of a batch in inference are kept in a changelogged store ({@link #inFlightStore}), put in the
 * transaction that consumed them and deleted in the one that forwards their results. After a crash
 * the store comes back with exactly the batches whose input offsets were committed without their
 * results, and {@link #init} runs them again: an input offset is never committed without its frame's
 * result being produced or on its way, and no result is produced twice.
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
     * @param overlap hand each batch to a detector and go on (consume, decode, batch, commit) while it
     *     runs, forwarding its results once it has finished; otherwise wait for them in {@link #process}
     */
    public record Settings(
            String modelId,
            Optional<Duration> staleAfter,
            IntFunction<String> classNames,
            double minScore,
            boolean overlap) {
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
    private final String storeName;
    private final DecodedImages decoded;
    private final FrameValidator decoder;
    private final Serializer<Frame> frameBytes;
    private final Settings settings;
    private final LongSupplier wallClockMs;
    private ProcessorContext<String, SpecificRecord> context;
    private KeyValueStore<Long, BufferedFrame<String, Frame>> store;
    private Cancellable punctuator;
    /** Batches handed to the detectors whose results are not forwarded yet, oldest first. */
    private final Deque<InFlight> inFlight = new ArrayDeque<>();

    private long nextBatch;

    /** A batch in inference: its frames (also in the store, under {@link #key}) and their outcomes to come. */
    private record InFlight(
            long batch, List<BufferedFrame<String, Frame>> frames, CompletableFuture<Object[]> outcome) {}

    /** A frame's dead letter to be: built and forwarded on the stream thread, which owns the serializer. */
    private record Rejection(RejectReason reason, String message) {}

    /**
     * @param sourceTopic the frames topic, named in dead letters: a batch flushed by the batcher's
     *     punctuator has no record metadata to take it from
     * @param storeName a store built by {@link #inFlightStore} and connected to this processor: the
     *     batches in inference while the stream thread goes on ({@link Settings#overlap()})
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
            String storeName,
            DecodedImages decoded,
            FrameValidator decoder,
            Serializer<Frame> frameBytes,
            Settings settings,
            LongSupplier wallClockMs) {
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        this.detectors = Objects.requireNonNull(detectors, "detectors");
        this.sourceTopic = Objects.requireNonNull(sourceTopic, "sourceTopic");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
        this.decoded = Objects.requireNonNull(decoded, "decoded");
        this.decoder = Objects.requireNonNull(decoder, "decoder");
        this.frameBytes = Objects.requireNonNull(frameBytes, "frameBytes");
        this.settings = Objects.requireNonNull(settings, "settings");
    }

    /**
     * The store of the batches in inference: one entry per frame, in memory with a changelog, like
     * {@link FrameBatcher#bufferStore} (a frame can be as large as a producer request allows, so a
     * whole batch in one entry could exceed it).
     */
    public static StoreBuilder<KeyValueStore<Long, BufferedFrame<String, Frame>>> inFlightStore(
            String storeName, Serde<Frame> frameSerde) {
        return FrameBatcher.bufferStore(storeName, Serdes.String(), frameSerde);
    }

    /** A frame's store key: the batch number above the frame's place in its batch (batches are <= 1024). */
    private static long key(long batch, int index) {
        return (batch << 16) | index;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        // Batches that were in inference when the task last stopped (a crash, or a close with a batch
        // running): committed with their input offsets, never with results, so they run again. Read even
        // with the overlap off, so turning it off after a crash loses nothing.
        TreeMap<Long, List<BufferedFrame<String, Frame>>> restored = new TreeMap<>();
        try (KeyValueIterator<Long, BufferedFrame<String, Frame>> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedFrame<String, Frame>> e = all.next();
                restored.computeIfAbsent(e.key >>> 16, b -> new ArrayList<>()).add(e.value);
            }
        }
        restored.forEach((batch, frames) -> {
            inFlight.addLast(new InFlight(batch, frames, submit(frames, new BufferedImage[frames.size()])));
            nextBatch = batch + 1;
        });
        if (!restored.isEmpty()) {
            LOG.info(
                    "{}: {} batch(es) that were in inference restored from store {}; running them again",
                    context.taskId(),
                    restored.size(),
                    storeName);
        }
        punctuator = context.schedule(FORWARD_CHECK, PunctuationType.WALL_CLOCK_TIME, at -> forwardFinished());
    }

    /** How often finished batches are looked for between records (a wall-clock punctuator). */
    static final Duration FORWARD_CHECK = Duration.ofMillis(5);

    @Override
    public void process(Record<String, List<BufferedFrame<String, Frame>>> batch) {
        List<BufferedFrame<String, Frame>> frames = batch.value();
        if (frames.isEmpty()) return;
        BufferedImage[] images = new BufferedImage[frames.size()];
        for (int i = 0; i < frames.size(); i++) {
            images[i] = decoded.take(frames.get(i).value(), frames.get(i).sourceOffset());
        }
        if (!settings.overlap()) {
            while (!inFlight.isEmpty()) forward(inFlight.pollFirst()); // batches restored after a crash come first
            forward(frames, await(submit(frames, images)));
            return;
        }
        // One batch per detector in inference: wait for the oldest, whose detector then takes this one.
        if (inFlight.size() >= detectors.size()) await(inFlight.peekFirst().outcome());
        long id = nextBatch++;
        for (int i = 0; i < frames.size(); i++) store.put(key(id, i), frames.get(i));
        inFlight.addLast(new InFlight(id, frames, submit(frames, images)));
        forwardFinished();
    }

    /** Forwards the results of the finished batches at the head of the queue, in order. */
    private void forwardFinished() {
        while (!inFlight.isEmpty() && inFlight.peekFirst().outcome().isDone()) forward(inFlight.pollFirst());
    }

    /** Forwards a batch's results (waiting for them) and deletes its frames from the store. */
    private void forward(InFlight batch) {
        forward(batch.frames(), await(batch.outcome()));
        for (int i = 0; i < batch.frames().size(); i++) store.delete(key(batch.batch(), i));
    }

    private void forward(List<BufferedFrame<String, Frame>> frames, Object[] outcome) {
        for (int i = 0; i < frames.size(); i++) {
            BufferedFrame<String, Frame> f = frames.get(i);
            if (outcome[i] instanceof FrameDetections d) {
                Record<String, SpecificRecord> out = new Record<>(f.key(), d, f.timestamp());
                context.forward(out, DETECTIONS);
                context.forward(out, STATISTICS);
            } else {
                Rejection r = (Rejection) outcome[i];
                context.forward(new Record<>(f.key(), rejected(f, r.reason(), r.message()), f.timestamp()), REJECTED);
            }
        }
    }

    private CompletableFuture<Object[]> submit(List<BufferedFrame<String, Frame>> frames, BufferedImage[] images) {
        return detectors.submit(detector -> run(detector, frames, images));
    }

    private static <T> T await(CompletableFuture<T> job) {
        try {
            return DetectorPool.await(job);
        } catch (DetectionException e) { // run() turns every detector failure into outcomes
            throw new StreamsException("unexpected detector failure", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StreamsException("interrupted while waiting for a detector", e);
        }
    }

    @Override
    public void close() {
        if (punctuator != null) punctuator.cancel();
        // Batches still in inference stay in the store (and its changelog) for whoever owns the task
        // next, which runs them again; a processor cannot forward from close(). Queued ones are dropped.
        inFlight.forEach(b -> b.outcome().cancel(false));
        inFlight.clear();
    }

    /**
     * On the detector's worker thread: each frame's outcome, in the batch's order: its {@link
     * FrameDetections} (detected, or skipped as stale) or a {@link Rejection}.
     *
     * @param images the decoded images, null where the decode step no longer held one
     */
    private Object[] run(Detector detector, List<BufferedFrame<String, Frame>> frames, BufferedImage[] images) {
        long start = wallClockMs.getAsLong();
        Object[] outcome = new Object[frames.size()];
        List<FrameImage> batch = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < frames.size(); i++) {
            BufferedFrame<String, Frame> f = frames.get(i);
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
            BufferedImage image = images[i];
            if (image == null) {
                FrameValidator.Result again = decoder.validate(f.value());
                if (!again.accepted()) { // validated upstream; only a changed validator gets here
                    outcome[i] = new Rejection(again.reason(), again.message());
                    continue;
                }
                image = again.image();
            }
            batch.add(new FrameImage(i, image));
            positions.add(i);
        }
        DetectionBatch result = null;
        if (!batch.isEmpty()) {
            try {
                result = detector.detect(batch);
            } catch (DetectionException | RuntimeException | OutOfMemoryError e) {
                LOG.warn(
                        "detector failed on a batch of {} frame(s) of flight {} ({}); retrying each frame alone",
                        batch.size(),
                        frames.get(0).key(),
                        e.toString());
            }
        }
        long end = wallClockMs.getAsLong();
        for (int j = 0; j < batch.size(); j++) {
            int i = positions.get(j);
            BufferedFrame<String, Frame> f = frames.get(i);
            if (result != null) {
                FrameResult r = result.frames().get(j);
                outcome[i] = DetectionRecords.detected(
                        f.value(), r, result.stats(), frames.size(), end - f.arrivalMs(), settings);
            } else {
                outcome[i] = alone(detector, f, batch.get(j), frames.size());
            }
        }
        return outcome;
    }

    /** The retry of one frame of a failed batch: its detections, or its dead letter to be. */
    private Object alone(Detector detector, BufferedFrame<String, Frame> f, FrameImage image, int batchSize) {
        try {
            DetectionBatch one = detector.detect(List.of(new FrameImage(0, image.image())));
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
            return new Rejection(RejectReason.INFERENCE_FAILED, "detector failed: " + e);
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
