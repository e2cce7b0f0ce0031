package io.skypack.detect;

import java.util.List;

/**
 * What a {@link Detector} found in one frame.
 *
 * @param index the frame's {@link FrameImage#index()}
 * @param detections in frame pixels, by descending score; masks, where present, over the whole frame
 * @param regions the foreground regions the fine pass looked at ({@link UfpmpDetector}); empty for
 *     detectors without a coarse pass
 * @param fineSkipped true when the frame had no candidates, so the fine pass never saw it
 */
public record FrameResult(int index, List<Detection> detections, List<ForegroundRegion> regions, boolean fineSkipped) {
    public FrameResult {
        detections = List.copyOf(detections);
        regions = List.copyOf(regions);
    }
}
