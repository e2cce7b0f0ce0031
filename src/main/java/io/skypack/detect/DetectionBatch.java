package io.skypack.detect;

import java.util.List;

/**
 * The answer of a {@link Detector} for one batch.
 *
 * @param frames one result per input frame, in input order
 * @param stats what the batch cost
 */
public record DetectionBatch(List<FrameResult> frames, BatchStats stats) {
    public DetectionBatch {
        frames = List.copyOf(frames);
    }
}
