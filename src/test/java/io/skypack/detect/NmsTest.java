package io.skypack.detect;

import static io.skypack.detect.NmsFixtures.list;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.NmsFixtures.Case;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NmsTest {

    private static final long SEED = 20240613L;

    @Test
    void shouldMatchTheBruteForceReferenceOn500RandomCases() {
        Random rnd = new Random(SEED);
        int suppressedSomewhere = 0;
        for (int t = 0; t < 500; t++) {
            Case c = NmsFixtures.randomCase(rnd);
            double threshold = rnd.nextDouble();
            int maxKeep = rnd.nextBoolean() ? Integer.MAX_VALUE : rnd.nextInt(10);
            int[] kept = Nms.keep(c.boxes(), c.scores(), c.classes(), threshold, maxKeep);
            assertEquals(NmsFixtures.greedyReference(c, threshold, maxKeep), list(kept), "case " + t);
            if (Nms.keep(c.boxes(), c.scores(), c.classes(), threshold, Integer.MAX_VALUE).length < c.size()) {
                suppressedSomewhere++;
            }
        }
        assertTrue(suppressedSomewhere > 100, "the random cases should exercise suppression");
    }

    @Test
    void shouldKeepOnlyMutuallyNonOverlappingBoxesPerClassAndExplainEveryDrop() {
        Random rnd = new Random(SEED + 1);
        for (int t = 0; t < 500; t++) {
            Case c = NmsFixtures.randomCase(rnd);
            double threshold = rnd.nextDouble();
            List<Integer> kept = list(Nms.keep(c.boxes(), c.scores(), c.classes(), threshold, Integer.MAX_VALUE));
            for (int a = 0; a < kept.size(); a++) {
                for (int b = a + 1; b < kept.size(); b++) {
                    int i = kept.get(a), j = kept.get(b);
                    assertTrue(c.scores()[i] >= c.scores()[j], "kept indices are by descending score");
                    assertTrue(c.classes()[i] != c.classes()[j] || c.box(i).iou(c.box(j)) <= threshold);
                }
            }
            Set<Integer> keptSet = new HashSet<>(kept);
            for (int j = 0; j < c.size(); j++) {
                if (keptSet.contains(j)) {
                    continue;
                }
                int dropped = j;
                boolean explained = kept.stream()
                        .anyMatch(i -> c.classes()[i] == c.classes()[dropped]
                                && c.scores()[i] >= c.scores()[dropped]
                                && c.box(i).iou(c.box(dropped)) > threshold);
                assertTrue(explained, "case " + t + ": detection " + j + " dropped without a kept suppressor");
            }
        }
    }

    @Test
    void shouldNeverSuppressAcrossClasses() {
        float[] twins = {0, 0, 10, 10, 0, 0, 10, 10};
        float[] scores = {0.9f, 0.8f};
        assertArrayEquals(new int[] {0, 1}, Nms.keep(twins, scores, new int[] {1, 2}, 0.5, 10));
        assertArrayEquals(new int[] {0}, Nms.keep(twins, scores, new int[] {1, 1}, 0.5, 10));
    }

    @Test
    void shouldHonourMaxKeepWithTheHighestScores() {
        float[] boxes = new float[4 * 10];
        float[] scores = new float[10];
        for (int i = 0; i < 10; i++) {
            boxes[4 * i] = 20 * i;
            boxes[4 * i + 2] = 20 * i + 10;
            boxes[4 * i + 3] = 10;
            scores[i] = (i * 7 % 10) / 10f; // 0, .7, .4, .1, .8, .5, .2, .9, .6, .3
        }
        int[] classes = new int[10];
        assertArrayEquals(new int[] {7, 4, 1}, Nms.keep(boxes, scores, classes, 0.5, 3));
        assertEquals(0, Nms.keep(boxes, scores, classes, 0.5, 0).length);
        assertEquals(10, Nms.keep(boxes, scores, classes, 0.5, Integer.MAX_VALUE).length);
    }

    @Test
    void shouldKeepInputOrderForEqualScores() {
        float[] apart = {0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10};
        float[] equal = {0.5f, 0.5f, 0.5f};
        assertArrayEquals(new int[] {0, 1, 2}, Nms.keep(apart, equal, new int[3], 0.5, 10));
        float[] same = {0, 0, 10, 10, 0, 0, 10, 10};
        assertArrayEquals(new int[] {0}, Nms.keep(same, new float[] {0.5f, 0.5f}, new int[2], 0.5, 10));
    }

    @Test
    void shouldSuppressOnlyAboveTheThreshold() {
        float[] halfOverlap = {0, 0, 10, 10, 0, 0, 10, 20}; // IoU exactly 100 / 200
        float[] scores = {0.9f, 0.8f};
        assertArrayEquals(new int[] {0, 1}, Nms.keep(halfOverlap, scores, new int[2], 0.5, 10));
        assertArrayEquals(new int[] {0}, Nms.keep(halfOverlap, scores, new int[2], 0.49, 10));
    }

    @Test
    void shouldKeepCAfterASuppressedBInTheChain() {
        ChainExample chain = new ChainExample();
        assertArrayEquals(new int[] {0, 2}, Nms.keep(chain.boxes, chain.scores, chain.classes, 0.3, 10));
    }

    @Test
    void shouldRejectInconsistentInput() {
        float[] one = {0, 0, 1, 1};
        assertThrows(IllegalArgumentException.class, () -> Nms.keep(one, new float[2], new int[1], 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Nms.keep(new float[5], new float[1], new int[1], 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Nms.keep(one, new float[] {Float.NaN}, new int[1], 0.5, 1));
        assertThrows(IllegalArgumentException.class, () -> Nms.keep(one, new float[1], new int[1], Double.NaN, 1));
        assertThrows(IllegalArgumentException.class, () -> Nms.keep(one, new float[1], new int[1], 0.5, -1));
    }

    /**
     * Three boxes in a row: A overlaps B (IoU 1/3), B overlaps C (IoU 1/3), A and C do not touch;
     * scores A > B > C. At threshold 0.3, A suppresses B; whether C survives is what tells greedy NMS
     * from Fast NMS.
     */
    static final class ChainExample {
        final float[] boxes = {0, 0, 10, 10, 5, 0, 15, 10, 10, 0, 20, 10};
        final float[] scores = {0.9f, 0.8f, 0.7f};
        final int[] classes = {0, 0, 0};
    }
}
