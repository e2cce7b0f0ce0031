package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.skypack.detect.Detection;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.detect.UfpmpDetector;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.model.TorchThreads;
import io.skypack.stream.DetectorPool;
import io.skypack.train.synth.FlightGenerator;
import io.skypack.train.synth.SynthConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The detectors {@code detect} and the benchmarks open: the bundled models, per worker and device. */
class DetectorRuntimeTest {
    @Test
    void aModelShouldHoldItsWeightsOnTheDeviceItWasOpenedOn() throws Exception {
        try (MpDetRunner fine = ModelOption.open("fine", MpDetDecoder.Params.DEFAULTS, Device.cpu())) {
            assertEquals(Device.cpu(), fine.device());
        }
    }

    @Test
    void shouldOpenOneWarmedDetectorPerWorkerAndRunTwoBatchesAtOnce() throws Exception {
        PipelineConfig config = PipelineConfig.load(
                "replay",
                null,
                Map.of("SKYPACK_DEVICES", "cpu"),
                Map.of("skypack.workers", "2", "skypack.warmup.rounds", "1", "skypack.batch.max", "1"));
        var frame = new FlightGenerator(SynthConfig.defaults(), 0).next();
        List<FrameImage> batch = List.of(new FrameImage(0, frame.image()));

        DetectorRuntime.Detectors d = DetectorRuntime.openDetectors(config);
        try (DetectorPool pool = d.pool()) {
            assertEquals(2, pool.size());
            assertTrue(d.modelId().startsWith("ufp:"), d.modelId());
            List<List<Detection>> both = onBothDetectors(pool, detector -> {
                try {
                    return detector.detect(batch).frames().get(0).detections();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            List<Detection> first = both.get(0), second = both.get(1);
            assertTrue(first.size() >= 3, "detections on a synthetic frame with objects: " + first.size());
            assertEquals(first.size(), second.size(), "the same models give the same detections");
        }
    }

    @Test
    void capThreadsShouldLowerAThreadsPyTorchThreadsToItsShareAndNeverRaiseThem() throws Exception {
        int[] seen = new int[6];
        Thread t = new Thread(() -> {
            TorchThreads.setForThisThread(2);
            seen[0] = DetectorRuntime.capThreads(1);
            seen[1] = TorchThreads.ofThisThread();
            seen[2] = DetectorRuntime.capThreads(4);
            seen[3] = TorchThreads.ofThisThread();
            seen[4] = DetectorRuntime.capThreads(0); // a GPU detector's share
            seen[5] = TorchThreads.ofThisThread();
        });
        int mine = TorchThreads.ofThisThread();
        try {
            t.start();
            t.join();
        } finally {
            TorchThreads.setForThisThread(mine); // the process-wide count the thread changed
        }
        assertArrayEquals(new int[] {1, 1, 0, 1, 0, 1}, seen);
    }

    @Test
    void twoCpuDetectorsShouldEachRunTheirShareOfTheCoresNotTheEnginesThreads() throws Exception {
        int cores = Runtime.getRuntime().availableProcessors();
        PipelineConfig config = PipelineConfig.load(
                "replay",
                null,
                Map.of("SKYPACK_DEVICES", "cpu"),
                Map.of("skypack.workers", "2", "skypack.warmup.rounds", "1", "skypack.batch.max", "1"));
        int mine = TorchThreads.ofThisThread();
        TorchThreads.setForThisThread(Math.max(2, cores)); // what a thread new to PyTorch starts with
        try (DetectorPool pool = DetectorRuntime.openDetectors(config).pool()) {
            int share = Math.max(1, cores / 2);
            assertEquals(
                    List.of(share, share),
                    onBothDetectors(pool, detector -> TorchThreads.ofThisThread()),
                    "each detector thread's PyTorch threads");
        } finally {
            TorchThreads.setForThisThread(mine);
        }
    }

    @Test
    void aGpuThatIsNotThereShouldStopTheStartWithTheReason() throws Exception {
        PipelineConfig config = PipelineConfig.load("replay", null, Map.of(), Map.of("skypack.devices", "gpu0"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DetectorRuntime.openDetectors(config));
        assertTrue(e.getMessage().startsWith("skypack.devices names gpu0, but DJL sees no GPU"), e.getMessage());
    }

    @Test
    void anUnknownCanvasBudgetShouldStopTheStartWithTheKeyAndTheChoices() throws Exception {
        PipelineConfig config =
                PipelineConfig.load("replay", null, Map.of("SKYPACK_UFP_CANVAS_BUDGET", "tile"), Map.of());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> DetectorRuntime.openDetectors(config));
        assertEquals("skypack.ufp.canvas.budget is 'tile', must be frame or batch", e.getMessage());
    }

    @Test
    void aBatchSplitOverTwoLanesShouldGiveTheDetectionsOfOneLane() throws Exception {
        FlightGenerator flight = new FlightGenerator(SynthConfig.defaults(), 0);
        List<FrameImage> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) batch.add(new FrameImage(i, flight.next().image()));

        List<List<Detection>> one = detectWithLanes("1", batch), two = detectWithLanes("2", batch);

        int total = 0;
        for (int f = 0; f < batch.size(); f++) {
            assertEquals(one.get(f).size(), two.get(f).size(), "frame " + f);
            for (int d = 0; d < one.get(f).size(); d++) {
                assertSameDetection(one.get(f).get(d), two.get(f).get(d));
            }
            total += one.get(f).size();
        }
        assertTrue(total >= 12, "detections on 4 synthetic frames with objects: " + total);
    }

    @Test
    void thePipelinesDetectorShouldFindWhatADetectorDecodingEverythingFindsAboveTheOutputScore() throws Exception {
        FlightGenerator flight = new FlightGenerator(SynthConfig.defaults(), 0);
        List<FrameImage> batch = new ArrayList<>();
        for (int i = 0; i < 4; i++) batch.add(new FrameImage(i, flight.next().image()));
        List<List<Detection>> pipeline = detectWithLanes("1", batch);

        UfpOptions o = new UfpOptions(); // the fine model decodes from 0.05, as for evaluation
        List<List<Detection>> everything = new ArrayList<>();
        try (MpDetRunner coarse = o.openCoarse();
                MpDetRunner fine = o.openFine()) {
            for (var r :
                    new UfpmpDetector(coarse, fine, o.config(8)).detect(batch).frames()) {
                everything.add(r.detections());
            }
        }
        int above = 0, below = 0;
        for (int f = 0; f < batch.size(); f++) {
            List<Detection> kept =
                    everything.get(f).stream().filter(d -> d.score() >= 0.3).toList();
            below += everything.get(f).size() - kept.size();
            above += kept.size();
            assertEquals(kept.size(), pipeline.get(f).size(), "frame " + f);
            assertTrue(pipeline.get(f).stream().allMatch(d -> d.score() >= 0.3), "nothing under the output score");
            for (int d = 0; d < kept.size(); d++) {
                Detection a = kept.get(d), b = pipeline.get(f).get(d);
                assertSameDetection(a, b);
                assertEquals(a.mask().area(), b.mask().area(), "mask of frame " + f + " detection " + d);
            }
        }
        assertTrue(above >= 12 && below > above, above + " detections from 0.3, " + below + " under it");
    }

    /** The same class and score, and the same box within 0.01 px (two corners). */
    private static void assertSameDetection(Detection a, Detection b) {
        assertEquals(a.category(), b.category());
        assertEquals(a.score(), b.score(), 1e-4);
        assertEquals(a.box().x1(), b.box().x1(), 1e-2);
        assertEquals(a.box().y2(), b.box().y2(), 1e-2);
    }

    /**
     * Runs {@code work} on both detectors of a two-detector pool at once: each job waits for the other, so
     * each must have a detector (and a thread) of its own.
     */
    private static <T> List<T> onBothDetectors(DetectorPool pool, Function<Detector, T> work) throws Exception {
        CountDownLatch both = new CountDownLatch(2);
        List<CompletableFuture<T>> jobs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            jobs.add(pool.submit(detector -> {
                both.countDown();
                try {
                    if (!both.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("ran alone");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return work.apply(detector);
            }));
        }
        return List.of(DetectorPool.await(jobs.get(0)), DetectorPool.await(jobs.get(1)));
    }

    /** Detects {@code batch} with {@code skypack.inference.lanes} set (one lane has no thread of its own). */
    private static List<List<Detection>> detectWithLanes(String lanes, List<FrameImage> batch) throws Exception {
        PipelineConfig config = PipelineConfig.load(
                "replay",
                null,
                Map.of("SKYPACK_DEVICES", "cpu"),
                Map.of("skypack.inference.lanes", lanes, "skypack.batch.max", "4"));
        try (DetectorPool pool = DetectorRuntime.openDetectors(config).pool()) {
            List<List<Detection>> out = new ArrayList<>();
            for (var r : DetectorPool.await(pool.submit(detector -> {
                try {
                    return detector.detect(batch).frames();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }))) {
                out.add(r.detections());
            }
            long laneThreads = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("skypack-lane-"))
                    .count();
            int n = Integer.parseInt(lanes);
            if (n > 1) assertTrue(laneThreads >= n, laneThreads + " lane threads for " + n + " lanes");
            return out;
        }
    }
}
