package io.skypack.model;

import ai.djl.ndarray.NDArray;

/** Vector helpers for the proxy classifier and the OT loss, which must normalise the same way. */
public final class Vectors {
    private Vectors() {}

    /**
     * Scales the last axis to unit L2 norm as {@code x / sqrt(|x|^2 + 1e-12)}: unlike {@code x / (|x|
     * + eps)} its gradient stays finite when a vector is exactly zero (a 3x3 neighbourhood of dead
     * ReLUs), which once turned every parameter into NaN after one step. A zero vector maps to 0.
     */
    public static NDArray unitNorm(NDArray x) {
        return x.div(x.square().sum(new int[] {-1}, true).add(1e-12f).sqrt());
    }
}
