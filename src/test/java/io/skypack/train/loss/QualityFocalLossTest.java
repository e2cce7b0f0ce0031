package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class QualityFocalLossTest extends NDManagerTest {

    @Test
    void shouldBeSmallestWhereSigmoidOfLogitEqualsTarget() {
        int steps = 801; // logits -4.00, -3.99, ..., 4.00
        float[] logits = new float[steps];
        float[] targets = new float[steps];
        for (int i = 0; i < steps; i++) {
            logits[i] = -4f + 0.01f * i;
            targets[i] = 0.3f;
        }
        float[] loss = QualityFocalLoss.elements(
                        manager.create(logits, new Shape(steps, 1)), manager.create(targets, new Shape(steps, 1)), 2f)
                .toFloatArray();
        int argmin = 0;
        for (int i = 1; i < steps; i++) {
            if (loss[i] < loss[argmin]) argmin = i;
        }
        // logit(0.3) = ln(0.3 / 0.7) = -0.8473
        assertEquals(-0.8473f, logits[argmin], 0.006f);
        assertEquals(0f, loss[argmin], 1e-4f);
    }

    @Test
    void shouldMatchHandValuesAndSumThem() {
        // x = 0, y = 1: p = 0.5, |1 - 0.5|^2 * -ln 0.5 = 0.25 * 0.693147 = 0.173287
        // x = ln 3, y = 0.25: p = 0.75, 0.5^2 * -(0.25 ln 0.75 + 0.75 ln 0.25) = 0.25 * 1.111641 = 0.277910
        NDArray logits = manager.create(new float[] {0f, (float) Math.log(3)}, new Shape(1, 2));
        NDArray target = manager.create(new float[] {1f, 0.25f}, new Shape(1, 2));

        Gradients.assertClose(
                new float[] {0.173287f, 0.277910f},
                QualityFocalLoss.elements(logits, target, 2f).toFloatArray(),
                1e-5f);
        assertEquals(0.451197f, QualityFocalLoss.loss(logits, target).getFloat(), 1e-5f);
    }

    @Test
    void shouldEqualPlainBceTimesSquaredGap() {
        Random random = new Random(7);
        int n = 6, c = 3;
        float[] x = new float[n * c];
        float[] y = new float[n * c];
        float[] expected = new float[n * c];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (random.nextGaussian() * 3);
            y[i] = i % 3 == 0 ? random.nextFloat() : 0f;
            double p = 1 / (1 + Math.exp(-x[i]));
            double bce = -(y[i] * Math.log(p) + (1 - y[i]) * Math.log(1 - p));
            expected[i] = (float) (bce * (y[i] - p) * (y[i] - p));
        }
        float[] actual = QualityFocalLoss.elements(
                        manager.create(x, new Shape(n, c)), manager.create(y, new Shape(n, c)), 2f)
                .toFloatArray();

        Gradients.assertClose(expected, actual, 1e-5f);
    }

    @Test
    void shouldStayFiniteForSaturatedLogits() {
        // The naive form takes log(1 - sigmoid(100)) = log 0; the BCE-with-logits form gives 100 * 1^2.
        NDArray logits = manager.create(new float[] {100f, -100f}, new Shape(1, 2));
        NDArray target = manager.create(new float[] {0f, 1f}, new Shape(1, 2));

        assertEquals(200f, QualityFocalLoss.loss(logits, target).getFloat(), 1e-3f);
        Gradients.assertFinite(Gradients.autograd(logits, x -> QualityFocalLoss.loss(x, target)));
    }

    @Test
    void shouldHaveTheFiniteDifferenceGradient() {
        float[] x = {-1.5f, 0.2f, 2.0f, 0.7f, -0.3f, 1.1f};
        Shape shape = new Shape(2, 3);
        NDArray target = manager.create(new float[] {0.8f, 0f, 0f, 0f, 0.4f, 0f}, shape);

        float[] auto = Gradients.autograd(manager.create(x, shape), l -> QualityFocalLoss.loss(l, target));
        float[] numeric = Gradients.finiteDifference(manager, x, shape, l -> QualityFocalLoss.loss(l, target), 1e-2f);

        Gradients.assertClose(numeric, auto, 2e-3f);
    }

    @Test
    void shouldRejectMismatchedShapes() {
        assertThrows(
                IllegalArgumentException.class,
                () -> QualityFocalLoss.loss(manager.zeros(new Shape(2, 3)), manager.zeros(new Shape(3, 2))));
    }
}
