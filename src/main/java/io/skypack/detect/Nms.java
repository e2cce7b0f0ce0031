package io.skypack.detect;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Greedy per-class non-maximum suppression on flat arrays (boxes as in {@link BoxArrays}).
 *
 * <p>Detections are visited by descending score; equal scores keep their input order (lower index
 * first). A visited detection that is not suppressed is kept and suppresses every later detection of
 * the same class whose IoU with it is {@code > iouThreshold} (torchvision's rule: IoU equal to the
 * threshold survives). Only kept detections suppress. Detections of different classes never suppress
 * each other, so this is the same as running NMS per class and merging the results by score.
 */
public final class Nms {
    private Nms() {}

    /**
     * @param boxes 4 per detection, {@code x1, y1, x2, y2}
     * @param scores 1 per detection, not NaN
     * @param classes 1 per detection
     * @param iouThreshold suppress above this IoU, in [0, 1]
     * @param maxKeep at most this many are returned, {@code >= 0} ({@link Integer#MAX_VALUE} for no limit)
     * @return indices of the kept detections, by descending score, ties in input order
     */
    public static int[] keep(float[] boxes, float[] scores, int[] classes, double iouThreshold, int maxKeep) {
        checkInputs(boxes, scores, classes, iouThreshold, maxKeep);
        int[] order = descendingScoreOrder(scores);
        boolean[] suppressed = new boolean[scores.length];
        int[] kept = new int[Math.min(maxKeep, scores.length)];
        int numKept = 0;
        for (int a = 0; a < order.length && numKept < kept.length; a++) {
            int i = order[a];
            if (suppressed[i]) {
                continue;
            }
            kept[numKept++] = i;
            for (int b = a + 1; b < order.length; b++) {
                int j = order[b];
                if (!suppressed[j] && classes[j] == classes[i] && BoxArrays.iou(boxes, i, boxes, j) > iouThreshold) {
                    suppressed[j] = true;
                }
            }
        }
        return Arrays.copyOf(kept, numKept);
    }

    /**
     * {@link #keep(float[], float[], int[], double, int)} on detections, without a limit.
     *
     * @return the kept detections, by descending score, ties in input order
     */
    public static List<Detection> keep(List<Detection> dets, double iouThreshold) {
        int n = dets.size();
        float[] boxes = new float[4 * n];
        float[] scores = new float[n];
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            Box b = dets.get(i).box();
            boxes[4 * i] = (float) b.x1();
            boxes[4 * i + 1] = (float) b.y1();
            boxes[4 * i + 2] = (float) b.x2();
            boxes[4 * i + 3] = (float) b.y2();
            scores[i] = (float) dets.get(i).score();
            classes[i] = dets.get(i).category();
        }
        List<Detection> kept = new ArrayList<>();
        for (int i : keep(boxes, scores, classes, iouThreshold, Integer.MAX_VALUE)) {
            kept.add(dets.get(i));
        }
        return kept;
    }

    /** Indices sorted by descending score; stable, so equal scores stay in input order. */
    static int[] descendingScoreOrder(float[] scores) {
        Integer[] boxed = new Integer[scores.length];
        for (int i = 0; i < boxed.length; i++) {
            boxed[i] = i;
        }
        // Arrays.sort on objects is a stable merge sort.
        Arrays.sort(boxed, (a, b) -> Float.compare(scores[b], scores[a]));
        int[] order = new int[boxed.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = boxed[i];
        }
        return order;
    }

    static void checkInputs(float[] boxes, float[] scores, int[] classes, double iouThreshold, int maxKeep) {
        int n = BoxArrays.count(boxes);
        if (scores.length != n || classes.length != n) {
            throw new IllegalArgumentException(
                    "got " + n + " boxes, " + scores.length + " scores and " + classes.length + " classes");
        }
        for (int i = 0; i < n; i++) {
            if (Float.isNaN(scores[i])) {
                throw new IllegalArgumentException("score " + i + " is NaN");
            }
        }
        if (!(iouThreshold >= 0 && iouThreshold <= 1)) {
            throw new IllegalArgumentException("iouThreshold outside [0, 1]: " + iouThreshold);
        }
        if (maxKeep < 0) {
            throw new IllegalArgumentException("maxKeep must be >= 0: " + maxKeep);
        }
    }
}
