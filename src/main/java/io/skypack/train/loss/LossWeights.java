package io.skypack.train.loss;

/**
 * How the trainer weighs the losses of this package in the total (DESIGN.md section 4).
 *
 * @param qfl weight of {@link QualityFocalLoss} (GFL: 1)
 * @param dfl weight of {@link DistributionFocalLoss} (GFL: 0.25)
 * @param giou weight of {@link GiouLoss} (GFL: 2)
 * @param ot weight of {@link OtProxyLoss}; DESIGN.md gives none, 1 is our choice: the OT loss is in [0, 1]
 *     like a normalised QFL term, so 1 starts it on an equal footing; tune it with the epoch it switches on
 * @param mask weight of {@link MaskLoss} (YOLACT's mask_alpha: 6.125)
 */
public record LossWeights(float qfl, float dfl, float giou, float ot, float mask) {
    /** The weights of DESIGN.md section 4, with OT at 1. */
    public static final LossWeights DEFAULTS = new LossWeights(1f, 0.25f, 2f, 1f, 6.125f);

    public LossWeights {
        check("qfl", qfl);
        check("dfl", dfl);
        check("giou", giou);
        check("ot", ot);
        check("mask", mask);
    }

    private static void check(String name, float weight) {
        if (!(weight >= 0f) || Float.isInfinite(weight)) {
            throw new IllegalArgumentException("loss weight " + name + " must be finite and >= 0, got " + weight);
        }
    }
}
