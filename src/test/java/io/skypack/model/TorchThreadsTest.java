package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

/**
 * The inference lanes rest on PyTorch's intra-op threads being a setting of each thread (libgomp's
 * per-thread ICV), not of the process: a lane set to 1 must stay at 1 while another thread sets 2.
 */
class TorchThreadsTest {
    @Test
    void eachThreadShouldKeepTheCountItSet() throws Exception {
        int before = TorchThreads.ofThisThread();
        ExecutorService a = Executors.newSingleThreadExecutor(), b = Executors.newSingleThreadExecutor();
        try {
            CompletableFuture.runAsync(() -> TorchThreads.setForThisThread(1), a)
                    .get();
            CompletableFuture.runAsync(() -> TorchThreads.setForThisThread(3), b)
                    .get();

            assertEquals(
                    1,
                    CompletableFuture.supplyAsync(TorchThreads::ofThisThread, a).get());
            assertEquals(
                    3,
                    CompletableFuture.supplyAsync(TorchThreads::ofThisThread, b).get());
            assertEquals(before, TorchThreads.ofThisThread());
        } finally {
            a.shutdown();
            b.shutdown();
            TorchThreads.setForThisThread(before);
        }
    }

    @Test
    void aNewThreadShouldStartWithTheLastCountSet() throws Exception {
        int before = TorchThreads.ofThisThread();
        ExecutorService fresh = Executors.newSingleThreadExecutor();
        try {
            TorchThreads.setForThisThread(2);

            assertEquals(
                    2,
                    CompletableFuture.supplyAsync(TorchThreads::ofThisThread, fresh)
                            .get());
        } finally {
            fresh.shutdown();
            TorchThreads.setForThisThread(before);
        }
    }

    @Test
    void shouldRefuseLessThanOneThread() {
        assertThrows(IllegalArgumentException.class, () -> TorchThreads.setForThisThread(0));
    }
}
