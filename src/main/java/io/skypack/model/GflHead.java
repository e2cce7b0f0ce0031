package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.util.PairList;
import java.util.ArrayList;
import java.util.List;

/**
 * The MP-Det head, shared over FPN levels: a classification tower and a regression tower (GFL,
 * conv + group norm + ReLU), then per location
 *
 * <ul>
 *   <li>an embedding f (from the classification tower) scored against K_c proxies per class:
 *       s_ck = cos(f, p_ck); S_c = sum_k softmax_k(gamma s_ck) s_ck (SoftTriple, Qian et al. 2019);
 *       logit_c = gamma S_c + b_c. The per-class bias b_c starts at -4.6 (prior 0.01, as RetinaNet
 *       and GFL initialise their classifiers) so the 99% background locations do not start at
 *       score 0.5; it is the one addition to DESIGN.md's formula.
 *   <li>box regression as a distribution over regMax + 1 bins per side (GFL), times a learnable
 *       scale per level;
 *   <li>k mask coefficients in [-1, 1] (tanh), YOLACT.
 * </ul>
 *
 * Outputs, all with locations ordered as {@link Priors}: logits (B, N, C), regression logits (B, N,
 * 4 (regMax + 1)), normalised embeddings (B, N, D), coefficients (B, N, k), proxy similarities (B,
 * N, sum K).
 */
final class GflHead extends AbstractBlock {
    private static final float PRIOR_BIAS = -4.595f; // log(0.01 / 0.99)
    private final MpDetConfig config;
    private final Block clsTower;
    private final Block regTower;
    private final Block embedConv;
    private final Block regConv;
    private final Block coefConv;
    private final Parameter[] scales = new Parameter[3];
    private final Parameter proxies;
    private final Parameter classBias;

    GflHead(MpDetConfig config) {
        this.config = config;
        clsTower = addChildBlock("clsTower", tower(config));
        regTower = addChildBlock("regTower", tower(config));
        embedConv = addChildBlock("embed", Layers.conv(config.embedDim(), 3, 1, true));
        regConv = addChildBlock("reg", Layers.conv(4 * (config.regMax() + 1), 3, 1, true));
        coefConv = addChildBlock("coef", Layers.conv(config.prototypes(), 3, 1, true));
        for (int i = 0; i < 3; i++) {
            scales[i] = addParameter(Parameter.builder()
                    .setName("scale" + i)
                    .setType(Parameter.Type.OTHER)
                    .optShape(new Shape(1))
                    .optInitializer(new ConstantInitializer(1f))
                    .build());
        }
        proxies = addParameter(Parameter.builder()
                .setName("proxies")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(config.totalProxies(), config.embedDim()))
                .optInitializer(new NormalInitializer(1f))
                .build());
        classBias = addParameter(Parameter.builder()
                .setName("classBias")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(config.numClasses()))
                .optInitializer(new ConstantInitializer(PRIOR_BIAS))
                .build());
    }

    private static Block tower(MpDetConfig c) {
        SequentialBlock t = new SequentialBlock();
        for (int i = 0; i < c.towerConvs(); i++) {
            t.add(Layers.convGnRelu(c.fpnChannels(), 8));
        }
        return t;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        List<NDArray> emb = new ArrayList<>(), reg = new ArrayList<>(), coef = new ArrayList<>();
        for (int l = 0; l < inputs.size(); l++) {
            NDList p = new NDList(inputs.get(l));
            NDList c = clsTower.forward(ps, p, training);
            NDList r = regTower.forward(ps, p, training);
            NDArray scale = Layers.value(ps, scales[l], inputs.get(l), training);
            emb.add(Layers.flattenLocations(embedConv.forward(ps, c, training).singletonOrThrow()));
            reg.add(Layers.flattenLocations(
                    regConv.forward(ps, r, training).singletonOrThrow().mul(scale)));
            coef.add(Layers.flattenLocations(
                    Activation.tanh(coefConv.forward(ps, r, training).singletonOrThrow())));
        }
        NDArray f = Vectors.unitNorm(NDArrays.concat(new NDList(emb), 1)); // (B, N, D)
        NDArray p = Vectors.unitNorm(Layers.value(ps, proxies, f, training)); // (K, D)
        NDArray sims = f.matMul(p.transpose()); // (B, N, K): cosines
        List<NDArray> perClass = new ArrayList<>();
        float gamma = config.gamma();
        for (int c = 0; c < config.numClasses(); c++) {
            int off = config.proxyOffset(c), k = config.proxies().get(c);
            NDArray s = sims.get(new NDIndex("..., {}:{}", off, off + k));
            NDArray w = Scalars.mul(s, gamma).softmax(-1);
            perClass.add(w.mul(s).sum(new int[] {-1}, true));
        }
        NDArray bias = Layers.value(ps, classBias, f, training);
        NDArray logits =
                Scalars.mul(NDArrays.concat(new NDList(perClass), -1), gamma).add(bias);
        return new NDList(logits, NDArrays.concat(new NDList(reg), 1), f, NDArrays.concat(new NDList(coef), 1), sims);
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType type, Shape... inputShapes) {
        Shape[] level = {inputShapes[0]};
        clsTower.initialize(manager, type, level);
        regTower.initialize(manager, type, level);
        Shape[] tower = clsTower.getOutputShapes(level);
        embedConv.initialize(manager, type, tower);
        regConv.initialize(manager, type, tower);
        coefConv.initialize(manager, type, tower);
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0), n = 0;
        for (Shape s : inputShapes) n += s.get(2) * s.get(3);
        return new Shape[] {
            new Shape(b, n, config.numClasses()),
            new Shape(b, n, 4L * (config.regMax() + 1)),
            new Shape(b, n, config.embedDim()),
            new Shape(b, n, config.prototypes()),
            new Shape(b, n, config.totalProxies())
        };
    }
}
