package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ScalarsTest {
    private static final float[] X = {0.5f, 2f, -1f};

    /**
     * d sum(f(x)) / dx, with a garbage collection (and the freed small blocks overwritten) between the
     * forward and the backward pass, as can happen in any training step.
     */
    private static float[] gradientAfterCollection(Function<NDArray, NDArray> f) {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray x = m.create(X);
            x.setRequiresGradient(true);
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray y = f.apply(x).sum();
                List<ByteBuffer> filler = FreedScalars.collectAndOverwrite();
                gc.backward(y);
                assertFalse(filler.isEmpty());
            }
            return x.getGradient().toFloatArray();
        }
    }

    @Test
    void mulShouldKeepItsConstantForTheBackwardPass() {
        assertArrayEquals(new float[] {3f, 3f, 3f}, gradientAfterCollection(x -> Scalars.mul(x, 3f)), 0f);
    }

    @Test
    void divShouldKeepItsConstantForTheBackwardPass() {
        assertArrayEquals(new float[] {0.25f, 0.25f, 0.25f}, gradientAfterCollection(x -> Scalars.div(x, 4f)), 0f);
    }

    @Test
    void maximumShouldKeepItsConstantForTheBackwardPass() {
        // Gradient 1 where x > 1, 0 where x < 1.
        assertArrayEquals(new float[] {0f, 1f, 0f}, gradientAfterCollection(x -> Scalars.maximum(x, 1f)), 0f);
    }

    @Test
    void powShouldKeepItsExponentForTheBackwardPass() {
        // d x^2 / dx = 2x.
        assertArrayEquals(new float[] {1f, 4f, -2f}, gradientAfterCollection(x -> Scalars.pow(x, 2f)), 1e-6f);
    }
}
