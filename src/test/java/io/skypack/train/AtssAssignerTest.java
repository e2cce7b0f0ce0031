package io.skypack.train;

import static io.skypack.train.AtssAssigner.IGNORE;
import static io.skypack.train.AtssAssigner.NEGATIVE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import io.skypack.model.Priors;
import io.skypack.train.AtssAssigner.Assignment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class AtssAssignerTest {

    private static final long SEED = 20240612L;

    private final AtssAssigner assigner = new AtssAssigner(AtssAssigner.DEFAULT_TOP_K); // plain ATSS
    private final AtssAssigner withFallback = new AtssAssigner();

    /** 64x48 input, strides 8/16/32: 48 + 12 + 4 priors; stride-8 centres at 4, 12, 20, ... */
    private final Priors small = Priors.of(64, 48);

    @Test
    void shouldGiveAGtAroundOneStride8CentreOnlyThatPositive() {
        // 6x6 box around the stride-8 centre (20, 20) = prior 2 * 8 + 2 = 18; the nearest stride-16
        // centres (8 or 24) and stride-32 centres (16) are all outside it.
        Assignment a = assigner.assign(small, box(17, 17, 23, 23), new int[] {5});
        assertEquals(1, a.positives());
        assertEquals(0, a.gtIndex()[18]);
        assertEquals(5, a.labels()[18]);
        for (int p = 0; p < small.count(); p++) {
            if (p != 18) {
                assertEquals(NEGATIVE, a.gtIndex()[p], "prior " + p);
                assertEquals(-1, a.labels()[p], "prior " + p);
            }
        }
    }

    @Test
    void shouldPutPositivesOfLargeGtsOnCoarserLevels() {
        Priors priors = Priors.of(256, 256);
        // 128 px box: the 128 px stride-16 anchors fit it best (IoU ~0.78 vs <= 0.25 elsewhere).
        Assignment medium = assigner.assign(priors, box(64, 64, 192, 192), new int[] {0});
        assertEquals(new TreeSet<>(List.of(16)), positiveStrides(priors, medium));
        assertEquals(9, medium.positives());
        // 224 px box: the 256 px stride-32 anchors; the 2x2 nearest cells around its centre.
        Assignment large = assigner.assign(priors, box(16, 16, 240, 240), new int[] {0});
        assertEquals(new TreeSet<>(List.of(32)), positiveStrides(priors, large));
        assertEquals(4, large.positives());
    }

    @Test
    void shouldGiveAPriorClaimedByTwoGtsToTheOneWithHigherIou() {
        Priors priors = Priors.of(128, 128);
        float[] inner = box(24, 24, 40, 40); // 16x16, IoU 1/16 with a 64 px anchor containing it
        float[] outer = box(8, 8, 56, 56); // 48x48, same centre, IoU 9/16 with the same anchors
        int[] shared = sharedPositives(priors, inner, outer);
        assertTrue(shared.length > 0, "precondition: some prior is a positive of each gt alone");

        Assignment innerFirst = assigner.assign(priors, concat(inner, outer), new int[] {1, 2});
        Assignment outerFirst = assigner.assign(priors, concat(outer, inner), new int[] {2, 1});
        for (int p : shared) {
            assertEquals(1, innerFirst.gtIndex()[p], "prior " + p);
            assertEquals(2, innerFirst.labels()[p]);
            assertEquals(0, outerFirst.gtIndex()[p], "prior " + p);
        }
    }

    @Test
    void shouldBreakEqualIouTiesTowardTheLowerGtIndex() {
        float[] b = box(17, 17, 23, 23);
        Assignment a = assigner.assign(small, concat(b, b), new int[] {3, 4});
        assertEquals(1, a.positives());
        assertEquals(0, a.gtIndex()[18]);
        assertEquals(3, a.labels()[18]);
    }

    @Test
    void shouldBreakEqualCentreDistanceTiesTowardTheLowerPriorIndex() {
        Priors oneLevel = Priors.of(64, 48, new int[] {8}, 8); // 8 columns; prior = y * 8 + x
        // k = 1, gt centre (16, 16): the centres (12|20, 12|20) are equally near; the first, 9, wins.
        Assignment k1 = new AtssAssigner(1).assign(oneLevel, box(8, 8, 24, 24), new int[] {0});
        assertEquals(List.of(9), positives(k1));
        // k = 3, gt centre (20, 15): nearest (20, 12) = 10, then (20, 20) = 18, then a tie at equal
        // distance between (12, 12) = 9 and (28, 12) = 11, which 9 wins even though 18 comes later in
        // the scan. All three anchors contain the box (equal IoU) and have their centres inside it.
        Assignment k3 = new AtssAssigner(3).assign(oneLevel, box(10, 5, 30, 25), new int[] {0});
        assertEquals(List.of(9, 10, 18), positives(k3));
    }

    @Test
    void shouldGiveATinyGtOnePositiveWhenAStride8CentreIsStrictlyInsideIt() {
        // 4x4 px around centre (20, 20): every nearby 64 px stride-8 anchor contains it, so the
        // stride-8 candidates share the top IoU (1/256) and pass mean + std; the centre rule keeps one.
        Assignment a = assigner.assign(small, box(18, 18, 22, 22), new int[] {0});
        assertEquals(1, a.positives());
        assertEquals(0, a.gtIndex()[18]);
    }

    @Test
    void shouldGiveATinyGtNoPositiveWhenNoPriorCentreIsStrictlyInsideIt() {
        // ATSS has no fallback match: a box between the centres 4 and 12 gets no positive at all ...
        Assignment between = assigner.assign(small, box(5, 5, 9, 9), new int[] {0});
        assertEquals(0, between.positives());
        assertTrue(Arrays.stream(between.gtIndex()).allMatch(g -> g == NEGATIVE));
        // ... and neither does a one-stride box whose edges lie exactly on centres (20 and 28).
        assertEquals(
                0, assigner.assign(small, box(20, 20, 28, 28), new int[] {0}).positives());
        // Just inside the 0.01 px margin it does.
        assertEquals(
                1,
                assigner.assign(small, box(19.98f, 19.98f, 28, 28), new int[] {0})
                        .positives());
    }

    @Test
    void shouldGiveATinyGtBetweenCentresItsNearestStride8PriorWithTheFallback() {
        // Centre (7, 7): the nearest stride-8 centre is (4, 4), prior 0 (row-major, 4 px offset).
        Assignment between = withFallback.assign(small, box(5, 5, 9, 9), new int[] {3});
        assertEquals(1, between.positives());
        assertEquals(0, between.gtIndex()[0]);
        assertEquals(3, between.labels()[0]);
        // A gt that has ATSS positives gets nothing extra, so the default changes nothing for it.
        assertArrayEquals(
                assigner.assign(small, box(18, 18, 22, 22), new int[] {0}).gtIndex(),
                withFallback.assign(small, box(18, 18, 22, 22), new int[] {0}).gtIndex());
        // The fallback never takes a prior another gt holds: both tiny boxes are nearest to prior 0;
        // the first one gets it, the second one goes without.
        Assignment two =
                withFallback.assign(small, concat(box(5, 5, 9, 9), box(5.5f, 5.5f, 9.5f, 9.5f)), new int[] {0, 1});
        assertEquals(1, two.positives());
        assertEquals(0, two.gtIndex()[0]);
        // An ignored tiny gt does not get one.
        Assignment ignored = withFallback.assign(small, box(5, 5, 9, 9), new int[] {0}, new boolean[] {true});
        assertEquals(0, ignored.positives());
    }

    @Test
    void shouldMarkPriorsOfIgnoredGtsIgnoreInsteadOfPositive() {
        Assignment a = assigner.assign(small, box(17, 17, 23, 23), new int[] {5}, new boolean[] {true});
        assertEquals(0, a.positives());
        assertEquals(IGNORE, a.gtIndex()[18]);
        assertEquals(-1, a.labels()[18]);
        assertEquals(
                small.count() - 1,
                Arrays.stream(a.gtIndex()).filter(g -> g == NEGATIVE).count());
    }

    @Test
    void shouldKeepPositivesOfOtherGtsWhenOneGtIsIgnored() {
        float[] gts = concat(box(17, 17, 23, 23), box(40, 24, 56, 40));
        Assignment both = assigner.assign(small, gts, new int[] {1, 2});
        Assignment secondIgnored = assigner.assign(small, gts, new int[] {1, 2}, new boolean[] {false, true});
        for (int p = 0; p < small.count(); p++) {
            int expected = both.gtIndex()[p] == 1 ? IGNORE : both.gtIndex()[p];
            assertEquals(expected, secondIgnored.gtIndex()[p], "prior " + p);
        }
        assertEquals(1, secondIgnored.positives());
        assertTrue(both.positives() > 1);
    }

    @Test
    void shouldMakeEveryPriorNegativeWithoutGts() {
        Assignment a = assigner.assign(small, new float[0], new int[0], new boolean[0]);
        assertEquals(0, a.positives());
        int[] minusOnes = new int[small.count()];
        Arrays.fill(minusOnes, -1);
        assertArrayEquals(minusOnes, a.gtIndex());
        assertArrayEquals(minusOnes, a.labels());
    }

    @Test
    void shouldAssignGtsAtTheImageBorder() {
        assertEquals(0, assigner.assign(small, box(0, 0, 10, 10), new int[] {0}).gtIndex()[0]);
        // Bottom-right corner of the 64x48 input: the last stride-8 prior (60, 44) is among the positives.
        Assignment corner = assigner.assign(small, box(40, 30, 64, 48), new int[] {0});
        assertEquals(0, corner.gtIndex()[47]);
        assertCentresInside(small, box(40, 30, 64, 48), corner);
        // Partly outside the image: still assigned, to priors whose centre is inside the box.
        Assignment outside = assigner.assign(small, box(-10, -10, 14, 14), new int[] {0});
        assertTrue(outside.positives() > 0);
        assertCentresInside(small, box(-10, -10, 14, 14), outside);
    }

    @Test
    void shouldUseAllPriorsOfALevelWithFewerThanTopK() {
        // Stride 32 of a 64x48 input has 2x2 = 4 priors, fewer than k = 9.
        assertArrayEquals(new int[] {48, 12, 4}, small.countPerLevel());
        Assignment a = assigner.assign(small, box(0, 0, 64, 48), new int[] {0});
        assertTrue(a.positives() > 0);
        // A single-prior level: the one candidate is its own mean (deviation 0) and is kept.
        Priors one = Priors.of(8, 8, new int[] {8}, 8);
        assertEquals(0, assigner.assign(one, box(0, 0, 8, 8), new int[] {0}).gtIndex()[0]);
    }

    @Test
    void shouldKeepAllCandidatesWhoseIouEqualsTheThreshold() {
        // One level only and a gt inside all nine 64 px anchors: nine equal IoUs, threshold = that IoU.
        Priors oneLevel = Priors.of(64, 48, new int[] {8}, 8);
        Assignment a = assigner.assign(oneLevel, box(10, 10, 30, 30), new int[] {0});
        // The 3x3 nearest centres (12, 20, 28)^2 are all inside the box.
        assertEquals(9, a.positives());
        assertEquals(3.0, AtssAssigner.meanPlusStd(new double[] {1, 2, 3}, 3), 1e-12); // mean 2 + sample std 1
        double tenth = 0.1;
        assertEquals(tenth, AtssAssigner.meanPlusStd(new double[] {tenth, tenth, tenth, tenth, tenth}, 5));
    }

    @Test
    void shouldMatchABruteForceReferenceOnRandomScenes() {
        Random rnd = new Random(SEED);
        for (int scene = 0; scene < 200; scene++) {
            Priors priors = Priors.of(32 + rnd.nextInt(200), 32 + rnd.nextInt(200));
            int numGt = rnd.nextInt(6);
            float[] gts = new float[4 * numGt];
            int[] labels = new int[numGt];
            boolean[] ignore = new boolean[numGt];
            for (int g = 0; g < numGt; g++) {
                float w = 1 + rnd.nextFloat() * (rnd.nextBoolean() ? 12 : 150);
                float h = 1 + rnd.nextFloat() * (rnd.nextBoolean() ? 12 : 150);
                float x = -10 + rnd.nextFloat() * priors.width(), y = -10 + rnd.nextFloat() * priors.height();
                System.arraycopy(box(x, y, x + w, y + h), 0, gts, 4 * g, 4);
                labels[g] = rnd.nextInt(10);
                ignore[g] = rnd.nextInt(5) == 0;
            }
            Assignment a = assigner.assign(priors, gts, labels, ignore);
            int[] expected = reference(priors, gts, ignore, 9);
            assertArrayEquals(expected, a.gtIndex(), "scene " + scene);
            int positives = 0;
            for (int p = 0; p < priors.count(); p++) {
                int g = a.gtIndex()[p];
                assertEquals(g >= 0 ? labels[g] : -1, a.labels()[p]);
                positives += g >= 0 ? 1 : 0;
            }
            assertEquals(positives, a.positives());
            assertCentresInside(priors, gts, a);
        }
    }

    @Test
    void shouldRejectMismatchedOrInvalidInput() {
        assertThrows(IllegalArgumentException.class, () -> assigner.assign(small, box(0, 0, 8, 8), new int[0]));
        assertThrows(IllegalArgumentException.class, () -> assigner.assign(small, new float[3], new int[0]));
        assertThrows(IllegalArgumentException.class, () -> assigner.assign(small, box(8, 0, 0, 8), new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> assigner.assign(small, box(0, 0, 8, 8), new int[] {-1}));
        assertThrows(IllegalArgumentException.class, () -> new AtssAssigner(0));
    }

    /**
     * ATSS written the slow, obvious way: full sort of each level by (distance, index), candidate
     * IoU statistics by the textbook formulas, then max-IoU resolution and ignore.
     */
    private static int[] reference(Priors priors, float[] gts, boolean[] ignore, int k) {
        float[] centres = priors.centers();
        float[] anchors = priors.anchors();
        int n = priors.count();
        int numGt = gts.length / 4;
        int[] result = new int[n];
        Arrays.fill(result, NEGATIVE);
        double[] best = new double[n];
        for (int g = 0; g < numGt; g++) {
            double gcx = (gts[4 * g] + gts[4 * g + 2]) / 2.0, gcy = (gts[4 * g + 1] + gts[4 * g + 3]) / 2.0;
            List<Integer> candidates = new ArrayList<>();
            int start = 0;
            for (int count : priors.countPerLevel()) {
                List<Integer> level = new ArrayList<>();
                for (int p = start; p < start + count; p++) {
                    level.add(p);
                }
                level.sort(Comparator.comparingDouble(
                                (Integer p) -> Math.hypot(centres[2 * p] - gcx, centres[2 * p + 1] - gcy))
                        .thenComparingInt(p -> p));
                candidates.addAll(level.subList(0, Math.min(k, count)));
                start += count;
            }
            double[] ious = new double[candidates.size()];
            for (int c = 0; c < ious.length; c++) {
                ious[c] = boxAt(anchors, candidates.get(c)).iou(boxAt(gts, g));
            }
            double mean = Arrays.stream(ious).average().orElseThrow();
            double var = ious.length < 2
                    ? 0
                    : Arrays.stream(ious).map(v -> (v - mean) * (v - mean)).sum() / (ious.length - 1);
            double threshold = mean + Math.sqrt(var);
            for (int c = 0; c < ious.length; c++) {
                int p = candidates.get(c);
                boolean inside = centres[2 * p] - gts[4 * g] > 0.01
                        && centres[2 * p + 1] - gts[4 * g + 1] > 0.01
                        && gts[4 * g + 2] - centres[2 * p] > 0.01
                        && gts[4 * g + 3] - centres[2 * p + 1] > 0.01;
                if (ious[c] >= threshold && inside && (result[p] == NEGATIVE || ious[c] > best[p])) {
                    result[p] = g;
                    best[p] = ious[c];
                }
            }
        }
        for (int p = 0; p < n; p++) {
            if (result[p] >= 0 && ignore[result[p]]) {
                result[p] = IGNORE;
            }
        }
        return result;
    }

    private int[] sharedPositives(Priors priors, float[] a, float[] b) {
        int[] ga = assigner.assign(priors, a, new int[] {0}).gtIndex();
        int[] gb = assigner.assign(priors, b, new int[] {0}).gtIndex();
        List<Integer> shared = new ArrayList<>();
        for (int p = 0; p < priors.count(); p++) {
            if (ga[p] == 0 && gb[p] == 0) {
                shared.add(p);
            }
        }
        return shared.stream().mapToInt(Integer::intValue).toArray();
    }

    private static List<Integer> positives(Assignment a) {
        List<Integer> out = new ArrayList<>();
        for (int p = 0; p < a.gtIndex().length; p++) {
            if (a.gtIndex()[p] >= 0) {
                out.add(p);
            }
        }
        return out;
    }

    private static TreeSet<Integer> positiveStrides(Priors priors, Assignment a) {
        TreeSet<Integer> strides = new TreeSet<>();
        for (int p = 0; p < priors.count(); p++) {
            if (a.gtIndex()[p] >= 0) {
                strides.add(priors.strideOf()[p]);
            }
        }
        return strides;
    }

    private static void assertCentresInside(Priors priors, float[] gts, Assignment a) {
        float[] c = priors.centers();
        for (int p = 0; p < priors.count(); p++) {
            int g = a.gtIndex()[p];
            if (g >= 0) {
                assertTrue(c[2 * p] > gts[4 * g] && c[2 * p] < gts[4 * g + 2], "prior " + p + " x outside gt " + g);
                assertTrue(
                        c[2 * p + 1] > gts[4 * g + 1] && c[2 * p + 1] < gts[4 * g + 3],
                        "prior " + p + " y outside gt " + g);
            }
        }
        assertFalse(a.positives() < 0);
    }

    private static Box boxAt(float[] boxes, int i) {
        return new Box(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]);
    }

    private static float[] box(float x1, float y1, float x2, float y2) {
        return new float[] {x1, y1, x2, y2};
    }

    private static float[] concat(float[] a, float[] b) {
        float[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
