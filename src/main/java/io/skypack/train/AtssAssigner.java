package io.skypack.train;

import io.skypack.detect.BoxArrays;
import io.skypack.model.Priors;
import java.util.Arrays;

/**
 * Adaptive Training Sample Selection (ATSS; Zhang et al., "Bridging the Gap Between Anchor-based and
 * Anchor-free Detection via Adaptive Training Sample Selection", CVPR 2020, Algorithm 1), as mmdet's
 * {@code ATSSAssigner} does it for the GFL head of DESIGN.md section 4. Plain Java on float arrays.
 *
 * <p>For each ground truth g, independently of the others:
 *
 * <ol>
 *   <li>on every level, the {@code topK} priors whose centres are closest (Euclidean) to the centre
 *       of g are candidates; a level with fewer than {@code topK} priors gives all of them. Equal
 *       distances are broken by the lower prior index (torch's {@code topk} leaves this open);
 *   <li>the IoU threshold of g is mean + standard deviation of the candidates' anchor IoUs with g
 *       (sample standard deviation, n - 1, as torch's {@code std}; with a single candidate the
 *       deviation is taken as 0, where mmdet gets NaN and so no positive);
 *   <li>a candidate is a positive of g when its IoU is {@code >=} the threshold <b>and</b> its centre
 *       lies strictly inside g: its smallest distance to the four edges of g exceeds {@value
 *       #CENTER_MARGIN} px (mmdet's rule). A centre exactly on an edge is therefore outside.
 * </ol>
 *
 * <p>A prior that is a positive of several ground truths goes to the one with the highest anchor IoU;
 * on equal IoU the lower ground-truth index wins. Only then are ignored ground truths applied: a
 * prior that went to an ignored ground truth is {@link #IGNORE} (neither positive nor negative, so it
 * gets no loss), even if a non-ignored ground truth also claimed it with a lower IoU.
 *
 * <p>Consequence for small objects (the point of SkyPack): plain ATSS has no fallback such as a
 * max-IoU-prior match. A ground truth gets a positive only if some prior centre lies strictly inside
 * it, so a box smaller than the finest stride gets one positive when it happens to contain a stride-8
 * cell centre, and none when it falls between centres (e.g. a 4x4 box at [5, 5, 9, 9] against
 * centres at 4, 12, ...). For a w x w box (w < 8) at a random position the chance of any positive
 * is about ((w - 0.02) / 8)^2: measured 5% at 2 px, 25% at 4 px, 55% at 6 px, 99% at 8 px. Tiny
 * boxes do not get positives on the coarser levels either: a box inside all candidate anchors has
 * IoU area / anchor area there, 4 and 16 times smaller than on stride 8, so below mean + std.
 *
 * <p>So SkyPack adds one, on by default ({@link #AtssAssigner()}; {@link #AtssAssigner(int)} is plain
 * ATSS): a non-ignored ground truth that got no positive takes its nearest stride-8 prior
 * (the first candidate of the finest level), unless that prior is already another ground truth's
 * positive. Without it the coarse model, which sees objects at half size, never learned objects
 * under 8 px: on four training images it overfit to AP small 0.01 while AP medium reached 0.58.
 * Applied after every ground truth's ATSS step, so it never displaces a real ATSS positive.
 *
 * <p>Stateless apart from its settings; safe to share between threads.
 */
public final class AtssAssigner {
    /** ATSS default number of candidates per level. */
    public static final int DEFAULT_TOP_K = 9;

    /** Minimum distance in pixels from a positive's centre to every edge of its ground truth. */
    public static final double CENTER_MARGIN = 0.01;

    /** {@link Assignment#gtIndex()} of a negative (background) prior. */
    public static final int NEGATIVE = -1;

    /** {@link Assignment#gtIndex()} of a prior assigned to an ignored ground truth. */
    public static final int IGNORE = -2;

    private final int topK;
    private final boolean smallObjectFallback;

