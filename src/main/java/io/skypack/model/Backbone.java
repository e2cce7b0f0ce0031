package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A small residual CNN for CPUs: a stride-2 stem and four stride-2 stages, each a downsampling
 * conv and one basic residual block. Outputs C3, C4, C5 at strides 8, 16, 32 (small objects live at
 * stride 8). With ADL enabled, attention-based dropout follows stages 3 and 4 during training.
 */
final class Backbone extends AbstractBlock {
    private final Block stem;
    private final Block[] stages = new Block[4];
    private final Adl adl3;
    private final Adl adl4;

    Backbone(int[] widths, boolean adl, long seed) {
        stem = addChildBlock("stem", Layers.convBnRelu(widths[0], 3, 2));
        for (int i = 0; i < 4; i++) {
            stages[i] = addChildBlock(
                    "stage" + (i + 2),
                    new SequentialBlock()
                            .add(Layers.convBnRelu(widths[i + 1], 3, 2))
                            .add(new BasicBlock(widths[i + 1])));
        }
        adl3 = adl ? addChildBlock("adl3", new Adl(seed)) : null;
        adl4 = adl ? addChildBlock("adl4", new Adl(seed + 1)) : null;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDList x = stem.forward(ps, inputs, training);
        x = stages[0].forward(ps, x, training);
        NDList c3 = stages[1].forward(ps, x, training);
        if (adl3 != null) c3 = adl3.forward(ps, c3, training);
        NDList c4 = stages[2].forward(ps, c3, training);
        if (adl4 != null) c4 = adl4.forward(ps, c4, training);
        NDList c5 = stages[3].forward(ps, c4, training);
        return new NDList(c3.singletonOrThrow(), c4.singletonOrThrow(), c5.singletonOrThrow());
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
        Shape[] s = Layers.initSequential(manager, type, inputShapes, stem, stages[0], stages[1]);
        if (adl3 != null) adl3.initialize(manager, type, s);
        s = Layers.initSequential(manager, type, s, stages[2]);
        if (adl4 != null) adl4.initialize(manager, type, s);
        Layers.initSequential(manager, type, s, stages[3]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] s = stem.getOutputShapes(inputShapes);
        s = stages[0].getOutputShapes(s);
        Shape[] c3 = stages[1].getOutputShapes(s);
        Shape[] c4 = stages[2].getOutputShapes(c3);
        Shape[] c5 = stages[3].getOutputShapes(c4);
        return new Shape[] {c3[0], c4[0], c5[0]};
    }

    /** conv-BN-ReLU-conv-BN plus the identity, then ReLU (He et al., ResNet basic block). */
    static final class BasicBlock extends AbstractBlock {
        private final Block body;

        BasicBlock(int channels) {
            body = addChildBlock(
                    "body",
                    new SequentialBlock()
                            .add(Layers.convBnRelu(channels, 3, 1))
                            .add(Layers.conv(channels, 3, 1, false))
                            .add(BatchNorm.builder().build()));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            NDArray y = body.forward(ps, inputs, training).singletonOrThrow();
            return new NDList(Activation.relu(x.add(y)));
        }

        @Override
        protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
            body.initialize(manager, type, inputShapes);
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
