package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.skypack.schema.DetectionStats;
import io.skypack.schema.FrameDetections;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class BenchPipelineCommandTest {
    private static ConsumerRecord<String, FrameDetections> record(long index, int batchSize, float coarse, float fine) {
        FrameDetections d = FrameDetections.newBuilder()
                .setFlightId("f")
                .setFrameIndex(index)
                .setCaptureTime(Instant.EPOCH)
                .setModelId("m")
                .setDetections(List.of())
                .setStats(DetectionStats.newBuilder()
                        .setBatchSize(batchSize)
                        .setCoarseMs(coarse)
                        .setPackMs(10f)
                        .setFineMs(fine)
                        .setTotalMs(9999f) // time in the pipeline, not the detector's: must not count
                        .build())
                .build();
        return new ConsumerRecord<>("t", 0, index, "f", d);
    }

    @Test
    void shouldCountEachBatchsDetectorTimeOnceSharedByItsFrames() {
        // a batch of 4 that took 100 + 10 + 290 = 400 ms, then a frame alone that took 50 + 10 + 140 = 200 ms
        List<ConsumerRecord<String, FrameDetections>> records = List.of(
                record(0, 4, 100f, 290f),
                record(1, 4, 100f, 290f),
                record(2, 4, 100f, 290f),
                record(3, 4, 100f, 290f),
                record(4, 1, 50f, 140f));
        assertEquals(600.0, BenchPipelineCommand.detectorMs(records), 1e-3);
    }

    private static Map.Entry<MetricName, Metric> metric(String group, String name, double value) {
        MetricName n = new MetricName(name, group, "", Map.of("thread-id", "t-1"));
        Metric m = new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        };
        return Map.entry(n, m);
    }

    @Test
    void shouldReadCountTimesAverageOfEachStreamThreadOperation() {
        Map<MetricName, Metric> metrics = Map.ofEntries(
                metric("stream-thread-metrics", "commit-total", 10),
                metric("stream-thread-metrics", "commit-latency-avg", 21.5),
                metric("stream-thread-metrics", "poll-total", 4),
                metric("stream-thread-metrics", "poll-latency-avg", Double.NaN), // no poll timed yet
                metric("consumer-metrics", "commit-latency-avg", 500)); // another group: ignored
        Map<String, double[]> t = BenchPipelineCommand.streamThreadTimes(metrics);
        assertArrayEquals(new double[] {10, 215}, t.get("commit"), 1e-9);
        assertArrayEquals(new double[] {4, 0}, t.get("poll"), 1e-9);
        assertArrayEquals(new double[] {0, 0}, t.get("process"), 1e-9);
    }
}
