package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SinkhornTest extends NDManagerTest {

    private NDArray randomCost(Random random, int n, int m) {
        float[] c = new float[n * m];
        for (int i = 0; i < c.length; i++) c[i] = random.nextFloat();
        return manager.create(c, new Shape(n, m));
    }

    @Test
    void shouldMatchBothMarginalsForRandomCostsAndNonUniformMasses() {
        Random random = new Random(11);
        NDArray a = manager.create(new float[] {0.1f, 0.3f, 0.05f, 0.35f, 0.2f});
        NDArray b = manager.create(new float[] {0.5f, 0.2f, 0.3f});
        for (int trial = 0; trial < 5; trial++) {
            NDArray plan = Sinkhorn.plan(randomCost(random, 5, 3), a, b, 0.1f, 100, 1e-6f);

            Gradients.assertClose(a.toFloatArray(), plan.sum(new int[] {1}).toFloatArray(), 1e-4f);
            Gradients.assertClose(b.toFloatArray(), plan.sum(new int[] {0}).toFloatArray(), 1e-4f);
            assertTrue(plan.min().getFloat() >= 0f);
        }
    }

    @Test
    void shouldConcentrateOnTheCheapAssignmentForAPermutationCost() {
        int[] permutation = {2, 0, 3, 1};
        float[] c = new float[16];
        java.util.Arrays.fill(c, 1f);
        for (int i = 0; i < 4; i++) c[i * 4 + permutation[i]] = 0f;
        NDArray uniform = manager.full(new Shape(4), 0.25f);

        NDArray plan = Sinkhorn.plan(manager.create(c, new Shape(4, 4)), uniform, uniform, 0.1f, 100, 1e-6f);

        for (int i = 0; i < 4; i++) {
            // Off-assignment mass is e^(-1/0.1) = 4.5e-5 times the assigned mass.
            assertEquals(0.25f, plan.getFloat(i, permutation[i]), 1e-3f);
        }
    }

    @Test
    void shouldMatchTheClosedFormForTwoByTwo() {
        // Cost [[0, 1], [1, 0]], uniform marginals: by symmetry P = [[p, q], [q, p]] with p / q = e^(1/epsilon)
        // and p + q = 1/2, so with epsilon = 1: p = 0.5 e / (1 + e) = 0.365529.
        NDArray cost = manager.create(new float[] {0f, 1f, 1f, 0f}, new Shape(2, 2));
        NDArray half = manager.full(new Shape(2), 0.5f);

        NDArray plan = Sinkhorn.plan(cost, half, half, 1f, 100, 1e-6f);

        Gradients.assertClose(new float[] {0.365529f, 0.134471f, 0.134471f, 0.365529f}, plan.toFloatArray(), 1e-5f);
    }

    @Test
    void shouldStayFiniteForSmallEpsilonAndZeroMass() {
        // exp(-C / 0.001) underflows float32 outside the log domain; a zero prior entry must not give NaN.
        NDArray cost = randomCost(new Random(3), 3, 3);
        NDArray a = manager.full(new Shape(3), 1f / 3f);
        NDArray b = manager.create(new float[] {0.5f, 0.5f, 0f});

        NDArray plan = Sinkhorn.plan(cost, a, b, 0.001f, 100, 1e-6f);

        Gradients.assertFinite(plan.toFloatArray());
        Gradients.assertClose(b.toFloatArray(), plan.sum(new int[] {0}).toFloatArray(), 1e-4f);
    }

    @Test
    void shouldRejectMarginalsThatDoNotSumToOneAndTooManyIterations() {
        NDArray cost = manager.zeros(new Shape(2, 2));
        NDArray half = manager.full(new Shape(2), 0.5f);
        NDArray ones = manager.ones(new Shape(2));

        assertThrows(IllegalArgumentException.class, () -> Sinkhorn.plan(cost, ones, half, 0.1f, 100, 1e-4f));
        assertThrows(IllegalArgumentException.class, () -> Sinkhorn.plan(cost, half, half, 0.1f, 101, 1e-4f));
        assertThrows(IllegalArgumentException.class, () -> Sinkhorn.plan(cost, half, half, 0f, 100, 1e-4f));
    }
}
