package io.skypack.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.convolutional.Conv2d;

/**
 * Size and cost of an MP-Det network at one input size: trainable parameters and the
 * multiply-accumulates of its convolutions (which are over 99% of the arithmetic; norms,
 * activations and the decoder are left out). FLOPs are reported as 2 x MACs, the usual convention.
 *
 * @param width input width in pixels
 * @param height input height in pixels
 * @param parameters trainable parameters (batch-norm running statistics excluded)
 * @param convMacs multiply-accumulates of all convolutions for one image
 */
public record ModelStats(int width, int height, long parameters, long convMacs) {

    public double gflops() {
        return 2.0 * convMacs / 1e9;
    }

    /** Builds the network for {@code config} at {@code width x height} and counts. */
    public static ModelStats of(MpDetConfig config, int width, int height) {
        MpDetConfig sized = config.withInput(width, height);
        try (NDManager manager = NDManager.newBaseManager()) {
            MpDet net = new MpDet(sized, 0);
            net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, height, width));
            long params = 0;
            for (Parameter p : net.getParameters().values()) {
                if (p.requiresGradient()) params += p.getArray().size();
            }
            // The head is shared over the FPN levels but initialised on level 0 only: its
            // convolutions run once per level, on (sum of level areas) / (level-0 area) as much.
            double headFactor = 0, level0 = 0;
            for (int s : sized.strides()) {
                double area = Math.ceil(height / (double) s) * Math.ceil(width / (double) s);
                if (level0 == 0) level0 = area;
                headFactor += area / level0;
            }
            long macs = 0;
            for (var child : net.getChildren()) {
                double factor = child.getValue() instanceof GflHead ? headFactor : 1;
                macs += Math.round(factor * convMacs(child.getValue()));
            }
            return new ModelStats(width, height, params, macs);
        }
    }

    /** MACs of every convolution under {@code block}, at the input shapes it was initialised with. */
    private static long convMacs(Block block) {
        if (block instanceof Conv2d conv) {
            Shape in = conv.describeInput().get(0).getValue();
            Shape out = conv.getOutputShapes(new Shape[] {in})[0];
            Shape w = conv.getParameters().get("weight").getArray().getShape(); // (Cout, Cin/groups, kh, kw)
            return out.get(1) * out.get(2) * out.get(3) * w.get(1) * w.get(2) * w.get(3);
        }
        long sum = 0;
        for (var child : block.getChildren()) sum += convMacs(child.getValue());
        return sum;
    }
}
