package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Feature pyramid (Lin et al. 2017): 1x1 laterals, nearest top-down sums, 3x3 smoothing; P3..P5. */
final class Fpn extends AbstractBlock {
    private final Block[] lateral = new Block[3];
    private final Block[] output = new Block[3];

    Fpn(int channels) {
        for (int i = 0; i < 3; i++) {
            lateral[i] = addChildBlock("lateral" + (i + 3), Layers.conv(channels, 1, 1, true));
            output[i] = addChildBlock("output" + (i + 3), Layers.conv(channels, 3, 1, true));
        }
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray p5 = lat(ps, 2, inputs.get(2), training);
        NDArray p4 = lat(ps, 1, inputs.get(1), training).add(Layers.upsample2(p5));
        NDArray p3 = lat(ps, 0, inputs.get(0), training).add(Layers.upsample2(p4));
        return new NDList(out(ps, 0, p3, training), out(ps, 1, p4, training), out(ps, 2, p5, training));
    }

    private NDArray lat(ParameterStore ps, int i, NDArray x, boolean training) {
        return lateral[i].forward(ps, new NDList(x), training).singletonOrThrow();
    }

    private NDArray out(ParameterStore ps, int i, NDArray x, boolean training) {
        return output[i].forward(ps, new NDList(x), training).singletonOrThrow();
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
        for (int i = 0; i < 3; i++) {
            lateral[i].initialize(manager, type, inputShapes[i]);
            output[i].initialize(manager, type, lateral[i].getOutputShapes(new Shape[] {inputShapes[i]}));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] out = new Shape[3];
        for (int i = 0; i < 3; i++) {
            out[i] = lateral[i].getOutputShapes(new Shape[] {inputShapes[i]})[0];
        }
        return out;
    }
}
