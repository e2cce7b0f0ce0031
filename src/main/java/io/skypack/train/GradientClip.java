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
            sumSquares += g.square().sum().getFloat();
        }
        double norm = Math.sqrt(sumSquares);
        if (Double.isFinite(norm) && norm > maxNorm) {
            float scale = (float) (maxNorm / norm);
            for (NDArray g : grads) g.muli(scale);
        }
        grads.forEach(NDArray::close);
        return norm;
    }
}
