package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LossWeightsTest {
    @Test
    void defaultsShouldBeThoseOfTheDesign() {
        assertEquals(new LossWeights(1f, 0.25f, 2f, 1f, 6.125f), LossWeights.DEFAULTS);
    }

    @Test
    void shouldRejectNegativeOrNonFiniteWeights() {
        assertThrows(IllegalArgumentException.class, () -> new LossWeights(1f, -0.25f, 2f, 1f, 6.125f));
        assertThrows(IllegalArgumentException.class, () -> new LossWeights(1f, 0.25f, Float.NaN, 1f, 6.125f));
        assertThrows(IllegalArgumentException.class, () -> new LossWeights(1f, 0.25f, 2f, 1f, Float.POSITIVE_INFINITY));
    }
}
