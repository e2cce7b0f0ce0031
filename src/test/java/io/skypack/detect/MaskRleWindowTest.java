package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class MaskRleWindowTest {

    @Test
    void shouldEncodeWindowExactlyAsFullEncodeOnRandomMasks() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int trial = 0; trial < 2000; trial++) {
            int h = 1 + rng.nextInt(9), w = 1 + rng.nextInt(9);
            // Windows that touch the top, the bottom, both or neither, including full columns.
            int x0 = rng.nextInt(w), x1 = x0 + 1 + rng.nextInt(w - x0);
            int y0 = rng.nextInt(2) == 0 ? 0 : rng.nextInt(h);
            int y1 = rng.nextInt(2) == 0 ? h : y0 + 1 + rng.nextInt(h - y0);
            boolean[] m = new boolean[h * w];
            double fill = rng.nextDouble();
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    m[y * w + x] = rng.nextDouble() < fill;
                }
            }
            MaskRle expected = MaskRle.encode(m, h, w);
            final int ww = w;
            MaskRle got = MaskRle.encodeWindow(h, w, x0, y0, x1, y1, (x, y) -> m[y * ww + x]);
            assertEquals(
                    expected,
                    got,
                    "trial " + trial + " " + h + "x" + w + " window " + x0 + "," + y0 + "-" + x1 + "," + y1);
        }
    }

    @Test
    void shouldVisitExactlyTheForegroundPixelsAsColumnSegments() {
        SplittableRandom rng = new SplittableRandom(4);
        for (int trial = 0; trial < 500; trial++) {
            int h = 1 + rng.nextInt(7), w = 1 + rng.nextInt(7);
            boolean[] m = new boolean[h * w];
            for (int i = 0; i < m.length; i++) m[i] = rng.nextBoolean();
            boolean[] seen = new boolean[h * w];
            final int ww = w;
            MaskRle.encode(m, h, w).forEachSegment((x, y0, y1) -> {
                for (int y = y0; y < y1; y++) {
                    if (seen[y * ww + x]) throw new AssertionError("pixel visited twice");
                    seen[y * ww + x] = true;
                }
            });
            assertEquals(java.util.Arrays.toString(m), java.util.Arrays.toString(seen), "trial " + trial);
        }
    }
}
