package io.skypack.stream;

import java.time.Duration;
import java.util.Objects;

/**
 * Knobs of {@link FrameBatcher} (DESIGN.md section 1, "FrameBatcher").
 *
 * @param maxBatch a flight's batch is forwarded as soon as it holds this many frames, {@code >= 1}
 * @param latencyBudget a flight's batch is forwarded, however small, once its oldest frame has waited
 *     this long (wall-clock time since the batcher received it), {@code > 0}
 * @param checkInterval how often the budget is checked (a wall-clock punctuator), {@code > 0} and at
 *     most {@code latencyBudget}; a batch may wait up to {@code latencyBudget + checkInterval}, plus
 *     however long the stream thread blocks in {@code poll} (Streams' {@code poll.ms}), since
 *     punctuators only run between polls
 */
public record BatchingConfig(int maxBatch, Duration latencyBudget, Duration checkInterval) {

    /** Finest check interval {@link #of} picks: a punctuator costs a scan of the buffered flights. */
    public static final Duration MIN_CHECK_INTERVAL = Duration.ofMillis(1);
    /** Coarsest check interval {@link #of} picks. */
    public static final Duration MAX_CHECK_INTERVAL = Duration.ofMillis(10);

    public BatchingConfig {
        Objects.requireNonNull(latencyBudget, "latencyBudget");
        Objects.requireNonNull(checkInterval, "checkInterval");
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1 frame: " + maxBatch);
        }
        if (latencyBudget.isNegative() || latencyBudget.isZero()) {
            throw new IllegalArgumentException("latencyBudget must be > 0: " + latencyBudget);
        }
        if (checkInterval.isNegative() || checkInterval.isZero() || checkInterval.compareTo(latencyBudget) > 0) {
            throw new IllegalArgumentException(
                    "checkInterval must be > 0 and <= latencyBudget (" + latencyBudget + "): " + checkInterval);
        }
    }

    /**
     * A config that checks the budget every tenth of it, but at least every 10 ms and at most every
     * 1 ms (never less often than the budget itself).
     */
    public static BatchingConfig of(int maxBatch, Duration latencyBudget) {
        Objects.requireNonNull(latencyBudget, "latencyBudget");
        Duration interval = latencyBudget.dividedBy(10);
        if (interval.compareTo(MIN_CHECK_INTERVAL) < 0) interval = MIN_CHECK_INTERVAL;
        if (interval.compareTo(MAX_CHECK_INTERVAL) > 0) interval = MAX_CHECK_INTERVAL;
        if (latencyBudget.compareTo(interval) < 0 && !latencyBudget.isNegative() && !latencyBudget.isZero()) {
            interval = latencyBudget;
        }
        return new BatchingConfig(maxBatch, latencyBudget, interval);
    }
}
