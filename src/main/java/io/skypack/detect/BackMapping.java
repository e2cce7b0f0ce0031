package io.skypack.detect;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Fine-pass detections in frame coordinates.
 *
 * @param byFrame detections per frame index, by descending score; every frame that had a chip has an
 *     entry, possibly empty
 * @param unassigned mosaic detections that fell on no chip with IoF above the threshold (dropped)
 * @param joined mapped detections joined into another because they were pieces of one object cut by
 *     a tile seam (a group of k pieces counts k - 1)
 * @param suppressed mapped detections removed by the per-frame NMS (duplicates from tile overlaps or
 *     neighbouring regions)
 */
public record BackMapping(SortedMap<Integer, List<Detection>> byFrame, int unassigned, int joined, int suppressed) {
    public BackMapping {
        TreeMap<Integer, List<Detection>> copy = new TreeMap<>();
        for (Map.Entry<Integer, List<Detection>> e : byFrame.entrySet()) {
            copy.put(e.getKey(), List.copyOf(e.getValue()));
        }
        byFrame = Collections.unmodifiableSortedMap(copy);
    }

    /** The detections of one frame; empty when the frame had no chip. */
    public List<Detection> detections(int frameIndex) {
        return byFrame.getOrDefault(frameIndex, List.of());
    }
}
