package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * Distribution Focal Loss: the box-side regression loss of GFL (Li et al., "Generalized Focal Loss",
 * eq. 6). Each box side is predicted as a discrete distribution over the bins 0..R (R = reg_max); the
 * loss puts the probability mass on the two bins around the continuous target, in proportion to how
 * close the target is to each.
 *
 * <p>Units: bins, that is distances in stride units (the trainer divides pixel distances by the stride
 * of the level before calling, and multiplies {@link io.skypack.model.Distributions#integral} by it when decoding).
 */
public final class DistributionFocalLoss {
    /** Targets are clamped to [0, R - CLAMP_MARGIN] so that bin floor(y) + 1 exists (as in GFL). */
    public static final float CLAMP_MARGIN = 0.01f;

    private DistributionFocalLoss() {}

    /**
     * The loss of each row.
     *
     * <p>With i = floor(y) and S = softmax(distLogits):
     * {@code DFL = -((i + 1 - y) log S_i + (y - i) log S_(i+1))} (DFL, GFL paper eq. 6). The two weights
     * are the linear-interpolation (tent) weights {@code w_j = max(0, 1 - |j - y|)}, which are zero on
     * every other bin, so the loss is computed as {@code -sum_j w_j log_softmax_j} without an index
     * gather. The minimum over distributions is reached at S_i = i + 1 - y, S_(i+1) = y - i and equals the
     * entropy of those two weights (not 0).
     *
     * @param distLogits (M, R + 1) raw logits over the bins 0..R of one side per row
     * @param target (M) continuous targets in bins; clamped to [0, R - 0.01]; a constant
     * @return (M) the loss per row (not reduced: the trainer averages over the 4 sides and positives)
     */
    public static NDArray loss(NDArray distLogits, NDArray target) {
        Shapes.requireRank(distLogits, 2, "distLogits");
        Shapes.requireRank(target, 1, "target");
        long bins = distLogits.getShape().get(1);
        if (bins < 2) {
            throw new IllegalArgumentException("distLogits needs at least 2 bins, got shape " + distLogits.getShape());
        }
        if (target.getShape().get(0) != distLogits.getShape().get(0)) {
            throw new IllegalArgumentException("target " + target.getShape()
                    + " must have one entry per row of distLogits " + distLogits.getShape());
        }
        float reg = bins - 1;
        NDArray y = target.stopGradient().clip(0f, reg - CLAMP_MARGIN).expandDims(1); // (M, 1)
        NDArray j = binIndices(distLogits); // (1, R + 1)
        // Tent weights: i + 1 - y on bin i = floor(y), y - i on bin i + 1, 0 elsewhere (GFL eq. 6).
        NDArray w = j.sub(y).abs().neg().add(1f).maximum(0f);
        return w.mul(distLogits.logSoftmax(1)).sum(new int[] {1}).neg();
    }

    private static NDArray binIndices(NDArray distLogits) {
        long bins = distLogits.getShape().get(1);
        return distLogits
                .getManager()
                .arange(0f, (float) bins, 1f, DataType.FLOAT32)
                .reshape(1, bins);
    }
}
