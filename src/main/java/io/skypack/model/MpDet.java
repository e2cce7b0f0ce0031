package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * The MP-Det network: {@link Backbone} -> {@link Fpn} -> {@link GflHead} and {@link ProtoNet}.
 *
 * <p>Input: one NDArray (B, 3, H, W), RGB in [0, 1], H and W as in the config. Output NDList, in
 * this order (see {@link Outputs}): class logits (B, N, C), box distribution logits (B, N, 4 (R +
 * 1)), embeddings (B, N, D), mask coefficients (B, N, k), proxy similarities (B, N, sum K),
 * prototypes (B, k, H/4, W/4). N counts the locations of strides 8, 16, 32 as {@link Priors}
 * orders them.
 */
public final class MpDet extends AbstractBlock {
    /** Indices into the output NDList. */
    public static final class Outputs {
        public static final int LOGITS = 0;
        public static final int REGRESSION = 1;
        public static final int EMBEDDINGS = 2;
        public static final int COEFFICIENTS = 3;
        public static final int PROXY_SIMILARITIES = 4;
        public static final int PROTOTYPES = 5;

        private Outputs() {}
    }

    private static final float MEAN = 0.45f;
    private static final float STD = 0.25f;
    private final MpDetConfig config;
    private final Backbone backbone;
    private final Fpn fpn;
    private final GflHead head;
    private final ProtoNet protoNet;

    public MpDet(MpDetConfig config, long seed) {
        this.config = config;
        backbone = addChildBlock("backbone", new Backbone(toArray(config.backboneWidths()), config.adl(), seed));
        fpn = addChildBlock("fpn", new Fpn(config.fpnChannels()));
        head = addChildBlock("head", new GflHead(config));
        protoNet = addChildBlock("protonet", new ProtoNet(config.fpnChannels(), config.prototypes()));
    }

    public MpDetConfig config() {
        return config;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow().sub(MEAN).div(STD);
        NDList c = backbone.forward(ps, new NDList(x), training);
        NDList p = fpn.forward(ps, c, training);
        NDList out = head.forward(ps, p, training);
        out.add(protoNet.forward(ps, new NDList(p.get(0)), training).singletonOrThrow());
        return out;
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
        backbone.initialize(manager, type, inputShapes);
        Shape[] c = backbone.getOutputShapes(inputShapes);
        fpn.initialize(manager, type, c);
        Shape[] p = fpn.getOutputShapes(c);
        head.initialize(manager, type, p);
        protoNet.initialize(manager, type, p[0]);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape[] p = fpn.getOutputShapes(backbone.getOutputShapes(inputShapes));
        Shape[] h = head.getOutputShapes(p);
        Shape[] out = new Shape[h.length + 1];
        System.arraycopy(h, 0, out, 0, h.length);
        out[h.length] = protoNet.getOutputShapes(new Shape[] {p[0]})[0];
        return out;
    }

    private static int[] toArray(java.util.List<Integer> l) {
        return l.stream().mapToInt(Integer::intValue).toArray();
    }
}
