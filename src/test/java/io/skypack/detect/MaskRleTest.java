package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MaskRleTest {

    private static final long SEED = 20240611L;

    /** Random masks of varied size and density, some with long runs (blobs) and some speckled. */
    private static boolean[] randomMask(Random rnd, int height, int width) {
        boolean[] m = new boolean[height * width];
        double density = rnd.nextDouble();
        if (rnd.nextBoolean()) {
            for (int i = 0; i < m.length; i++) {
                m[i] = rnd.nextDouble() < density;
            }
        } else {
            int blobs = rnd.nextInt(4);
            for (int b = 0; b < blobs; b++) {
                int x1 = rnd.nextInt(width + 1), y1 = rnd.nextInt(height + 1);
                int x2 = x1 + rnd.nextInt(width - x1 + 1), y2 = y1 + rnd.nextInt(height - y1 + 1);
                for (int y = y1; y < y2; y++) {
                    for (int x = x1; x < x2; x++) {
                        m[y * width + x] = true;
                    }
                }
            }
        }
        return m;
    }

    private static long count(boolean[] m) {
        long n = 0;
        for (boolean b : m) {
            if (b) n++;
        }
        return n;
    }

    /** Brute-force tight box of a row-major mask, or null when empty. */
    private static Box bruteBox(boolean[] m, int height, int width) {
        int minX = Integer.MAX_VALUE, minY = Integer.MAX_VALUE, maxX = -1, maxY = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (m[y * width + x]) {
                    minX = Math.min(minX, x);
                    minY = Math.min(minY, y);
                    maxX = Math.max(maxX, x);
                    maxY = Math.max(maxY, y);
                }
            }
        }
        return maxX < 0 ? null : new Box(minX, minY, maxX + 1, maxY + 1);
    }

    @Test
    void shouldRoundTripRandomMasksThroughEncodeAndDecode() {
        Random rnd = new Random(SEED);
        for (int t = 0; t < 300; t++) {
            int h = 1 + rnd.nextInt(17), w = 1 + rnd.nextInt(17);
            boolean[] m = randomMask(rnd, h, w);
            MaskRle rle = MaskRle.encode(m, h, w);
            assertArrayEquals(m, rle.decode(), "mask " + t + " (" + h + "x" + w + ")");
            assertEquals(h, rle.height());
            assertEquals(w, rle.width());
        }
    }

    @Test
    void shouldWalkPixelsInColumnMajorOrder() {
        // height 3, width 2, row-major:
        //   1 0
        //   1 1
        //   0 1
        // column-major walk: 1 1 0 | 0 1 1 -> runs 0 zeros, 2 ones, 2 zeros, 2 ones.
        // (Row-major would give 1 0 1 1 0 1 -> 0,1,1,2,1,1.)
        boolean[] m = {true, false, true, true, false, true};
        MaskRle rle = MaskRle.encode(m, 3, 2);
        assertArrayEquals(new int[] {0, 2, 2, 2}, rle.counts());
        assertArrayEquals(m, MaskRle.ofCounts(3, 2, new int[] {0, 2, 2, 2}).decode());
    }

    @Test
    void shouldStartWithAZeroRunWhenFirstPixelIsSet() {
        MaskRle rle = MaskRle.encode(new boolean[] {true, true, false, false}, 2, 2);
        // column-major: (0,0)=1, (1,0)=0, (0,1)=1, (1,1)=0
        assertArrayEquals(new int[] {0, 1, 1, 1, 1}, rle.counts());
    }

    @Test
    void shouldEncodeAllZeroMaskAsSingleRun() {
        assertArrayEquals(new int[] {6}, MaskRle.encode(new boolean[6], 2, 3).counts());
        assertEquals(MaskRle.empty(2, 3), MaskRle.encode(new boolean[6], 2, 3));
    }

    // Strings below are worked out by hand from pycocotools maskApi.c rleToString: each count (from
    // the fourth on, minus the count two before it) is cut into 5-bit groups, low first; a group
    // gets 0x20 when more follow, and the last group's 0x10 bit is the sign; char = group + 48.

    @Test
    void shouldWriteSmallCountsAsOneCharacterEach() {
        // 0 -> '0', 2 -> '2', 2 -> '2', then 2 - 2 = 0 -> '0'
        assertEquals("0220", MaskRle.ofCounts(3, 2, new int[] {0, 2, 2, 2}).toCocoString());
    }

    @Test
    void shouldMatchPycocotoolsStringWithLargeAndNegativeDeltas() {
        // counts 0, 5, 40, 33, 2 (8 x 10 = 80 pixels)
        //   0 -> '0'; 5 -> '5'
        //   40 = 8 + 1*32 -> groups 8|0x20 = 40 ('X'), 1 ('1')
        //   33 - 5 = 28: group 28 has bit 0x10 but the rest is 0, not -1, so a 0 group follows:
        //        28|0x20 = 60 ('l'), 0 ('0')
        //   2 - 40 = -38: -38 & 31 = 26, -38 >> 5 = -2 -> 26|0x20 = 58 ('j');
        //        -2 & 31 = 30, -2 >> 5 = -1 and 30 has 0x10 -> stop: 30 ('N')
        MaskRle rle = MaskRle.ofCounts(8, 10, new int[] {0, 5, 40, 33, 2});
        assertEquals("05X1l0jN", rle.toCocoString());
        assertEquals(rle, MaskRle.fromCocoString("05X1l0jN", 8, 10));
    }

    @Test
    void shouldMatchPycocotoolsStringWithThreeGroupCount() {
        // counts 100, 7, 2000 (7 x 301 = 2107 pixels)
        //   100 = 4 + 3*32 -> 4|0x20 = 36 ('T'), 3 ('3'); 7 -> '7'
        //   2000 = 16 + 30*32 + 1*1024 -> 16|0x20 = 48 ('`'), 30|0x20 = 62 ('n'), 1 ('1')
        MaskRle rle = MaskRle.ofCounts(7, 301, new int[] {100, 7, 2000});
        assertEquals("T37`n1", rle.toCocoString());
        assertEquals(rle, MaskRle.fromCocoString("T37`n1", 7, 301));
    }

    @Test
    void shouldNeedTwoCharactersForSixteenBecauseOfSignBit() {
        // 16 has bit 0x10 set, which would read back as negative: a 0 group follows.
        assertEquals("0`0", MaskRle.ofCounts(4, 4, new int[] {0, 16}).toCocoString());
        assertArrayEquals(new int[] {0, 16}, MaskRle.fromCocoString("0`0", 4, 4).counts());
    }

    @Test
    void shouldRoundTripRandomMasksThroughCocoString() {
        Random rnd = new Random(SEED + 1);
        for (int t = 0; t < 300; t++) {
            int h = 1 + rnd.nextInt(60), w = 1 + rnd.nextInt(60);
            MaskRle rle = MaskRle.encode(randomMask(rnd, h, w), h, w);
            String s = rle.toCocoString();
            for (char c : s.toCharArray()) {
                assertTrue(c >= 48 && c <= 111, "character outside 48..111 in " + s);
            }
            assertEquals(rle, MaskRle.fromCocoString(s, h, w), s);
        }
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                " 2", // below '0'
                "0/2", // '/' = 47
                "0p", // 'p' = 112, above 'o'
                "0X", // 'X' says more groups follow but the string ends
                "0220extra",
            })
    void shouldRejectMalformedCocoStrings(String s) {
        assertThrows(IllegalArgumentException.class, () -> MaskRle.fromCocoString(s, 3, 2));
    }

    @Test
    void shouldRejectCocoStringWhoseRunsDoNotCoverTheMask() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> MaskRle.fromCocoString("0220", 4, 2));
        assertTrue(e.getMessage().contains("6"), e.getMessage());
    }

    @Test
    void shouldRejectCocoStringDecodingToNegativeRun() {
        // 0, 1, 1, then delta -2 -> 1 - 2 = -1
        assertThrows(IllegalArgumentException.class, () -> MaskRle.fromCocoString("011N", 1, 1));
    }

    @Test
    void shouldRejectCocoStringWithCountBeyondIntRange() {
        // Fourth count 2^32 + 1: groups 1|0x20 ('Q'), five 0|0x20 ('P'), 4 ('4'). Cast to int it
        // would wrap to 1 and make a valid-looking 1x1 mask {0, 0, 0, 1}; it must be refused.
        assertThrows(IllegalArgumentException.class, () -> MaskRle.fromCocoString("000QPPPPP4", 1, 1));
        // Twenty continuation groups would shift past 64 bits.
        String endless = "0" + "o".repeat(20) + "0";
        assertThrows(IllegalArgumentException.class, () -> MaskRle.fromCocoString(endless, 1, 1));
    }

    @Test
    void shouldCountAreaAndIntersectionLikeBruteForce() {
        Random rnd = new Random(SEED + 2);
        for (int t = 0; t < 300; t++) {
            int h = 1 + rnd.nextInt(20), w = 1 + rnd.nextInt(20);
            boolean[] a = randomMask(rnd, h, w);
            boolean[] b = randomMask(rnd, h, w);
            long inter = 0, union = 0;
            for (int i = 0; i < a.length; i++) {
                if (a[i] && b[i]) inter++;
                if (a[i] || b[i]) union++;
            }
            MaskRle ra = MaskRle.encode(a, h, w);
            MaskRle rb = MaskRle.encode(b, h, w);
            assertEquals(count(a), ra.area());
            assertEquals(inter, ra.intersectionArea(rb), "intersection " + t);
            assertEquals(inter, rb.intersectionArea(ra), "intersection is symmetric " + t);
            double expectedIou = union == 0 ? 0 : (double) inter / union;
            assertEquals(expectedIou, ra.iou(rb), 1e-12, "iou " + t);
        }
    }

    @Test
    void shouldIntersectMasksWithZeroLengthRunsFromForeignEncoders() {
        // Same pixels as {0, 2, 2, 2} but with empty runs inserted, as a hand-made string may give.
        MaskRle padded = MaskRle.ofCounts(3, 2, new int[] {0, 2, 0, 0, 2, 2});
        MaskRle plain = MaskRle.ofCounts(3, 2, new int[] {0, 2, 2, 2});
        assertEquals(4, padded.intersectionArea(plain));
        assertEquals(4, plain.intersectionArea(padded));
        assertEquals(1.0, padded.iou(plain));
    }

    @Test
    void shouldUniteMasksLikeBruteForceInCanonicalRuns() {
        Random rnd = new Random(SEED + 5);
        for (int t = 0; t < 300; t++) {
            int h = 1 + rnd.nextInt(20), w = 1 + rnd.nextInt(20);
            boolean[] a = randomMask(rnd, h, w);
            boolean[] b = randomMask(rnd, h, w);
            boolean[] or = new boolean[a.length];
            for (int i = 0; i < a.length; i++) or[i] = a[i] || b[i];
            MaskRle u = MaskRle.encode(a, h, w).union(MaskRle.encode(b, h, w));
            // equals compares runs, so this also says the union is in encode's canonical form.
            assertEquals(MaskRle.encode(or, h, w), u, "union " + t);
        }
        // Touching runs join and foreign zero-length runs vanish: {0,2,0,0,2,2} u {2,2,2} is all set.
        assertEquals(
                MaskRle.ofCounts(3, 2, new int[] {0, 6}),
                MaskRle.ofCounts(3, 2, new int[] {0, 2, 0, 0, 2, 2})
                        .union(MaskRle.ofCounts(3, 2, new int[] {2, 2, 2})));
        assertThrows(IllegalArgumentException.class, () -> MaskRle.empty(4, 5).union(MaskRle.empty(5, 4)));
    }

    @Test
    void shouldGiveZeroIouForTwoEmptyMasks() {
        assertEquals(0.0, MaskRle.empty(4, 5).iou(MaskRle.empty(4, 5)));
    }

    @Test
    void shouldRejectIntersectionOfDifferentSizes() {
        assertThrows(IllegalArgumentException.class, () -> MaskRle.empty(4, 5).intersectionArea(MaskRle.empty(5, 4)));
    }

    @Test
    void shouldComputeBoundingBoxLikeBruteForce() {
        Random rnd = new Random(SEED + 3);
        for (int t = 0; t < 500; t++) {
            int h = 1 + rnd.nextInt(12), w = 1 + rnd.nextInt(12);
            boolean[] m = randomMask(rnd, h, w);
            assertEquals(bruteBox(m, h, w), MaskRle.encode(m, h, w).boundingBox(), "mask " + t);
        }
    }

    @Test
    void shouldSpanFullHeightForRunWrappingIntoNextColumn() {
        // height 4, width 3: one run from (x=0, y=3) to (x=1, y=0), i.e. pixels 3 and 4.
        MaskRle rle = MaskRle.ofCounts(4, 3, new int[] {3, 2, 7});
        assertEquals(new Box(0, 0, 2, 4), rle.boundingBox());
        assertEquals(bruteBox(rle.decode(), 4, 3), rle.boundingBox());
    }

    @Test
    void shouldKeepRowsOfRunWithinOneColumn() {
        // height 5, width 3: rows 1..2 of column 2 (pixels 11, 12).
        MaskRle rle = MaskRle.ofCounts(5, 3, new int[] {11, 2, 2});
        assertEquals(new Box(2, 1, 3, 3), rle.boundingBox());
    }

    @Test
    void shouldHaveNoBoundingBoxWhenEmpty() {
        assertNull(MaskRle.empty(3, 3).boundingBox());
    }

    @Test
    void shouldRejectCountsThatDoNotCoverTheMask() {
        assertThrows(IllegalArgumentException.class, () -> MaskRle.ofCounts(2, 2, new int[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> MaskRle.ofCounts(2, 2, new int[] {5, -1}));
    }

    @Test
    void shouldFillRectangleClippedToMask() {
        MaskRle rle = MaskRle.ofRectangle(4, 5, 3, -2, 9, 2);
        assertEquals(new Box(3, 0, 5, 2), rle.boundingBox());
        assertEquals(4, rle.area());
    }

    @Test
    void cropShouldKeepExactlyThePixelsInsideTheWindowEvenWhenItReachesOutside() {
        Random rnd = new Random(SEED);
        for (int trial = 0; trial < 200; trial++) {
            int h = 1 + rnd.nextInt(30), w = 1 + rnd.nextInt(30);
            boolean[] full = randomMask(rnd, h, w);
            MaskRle rle = MaskRle.encode(full, h, w);
            int x0 = rnd.nextInt(w + 4) - 2, y0 = rnd.nextInt(h + 4) - 2;
            int x1 = x0 + rnd.nextInt(12), y1 = y0 + rnd.nextInt(12);
            MaskRle crop = rle.crop(x0, y0, x1, y1);
            assertEquals(y1 - y0, crop.height());
            assertEquals(x1 - x0, crop.width());
            boolean[] got = crop.decode();
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    boolean inside = x >= 0 && x < w && y >= 0 && y < h && full[y * w + x];
                    assertEquals(inside, got[(y - y0) * (x1 - x0) + (x - x0)], "trial " + trial + " at " + x + "," + y);
                }
            }
        }
        assertThrows(IllegalArgumentException.class, () -> MaskRle.empty(4, 4).crop(3, 0, 2, 4));
    }
}
