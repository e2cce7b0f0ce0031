package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import java.util.function.Function;

/** Autograd and finite-difference gradients of a scalar loss, for the gradient checks of every loss. */
final class Gradients {
    private Gradients() {}

    /** d loss / d x by DJL's autograd; {@code loss} must return a scalar. */
    static float[] autograd(NDArray x, Function<NDArray, NDArray> loss) {
        x.setRequiresGradient(true);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            collector.backward(loss.apply(x));
        }
        return x.getGradient().toFloatArray();
    }

    /** Central differences, one coordinate at a time, on copies made from plain Java floats. */
    static float[] finiteDifference(
            NDManager manager, float[] values, Shape shape, Function<NDArray, NDArray> loss, float h) {
        float[] grad = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            float[] plus = values.clone();
            float[] minus = values.clone();
            plus[i] += h;
            minus[i] -= h;
            double up = loss.apply(manager.create(plus, shape)).getFloat();
            double down = loss.apply(manager.create(minus, shape)).getFloat();
            grad[i] = (float) ((up - down) / (2 * h));
        }
        return grad;
    }

    static void assertFinite(float[] values) {
        for (float v : values) {
            assertTrue(Float.isFinite(v), () -> "not finite: " + java.util.Arrays.toString(values));
        }
    }

    static void assertClose(float[] expected, float[] actual, float tolerance) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance, "component " + i);
        }
    }
}