    /** Top 9 with the small-object fallback: what the trainer uses. */
    public AtssAssigner() {
        this(DEFAULT_TOP_K, true);
    }

    /** Plain ATSS, no fallback. @param topK candidates per level and ground truth, positive */
    public AtssAssigner(int topK) {
        this(topK, false);
    }

    /**
     * @param topK candidates per level and ground truth, positive
     * @param smallObjectFallback give a ground truth without positives its nearest stride-8 prior
     */
    public AtssAssigner(int topK, boolean smallObjectFallback) {
        if (topK <= 0) {
            throw new IllegalArgumentException("topK must be positive: " + topK);
        }
        this.topK = topK;
        this.smallObjectFallback = smallObjectFallback;
    }

    public int topK() {
        return topK;
    }

    /**
     * The result for one image, one entry per prior in {@link Priors} order. The arrays belong to the
     * caller.
     *
     * @param gtIndex index of the assigned ground truth, {@link #NEGATIVE} or {@link #IGNORE}
     * @param labels the assigned ground truth's label, or -1 for negatives and ignored priors
     * @param positives number of priors with {@code gtIndex >= 0}
     */
    public record Assignment(int[] gtIndex, int[] labels, int positives) {
        public Assignment {
            if (gtIndex.length != labels.length) {
                throw new IllegalArgumentException("gtIndex and labels differ in length");
            }
        }
    }

    /** {@link #assign(Priors, float[], int[], boolean[])} with no ground truth ignored. */
    public Assignment assign(Priors priors, float[] gtBoxes, int[] gtLabels) {
        return assign(priors, gtBoxes, gtLabels, new boolean[gtLabels.length]);
    }

