package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import io.skypack.model.Scalars;

/**
 * Quality Focal Loss: the classification loss of GFL (Li et al., "Generalized Focal Loss", NeurIPS 2020,
 * eq. 5). The target of a class is a soft label, the IoU of the decoded box at the positive's class and
 * 0 everywhere else, so the score learns to rank boxes by localisation quality.
 */
public final class QualityFocalLoss {
    /** The exponent of the modulating factor used by GFL and by DESIGN.md. */
    public static final float DEFAULT_BETA = 2f;

    private QualityFocalLoss() {}

    /**
     * The summed loss over all elements.
     *
     * <p>Per element, with p = sigmoid(x): {@code -|y - p|^beta * ((1 - y) log(1 - p) + y log p)}
     * (QFL, GFL paper eq. 5). The bracket is evaluated as binary cross-entropy with logits,
     * {@code softplus(x) - x * y}, which stays finite for any logit. The modulating factor keeps its
     * gradient (as in the reference implementation, mmdetection's {@code quality_focal_loss}).
     *
     * @param logits (N, C) raw class logits, before the sigmoid
     * @param target (N, C) soft labels in [0, 1]; a constant, its gradient is not used
     * @param beta exponent of the modulating factor, at least 1 (the factor is then differentiable at 0)
     * @return scalar, the sum over all N * C elements (not normalised: divide by the number of positives)
     */
    public static NDArray loss(NDArray logits, NDArray target, float beta) {
        return elements(logits, target, beta).sum();
    }

    /** {@link #loss} with {@link #DEFAULT_BETA}. */
    public static NDArray loss(NDArray logits, NDArray target) {
        return loss(logits, target, DEFAULT_BETA);
    }

    /** The (N, C) per-element losses whose sum is {@link #loss}; for tests and diagnostics. */
    static NDArray elements(NDArray logits, NDArray target, float beta) {
        Shapes.requireRank(logits, 2, "logits");
        Shapes.requireSameShape(logits, target, "logits", "target");
        if (!(beta >= 1f)) {
            throw new IllegalArgumentException("beta must be >= 1, got " + beta);
        }
        NDArray y = target.stopGradient();
        // -((1-y) log(1-p) + y log p) = softplus(x) - x*y, the BCE-with-logits form (no log of 0).
        NDArray bce = Activation.softPlus(logits).sub(logits.mul(y));
        // |y - p|^beta, the modulating factor of QFL, GFL paper eq. 5.
        NDArray modulation = Scalars.pow(y.sub(Activation.sigmoid(logits)).abs(), beta);
        return modulation.mul(bce);
    }
}
