package io.skypack.stream;

import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The inference workers (DESIGN.md section 1, "InferenceStage"): one {@link Detector} per device (its
 * own models, its own predictor), shared by the stream threads. A detector is used by one thread at a
 * time, so a batch borrows an idle one and blocks while all are busy; with more stream threads than
 * detectors, decoding and Kafka I/O of one batch overlap inference of another.
 *
 * <p>The pool closes what it was given to own (the models) when it is closed.
 */
public final class DetectorPool implements AutoCloseable {
    private final BlockingQueue<Detector> idle;
    private final List<AutoCloseable> owned;

    /**
     * @param detectors at least one; each used by one thread at a time
     * @param owned closed, in order, by {@link #close()} (typically the detectors' models)
     */
    public DetectorPool(List<? extends Detector> detectors, List<? extends AutoCloseable> owned) {
        if (detectors.isEmpty()) throw new IllegalArgumentException("a detector pool needs at least one detector");
        this.idle = new ArrayBlockingQueue<>(detectors.size(), false, detectors);
        this.owned = new ArrayList<>(owned);
    }

    /** A pool of one detector that owns nothing. */
    public static DetectorPool of(Detector detector) {
        return new DetectorPool(List.of(detector), List.of());
    }

    /** Runs one batch on the next idle detector, waiting for one if all are busy. */
    public DetectionBatch detect(List<FrameImage> frames) throws DetectionException, InterruptedException {
        Detector detector = idle.take();
        try {
            return detector.detect(frames);
        } finally {
            idle.add(detector);
        }
    }

    @Override
    public void close() {
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
