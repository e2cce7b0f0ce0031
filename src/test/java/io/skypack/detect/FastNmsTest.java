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
import org.junit.jupiter.api.Test;

class FastNmsTest {

    private static final long SEED = 20240614L;

    @Test
    void shouldLetASuppressedBoxStillSuppressInTheChainExample() {
        NmsTest.ChainExample chain = new NmsTest.ChainExample();
        // Greedy keeps A and C (B, suppressed by A, no longer counts); Fast NMS drops C because of B.
        assertArrayEquals(new int[] {0, 2}, Nms.keep(chain.boxes, chain.scores, chain.classes, 0.3, 10));
        assertArrayEquals(new int[] {0}, FastNms.keep(chain.boxes, chain.scores, chain.classes, 0.3, 10, 10));
    }

    @Test
    void shouldMatchTheDefinitionOn500RandomCases() {
        Random rnd = new Random(SEED);
        for (int t = 0; t < 500; t++) {
            Case c = NmsFixtures.randomCase(rnd);
            double threshold = rnd.nextDouble();
            int topK = rnd.nextBoolean() ? 200 : rnd.nextInt(15);
            int maxKeep = rnd.nextBoolean() ? Integer.MAX_VALUE : rnd.nextInt(10);
            int[] kept = FastNms.keep(c.boxes(), c.scores(), c.classes(), threshold, topK, maxKeep);
            assertEquals(NmsFixtures.fastReference(c, threshold, topK, maxKeep), list(kept), "case " + t);
        }
    }

    @Test
    void shouldKeepASubsetOfWhatGreedyNmsKeeps() {
        Random rnd = new Random(SEED + 1);
        int strictlyFewer = 0;
        for (int t = 0; t < 500; t++) {
            Case c = NmsFixtures.randomCase(rnd);
            double threshold = rnd.nextDouble();
            List<Integer> fast =
                    list(FastNms.keep(c.boxes(), c.scores(), c.classes(), threshold, 1000, Integer.MAX_VALUE));
            List<Integer> greedy = list(Nms.keep(c.boxes(), c.scores(), c.classes(), threshold, Integer.MAX_VALUE));
            assertTrue(new HashSet<>(greedy).containsAll(fast), "case " + t);
            strictlyFewer += fast.size() < greedy.size() ? 1 : 0;
        }
        assertTrue(strictlyFewer > 0, "the random cases should show the difference");
    }

    @Test
    void shouldNeverSuppressAcrossClasses() {
        float[] twins = {0, 0, 10, 10, 0, 0, 10, 10};
        float[] scores = {0.9f, 0.8f};
        assertArrayEquals(new int[] {0, 1}, FastNms.keep(twins, scores, new int[] {1, 2}, 0.5, 10, 10));
        assertArrayEquals(new int[] {0}, FastNms.keep(twins, scores, new int[] {1, 1}, 0.5, 10, 10));
    }

    @Test
    void shouldDropOnlyAboveTheThreshold() {
        float[] halfOverlap = {0, 0, 10, 10, 0, 0, 10, 20}; // IoU exactly 100 / 200
        float[] scores = {0.9f, 0.8f};
        assertArrayEquals(new int[] {0, 1}, FastNms.keep(halfOverlap, scores, new int[2], 0.5, 10, 10));
        assertArrayEquals(new int[] {0}, FastNms.keep(halfOverlap, scores, new int[2], 0.49, 10, 10));
    }

    @Test
    void shouldConsiderOnlyTheTopKOfEachClass() {
        // Six disjoint boxes, classes 0,1,0,1,0,1, scores falling with the index.
        float[] boxes = new float[4 * 6];
        float[] scores = new float[6];
        int[] classes = new int[6];
        for (int i = 0; i < 6; i++) {
            boxes[4 * i] = 20 * i;
            boxes[4 * i + 2] = 20 * i + 10;
            boxes[4 * i + 3] = 10;
            scores[i] = 1 - i / 10f;
            classes[i] = i % 2;
        }
        assertArrayEquals(new int[] {0, 1, 2, 3}, FastNms.keep(boxes, scores, classes, 0.5, 2, 10));
        assertArrayEquals(new int[] {0, 1, 2}, FastNms.keep(boxes, scores, classes, 0.5, 2, 3));
        assertEquals(0, FastNms.keep(boxes, scores, classes, 0.5, 0, 10).length);
    }

    @Test
    void shouldHonourMaxKeepAcrossClassesByScore() {
        float[] boxes = {0, 0, 10, 10, 20, 0, 30, 10, 40, 0, 50, 10};
        float[] scores = {0.2f, 0.9f, 0.5f};
        int[] classes = {0, 1, 2};
        assertArrayEquals(new int[] {1, 2}, FastNms.keep(boxes, scores, classes, 0.5, 10, 2));
        assertEquals(0, FastNms.keep(boxes, scores, classes, 0.5, 10, 0).length);
    }

    @Test
    void shouldRejectNegativeTopK() {
        float[] one = {0, 0, 1, 1};
        assertThrows(IllegalArgumentException.class, () -> FastNms.keep(one, new float[1], new int[1], 0.5, -1, 1));
    }
}
