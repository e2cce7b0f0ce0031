package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import org.junit.jupiter.api.Test;

class MpDetTest {

    @Test
    void shouldProduceOneRowPerPriorLocationForEveryOutput() {
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = smallNet(m, 128, 96, 2, 2);
            NDList out = net.forward(
                    new ParameterStore(m, false), new NDList(m.randomUniform(0, 1, new Shape(2, 3, 96, 128))), false);
            long n = 16 * 12 + 8 * 6 + 4 * 3; // strides 8, 16, 32
            assertEquals(new Shape(2, n, 7), out.get(MpDet.Outputs.LOGITS).getShape());
            assertEquals(new Shape(2, n, 32), out.get(MpDet.Outputs.REGRESSION).getShape());
            assertEquals(new Shape(2, n, 32), out.get(MpDet.Outputs.EMBEDDINGS).getShape());
            assertEquals(new Shape(2, n, 8), out.get(MpDet.Outputs.COEFFICIENTS).getShape());
            assertEquals(
                    new Shape(2, n, 14),
                    out.get(MpDet.Outputs.PROXY_SIMILARITIES).getShape());
            assertEquals(
                    new Shape(2, 8, 24, 32), out.get(MpDet.Outputs.PROTOTYPES).getShape());
            Shape[] declared = net.getOutputShapes(new Shape[] {new Shape(2, 3, 96, 128)});
            for (int i = 0; i < declared.length; i++) {
                assertEquals(declared[i], out.get(i).getShape(), "declared shape of output " + i);
            }
        }
    }

    @Test
    void forwardPassShouldLeaveNothingInTheWeightsManager() {
        // A result belongs to its first operand's manager: an op on a parameter's own array would put it
        // in the weights' manager, kept as long as the model (30 arrays a pass in the bundled models).
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = smallNet(m, 64, 64, 2, 1);
            ParameterStore ps = new ParameterStore(m, false);
            NDArray image = m.randomUniform(0, 1, new Shape(1, 3, 64, 64));
            int held = m.getManagedArrays().size();
            float[][] logits = new float[2][];
            // Inference first: a training pass moves the batch norms' running statistics.
            for (boolean training : new boolean[] {false, true}) {
                for (int pass = 0; pass < 2; pass++) {
                    try (NDManager scope = m.newSubManager()) {
                        NDArray x = image.duplicate();
                        x.attach(scope); // as MpDetRunner does: the batch's input is the scope's
                        NDList out = net.forward(ps, new NDList(x), training);
                        if (!training)
                            logits[pass] = out.get(MpDet.Outputs.LOGITS).toFloatArray();
                    }
                    assertEquals(
                            held,
                            m.getManagedArrays().size(),
                            "arrays left after pass " + pass + ", training " + training);
                }
            }
            assertArrayEquals(logits[0], logits[1], "the weights still work after the passes' arrays are freed");
        }
    }

    @Test
    void shouldKeepEmbeddingsUnitLengthAndCoefficientsInTanhRange() {
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = smallNet(m, 64, 64, 3, 1);
            NDList out = net.forward(
                    new ParameterStore(m, false), new NDList(m.randomUniform(0, 1, new Shape(1, 3, 64, 64))), false);
            NDArray norms = out.get(MpDet.Outputs.EMBEDDINGS).norm(new int[] {-1});
            assertEquals(1.0, norms.min().getFloat(), 1e-4);
            assertEquals(1.0, norms.max().getFloat(), 1e-4);
            NDArray coef = out.get(MpDet.Outputs.COEFFICIENTS);
            assertTrue(coef.abs().max().getFloat() <= 1f);
            // logit = gamma * S_c + bias with |S_c| <= 1: bounded by gamma around the bias.
            NDArray logits = out.get(MpDet.Outputs.LOGITS);
            assertTrue(logits.max().getFloat() <= 10f - 4.595f + 1e-3f
                    && logits.min().getFloat() >= -10f - 4.595f - 1e-3f);
        }
    }

    /** A small random MP-Det of {@code width x height} input, {@code classes} classes, set up for batches of {@code batch}. */
    private static MpDet smallNet(NDManager m, int width, int height, int classes, int batch) {
        MpDet net = new MpDet(MpDetConfig.small("t", width, height, classes, false), 1);
        net.initialize(m, DataType.FLOAT32, new Shape(batch, 3, height, width));
        return net;
    }

    @Test
    void adlShouldBeIdentityAtInferenceAndChangeFeaturesInTraining() {
        try (NDManager m = NDManager.newBaseManager()) {
            Adl adl = new Adl(3);
            adl.initialize(m, DataType.FLOAT32, new Shape(1, 4, 8, 8));
            NDArray x = m.randomUniform(0, 1, new Shape(1, 4, 8, 8));
            ParameterStore ps = new ParameterStore(m, false);
            assertEquals(x, adl.forward(ps, new NDList(x), false).singletonOrThrow());
            boolean changed = false;
            for (int i = 0; i < 4; i++) {
                changed |= !x.equals(adl.forward(ps, new NDList(x), true).singletonOrThrow());
            }
            assertTrue(changed);
        }
    }
}
