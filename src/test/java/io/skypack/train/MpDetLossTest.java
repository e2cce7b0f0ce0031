package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import io.skypack.train.loss.LossWeights;
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
            MpDetLoss.Parts p =
                    new MpDetLoss(CFG, LossWeights.DEFAULTS, 1).compute(out, java.util.List.of(s), epoch, m);
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

    @Test
    void shouldGiveNoPositiveToAnIgnoredObject() {
        MpDetLoss.Parts p = loss(
                0, sample(new float[] {20, 32, 60, 56}, new int[] {-1}, new boolean[] {true}, new float[][] {null}));
        assertEquals(0, p.positives());
        assertTrue(Float.isFinite(p.qfl()));
    }
}