    /**
     * Assigns ground truths to priors.
     *
     * @param priors the head's priors for this input size
     * @param gtBoxes ground truths in input pixels, {@code [x1, y1, x2, y2]} per box; boxes may lie
     *     partly outside the image; empty boxes get no positive
     * @param gtLabels class of each ground truth, {@code >= 0}
     * @param gtIgnore true for ground truths whose priors must get no loss
     */
    public Assignment assign(Priors priors, float[] gtBoxes, int[] gtLabels, boolean[] gtIgnore) {
        int numGt = BoxArrays.count(gtBoxes);
        if (gtLabels.length != numGt || gtIgnore.length != numGt) {
            throw new IllegalArgumentException(
                    "got " + numGt + " boxes, " + gtLabels.length + " labels and " + gtIgnore.length + " ignore flags");
        }
        for (int g = 0; g < numGt; g++) {
            float x1 = gtBoxes[4 * g], y1 = gtBoxes[4 * g + 1], x2 = gtBoxes[4 * g + 2], y2 = gtBoxes[4 * g + 3];
            if (!(x2 >= x1)
                    || !(y2 >= y1)
                    || !Float.isFinite(x1)
                    || !Float.isFinite(y1)
                    || !Float.isFinite(x2)
                    || !Float.isFinite(y2)) {
                throw new IllegalArgumentException(
                        "ground truth " + g + " is not a box: " + x1 + "," + y1 + "," + x2 + "," + y2);
            }
            if (gtLabels[g] < 0) {
                throw new IllegalArgumentException("ground truth " + g + " has negative label " + gtLabels[g]);
            }
        }

        int n = priors.count();
        float[] centers = priors.centers();
        float[] anchors = priors.anchors();
        int[] perLevel = priors.countPerLevel();
        int[] gtIndex = new int[n];
        Arrays.fill(gtIndex, NEGATIVE);
        double[] bestIou = new double[n];

        int maxCandidates = 0;
        for (int c : perLevel) {
            maxCandidates += Math.min(topK, c);
        }
        int[] candidates = new int[maxCandidates];
        double[] candidateIou = new double[maxCandidates];
        double[] nearestDist = new double[topK];
        boolean[] matched = new boolean[numGt];
        int[] nearestFine = new int[numGt];

        for (int g = 0; g < numGt; g++) {
            double gx1 = gtBoxes[4 * g], gy1 = gtBoxes[4 * g + 1], gx2 = gtBoxes[4 * g + 2], gy2 = gtBoxes[4 * g + 3];
            double gcx = (gx1 + gx2) / 2, gcy = (gy1 + gy2) / 2;

            // Step 1: the topK nearest centres per level (insertion into a sorted window of size k).
            int numCandidates = 0;
            int start = 0;
            for (int levelCount : perLevel) {
                int k = Math.min(topK, levelCount);
                int found = 0;
                for (int p = start; p < start + levelCount; p++) {
                    double dx = centers[2 * p] - gcx, dy = centers[2 * p + 1] - gcy;
                    double d = dx * dx + dy * dy;
                    if (found == k && d >= nearestDist[k - 1]) {
                        continue; // strict: an equal distance keeps the earlier (lower) index
                    }
                    int at = found < k ? found++ : k - 1;
                    while (at > 0 && nearestDist[at - 1] > d) {
                        nearestDist[at] = nearestDist[at - 1];
                        candidates[numCandidates + at] = candidates[numCandidates + at - 1];
                        at--;
                    }
                    nearestDist[at] = d;
                    candidates[numCandidates + at] = p;
                }
                numCandidates += k;
                start += levelCount;
            }

            // Step 2: threshold = mean + std of the candidates' IoUs (ATSS Algorithm 1, lines 8-10).
            for (int c = 0; c < numCandidates; c++) {
                candidateIou[c] = BoxArrays.iou(anchors, candidates[c], gtBoxes, g);
            }
            double threshold = meanPlusStd(candidateIou, numCandidates);

            // Step 3: positives pass the threshold and have their centre strictly inside the box.
            nearestFine[g] = candidates[0]; // the finest level comes first in Priors order
            for (int c = 0; c < numCandidates; c++) {
                int p = candidates[c];
                double iou = candidateIou[c];
                if (!(iou >= threshold)) {
                    continue;
                }
                double cx = centers[2 * p], cy = centers[2 * p + 1];
                double edge = Math.min(Math.min(cx - gx1, cy - gy1), Math.min(gx2 - cx, gy2 - cy));
                if (!(edge > CENTER_MARGIN)) {
                    continue;
                }
                // Highest IoU wins; strict '>' keeps the lower gt index on ties.
                matched[g] = true;
                if (gtIndex[p] == NEGATIVE || iou > bestIou[p]) {
                    gtIndex[p] = g;
                    bestIou[p] = iou;
                }
            }
        }
        if (smallObjectFallback) {
            for (int g = 0; g < numGt; g++) {
                int p = nearestFine[g];
                if (!matched[g] && !gtIgnore[g] && gtIndex[p] == NEGATIVE) {
                    gtIndex[p] = g;
                }
            }
        }

        int[] labels = new int[n];
        int positives = 0;
        for (int p = 0; p < n; p++) {
            int g = gtIndex[p];
            if (g >= 0 && gtIgnore[g]) {
                gtIndex[p] = IGNORE;
            }
            if (gtIndex[p] >= 0) {
                labels[p] = gtLabels[g];
                positives++;
            } else {
                labels[p] = -1;
            }
        }
        return new Assignment(gtIndex, labels, positives);
    }

    /**
     * Mean plus sample standard deviation of {@code values[0..n)}. Computed about the first value so
     * that n equal values give exactly that value back (a plain sum / n can round above it and then
     * reject every candidate of a gt whose candidates all have the same IoU).
     */
    static double meanPlusStd(double[] values, int n) {
        double shift = values[0];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += values[i] - shift;
        }
        double meanOffset = sum / n;
        double squares = 0;
        for (int i = 0; i < n; i++) {
            double d = values[i] - shift - meanOffset;
            squares += d * d;
        }
        double std = n > 1 ? Math.sqrt(squares / (n - 1)) : 0;
        return shift + meanOffset + std;
    }
}
