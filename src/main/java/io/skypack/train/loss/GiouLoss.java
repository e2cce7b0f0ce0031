package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;
import io.skypack.model.Scalars;

/**
 * Generalized IoU loss (Rezatofighi et al., "Generalized Intersection over Union", CVPR 2019, Algorithm
 * 1), the box loss of GFL. Boxes are (M, 4) rows x1, y1, x2, y2 in the same units (pixels of the
 * input), with x2 >= x1 and y2 >= y1; negative widths are treated as 0.
 */
public final class GiouLoss {
    /** Added to the union and to the enclosing area so that empty boxes give no 0/0. */
    public static final float EPS = 1e-6f;

    private GiouLoss() {}

    /**
     * {@code 1 - GIoU} per row, with {@code GIoU = IoU - (|C| - |A u B|) / |C|} and C the smallest box
     * enclosing both (GIoU paper, Algorithm 1). In [0, 2]: 0 for identical boxes, above 1 for disjoint
     * ones. Differentiable w.r.t. {@code pred}; {@code target} is a constant.
     *
     * @param pred (M, 4) predicted boxes x1, y1, x2, y2
     * @param target (M, 4) ground-truth boxes, same layout and units
     * @return (M) the loss per row (not reduced)
     */
    public static NDArray loss(NDArray pred, NDArray target) {
        Shapes.requireBoxes(pred, "pred");
        Shapes.requireSameShape(pred, target, "pred", "target");
        NDArray t = target.stopGradient();
        NDArray[] overlap = interAndUnion(pred, t);
        NDArray iou = overlap[0].div(overlap[1]);
        NDArray enclosing = extent(
                        column(pred, 0).minimum(column(t, 0)), column(pred, 2).maximum(column(t, 2)))
                .mul(extent(
                        column(pred, 1).minimum(column(t, 1)), column(pred, 3).maximum(column(t, 3))))
                .add(EPS);
        // GIoU = IoU - (|C| - |A u B|) / |C|, GIoU paper Algorithm 1.
        NDArray giou = iou.sub(enclosing.sub(overlap[1]).div(enclosing));
        return giou.neg().add(1f);
    }

    /**
     * Plain IoU per row, as a constant (no gradient): the soft target of {@link QualityFocalLoss}.
     *
     * @param pred (M, 4) boxes x1, y1, x2, y2
     * @param target (M, 4) boxes, same layout and units
     * @return (M) IoU in [0, 1], detached from the graph
     */
    public static NDArray iou(NDArray pred, NDArray target) {
        Shapes.requireBoxes(pred, "pred");
        Shapes.requireSameShape(pred, target, "pred", "target");
        NDArray[] overlap = interAndUnion(pred.stopGradient(), target.stopGradient());
        return overlap[0].div(overlap[1]).stopGradient();
    }

    /** Intersection area and union area (plus {@link #EPS}) of each row pair, both (M). */
    private static NDArray[] interAndUnion(NDArray a, NDArray b) {
        NDArray ax1 = column(a, 0), ay1 = column(a, 1), ax2 = column(a, 2), ay2 = column(a, 3);
        NDArray bx1 = column(b, 0), by1 = column(b, 1), bx2 = column(b, 2), by2 = column(b, 3);
        NDArray inter = extent(ax1.maximum(bx1), ax2.minimum(bx2)).mul(extent(ay1.maximum(by1), ay2.minimum(by2)));
        NDArray areaA = extent(ax1, ax2).mul(extent(ay1, ay2));
        NDArray areaB = extent(bx1, bx2).mul(extent(by1, by2));
        return new NDArray[] {inter, areaA.add(areaB).sub(inter).add(EPS)};
    }

    private static NDArray column(NDArray boxes, int k) {
        return boxes.get(":, " + k);
    }

    /** max(0, hi - lo): the length of an interval, 0 when empty. */
    private static NDArray extent(NDArray lo, NDArray hi) {
        return Scalars.maximum(hi.sub(lo), 0f);
    }
}
