package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * YOLACT's ProtoNet on P3: two 3x3 convs, 2x upsampling, a 3x3 conv and a 1x1 conv to k
 * prototypes at stride 4 (B, k, H/4, W/4). A mask is sigmoid(prototypes x coefficients) cropped to
 * its box.
 *
 * <p>The prototypes are linear, not ReLU'd as in YOLACT. With a final ReLU every prototype of our
 * coarse model died within the first two epochs (all eight exactly 0 on every pixel of the training
 * images, so every mask logit was 0 and the mask loss sat at ln 2 for good): the mask targets are
 * mostly background inside the box, so the first updates push the 1x1 conv's outputs negative, and
 * a ReLU below zero passes no gradient to bring them back. The coefficients are already signed
 * (tanh), so the product needs no sign constraint on the prototypes.
 */
final class ProtoNet extends AbstractBlock {
    private final Block before;
    private final Block after;

    ProtoNet(int channels, int prototypes) {
        before = addChildBlock(
                "before",
                new SequentialBlock().add(Layers.convRelu(channels, 3)).add(Layers.convRelu(channels, 3)));
        after = addChildBlock(
                "after",
                new SequentialBlock().add(Layers.convRelu(channels, 3)).add(Layers.conv(prototypes, 1, 1, true)));
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = before.forward(ps, inputs, training).singletonOrThrow();
        NDArray y = after.forward(ps, new NDList(Layers.upsample2(x)), training).singletonOrThrow();
        return new NDList(y);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
        Shape[] s = new Shape[] {inputShapes[0]};
        before.initialize(manager, type, s);
        Shape b = before.getOutputShapes(s)[0];
        after.initialize(manager, type, new Shape(b.get(0), b.get(1), b.get(2) * 2, b.get(3) * 2));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape b = before.getOutputShapes(new Shape[] {inputShapes[0]})[0];
        return after.getOutputShapes(new Shape[] {new Shape(b.get(0), b.get(1), b.get(2) * 2, b.get(3) * 2)});
    }
}
