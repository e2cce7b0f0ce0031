package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import java.util.SplittableRandom;

/**
 * Attention-based Dropout Layer (Choe and Shim, CVPR 2019), training only; identity at inference.
 * Self-attention is the channel mean; the drop mask zeroes where attention >= 0.8 x its per-image
 * maximum; the importance map is sigmoid(attention). Per call, the drop mask is used with
 * probability 0.75, else the importance map; the feature map is multiplied by the chosen map.
 * This pushes the detector to use less discriminative parts of an object too.
 */
final class Adl extends AbstractBlock {
    static final float DROP_THRESHOLD = 0.8f;
    static final double DROP_RATE = 0.75;
    private final SplittableRandom rng;

    Adl(long seed) {
        this.rng = new SplittableRandom(seed);
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        if (!training) {
            return inputs;
        }
        NDArray attention = x.mean(new int[] {1}, true); // (B, 1, H, W)
        NDArray map;
        if (rng.nextDouble() < DROP_RATE) {
            NDArray max = attention.max(new int[] {3}, true).max(new int[] {2}, true);
            map = attention.lt(max.mul(DROP_THRESHOLD)).toType(x.getDataType(), false);
        } else {
            map = Activation.sigmoid(attention);
        }
        return new NDList(x.mul(map));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return inputShapes;
    }
}
