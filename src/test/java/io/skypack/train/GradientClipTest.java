package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class GradientClipTest {
    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Two parameters whose gradients are exactly {@code ga} and {@code gb} (loss = ga.a + gb.b). */
    private List<Parameter> withGradients(float[] ga, float[] gb) {
        Parameter a =
                Parameter.builder().setName("a").setType(Parameter.Type.WEIGHT).build();
        Parameter b =
                Parameter.builder().setName("b").setType(Parameter.Type.WEIGHT).build();
        a.setArray(manager.zeros(new Shape(ga.length)));
        b.setArray(manager.zeros(new Shape(gb.length)));
        a.getArray().setRequiresGradient(true);
        b.getArray().setRequiresGradient(true);
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray loss = a.getArray()
                    .mul(manager.create(ga))
                    .sum()
                    .add(b.getArray().mul(manager.create(gb)).sum());
            gc.backward(loss);
        }
        return List.of(a, b);
    }

    private static float[] grad(Parameter p) {
        return p.getArray().getGradient().toFloatArray();
    }

    @Test
    void aLargeGradientIsScaledToTheMaximumNormKeepingItsDirection() {
        // Global norm sqrt(3^2 + 4^2 + 12^2) = 13; clipped to 6.5 every entry halves.
        List<Parameter> ps = withGradients(new float[] {3, 4}, new float[] {12});
        assertEquals(13.0, GradientClip.clipGlobalNorm(ps, 6.5), 1e-5);
        assertArrayEquals(new float[] {1.5f, 2f}, grad(ps.get(0)), 1e-6f);
        assertArrayEquals(new float[] {6f}, grad(ps.get(1)), 1e-6f);
    }

    @Test
    void aSmallGradientIsLeftAlone() {
        List<Parameter> ps = withGradients(new float[] {3, 4}, new float[] {12});
        assertEquals(13.0, GradientClip.clipGlobalNorm(ps, 35), 1e-5);
        assertArrayEquals(new float[] {3f, 4f}, grad(ps.get(0)), 0f);
    }

    @Test
    void aNonFiniteGradientIsReportedAndNotScaled() {
        List<Parameter> ps = withGradients(new float[] {Float.NaN, 1}, new float[] {1e30f});
        assertTrue(Double.isNaN(GradientClip.clipGlobalNorm(ps, 1)));
        assertEquals(1e30f, grad(ps.get(1))[0], 0f);
    }

    @Test
    void aHugeButFiniteGradientIsClippedNotSkipped() {
        // 3e20 and 4e20 square to more than Float.MAX_VALUE; the norm is still 5e20 and clipping to
        // 5 gives 3 and 4.
        List<Parameter> ps = withGradients(new float[] {3e20f}, new float[] {4e20f});
        assertEquals(5e20, GradientClip.clipGlobalNorm(ps, 5), 5e20 * 1e-6);
        assertEquals(3f, grad(ps.get(0))[0], 1e-5f);
        assertEquals(4f, grad(ps.get(1))[0], 1e-5f);
    }

    @Test
    void theNonFiniteParametersAreNamed() {
        List<Parameter> ps = withGradients(new float[] {1, Float.POSITIVE_INFINITY}, new float[] {2});
        ai.djl.util.PairList<String, Parameter> named = new ai.djl.util.PairList<>();
        named.add("head.a", ps.get(0));
        named.add("head.b", ps.get(1));
        assertEquals(List.of("head.a"), GradientClip.nonFinite(named));
    }

    @Test
    void theLargestGradientIsNamedWithItsNorm() {
        List<Parameter> ps = withGradients(new float[] {3, 4}, new float[] {12});
        ai.djl.util.PairList<String, Parameter> named = new ai.djl.util.PairList<>();
        named.add("backbone.a", ps.get(0));
        named.add("head.b", ps.get(1));
        assertEquals("head.b (12.0 after clipping)", GradientClip.largest(named));
    }
}
