package io.skypack.train;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import java.util.ArrayList;
import java.util.List;

/**
 * Clips gradients by their global L2 norm, in place, as {@code torch.nn.utils.clip_grad_norm_}
 * does (GFL trains with a max norm of 35). DJL's {@code optClipGrad} is not applied by the PyTorch
 * engine's SGD update: one 5e23 gradient at iteration 3 of the coarse recipe went straight into the
 * weights, and every step after it was NaN. Clipping here works for any optimizer.
 */
final class GradientClip {
    private GradientClip() {}

    /**
     * Scales every trainable parameter's gradient by {@code min(1, maxNorm / norm)} and returns the
     * norm before clipping; a NaN or infinite norm is returned as is and nothing is scaled, so the
     * caller can skip the step.
     */
    static double clipGlobalNorm(Iterable<Parameter> parameters, double maxNorm) {
        List<NDArray> grads = new ArrayList<>();
        double sumSquares = 0;
        for (Parameter p : parameters) {
            if (!p.requiresGradient()) continue; // batch-norm running statistics
            NDArray g = p.getArray().getGradient();
            grads.add(g);
            sumSquares += sumOfSquares(g);
        }
        double norm = Math.sqrt(sumSquares);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (NDArray g : grads) g.muli(scale);
        }
        grads.forEach(NDArray::close);
        return norm;
    }

    /**
     * {@code sum g^2} in double without float overflow: a float32 square overflows from |g| = 1.8e19
     * on, which made large but finite gradients look infinite and skipped steps that clipping would
     * have saved. The sum is taken of (g / max|g|)^2 and scaled back. NaN if any entry is NaN or
     * infinite.
     */
    static double sumOfSquares(NDArray g) {
        try (NDArray abs = g.abs();
                NDArray maxNd = abs.max()) {
            double max = maxNd.getFloat();
            if (!Double.isFinite(max)) return Double.NaN;
            if (max == 0) return 0;
            try (NDArray scaled = g.div((float) max);
                    NDArray sq = scaled.square();
                    NDArray sum = sq.sum()) {
                double s = sum.getFloat();
                return Double.isFinite(s) ? s * max * max : Double.NaN; // NaN hides behind a finite max
            }
        }
    }

    /**
     * The parameter with the largest gradient norm and that norm, as "name (norm)". Clipping scales
     * all gradients alike, so after it the ranking still says where a huge step came from.
     */
    static String largest(ai.djl.util.PairList<String, Parameter> parameters) {
        String name = "none";
        double best = -1;
        for (var e : parameters) {
            if (!e.getValue().requiresGradient()) continue;
            try (NDArray g = e.getValue().getArray().getGradient()) {
                double s = sumOfSquares(g);
                if (!(s <= best)) { // NaN ranks first
                    best = s;
                    name = e.getKey();
                }
            }
        }
        return String.format(java.util.Locale.ROOT, "%s (%.3g after clipping)", name, Math.sqrt(best));
    }

    /** Names of the parameters whose gradient holds a NaN or an infinity, in the model's order. */
    static List<String> nonFinite(ai.djl.util.PairList<String, Parameter> parameters) {
        List<String> bad = new ArrayList<>();
        for (var e : parameters) {
            if (!e.getValue().requiresGradient()) continue;
            try (NDArray g = e.getValue().getArray().getGradient()) {
                if (!Double.isFinite(sumOfSquares(g))) bad.add(e.getKey());
            }
        }
        return bad;
    }
}
