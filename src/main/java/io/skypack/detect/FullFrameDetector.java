package io.skypack.detect;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Baseline: one model on every whole frame, letterboxed to its input (so a 1280 x 720 frame shrinks
 * to a 512 px input and its small objects with it). All time counts as fine pass.
 *
 * <p>The model is borrowed, not owned (see {@link Detector}). Not thread-safe.
 */
public final class FullFrameDetector implements Detector {
    private final ImageModel model;
    private final int maxBatch;

    /** @param maxBatch at most this many frames per network call, {@code >= 1} */
    public FullFrameDetector(ImageModel model, int maxBatch) {
        Inference.checkMaxBatch(maxBatch);
        this.model = model;
        this.maxBatch = maxBatch;
    }

    @Override
    public DetectionBatch detect(List<FrameImage> frames) throws DetectionException {
        Inference.checkFrames(frames);
        long t0 = System.nanoTime();
        List<List<Detection>> dets = Inference.run(model, "fine", Inference.images(frames), maxBatch);
        List<FrameResult> results = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            List<Detection> own = new ArrayList<>(dets.get(i));
            own.sort(Comparator.comparingDouble(Detection::score).reversed());
            results.add(new FrameResult(frames.get(i).index(), own, List.of(), false));
        }
        long t1 = System.nanoTime();
        int n = frames.size();
        long pixels = (long) n * model.inputWidth() * model.inputHeight();
        return new DetectionBatch(results, BatchStats.timed(n, n, pixels, 0, t0, t0, t0, t1));
    }
}
