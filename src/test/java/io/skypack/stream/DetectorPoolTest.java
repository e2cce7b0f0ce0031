package io.skypack.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@link DetectorPool}'s worker threads: where jobs run, what their failures become, and closing. */
class DetectorPoolTest {
    /** A detector that records nothing and is never called for frames here; jobs use it as a token. */
    private static Detector named(String name) {
        return new Detector() {
            @Override
            public DetectionBatch detect(List<io.skypack.detect.FrameImage> frames) throws DetectionException {
                throw new DetectionException("scripted failure of " + name, new IllegalStateException(name));
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    @Test
    void shouldRunEveryJobOfADetectorOnThatDetectorsOwnThread() throws Exception {
        try (DetectorPool pool = DetectorPool.of(named("d0"))) {
            List<String> threads = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                threads.add(DetectorPool.await(
                        pool.submit(d -> d + "@" + Thread.currentThread().getName())));
            }
            assertEquals(List.of("d0@skypack-detector-0", "d0@skypack-detector-0", "d0@skypack-detector-0"), threads);
        }
    }

    @Test
    void shouldHandAJobsFailureToTheCallerAsItselfAndServeTheNextJob() throws Exception {
        try (DetectorPool pool = DetectorPool.of(named("d0"))) {
            DetectionException checked = assertThrows(DetectionException.class, () -> pool.detect(List.of()));
            assertTrue(checked.getMessage().contains("scripted failure of d0"), checked.getMessage());
            assertThrows(
                    OutOfMemoryError.class,
                    () -> DetectorPool.await(pool.submit(d -> {
                        throw new OutOfMemoryError("scripted: Java heap space");
                    })));
            assertEquals("still serving", DetectorPool.await(pool.submit(d -> "still serving")));
        }
    }

    @Test
    void twoDetectorsShouldRunTwoJobsAtOnce() throws Exception {
        try (DetectorPool pool = new DetectorPool(List.of(named("d0"), named("d1")), List.of())) {
            assertEquals(2, pool.size());
            CountDownLatch bothRunning = new CountDownLatch(2);
            List<CompletableFuture<String>> jobs = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                jobs.add(pool.submit(d -> {
                    bothRunning.countDown();
                    try {
                        return bothRunning.await(10, TimeUnit.SECONDS) ? d.toString() : "alone";
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                }));
            }
            List<String> ran = new ArrayList<>();
            for (CompletableFuture<String> j : jobs) ran.add(DetectorPool.await(j));
            Collections.sort(ran);
            assertEquals(List.of("d0", "d1"), ran, "each job on its own detector, both at once");
        }
    }

    @Test
    void closeShouldLetTheRunningJobFinishCancelQueuedOnesThenCloseTheModels() throws Exception {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        DetectorPool pool = new DetectorPool(List.of(named("d0")), List.of(() -> events.add("model closed")));
        CountDownLatch running = new CountDownLatch(1), release = new CountDownLatch(1);
        CompletableFuture<String> first = pool.submit(d -> {
            running.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                // close() interrupts the worker; the job goes on to its end regardless
            }
            events.add("batch finished");
            return "first";
        });
        CompletableFuture<String> queued = pool.submit(d -> "never");
        assertTrue(running.await(10, TimeUnit.SECONDS));
        CompletableFuture.runAsync(() -> {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        });
        pool.close();

        assertEquals(List.of("batch finished", "model closed"), events);
        assertEquals("first", first.get());
        assertTrue(queued.isCancelled(), "the queued job never ran");
        assertThrows(IllegalStateException.class, () -> pool.submit(d -> "after close"));
    }

    @Test
    void shouldPrepareEachDetectorOnItsOwnWorkerThreadBeforeTheConstructorReturns() throws Exception {
        List<String> prepared = Collections.synchronizedList(new ArrayList<>());
        try (DetectorPool pool = new DetectorPool(
                List.of(named("d0"), named("d1")),
                List.of(),
                i -> prepared.add(i + "@" + Thread.currentThread().getName()))) {
            List<String> sorted = new ArrayList<>(prepared);
            Collections.sort(sorted);
            assertEquals(List.of("0@skypack-detector-0", "1@skypack-detector-1"), sorted);
            assertEquals("served", DetectorPool.await(pool.submit(d -> "served")));
        }
    }

    @Test
    void aFailedPreparationShouldFailTheConstructorAndCloseWhatThePoolOwns() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new DetectorPool(
                        List.of(named("d0"), named("d1")), List.of(() -> events.add("models closed")), i -> {
                            if (i == 1)
                                throw new IllegalStateException("warm-up of detector 1 failed: CUDA out of memory");
                        }));
        assertEquals("warm-up of detector 1 failed: CUDA out of memory", e.getMessage());
        assertEquals(List.of("models closed"), events);
    }
}
