package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class InferenceLanesTest {
    private static final Callable<String> THREAD_NAME =
            () -> Thread.currentThread().getName();

    @Test
    void shouldRunPartIOnLaneIEveryTime() {
        try (InferenceLanes lanes = new InferenceLanes(3, "lane", () -> {})) {
            for (int round = 0; round < 3; round++) {
                assertEquals(
                        List.of("lane-0", "lane-1", "lane-2"),
                        lanes.runAll(List.of(THREAD_NAME, THREAD_NAME, THREAD_NAME)));
            }
            assertEquals(List.of("lane-0", "lane-1"), lanes.runAll(List.of(THREAD_NAME, THREAD_NAME)));
        }
    }

    @Test
    void shouldRunTheSetupOnEveryLaneBeforeTheConstructorReturns() {
        Set<String> setUp = ConcurrentHashMap.newKeySet();
        try (InferenceLanes lanes = new InferenceLanes(
                4, "lane", () -> setUp.add(Thread.currentThread().getName()))) {
            assertEquals(Set.of("lane-0", "lane-1", "lane-2", "lane-3"), setUp);
            assertEquals(4, lanes.count());
        }
    }

    @Test
    void shouldRunThePartsSideBySide() {
        // Each part waits for the other: run one after the other, both would time out.
        CountDownLatch both = new CountDownLatch(2);
        Callable<Boolean> meet = () -> {
            both.countDown();
            return both.await(10, TimeUnit.SECONDS);
        };
        try (InferenceLanes lanes = new InferenceLanes(2, "lane", () -> {})) {
            assertEquals(List.of(true, true), lanes.runAll(List.of(meet, meet)));
        }
    }

    @Test
    void shouldWaitForEveryPartBeforeThrowingTheFirstFailure() {
        AtomicBoolean slowPartDone = new AtomicBoolean();
        Callable<String> fails = () -> {
            throw new IllegalStateException("lane 0 broke");
        };
        Callable<String> slow = () -> {
            Thread.sleep(300);
            slowPartDone.set(true);
            return "ok";
        };
        try (InferenceLanes lanes = new InferenceLanes(2, "lane", () -> {})) {
            IllegalStateException e =
                    assertThrows(IllegalStateException.class, () -> lanes.runAll(List.of(fails, slow)));

            assertEquals("lane 0 broke", e.getMessage());
            assertTrue(slowPartDone.get(), "the other lane's model was still in use when the call failed");
            assertEquals(List.of("lane-0", "lane-1"), lanes.runAll(List.of(THREAD_NAME, THREAD_NAME)));
        }
    }

    @Test
    void shouldWrapACheckedFailureAndPassAnErrorOn() {
        try (InferenceLanes lanes = new InferenceLanes(1, "lane", () -> {})) {
            IllegalStateException e = assertThrows(
                    IllegalStateException.class,
                    () -> lanes.runAll(List.of(() -> {
                        throw new java.io.IOException("disk gone");
                    })));
            assertEquals("disk gone", e.getMessage());
            assertThrows(
                    OutOfMemoryError.class,
                    () -> lanes.runAll(List.of(() -> {
                        throw new OutOfMemoryError("native");
                    })));
        }
    }

    @Test
    void aFailingSetupShouldFailTheConstructorNamingTheCause() {
        AtomicBoolean ran = new AtomicBoolean();
        IllegalStateException e = assertThrows(
                IllegalStateException.class,
                () -> new InferenceLanes(2, "lane", () -> {
                    ran.set(true);
                    throw new UnsupportedOperationException("no threads setting here");
                }));
        assertTrue(ran.get());
        assertEquals("setting up the inference lanes failed: no threads setting here", e.getMessage());
    }

    @Test
    void shouldRefuseNoLanesAndMorePartsThanLanes() {
        assertThrows(IllegalArgumentException.class, () -> new InferenceLanes(0, "lane", () -> {}));
        try (InferenceLanes lanes = new InferenceLanes(1, "lane", () -> {})) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> lanes.runAll(List.of(THREAD_NAME, THREAD_NAME)));
            assertEquals("2 parts for 1 lanes", e.getMessage());
            assertFalse(lanes.runAll(List.of(THREAD_NAME)).isEmpty());
        }
    }
}
