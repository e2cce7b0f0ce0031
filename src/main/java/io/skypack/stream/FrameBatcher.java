package io.skypack.stream;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongSupplier;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gathers the frames of each flight into micro-batches (DESIGN.md section 1): frames come in keyed
 * by flight id, and a flight's frames go out as one record whose value is the list of them (each
 * with its own record timestamp and arrival time, which the inference stage turns into latencies), in
 * arrival order, as soon as either
 *
 * <ul>
 *   <li>the flight has {@link BatchingConfig#maxBatch()} frames buffered (forwarded at once, with
 *       the timestamp and headers of the frame that filled it), or
 *   <li>the flight's oldest buffered frame has waited {@link BatchingConfig#latencyBudget()} of wall
 *       clock time, checked every {@link BatchingConfig#checkInterval()} by a {@link
 *       PunctuationType#WALL_CLOCK_TIME} punctuator (forwarded with the newest frame's timestamp and
 *       no headers).
 * </ul>
 *
 * <p>Every frame is forwarded exactly once, in the batch of its flight, after every frame of that
 * flight that arrived before it. A record with a null key or value is not a frame (the decode step
 * upstream turns bad input into rejects) and is dropped with a warning.
 *
 * <p><b>Crashes.</b> Kafka Streams commits a task's input offsets every {@code commit.interval.ms}
 * whatever its processors hold, and a processor cannot postpone that ({@code context.commit()} only
 * asks for an earlier commit). A buffer in memory alone would therefore lose the frames whose
 * offsets were committed before a crash. So the buffer lives in a key-value store with a changelog
 * ({@link #bufferStore}): under {@code exactly_once_v2} the store's changelog writes, the forwarded
 * batches and the input offsets are committed in one transaction, and after a crash the store is
 * restored to exactly the frames that were consumed but not yet forwarded. Frames after the committed
 * offsets are read again; frames already forwarded were deleted from the store in the same
 * transaction. So nothing is lost and nothing is forwarded twice ({@code CrashRecoveryIT} kills the
 * application at several such points). Under at-least-once it is not safe: the deletes of {@link
 * #take} reach the changelog while the batch is still in inference downstream, before its results are
 * written, and the frames' input offsets may have been committed while they were buffered, so a kill
 * in between loses the batch (seen: 4 of 40 frames in 8 kills). The application therefore runs it
 * under {@code exactly_once_v2} only.
 *
 * <p>The store holds one entry per frame, keyed by a sequence number that grows with arrival, so a
 * frame is written to the changelog once and deleted once (a tombstone), however large the batch. The
 * frame that fills a batch never enters the store: it is forwarded while its own input record is being
 * processed, in the same transaction as its offset, so there is nothing to restore it from. At batch
 * size 1 the store is not used at all, which spares every frame two changelog records of its size.
 * The processor keeps only an index (sequence numbers and arrival times per flight) in memory and
 * rebuilds it from the store in {@link #init}.
 *
 * <p>Keys must have value equality ({@code equals}/{@code hashCode}), as a {@code String} flight id
 * has. Like every processor, it is used by one stream thread.
 *
 * @param <K> record key, the flight id
 * @param <V> frame type
 */
public final class FrameBatcher<K, V> implements Processor<K, V, K, List<BufferedFrame<K, V>>> {
    private static final Logger LOG = LoggerFactory.getLogger(FrameBatcher.class);

    private final BatchingConfig config;
    private final String storeName;
    private final LongSupplier wallClockMs;

    private ProcessorContext<K, List<BufferedFrame<K, V>>> context;
    private KeyValueStore<Long, BufferedFrame<K, V>> store;
    private Cancellable punctuator;
    /** Per flight, its buffered frames' sequence numbers and arrival times, oldest first. */
    private final Map<K, Deque<Pending>> pending = new HashMap<>();

    private long nextSequence;

    private record Pending(long sequence, long arrivalMs) {}

    /**
     * @param storeName name of a store built by {@link #bufferStore} and connected to this processor
     * @param wallClockMs the time a frame arrives and the budget is checked against. Not the context's
     *     {@code currentSystemTimeMs()}: Kafka Streams caches that once per round of processing, so a frame
     *     read right after a batch's inference (seconds) would arrive that long "ago" and close a batch of
     *     one at the next punctuation.
     */
    public FrameBatcher(BatchingConfig config, String storeName, LongSupplier wallClockMs) {
        this.wallClockMs = Objects.requireNonNull(wallClockMs, "wallClockMs");
        this.config = Objects.requireNonNull(config, "config");
        this.storeName = Objects.requireNonNull(storeName, "storeName");
    }

    /**
     * The buffer store for a {@code FrameBatcher} of these serdes: in memory, with a changelog (the
     * changelog is what makes it survive a crash; the buffer is at most {@code maxBatch} frames per
     * flight, so a local RocksDB copy would buy little).
     */
    public static <K, V> StoreBuilder<KeyValueStore<Long, BufferedFrame<K, V>>> bufferStore(
            String storeName, Serde<K> keySerde, Serde<V> valueSerde) {
        return Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(storeName), Serdes.Long(), BufferedFrame.serde(keySerde, valueSerde));
    }

    @Override
    public void init(ProcessorContext<K, List<BufferedFrame<K, V>>> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
        // Frames buffered before a restart: in sequence order, since Long keys serialize big-endian
        // and sequence numbers are never negative.
        long restored = 0;
        try (KeyValueIterator<Long, BufferedFrame<K, V>> all = store.all()) {
            while (all.hasNext()) {
                KeyValue<Long, BufferedFrame<K, V>> entry = all.next();
                index(entry.value.key(), entry.key, entry.value.arrivalMs());
                nextSequence = Math.max(nextSequence, entry.key + 1);
                restored++;
            }
        }
        if (restored > 0) {
            LOG.info(
                    "{}: {} buffered frame(s) of {} flight(s) restored from store {}",
                    context.taskId(),
                    restored,
                    pending.size(),
                    storeName);
        }
        punctuator = context.schedule(config.checkInterval(), PunctuationType.WALL_CLOCK_TIME, this::flushDue);
    }

    @Override
    public void process(Record<K, V> record) {
        if (record.key() == null || record.value() == null) {
            LOG.warn(
                    "{}: dropped a record with a null {} (not a frame) at {}",
                    context.taskId(),
                    record.key() == null ? "key" : "value",
                    context.recordMetadata()
                            .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                            .orElse("?"));
            return;
        }
        long now = wallClockMs.getAsLong();
        long offset = context.recordMetadata().map(m -> m.offset()).orElse(-1L);
        BufferedFrame<K, V> frame = new BufferedFrame<>(record.key(), record.value(), record.timestamp(), now, offset);
        Deque<Pending> buffered = pending.get(record.key());
        if ((buffered == null ? 0 : buffered.size()) + 1 >= config.maxBatch()) {
            List<BufferedFrame<K, V>> batch = new ArrayList<>(take(record.key()));
            batch.add(frame);
            context.forward(record.withValue(Collections.unmodifiableList(batch)));
            return;
        }
        long sequence = nextSequence++;
        store.put(sequence, frame);
        index(record.key(), sequence, now);
    }

    /** The punctuator: forwards every flight whose oldest frame has used up the latency budget. */
    private void flushDue(long punctuatedAtMs) {
        // Not the punctuation's own time: arrivals are stamped by wallClockMs, so the budget is checked on it too.
        long nowMs = wallClockMs.getAsLong();
        long budgetMs = config.latencyBudget().toMillis();
        List<Map.Entry<K, Deque<Pending>>> due = new ArrayList<>();
        for (Map.Entry<K, Deque<Pending>> e : pending.entrySet()) {
            if (nowMs - e.getValue().peekFirst().arrivalMs() >= budgetMs) due.add(e);
        }
        // The flight that has waited longest goes first.
        due.sort(Comparator.comparingLong(e -> e.getValue().peekFirst().sequence()));
        for (Map.Entry<K, Deque<Pending>> e : due) {
            K key = e.getKey();
            List<BufferedFrame<K, V>> batch = take(key);
            long newest =
                    batch.stream().mapToLong(BufferedFrame::timestamp).max().orElseThrow();
            context.forward(new Record<>(key, batch, newest));
        }
    }

    @Override
    public void close() {
        // Buffered frames stay in the store (and its changelog) for whoever owns the task next.
        if (punctuator != null) punctuator.cancel();
        pending.clear();
    }

    private Deque<Pending> index(K key, long sequence, long arrivalMs) {
        Deque<Pending> frames = pending.computeIfAbsent(key, k -> new ArrayDeque<>());
        frames.addLast(new Pending(sequence, arrivalMs));
        return frames;
    }

    /**
     * Removes a flight's frames from the index and the store and returns them, oldest first. They
     * leave the store before they are forwarded: should forwarding fail, the task fails and, under
     * exactly-once, its transaction with these deletes is aborted.
     */
    private List<BufferedFrame<K, V>> take(K key) {
        Deque<Pending> frames = pending.remove(key);
        if (frames == null) return List.of();
        List<BufferedFrame<K, V>> batch = new ArrayList<>(frames.size());
        for (Pending p : frames) {
            BufferedFrame<K, V> frame = store.delete(p.sequence());
            if (frame == null) {
                throw new IllegalStateException("store " + storeName + " lost buffered frame " + p.sequence() + " of "
                        + key + ": the index and the store disagree");
            }
            batch.add(frame);
        }
        return Collections.unmodifiableList(batch);
    }
}
