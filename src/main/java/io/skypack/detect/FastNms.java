package io.skypack.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Fast NMS (YOLACT, Bolya et al., ICCV 2019, section 3.4), used to deduplicate mask detections
 * (DESIGN.md section 4, "Masks"). Per class, the {@code topK} highest-scoring detections are taken;
 * detection j is kept when its largest IoU with any higher-scored detection of its class (the upper
 * triangle of the IoU matrix, column max) is {@code <= iouThreshold}.
 *
 * <p>Unlike greedy {@link Nms}, a detection that is itself suppressed still suppresses the ones below
 * it: with A over B and B over C (but not A over C), greedy NMS keeps A and C, Fast NMS keeps only A.
 * Fast NMS therefore keeps a subset of what greedy NMS keeps. Detections of a class beyond its
 * {@code topK} are dropped, never kept. Score order and ties as in {@link Nms}.
 */
public final class FastNms {
    private FastNms() {}

    /**
     * @param boxes 4 per detection, {@code x1, y1, x2, y2}
     * @param scores 1 per detection, not NaN
     * @param classes 1 per detection
     * @param iouThreshold a detection with a higher-scored same-class IoU above this is dropped
     * @param topK detections considered per class, {@code >= 0}
     * @param maxKeep at most this many are returned over all classes, {@code >= 0}
     * @return indices of the kept detections, by descending score, ties in input order
     */
    public static int[] keep(float[] boxes, float[] scores, int[] classes, double iouThreshold, int topK, int maxKeep) {
        Nms.checkInputs(boxes, scores, classes, iouThreshold, maxKeep);
        if (topK < 0) {
            throw new IllegalArgumentException("topK must be >= 0: " + topK);
        }
        int[] order = Nms.descendingScoreOrder(scores);
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (int i : order) {
            List<Integer> members = byClass.computeIfAbsent(classes[i], c -> new ArrayList<>());
            if (members.size() < topK) {
                members.add(i);
            }
        }
        boolean[] kept = new boolean[scores.length];
        for (List<Integer> members : byClass.values()) {
            for (int b = 0; b < members.size(); b++) {
                int j = members.get(b);
                double maxIou = 0;
                for (int a = 0; a < b; a++) {
                    maxIou = Math.max(maxIou, BoxArrays.iou(boxes, members.get(a), boxes, j));
                }
                kept[j] = maxIou <= iouThreshold;
            }
        }
        int[] result = new int[Math.min(maxKeep, scores.length)];
        int numKept = 0;
        for (int a = 0; a < order.length && numKept < result.length; a++) {
            if (kept[order[a]]) {
                result[numKept++] = order[a];
            }
        }
        return Arrays.copyOf(result, numKept);
    }
}
