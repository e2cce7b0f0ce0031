package io.skypack.model;

import ai.djl.ndarray.NDArray;

/** The GFL box representation: each side is a discrete distribution over bins 0..regMax. */
public final class Distributions {
    private Distributions() {}

    /** Expected bin (GFL's "integral"): sum_i softmax(logits)_i * i over the last axis. */
    public static NDArray integral(NDArray logits) {
        long bins = logits.getShape().get(logits.getShape().dimension() - 1);
        NDArray project = logits.getManager().arange(0f, (float) bins);
        return logits.softmax(-1).mul(project).sum(new int[] {-1});
    }
}
