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

    @Test
    void theTargetsShouldBeJudgedOnTheMedianRatioOfTheRounds() {
        // rounds x batch sizes {1, 8}; the detector alone at 4 and 6 frames/s from JPEG in every round, and at
        // 5 and 8 without its decoding
        double[][] detector = {{4, 6}, {4, 6}, {4, 6}};
        double[][] decoded = {{5, 8}, {5, 8}, {5, 8}};
        double[][] pipeline = {{3.6, 4.8}, {4.0, 4.8}, {3.2, 6.0}};
        assertEquals(
                List.of(
                        "targets, median of 3 rounds (range):",
                        // 0.90, 1.00, 0.80
                        "  pipeline / detector alone from JPEG, batch 1: 0.900x (0.80-1.00), target >= 0.85x: met",
                        // 0.72, 0.80, 0.64
                        "    against frames decoded before the detector's clock: 0.720x (0.64-0.80), not judged",
                        // 0.80, 0.80, 1.00: one round at 1.00 does not meet it
                        "  pipeline / detector alone from JPEG, batch 8: 0.800x (0.80-1.00), target >= 0.85x: missed",
                        "    against frames decoded before the detector's clock: 0.600x (0.60-0.75), not judged",
                        // 4.8 / 3.6, 4.8 / 4.0, 6.0 / 3.2: each round's batch 8 over its own batch 1
                        "  batching, pipeline batch 8 / batch 1: 1.333x (1.20-1.88), target >= 1.30x: met"),
                BenchPipelineCommand.targets(List.of(1, 8), detector, decoded, pipeline));
    }

    @Test
    void anEvenNumberOfRoundsShouldBeJudgedOnTheLowerMiddleAndBatchingOnTheLargestOverTheSmallest() {
        double[][] detector = {{5, 4, 6}, {5, 4, 6}};
        double[][] pipeline = {{5, 4.4, 4.8}, {5, 3.2, 5.4}}; // batches 4, 1, 8
        List<String> lines = BenchPipelineCommand.targets(List.of(4, 1, 8), detector, detector, pipeline);
        assertEquals(
                "  pipeline / detector alone from JPEG, batch 1: 0.800x (0.80-1.10), target >= 0.85x: missed",
                lines.get(3));
        // 4.8 / 4.4 = 1.09, 5.4 / 3.2 = 1.69: of two rounds, the worse one decides
        assertEquals(
                "  batching, pipeline batch 8 / batch 1: 1.091x (1.09-1.69), target >= 1.30x: missed", lines.get(7));
        assertEquals(8, lines.size());
    }

    @Test
    void everyOtherRoundShouldRunInTheReverseOrderSoThatADriftWeighsOnBothRowsAlike() {
        boolean[] reversed = new boolean[5];
        for (int r = 0; r < 5; r++) reversed[r] = BenchPipelineCommand.reversed(r);
        assertArrayEquals(new boolean[] {false, true, false, true, false}, reversed);
    }

    @Test
    void oneBatchSizeShouldHaveNoBatchingLineAndOneRoundNoRange() {
        assertEquals(
                List.of(
                        "targets, one round (use --rounds 3 or more on a shared machine):",
                        "  pipeline / detector alone from JPEG, batch 8: 0.840x, target >= 0.85x: missed",
                        "    against frames decoded before the detector's clock: 0.700x, not judged"),
                BenchPipelineCommand.targets(
                        List.of(8), new double[][] {{5}}, new double[][] {{6}}, new double[][] {{4.2}}));
    }
}
