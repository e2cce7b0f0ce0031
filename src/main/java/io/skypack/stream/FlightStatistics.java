package io.skypack.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skypack.schema.Detection;
import io.skypack.schema.FlightStats;
import io.skypack.schema.FrameDetections;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * FlightStatistics (DESIGN.md section 1): per flight, tumbling windows of {@code window} over the
 * detections records' timestamps, counting frames, skipped frames, detections per class, and the
 * frames' latency (entering the batcher to result, {@code stats.totalMs}) at the median and 99th
 * percentile. Every detections record updates its window and re-publishes the window's running total
 * to {@code uav.flight-stats}, so a consumer that keeps the last record per (flight, window start)
 * has the final counts, however late the window closes.
 *
 * <p>Running totals live in a changelogged store, so under exactly-once a restart neither loses nor
 * double-counts a frame. A flight's windows older than two window lengths before its newest one are
 * dropped from the store; a record that late starts its window afresh. Latency percentiles come from
 * a log-scale histogram (quarter-octave buckets, so within 19% of the exact value).
 */
public final class FlightStatistics implements Processor<String, SpecificRecord, String, FlightStats> {
    /** Bucket b holds latencies in [2^(b/4) - 1, 2^((b+1)/4) - 1) ms; the last one everything above. */
    static final int BUCKETS = 112;

    private final Duration window;
    private final String storeName;
    private ProcessorContext<String, FlightStats> context;
    private KeyValueStore<String, Totals> store;

    /** One window's running totals, as stored. */
    public record Totals(
            String flightId,
            long windowStart,
            long frames,
            long skipped,
            long detections,
            Map<String, Long> perClass,
            long[] latencyBuckets) {}

    public FlightStatistics(Duration window, String storeName) {
        if (window.isNegative() || window.isZero()) throw new IllegalArgumentException("window must be > 0: " + window);
        this.window = window;
        this.storeName = storeName;
    }

    /** The store of running totals, in memory with a changelog. */
    public static StoreBuilder<KeyValueStore<String, Totals>> store(String name) {
        return Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.String(), totalsSerde());
    }

    @Override
    public void init(ProcessorContext<String, FlightStats> context) {
        this.context = context;
        this.store = context.getStateStore(storeName);
    }

    @Override
    public void process(Record<String, SpecificRecord> record) {
        if (!(record.value() instanceof FrameDetections d)) return;
        String flight = d.getFlightId();
        long size = window.toMillis();
        long start = Math.floorDiv(record.timestamp(), size) * size;
        String key = key(flight, start);
        Totals t = store.get(key);
        if (t == null) t = new Totals(flight, start, 0, 0, 0, new TreeMap<>(), new long[BUCKETS]);
        Map<String, Long> perClass = new TreeMap<>(t.perClass());
        for (Detection det : d.getDetections()) perClass.merge(det.getClassName(), 1L, Long::sum);
        long[] buckets = t.latencyBuckets().clone();
        buckets[bucket(d.getStats().getTotalMs())]++;
        Totals next = new Totals(
                flight,
                start,
                t.frames() + 1,
                t.skipped() + (d.getStats().getSkipped() ? 1 : 0),
                t.detections() + d.getDetections().size(),
                perClass,
                buckets);
        store.put(key, next);
        dropOld(flight, start - 2 * size);
        context.forward(new Record<>(flight, stats(next, size), record.timestamp()));
    }

    private void dropOld(String flight, long before) {
        List<String> old = new ArrayList<>();
        try (KeyValueIterator<String, Totals> it = store.range(key(flight, Long.MIN_VALUE), key(flight, before - 1))) {
            while (it.hasNext()) {
                KeyValue<String, Totals> e = it.next();
                old.add(e.key);
            }
        }
        for (String k : old) store.delete(k);
    }

    /**
     * Sorts by flight, then by window start: the start with its sign bit flipped, as 16 hex digits, so
     * string order is numeric order for negative times too.
     */
    static String key(String flight, long windowStart) {
        return flight + '\u0000' + String.format(Locale.ROOT, "%016x", windowStart ^ Long.MIN_VALUE);
    }

    static FlightStats stats(Totals t, long size) {
        return FlightStats.newBuilder()
                .setFlightId(t.flightId())
                .setWindowStart(Instant.ofEpochMilli(t.windowStart()))
                .setWindowEnd(Instant.ofEpochMilli(t.windowStart() + size))
                .setFrames(t.frames())
                .setSkipped(t.skipped())
                .setDetections(t.detections())
                .setPerClass(new TreeMap<>(t.perClass()))
                .setLatencyP50Ms(percentile(t.latencyBuckets(), 0.50))
                .setLatencyP99Ms(percentile(t.latencyBuckets(), 0.99))
                .build();
    }

    static int bucket(double ms) {
        if (!(ms > 0)) return 0;
        int b = (int) Math.floor(4 * Math.log(1 + ms) / Math.log(2));
        return Math.min(BUCKETS - 1, b);
    }

    /** The geometric middle of the bucket holding the q-quantile, in ms (0 for an empty histogram). */
    static double percentile(long[] buckets, double q) {
        long n = 0;
        for (long c : buckets) n += c;
        if (n == 0) return 0;
        long rank = (long) Math.ceil(q * n);
        long seen = 0;
        for (int b = 0; b < buckets.length; b++) {
            seen += buckets[b];
            if (seen >= Math.max(1, rank)) return Math.pow(2, (b + 0.5) / 4) - 1;
        }
        return Math.pow(2, (buckets.length - 0.5) / 4) - 1;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    static Serde<Totals> totalsSerde() {
        return Serdes.serdeFrom(
                (topic, t) -> {
                    if (t == null) return null;
                    try {
                        return JSON.writeValueAsBytes(t);
                    } catch (JsonProcessingException e) {
                        throw new SerializationException("flight statistics of " + t.flightId() + ": " + e, e);
                    }
                },
                (topic, bytes) -> {
                    if (bytes == null) return null;
                    try {
                        return JSON.readValue(bytes, Totals.class);
                    } catch (IOException e) {
                        throw new SerializationException("not flight statistics in " + topic + ": " + e, e);
                    }
                });
    }
}
