package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import io.skypack.model.Distributions;
import org.junit.jupiter.api.Test;

class DistributionFocalLossTest extends NDManagerTest {

    /** Logits whose softmax is exactly {@code probabilities} (which sum to 1). */
    private NDArray logitsOf(float... probabilities) {
        return manager.create(probabilities, new Shape(1, probabilities.length)).log();
    }

    @Test
    void shouldMatchHandValueForTargetBetweenTwoBins() {
        // R = 4, S = (0.1, 0.1, 0.4, 0.2, 0.2), y = 2.3: i = 2,
        // DFL = -(0.7 ln 0.4 + 0.3 ln 0.2) = 0.641404 + 0.482831 = 1.124235
        NDArray loss =
                DistributionFocalLoss.loss(logitsOf(0.1f, 0.1f, 0.4f, 0.2f, 0.2f), manager.create(new float[] {2.3f}));

        assertEquals(new Shape(1), loss.getShape());
        assertEquals(1.124235f, loss.getFloat(0), 1e-5f);
    }

    @Test
    void shouldBeMinimalWhenSeventyThirtyOnBinsTwoAndThree() {
        int rows = 99; // S_2 = p, S_3 = 1 - p for p = 0.01 .. 0.99, other bins ~0
        float[] logits = new float[rows * 5];
        float[] targets = new float[rows];
        for (int r = 0; r < rows; r++) {
            float p = 0.01f * (r + 1);
            float[] row = {-30f, -30f, (float) Math.log(p), (float) Math.log(1 - p), -30f};
            System.arraycopy(row, 0, logits, r * 5, 5);
            targets[r] = 2.3f;
        }
        float[] loss = DistributionFocalLoss.loss(manager.create(logits, new Shape(rows, 5)), manager.create(targets))
                .toFloatArray();
        int argmin = 0;
        for (int r = 1; r < rows; r++) {
            if (loss[r] < loss[argmin]) argmin = r;
        }

        assertEquals(0.70f, 0.01f * (argmin + 1), 1e-4f);
        // The minimum is the entropy of (0.7, 0.3): -(0.7 ln 0.7 + 0.3 ln 0.3) = 0.610864
        assertEquals(0.610864f, loss[argmin], 1e-4f);
    }

    @Test
    void shouldBeMinusLogProbabilityAtAnIntegerTarget() {
        // y = 2 puts all weight on bin 2: -ln 0.4 = 0.916291
        NDArray loss =
                DistributionFocalLoss.loss(logitsOf(0.1f, 0.1f, 0.4f, 0.2f, 0.2f), manager.create(new float[] {2f}));

        assertEquals(0.916291f, loss.getFloat(0), 1e-5f);
    }

    @Test
    void shouldClampTargetsIntoTheBinRange() {
        NDArray logits = logitsOf(0.1f, 0.1f, 0.4f, 0.2f, 0.2f).repeat(0, 3);
        // y = 7 and y = 4 clamp to 3.99 (-(0.01 ln 0.2 + 0.99 ln 0.2) = ln 5); y = -1 clamps to 0 (-ln 0.1)
        float[] loss = DistributionFocalLoss.loss(logits, manager.create(new float[] {7f, 4f, -1f}))
                .toFloatArray();

        Gradients.assertClose(new float[] {1.609438f, 1.609438f, 2.302585f}, loss, 1e-5f);
    }

    @Test
    void integralOfOneHotAtBinThreeShouldBeThree() {
        NDArray oneHot = manager.create(new float[] {0f, 0f, 0f, 60f, 0f}, new Shape(1, 5));
        NDArray uniform = manager.zeros(new Shape(1, 5));
        NDArray skewed = logitsOf(0.1f, 0.1f, 0.4f, 0.2f, 0.2f);

        assertEquals(3f, Distributions.integral(oneHot).getFloat(0), 1e-5f);
        assertEquals(2f, Distributions.integral(uniform).getFloat(0), 1e-5f);
        // 0.1 * 1 + 0.4 * 2 + 0.2 * 3 + 0.2 * 4 = 2.3
        assertEquals(2.3f, Distributions.integral(skewed).getFloat(0), 1e-5f);
    }

    @Test
    void shouldHaveTheFiniteDifferenceGradient() {
        float[] x = {0.3f, -0.2f, 1.0f, 0.5f, -1.0f, 0.0f, 0.4f, 0.1f};
        Shape shape = new Shape(2, 4);
        NDArray target = manager.create(new float[] {1.6f, 0.4f});

        float[] auto = Gradients.autograd(manager.create(x, shape), l -> DistributionFocalLoss.loss(l, target)
                .sum());
        float[] numeric = Gradients.finiteDifference(
                manager, x, shape, l -> DistributionFocalLoss.loss(l, target).sum(), 1e-2f);

        Gradients.assertClose(numeric, auto, 2e-3f);
    }
}
