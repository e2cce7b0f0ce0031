package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PriorsTest {

    private final Priors priors = Priors.of(64, 48, new int[] {8, 16, 32}, 8);

    @Test
    void shouldCountCeilOfSizeOverStridePerLevelFor64x48() {
        // stride 8: 6 rows x 8 cols; stride 16: 3 x 4; stride 32: ceil(1.5) = 2 x 2.
        assertArrayEquals(new int[] {48, 12, 4}, priors.countPerLevel());
        assertEquals(64, priors.count());
        assertEquals(128, priors.centers().length);
        assertEquals(256, priors.anchors().length);
        assertEquals(64, priors.strideOf().length);
    }

    @Test
    void shouldRoundPartialCellsUp() {
        assertArrayEquals(new int[] {9 * 7, 5 * 4, 3 * 2}, Priors.of(65, 50).countPerLevel());
    }

    @Test
    void shouldPlaceCentresAtCellCentresLevelMajorThenRowMajor() {
        float[] c = priors.centers();
        assertCentre(c, 0, 4, 4);
        assertCentre(c, 1, 12, 4); // x varies fastest
        assertCentre(c, 8, 4, 12); // next row of level 0
        assertCentre(c, 47, 60, 44); // last of level 0
        assertCentre(c, 48, 8, 8); // first of level 1
        assertCentre(c, 59, 56, 40); // last of level 1: x = 3, y = 2
        assertCentre(c, 60, 16, 16); // first of level 2
        assertCentre(c, 63, 48, 48); // last of level 2, beyond the 48 px height: cells are not clipped
    }

    @Test
    void shouldGiveEachPriorASquareAnchorOfEightStridesAroundItsCentre() {
        float[] a = priors.anchors();
        assertArrayEquals(new float[] {-28, -28, 36, 36}, slice(a, 0), 0f);
        assertArrayEquals(new float[] {-56, -56, 72, 72}, slice(a, 48), 0f);
        assertArrayEquals(new float[] {-112, -112, 144, 144}, slice(a, 60), 0f);
        float[] c = priors.centers();
        int[] s = priors.strideOf();
        for (int i = 0; i < priors.count(); i++) {
            assertEquals(8f * s[i], a[4 * i + 2] - a[4 * i], 1e-4f);
            assertEquals(8f * s[i], a[4 * i + 3] - a[4 * i + 1], 1e-4f);
            assertEquals(c[2 * i], (a[4 * i] + a[4 * i + 2]) / 2, 1e-4f);
            assertEquals(c[2 * i + 1], (a[4 * i + 1] + a[4 * i + 3]) / 2, 1e-4f);
        }
    }

    @Test
    void shouldTagEachPriorWithItsLevelStride() {
        int[] s = priors.strideOf();
        assertEquals(8, s[0]);
        assertEquals(8, s[47]);
        assertEquals(16, s[48]);
        assertEquals(16, s[59]);
        assertEquals(32, s[60]);
        assertEquals(32, s[63]);
    }

    @Test
    void shouldUseTheConfiguredStridesAndScale() {
        Priors p = Priors.of(64, 64, new int[] {16}, 4);
        assertArrayEquals(new int[] {16}, p.countPerLevel());
        assertArrayEquals(new float[] {-24, -24, 40, 40}, slice(p.anchors(), 0), 0f);
    }

    @Test
    void shouldNotLetCallersMutateThePriors() {
        priors.centers()[0] = 99;
        priors.anchors()[0] = 99;
        assertEquals(4f, priors.centers()[0]);
        assertEquals(-28f, priors.anchors()[0]);
    }

    @Test
    void shouldRejectBadArguments() {
        assertThrows(IllegalArgumentException.class, () -> Priors.of(0, 48));
        assertThrows(IllegalArgumentException.class, () -> Priors.of(64, 48, new int[] {}, 8));
        assertThrows(IllegalArgumentException.class, () -> Priors.of(64, 48, new int[] {16, 8}, 8));
        assertThrows(IllegalArgumentException.class, () -> Priors.of(64, 48, new int[] {8}, 0));
    }

    private static void assertCentre(float[] centres, int i, float x, float y) {
        assertEquals(x, centres[2 * i], "cx of prior " + i);
        assertEquals(y, centres[2 * i + 1], "cy of prior " + i);
    }

    private static float[] slice(float[] anchors, int i) {
        return new float[] {anchors[4 * i], anchors[4 * i + 1], anchors[4 * i + 2], anchors[4 * i + 3]};
    }
}
