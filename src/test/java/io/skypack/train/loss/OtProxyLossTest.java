package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

class OtProxyLossTest extends NDManagerTest {
    private static final float EPS = OtProxyLoss.DEFAULT_EPSILON;

    private NDArray rows(int d, float... values) {
        return manager.create(values, new Shape(values.length / d, d));
    }

    @Test
    void shouldGiveAFiniteZeroAndNoNaNGradientWithoutPositives() {
        NDArray embeddings = manager.zeros(new Shape(0, 3));
        NDArray proxies = rows(3, 1f, 0f, 0f, 0f, 1f, 0f);
        NDArray prior = manager.full(new Shape(2), 0.5f);
        embeddings.setRequiresGradient(true);

        float[] proxyGradient = Gradients.autograd(proxies, p -> {
            NDArray loss = OtProxyLoss.loss(embeddings, p, prior, EPS);
            assertEquals(0f, loss.getFloat());
            return loss;
        });

        Gradients.assertClose(new float[6], proxyGradient, 0f);
        assertEquals(new Shape(0, 3), embeddings.getGradient().getShape());
    }

    @Test
    void shouldBeSmallerWhenEmbeddingsSitOnTheirProxies() {
        NDArray proxies = rows(3, 1f, 0f, 0f, 0f, 1f, 0f);
        NDArray prior = manager.full(new Shape(2), 0.5f);

        float near = OtProxyLoss.loss(rows(3, 2f, 0f, 0f, 0f, 3f, 0f), proxies, prior, EPS)
                .getFloat();
        float far = OtProxyLoss.loss(rows(3, -1f, 0f, 0f, 0f, -1f, 0f), proxies, prior, EPS)
                .getFloat();

        // Near: cost [[0, 0.5], [0.5, 0]], off-diagonal plan mass 0.5 / (1 + e^5) = 0.0033464 each,
        // loss = 2 * 0.0033464 * 0.5 = 0.0033464 (scale of the embeddings does not matter).
        assertEquals(0.0033464f, near, 1e-5f);
        // Far: cost [[1, 0.5], [0.5, 1]], the plan goes off-diagonal with the same two masses swapped:
        // loss = 2 * (0.0033464 * 1 + 0.4966536 * 0.5) = 0.5033464.
        assertEquals(0.5033464f, far, 1e-5f);
    }

    @Test
    void shouldSendThePriorMassToEveryProxy() {
        // Four embeddings all on proxy 0; prior (0.75, 0.25) forces a quarter of the mass onto proxy 1 at
        // cost (1 - 0) / 2 = 0.5, whatever the plan: loss = 0.25 * 0.5 = 0.125.
        NDArray embeddings = rows(2, 1f, 0f, 1f, 0f, 1f, 0f, 1f, 0f);
        NDArray proxies = rows(2, 1f, 0f, 0f, 1f);
        NDArray prior = manager.create(new float[] {0.75f, 0.25f});

        assertEquals(0.125f, OtProxyLoss.loss(embeddings, proxies, prior, EPS).getFloat(), 1e-4f);
    }

    @Test
    void shouldPullEmbeddingsTowardsTheirProxiesAlongTheGradient() {
        float[] start = {0.6f, 0.8f, 0.1f, -0.3f, 0.9f, 0.2f, 0.7f, 0.1f, -0.5f};
        Shape shape = new Shape(3, 3);
        NDArray proxies = rows(3, 1f, 0f, 0f, 0f, 1f, 0f, 0f, 0f, 1f);
        NDArray prior = manager.create(new float[] {0.5f, 0.3f, 0.2f});

        float[] gradient =
                Gradients.autograd(manager.create(start, shape), e -> OtProxyLoss.loss(e, proxies, prior, EPS));
        Gradients.assertFinite(gradient);
        float[] stepped = start.clone();
        for (int i = 0; i < stepped.length; i++) stepped[i] -= 0.1f * gradient[i];

        float before = OtProxyLoss.loss(manager.create(start, shape), proxies, prior, EPS)
                .getFloat();
        float after = OtProxyLoss.loss(manager.create(stepped, shape), proxies, prior, EPS)
                .getFloat();
        assertTrue(after < before, () -> "loss went from " + before + " to " + after);
    }

    @Test
    void shouldAverageOverClassesThatHavePositives() {
        NDArray embeddings = rows(2, 1f, 0f, 0f, 1f, 1f, 1f);
        NDArray labels = manager.create(new int[] {0, 2, 0});
        List<NDArray> proxies = List.of(rows(2, 1f, 0f, 0f, 1f), rows(2, -1f, 0f), rows(2, 0f, 1f));
        List<NDArray> priors =
                List.of(manager.full(new Shape(2), 0.5f), manager.ones(new Shape(1)), manager.ones(new Shape(1)));

        float class0 = OtProxyLoss.loss(rows(2, 1f, 0f, 1f, 1f), proxies.get(0), priors.get(0), EPS)
                .getFloat();
        float class2 = OtProxyLoss.loss(rows(2, 0f, 1f), proxies.get(2), priors.get(2), EPS)
                .getFloat();
        float mean = OtProxyLoss.meanOverClasses(embeddings, labels, proxies, priors, EPS)
                .getFloat();

        assertTrue(class0 > 0.01f);
        // Class 1 has no positives and is left out: (class0 + class2) / 2, not / 3.
        assertEquals((class0 + class2) / 2f, mean, 1e-6f);
        float[] gradient =
                Gradients.autograd(embeddings, e -> OtProxyLoss.meanOverClasses(e, labels, proxies, priors, EPS));
        Gradients.assertFinite(gradient);
        assertTrue(Math.abs(gradient[0]) + Math.abs(gradient[1]) > 1e-4f, "gathered rows get a gradient");
    }

    @Test
    void shouldGiveAGraphAttachedZeroWhenNoClassHasPositives() {
        NDArray labels = manager.zeros(new Shape(0), ai.djl.ndarray.types.DataType.INT32);
        List<NDArray> proxies = List.of(rows(2, 1f, 0f));
        List<NDArray> priors = List.of(manager.ones(new Shape(1)));

        float[] gradient = Gradients.autograd(
                manager.zeros(new Shape(0, 2)), e -> OtProxyLoss.meanOverClasses(e, labels, proxies, priors, EPS));

        assertEquals(0, gradient.length);
        assertEquals(
                0f,
                OtProxyLoss.meanOverClasses(manager.zeros(new Shape(0, 2)), labels, proxies, priors, EPS)
                        .getFloat());
    }
}
