package io.skypack.eval;

import java.util.List;

/**
 * Summary metrics of one class or of all classes, as cocoeval {@code summarize} computes them: a
 * mean over the precision (or recall) entries that are not -1. A value of -1 means "undefined": no
 * ground truth in that setting (e.g. APl when there are no large objects).
 *
 * <p>All AP values and the area-range ARs use the largest detection cap ({@link
 * EvalParams#maxDetections()}), where cocoeval's summary uses its third cap (100); with VisDrone's
 * caps that is 500, as the VisDrone toolkit reports.
 *
 * @param ap AP averaged over IoU .50:.05:.95, area all
 * @param ap50 AP at IoU .50
 * @param ap75 AP at IoU .75
 * @param apSmall AP for area < 32^2
 * @param apMedium AP for area in 32^2..96^2
 * @param apLarge AP for area > 96^2
 * @param ar AR averaged over IoU .50:.95, one entry per cap in {@link EvalParams#maxDets()}
 * @param arSmall AR for small objects
 * @param arMedium AR for medium objects
 * @param arLarge AR for large objects
 */
public record Metrics(
        double ap,
        double ap50,
        double ap75,
        double apSmall,
        double apMedium,
        double apLarge,
        List<Double> ar,
        double arSmall,
        double arMedium,
        double arLarge) {
    public Metrics {
        ar = List.copyOf(ar);
    }
}
