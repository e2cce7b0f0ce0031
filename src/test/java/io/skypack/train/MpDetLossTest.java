package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import io.skypack.model.FreedScalars;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import io.skypack.train.loss.LossWeights;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MpDetLossTest {
    private static final MpDetConfig CFG = MpDetTrainerTest.recipe(1).model();

    private static TrainSample sample(float[] boxes, int[] labels, boolean[] ignore, float[][] masks) {
        return new TrainSample("x", new float[3 * 128 * 128], 128, 128, boxes, labels, ignore, masks);
    }

    private static MpDetLoss.Parts loss(int epoch, TrainSample s) {
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = new MpDet(CFG, 1);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 128, 128));
            NDList out = net.forward(
                    new ParameterStore(m, false), new NDList(m.randomUniform(0, 1, new Shape(1, 3, 128, 128))), true);
            MpDetLoss.Parts p = new MpDetLoss(CFG, LossWeights.DEFAULTS, 1).compute(out, List.of(s), epoch, m);
            return new MpDetLoss.Parts(null, p.qfl(), p.dfl(), p.giou(), p.mask(), p.ot(), p.positives());
        }
    }

    @Test
    void shouldGiveFiniteBackgroundOnlyLossForAnImageWithoutObjects() {
        MpDetLoss.Parts p = loss(5, sample(new float[0], new int[0], new boolean[0], new float[0][]));
        assertEquals(0, p.positives());
        assertTrue(Float.isFinite(p.qfl()) && p.qfl() > 0, "background still trains: " + p);
        assertEquals(0f, p.dfl());
        assertEquals(0f, p.giou());
        assertEquals(0f, p.mask());
        assertEquals(0f, p.ot());
    }

    @Test
    void shouldTrainEveryTermOnAnObjectAndOtOnlyFromItsEpoch() {
        float[] mask = new float[32 * 32];
        for (int y = 8; y < 14; y++) for (int x = 5; x < 15; x++) mask[y * 32 + x] = 1;
        TrainSample s =
                sample(new float[] {20, 32, 60, 56}, new int[] {0}, new boolean[] {false}, new float[][] {mask});
        MpDetLoss.Parts before = loss(0, s);
        assertTrue(before.positives() > 0);
        assertTrue(before.dfl() > 0 && before.giou() > 0 && before.mask() > 0, before.toString());
        assertEquals(0f, before.ot(), "OT starts at epoch 1");
        MpDetLoss.Parts after = loss(1, s);
        assertTrue(after.ot() > 0 && Float.isFinite(after.ot()), after.toString());
    }

    /**
     * Loss of images given as pixels under one network (initialisation is not seeded, so every comparison
     * shares one), in inference mode so each image's outputs are its own whatever else is in the batch.
     */
    private static MpDetLoss.Parts lossOf(
            MpDet net, NDManager m, LossWeights weights, List<TrainSample> samples, float[]... pixels) {
        float[] all = new float[pixels.length * 3 * 128 * 128];
        for (int i = 0; i < pixels.length; i++) {
            System.arraycopy(pixels[i], 0, all, i * pixels[i].length, pixels[i].length);
        }
        NDList out = net.forward(
                new ParameterStore(m, false), new NDList(m.create(all, new Shape(pixels.length, 3, 128, 128))), false);
        MpDetLoss.Parts p = new MpDetLoss(CFG, weights, 1).compute(out, samples, 0, m);
        return new MpDetLoss.Parts(null, p.qfl(), p.dfl(), p.giou(), p.mask(), p.ot(), p.positives());
    }

    private static MpDet network(NDManager m) {
        MpDet net = new MpDet(CFG, 1);
        net.initialize(m, DataType.FLOAT32, new Shape(1, 3, 128, 128));
        return net;
    }

    private static float[] noise(long seed) {
        Random r = new Random(seed);
        float[] x = new float[3 * 128 * 128];
        for (int i = 0; i < x.length; i++) x[i] = r.nextFloat();
        return x;
    }

    private static float[] rectMask(int x1, int y1, int x2, int y2) {
        float[] mask = new float[32 * 32];
        for (int y = y1; y < y2; y++) for (int x = x1; x < x2; x++) mask[y * 32 + x] = 1;
        return mask;
    }

    @Test
    void shouldScoreEachImagesMasksAgainstItsOwnPrototypes() {
        // The batch's mask loss is the positive-weighted mean of each image's own: pairing a positive's
        // coefficients with another image's prototypes would break the equality.
        TrainSample a = sample(
                new float[] {20, 32, 60, 56, 80, 80, 110, 120},
                new int[] {0, 1},
                new boolean[] {false, false},
                new float[][] {rectMask(5, 8, 15, 14), rectMask(20, 20, 27, 30)});
        TrainSample b = sample(new float[] {8, 70, 40, 100}, new int[] {2}, new boolean[] {false}, new float[][] {
            rectMask(2, 18, 10, 25)
        });
        float[] pa = noise(1), pb = noise(2);
        MpDetLoss.Parts alone, other, both;
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = network(m);
            alone = lossOf(net, m, LossWeights.DEFAULTS, List.of(a), pa);
            other = lossOf(net, m, LossWeights.DEFAULTS, List.of(b), pb);
            both = lossOf(net, m, LossWeights.DEFAULTS, List.of(a, b), pa, pb);
        }
        assertEquals(alone.positives() + other.positives(), both.positives());
        float expected = (alone.mask() * alone.positives() + other.mask() * other.positives()) / both.positives();
        assertEquals(expected, both.mask(), 1e-4f * expected);
        assertTrue(Math.abs(alone.mask() - other.mask()) > 1e-3f, "the two images must differ: " + alone + " " + other);
    }

    @Test
    void shouldSkipTheMaskTermAtWeightZero() {
        TrainSample a = sample(new float[] {20, 32, 60, 56}, new int[] {0}, new boolean[] {false}, new float[][] {
            rectMask(5, 8, 15, 14)
        });
        MpDetLoss.Parts with, without;
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = network(m);
            with = lossOf(net, m, LossWeights.DEFAULTS, List.of(a), noise(3));
            without = lossOf(net, m, new LossWeights(1f, 0.25f, 2f, 1f, 0f), List.of(a), noise(3));
        }
        assertTrue(with.mask() > 0, with.toString());
        assertEquals(0f, without.mask());
        assertEquals(with.giou(), without.giou(), 1e-6f);
        assertEquals(with.qfl(), without.qfl(), 1e-6f);
    }

    @Test
    void shouldGiveNoPositiveToAnIgnoredObject() {
        MpDetLoss.Parts p = loss(
                0, sample(new float[] {20, 32, 60, 56}, new int[] {-1}, new boolean[] {true}, new float[][] {null}));
        assertEquals(0, p.positives());
        assertTrue(Float.isFinite(p.qfl()));
    }

    @Test
    void shouldGiveTheSameGradientsWhenTheJvmCollectsGarbageBeforeBackward() {
        // DJL's x.mul(2f) (and div, maximum, pow by a number) multiplies by a 0-d tensor over a Java direct
        // buffer and closes it at once; autograd keeps that tensor for the backward pass, and a collection in
        // between freed its memory: the fine recipe's random 1e30 gradients and NaN steps.
        TrainSample a = sample(
                new float[] {20, 32, 60, 56, 80, 80, 110, 120},
                new int[] {0, 1},
                new boolean[] {false, false},
                new float[][] {rectMask(5, 8, 15, 14), rectMask(20, 20, 27, 30)});
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = network(m);
            Map<String, float[]> plain = gradients(net, m, a, () -> null);
            Map<String, float[]> collected = gradients(net, m, a, FreedScalars::collectAndOverwrite);
            assertEquals(plain.keySet(), collected.keySet());
            for (String name : plain.keySet()) {
                float[] p = plain.get(name), c = collected.get(name);
                for (int i = 0; i < p.length; i++) {
                    assertTrue(Float.isFinite(p[i]), name + " is not finite without a collection");
                    assertEquals(p[i], c[i], 1e-5f * (1 + Math.abs(p[i])), name + "[" + i + "]");
                }
            }
        }
    }

    /**
     * Every trainable parameter's gradient after forward, loss (all five terms) and backward of one image,
     * with {@code beforeBackward} run between the loss and the backward pass; the gradients are zeroed
     * again afterwards.
     */
    private static Map<String, float[]> gradients(
            MpDet net, NDManager m, TrainSample s, java.util.function.Supplier<List<ByteBuffer>> beforeBackward) {
        for (var p : net.getParameters().values()) {
            if (p.requiresGradient()) p.getArray().setRequiresGradient(true);
        }
        try (NDManager scope = m.newSubManager()) {
            NDArray x = scope.create(noise(4), new Shape(1, 3, 128, 128));
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDList out = net.forward(new ParameterStore(scope, false), new NDList(x), true);
                NDArray total = new MpDetLoss(CFG, LossWeights.DEFAULTS, 0)
                        .compute(out, List.of(s), 0, scope)
                        .total();
                List<ByteBuffer> keep = beforeBackward.get();
                gc.backward(total);
                if (keep != null) assertTrue(keep.size() > 0);
            }
        }
        Map<String, float[]> grads = new LinkedHashMap<>();
        for (var e : net.getParameters()) {
            if (!e.getValue().requiresGradient()) continue;
            try (NDArray g = e.getValue().getArray().getGradient()) {
                grads.put(e.getKey(), g.toFloatArray());
                g.set(new NDIndex("..."), 0);
            }
        }
        return grads;
    }
}
