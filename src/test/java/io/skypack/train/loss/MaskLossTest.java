package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MaskLossTest extends NDManagerTest {
    private static final float LN2 = 0.693147f;

    private NDArray box(float x1, float y1, float x2, float y2) {
        return manager.create(new float[] {x1, y1, x2, y2}, new Shape(1, 4));
    }

    @Test
    void shouldMatchHandValueForTwoByTwo() {
        // logits [[0, 2], [-1, 0]], target [[1, 0], [0, 1]]; BCE = softplus(x) - x y:
        // ln 2, ln(1 + e^2) = 2.126928, ln(1 + e^-1) = 0.313262, ln 2; sum 3.826484
        NDArray logits = manager.create(new float[] {0f, 2f, -1f, 0f}, new Shape(1, 2, 2));
        NDArray target = manager.create(new float[] {1f, 0f, 0f, 1f}, new Shape(1, 2, 2));

        // Whole mask, area 4: 3.826484 / 4
        assertEquals(
                0.956621f, MaskLoss.loss(logits, target, box(0f, 0f, 2f, 2f)).getFloat(), 1e-5f);
        // Left column only (x in [0, 1)), area 2: (ln 2 + 0.313262) / 2
        assertEquals(
                0.503204f, MaskLoss.loss(logits, target, box(0f, 0f, 1f, 2f)).getFloat(), 1e-5f);
    }

    @Test
    void shouldIgnorePixelsOutsideTheBox() {
        Random random = new Random(5);
        float[] logits = new float[25];
        float[] target = new float[25];
        for (int i = 0; i < 25; i++) {
            logits[i] = (float) random.nextGaussian();
            target[i] = random.nextBoolean() ? 1f : 0f;
        }
        Shape shape = new Shape(1, 5, 5);
        NDArray b = box(1f, 2f, 4f, 4f); // columns 1..3, rows 2..3
        float base = MaskLoss.loss(manager.create(logits, shape), manager.create(target, shape), b)
                .getFloat();

        float[] outsideChanged = logits.clone();
        float[] outsideTarget = target.clone();
        for (int i : new int[] {0, 4, 6, 10, 14, 20, 24}) { // (0,0) (0,4) (1,1) (2,0) (2,4) (4,0) (4,4)
            outsideChanged[i] += 5f;
            outsideTarget[i] = 1f - outsideTarget[i];
        }
        float[] insideChanged = logits.clone();
        insideChanged[2 * 5 + 1] += 5f; // (2,1)

        assertEquals(
                base,
                MaskLoss.loss(manager.create(outsideChanged, shape), manager.create(outsideTarget, shape), b)
                        .getFloat(),
                1e-6f);
        assertNotEquals(
                base,
                MaskLoss.loss(manager.create(insideChanged, shape), manager.create(target, shape), b)
                        .getFloat(),
                1e-3f);
        float[] gradient = Gradients.autograd(
                manager.create(logits, shape), x -> MaskLoss.loss(x, manager.create(target, shape), b));
        assertEquals(0f, gradient[0]);
        assertNotEquals(0f, gradient[2 * 5 + 1]);
    }

    @Test
    void shouldNormaliseEachInstanceByItsBoxArea() {
        // All logits 0: every counted pixel costs ln 2, so each instance costs ln 2 whatever its box size.
        NDArray logits = manager.zeros(new Shape(2, 4, 4));
        NDArray target = manager.zeros(new Shape(2, 4, 4));
        NDArray boxes = manager.create(new float[] {0f, 0f, 4f, 4f, 1f, 1f, 3f, 3f}, new Shape(2, 4));

        assertEquals(2 * LN2, MaskLoss.loss(logits, target, boxes).getFloat(), 1e-5f);
    }

    @Test
    void shouldCountAtLeastOnePixelOfAreaForTinyAndEmptyBoxes() {
        NDArray logits = manager.zeros(new Shape(1, 3, 3));
        NDArray target = manager.zeros(new Shape(1, 3, 3));

        // Covers the centre (0.5, 0.5) of one pixel; area 0.36 is raised to 1: ln 2, not ln 2 / 0.36.
        assertEquals(
                LN2, MaskLoss.loss(logits, target, box(0.2f, 0.2f, 0.8f, 0.8f)).getFloat(), 1e-5f);
        // No pixel and zero area: 0, not 0/0.
        assertEquals(0f, MaskLoss.loss(logits, target, box(1f, 1f, 1f, 1f)).getFloat());
    }

    @Test
    void shouldHaveFiniteGradientsForSaturatedLogits() {
        NDArray logits = manager.create(new float[] {80f, -80f, 80f, -80f}, new Shape(1, 2, 2));
        NDArray target = manager.create(new float[] {0f, 1f, 1f, 0f}, new Shape(1, 2, 2));

        float loss = MaskLoss.loss(logits, target, box(0f, 0f, 2f, 2f)).getFloat();
        float[] gradient = Gradients.autograd(logits, x -> MaskLoss.loss(x, target, box(0f, 0f, 2f, 2f)));

        assertEquals(40f, loss, 1e-3f); // (80 + 80 + 0 + 0) / 4
        // d/dx = (sigmoid(x) - y) / area: (1 - 0) / 4, (0 - 1) / 4, 0, 0
        Gradients.assertClose(new float[] {0.25f, -0.25f, 0f, 0f}, gradient, 1e-6f);
    }
}
