package io.skypack.eval;

import java.util.List;
import java.util.Objects;

/**
 * What to evaluate and how.
 *
 * @param iouType compare boxes or masks
 * @param maxDets the detection caps recall is reported at, strictly ascending; the largest is also
 *     the cap for every AP. As in cocoeval the cap applies per image and per category, to the
 *     detections sorted by descending score (stable, so ties keep their input order), after the
 *     ignore rule has dropped detections
 * @param applyIgnoreRule drop ground truth and detections that lie at least half inside the
 *     image's ignored regions before matching (VisDrone {@code dropObjectsInIgr.m})
 */
public record EvalParams(IouType iouType, List<Integer> maxDets, boolean applyIgnoreRule) {

    /** The caps VisDrone reports recall at (AR1, AR10, AR100, AR500). */
    public static final List<Integer> VISDRONE_MAX_DETS = List.of(1, 10, 100, 500);

    /** Number of IoU thresholds (.50:.05:.95). */
    public static final int IOU_THRESHOLD_COUNT = 10;

    /** Number of recall points of the interpolated precision (0:.01:1). */
    public static final int RECALL_POINT_COUNT = 101;

    public EvalParams {
        Objects.requireNonNull(iouType, "iouType");
        maxDets = List.copyOf(maxDets);
        if (maxDets.isEmpty()) {
            throw new IllegalArgumentException("maxDets: at least one cap is needed");
        }
        for (int i = 0; i < maxDets.size(); i++) {
            if (maxDets.get(i) < 1 || (i > 0 && maxDets.get(i) <= maxDets.get(i - 1))) {
                throw new IllegalArgumentException("maxDets: must be positive and strictly ascending, got " + maxDets);
            }
        }
    }

    /** VisDrone defaults: caps 1/10/100/500 and the ignore rule on. */
    public static EvalParams visDrone(IouType iouType) {
        return new EvalParams(iouType, VISDRONE_MAX_DETS, true);
    }

    /** The largest cap: detections per image and category that are evaluated at all. */
    public int maxDetections() {
        return maxDets.get(maxDets.size() - 1);
    }

    /**
     * IoU thresholds .50, .55, ..., .95, bit for bit as {@code np.linspace(.5, 0.95, 10)} in
     * cocoeval's Params (index 8 is 0.8999999999999999): {@code start + i * step}, the last set to
     * {@code stop}. Matching at threshold t accepts IoU >= t.
     */
    public static double[] iouThresholds() {
        return linspace(0.5, 0.95, IOU_THRESHOLD_COUNT);
    }

    /** Recall points 0, .01, ..., 1, as {@code np.linspace(.0, 1.00, 101)} in cocoeval's Params. */
    public static double[] recallThresholds() {
        return linspace(0.0, 1.0, RECALL_POINT_COUNT);
    }

    // numpy.linspace: y = arange(num) * ((stop - start) / (num - 1)) + start; y[-1] = stop.
    private static double[] linspace(double start, double stop, int num) {
        double step = (stop - start) / (num - 1);
        double[] y = new double[num];
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }
}
