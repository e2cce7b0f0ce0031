package io.skypack.detect;

import java.util.List;

/**
 * Frames in, detections per frame out: the one detection interface the streaming code depends on
 * (DESIGN.md section 2). Implementations: {@link UfpmpDetector} (coarse pass, cluster, pack, fine
 * pass), and the baselines {@link FullFrameDetector} and {@link SlicedDetector}.
 *
 * <p>An implementation borrows its models and does not close them: whoever opened the models owns
 * their native memory. Like the models, a detector is used by one thread at a time.
 */
public interface Detector {
    /**
     * Detects objects in one micro-batch of frames.
     *
     * @param frames any number of frames of any sizes, indices unique within the batch
     * @return one result per frame, in input order, detections in that frame's pixels, plus the
     *     batch's statistics
     * @throws DetectionException when a model fails; the whole batch fails together
     */
    DetectionBatch detect(List<FrameImage> frames) throws DetectionException;
}
