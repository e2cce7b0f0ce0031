package io.skypack.detect;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Threads that run parts of one model call side by side, one thread per lane: lane {@code i}'s work
 * always runs on thread {@code i}, so each lane's model (not thread-safe, with native state) is used by
 * one thread at a time, and a per-thread setting made by {@code setup} (PyTorch's intra-op threads)
 * holds for every call it runs.
 *
 * <p>Why lanes: on a CPU, one call with PyTorch's threads spread over all cores keeps them busy only
 * part of the time (every operator ends at a barrier, where a preempted thread holds up the others);
 * independent images on single-threaded lanes have no barriers between them. A batch gives the lanes
 * their work, so this is where micro-batching pays on a CPU (README, "bench pipeline").
 */
public final class InferenceLanes implements AutoCloseable {
    private final List<ExecutorService> threads = new ArrayList<>();

    /**
     * Starts {@code count} threads named {@code name-<i>} and runs {@code setup} on each before this
     * returns, so a failing setup fails here.
     *
     * @throws IllegalArgumentException for {@code count < 1}
     * @throws IllegalStateException when {@code setup} fails on a lane (the lanes are stopped)
     */
    public InferenceLanes(int count, String name, Runnable setup) {
        if (count < 1) throw new IllegalArgumentException("lanes must be >= 1: " + count);
        for (int i = 0; i < count; i++) {
            String threadName = name + "-" + i;
            threads.add(Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, threadName);
                t.setDaemon(true);
                return t;
            }));
        }
        List<Callable<Void>> setups = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            setups.add(() -> {
                setup.run();
                return null;
            });
        }
        try {
            runAll(setups);
        } catch (RuntimeException e) {
            close();
            throw new IllegalStateException("setting up the inference lanes failed: " + e.getMessage(), e);
        }
    }

    public int count() {
        return threads.size();
    }

    /**
     * Runs {@code work.get(i)} on lane {@code i}, all at once, and returns their results in order once
     * all have finished. When any fails, the others are still waited for (their models must be idle
     * before the next call), then the first failure is thrown: an unchecked one as it is, a checked one
     * wrapped in an {@link IllegalStateException}.
     *
     * @throws IllegalArgumentException for more parts than lanes
     */
    public <T> List<T> runAll(List<? extends Callable<T>> work) {
        if (work.size() > threads.size()) {
            throw new IllegalArgumentException(work.size() + " parts for " + threads.size() + " lanes");
        }
        List<Future<T>> futures = new ArrayList<>(work.size());
        for (int i = 0; i < work.size(); i++) futures.add(threads.get(i).submit(work.get(i)));
        List<T> out = new ArrayList<>(work.size());
        Throwable failure = null;
        boolean interrupted = false;
        for (Future<T> f : futures) {
            while (true) {
                try {
                    out.add(f.get());
                    break;
                } catch (ExecutionException e) {
                    if (failure == null) failure = e.getCause();
                    break;
                } catch (InterruptedException e) {
                    // The lane is still using its model; leave only once it is done.
                    interrupted = true;
                }
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error err) throw err;
        if (failure != null) throw new IllegalStateException(failure.getMessage(), failure);
        return out;
    }

    /** Stops the threads, letting a running part finish (up to a minute). */
    @Override
    public void close() {
        threads.forEach(ExecutorService::shutdown);
        for (ExecutorService t : threads) {
            try {
                if (!t.awaitTermination(1, TimeUnit.MINUTES)) t.shutdownNow();
            } catch (InterruptedException e) {
                t.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
