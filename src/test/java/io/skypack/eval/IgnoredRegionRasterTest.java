package io.skypack.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import java.util.List;
import org.junit.jupiter.api.Test;

class IgnoredRegionRasterTest {
    private final IgnoredRegionRaster leftHalf = new IgnoredRegionRaster(100, 100, List.of(Box.ofXywh(0, 0, 50, 100)));

    @Test
    void shouldDropBoxExactlyHalfInside() {
        // Columns 40..59: 10 of 20 inside.
        assertEquals(0.5, leftHalf.coveredFraction(Box.ofXywh(40, 10, 20, 20)));
        assertTrue(leftHalf.isMostlyIgnored(Box.ofXywh(40, 10, 20, 20)));
    }

    @Test
    void shouldKeepBoxLessThanHalfInside() {
        // Columns 41..60: 9 of 20 inside.
        assertEquals(0.45, leftHalf.coveredFraction(Box.ofXywh(41, 10, 20, 20)), 1e-12);
        assertFalse(leftHalf.isMostlyIgnored(Box.ofXywh(41, 10, 20, 20)));
    }

    @Test
    void shouldCountOverlappingRegionsOnce() {
        // Two regions overlapping on columns 20..29; their union is columns 0..49.
        IgnoredRegionRaster union =
                new IgnoredRegionRaster(100, 100, List.of(Box.ofXywh(0, 0, 30, 100), Box.ofXywh(20, 0, 30, 100)));
        // Columns 30..69: 20 of 40 inside.
        assertEquals(0.5, union.coveredFraction(Box.ofXywh(30, 10, 40, 20)));
    }

    @Test
    void shouldMeasureAgainstTheBoxsOwnAreaWhenItLeavesTheImage() {
        // 20x20 box, half of it left of the image; the visible half is all ignored: 200 / 400.
        assertEquals(0.5, leftHalf.coveredFraction(Box.ofXywh(-10, 0, 20, 20)));
    }

    @Test
    void shouldRoundSubPixelBoxesToWholePixels() {
        // x 49.6 rounds to 50, outside the region; a width of 0.2 counts as one pixel.
        assertEquals(0.0, leftHalf.coveredFraction(Box.ofXywh(49.6, 0, 0.2, 0.2)));
        assertEquals(1.0, leftHalf.coveredFraction(Box.ofXywh(49.4, 0, 0.2, 0.2)));
    }
}
