package io.skypack.stream;

import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Function;
import java.util.function.IntConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The inference workers (DESIGN.md section 1, "InferenceStage"): one {@link Detector} per device (its
 * own models, its own predictor), each served by a thread of its own ({@code skypack-detector-<i>}),
 * shared by the stream threads. Jobs wait in one queue and the next idle worker takes the oldest.
 *
 * <p>Why a thread per detector rather than running it on the caller's thread: every batch of a
 * detector then runs on the same OS thread, so PyTorch's intra-op (OpenMP) team and the allocator's
 * state that belong to the calling thread are made once and reused; and a stream thread can hand a
 * batch over and go on with Kafka I/O, decoding and committing while the batch runs ({@link
 * InferenceStage}'s overlap).
 *
 * <p>The pool closes what it was given to own (the models) when it is closed, after its workers
 * have stopped.
 */
public final class DetectorPool implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(DetectorPool.class);
    /** How long {@link #close} waits for a running batch to end before closing the models anyway. */
    private static final long CLOSE_WAIT_MS = 60_000;

    /** A batch of work for one detector, run on its worker thread. */
    private record Job<T>(Function<Detector, T> work, CompletableFuture<T> result) {
        void run(Detector detector) {
            if (result.isCancelled()) return;
            try {
                result.complete(work.apply(detector));
            } catch (Throwable t) { // handed to whoever waits on the result, which decides what is fatal
                result.completeExceptionally(t);
            }
        }
    }

    private final LinkedBlockingQueue<Job<?>> queue = new LinkedBlockingQueue<>();
    private final List<Thread> workers = new ArrayList<>();
    private final List<AutoCloseable> owned;
    private volatile boolean closed;

    /**
     * @param detectors at least one; each used by its own worker thread only
     * @param owned closed, in order, by {@link #close()} (typically the detectors' models)
     */
    public DetectorPool(List<? extends Detector> detectors, List<? extends AutoCloseable> owned) {
        this(detectors, owned, i -> {});
    }

    /**
     * A pool whose worker {@code i} first runs {@code prepare.accept(i)} on its own thread, then serves.
     * The constructor returns once every worker is prepared. Preparing on the serving thread matters:
     * a warm-up ({@code DetectorWarmUp}) sets up PyTorch's per-thread state (its OpenMP team, the
     * allocator's caches) for the thread that will run the real batches.
     *
     * @throws RuntimeException what a {@code prepare} threw (the first, in worker order), after the
     *     pool is closed and what it owns released
     */
    public DetectorPool(List<? extends Detector> detectors, List<? extends AutoCloseable> owned, IntConsumer prepare) {
        if (detectors.isEmpty()) throw new IllegalArgumentException("a detector pool needs at least one detector");
        this.owned = new ArrayList<>(owned);
        List<CompletableFuture<Void>> prepared = new ArrayList<>();
        for (int i = 0; i < detectors.size(); i++) {
            Detector detector = detectors.get(i);
            int index = i;
            CompletableFuture<Void> ready = new CompletableFuture<>();
            prepared.add(ready);
            Thread t = new Thread(
                    () -> {
                        try {
                            prepare.accept(index);
                            ready.complete(null);
                        } catch (Throwable e) { // reported by the constructor, which closes the pool
                            ready.completeExceptionally(e);
                            return;
                        }
                        serve(detector);
                    },
                    "skypack-detector-" + i);
            t.setDaemon(true);
            workers.add(t);
        }
        workers.forEach(Thread::start);
        awaitPrepared(prepared);
    }

    private void awaitPrepared(List<CompletableFuture<Void>> prepared) {
        Throwable failed = null;
        for (CompletableFuture<Void> p : prepared) {
            try {
                p.join();
            } catch (CompletionException e) {
                if (failed == null) failed = e.getCause();
            }
        }
        if (failed == null) return;
        try {
            close();
        } catch (RuntimeException e) {
            failed.addSuppressed(e);
        }
        if (failed instanceof RuntimeException r) throw r;
        if (failed instanceof Error err) throw err;
        throw new IllegalStateException("preparing a detector failed: " + failed, failed);
    }

    /** A pool of one detector that owns nothing. */
    public static DetectorPool of(Detector detector) {
        return new DetectorPool(List.of(detector), List.of());
    }

    /** How many detectors (and worker threads) the pool has: how many batches can run at once. */
    public int size() {
        return workers.size();
    }

    private void serve(Detector detector) {
        while (!closed) {
            Job<?> job;
            try {
                job = queue.take();
            } catch (InterruptedException e) {
                return; // close()
            }
            job.run(detector);
        }
    }

    /**
     * Queues {@code work} for the next idle detector; it runs on that detector's worker thread, and its
     * result, or whatever it threw (an {@link Error} included), completes the returned future. Every
     * call of {@code work} gets one detector for its whole run, so a job may call it more than once
     * (a failed batch retried frame by frame).
     *
     * @throws IllegalStateException when the pool is closed
     */
    public <T> CompletableFuture<T> submit(Function<Detector, T> work) {
        if (closed) throw new IllegalStateException("the detector pool is closed");
        CompletableFuture<T> result = new CompletableFuture<>();
        queue.add(new Job<>(work, result));
        return result;
    }

    /** Runs one batch on the next idle detector and waits for it. */
    public DetectionBatch detect(List<FrameImage> frames) throws DetectionException, InterruptedException {
        return await(submit(d -> {
            try {
                return d.detect(frames);
            } catch (DetectionException e) {
                throw new WrappedDetectionException(e);
            }
        }));
    }

    /** Carries a checked {@link DetectionException} out of a job. */
    private static final class WrappedDetectionException extends RuntimeException {
        WrappedDetectionException(DetectionException cause) {
            super(cause);
        }
    }

    /**
     * Waits for a job's result and rethrows what the job threw as itself (a {@link DetectionException}
     * of {@link #detect} as checked again).
     */
    public static <T> T await(CompletableFuture<T> job) throws DetectionException, InterruptedException {
        try {
            return job.get();
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof WrappedDetectionException w) throw (DetectionException) w.getCause();
            if (cause instanceof RuntimeException r) throw r;
            if (cause instanceof Error err) throw err;
            throw new IllegalStateException("detector job failed: " + cause, cause);
        } catch (CancellationException e) {
            throw new IllegalStateException("detector job was cancelled", e);
        }
    }

    /**
     * Stops the workers (a running batch is let finish, up to a minute; queued ones are cancelled), then
     * closes what the pool owns.
     */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            workers.forEach(Thread::interrupt);
            for (Thread t : workers) {
                try {
                    t.join(CLOSE_WAIT_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (t.isAlive()) LOG.warn("{} still running a batch after {} ms; closing its models", t, CLOSE_WAIT_MS);
            }
            for (Job<?> j; (j = queue.poll()) != null; ) j.result().cancel(false);
        }
        RuntimeException first = null;
        for (AutoCloseable c : owned) {
            try {
                c.close();
            } catch (Exception e) {
                if (first == null) first = new IllegalStateException("closing " + c + ": " + e.getMessage(), e);
            }
        }
        owned.clear();
        if (first != null) throw first;
    }
}
