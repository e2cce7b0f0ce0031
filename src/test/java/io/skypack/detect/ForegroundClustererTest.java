package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ForegroundClustererTest {
    private static final FrameSize FRAME = new FrameSize(1000, 1000);
    private final ForegroundClusterer clusterer = new ForegroundClusterer();

    private static Detection det(double x1, double y1, double x2, double y2, double score) {
        return new Detection(new Box(x1, y1, x2, y2), 0, score, null);
    }

    @Test
    void shouldGiveNoRegionsForNoCandidates() {
        assertEquals(List.of(), clusterer.cluster(3, FRAME, List.of()));
    }

    @Test
    void shouldMergeTwoOverlappingBoxes() {
        // Enlarged 1.5x: [95,95,125,125] and [105,95,135,125], 900 px^2 each; enclosing
        // [95,95,135,125] is 40 x 30 = 1200 < 1800, so they merge. Mean original area 400 -> zoom 4.
        List<ForegroundRegion> regions =
                clusterer.cluster(7, FRAME, List.of(det(100, 100, 120, 120, 0.9), det(110, 100, 130, 120, 0.8)));
        assertEquals(List.of(new ForegroundRegion(7, new Box(95, 95, 135, 125), 4, 2)), regions);
    }

    @Test
    void shouldKeepTwoDistantBoxesApart() {
        List<ForegroundRegion> regions =
                clusterer.cluster(0, FRAME, List.of(det(500, 500, 520, 520, 0.5), det(100, 100, 120, 120, 0.9)));
        // Descending score: the 0.9 box seeds the first region.
        assertEquals(
                List.of(
                        new ForegroundRegion(0, new Box(95, 95, 125, 125), 4, 1),
                        new ForegroundRegion(0, new Box(495, 495, 525, 525), 4, 1)),
                regions);
    }

    @Test
    void shouldNotMergeBoxesWhoseEnclosingRectangleEqualsTheirAreaSum() {
        // Enlarged: [0,0,30,30] and [30,0,60,30], touching; enclosing 60 x 30 = 1800 = 900 + 900,
        // and the test is strict.
        List<ForegroundRegion> regions =
                clusterer.cluster(0, FRAME, List.of(det(5, 5, 25, 25, 0.9), det(35, 5, 55, 25, 0.8)));
        assertEquals(2, regions.size());
    }

    @Test
    void shouldPickZoomFromMeanOriginalAreaAtTheThresholds() {
        assertEquals(4, single(det(100, 100, 131, 131, 1)).zoom(), "31^2 = 961 < 32^2");
        assertEquals(2, single(det(100, 100, 133, 133, 1)).zoom(), "33^2 = 1089 >= 32^2");
        assertEquals(2, single(det(100, 100, 195, 195, 1)).zoom(), "95^2 < 96^2");
        assertEquals(1, single(det(100, 100, 197, 197, 1)).zoom(), "97^2 >= 96^2");
        // The enlarged box of a 31 x 31 box is 46.5^2 > 32^2: zoom must come from the original.
    }

    @Test
    void shouldAverageTheOriginalAreasOfAllMembers() {
        // 20 x 20 (400) inside the enlarged 40 x 40 (1600) box: mean 1000 < 1024 -> zoom 4, though
        // the larger member alone would get zoom 2.
        List<ForegroundRegion> regions =
                clusterer.cluster(0, FRAME, List.of(det(100, 100, 140, 140, 0.9), det(110, 110, 130, 130, 0.8)));
        assertEquals(1, regions.size());
        assertEquals(2, regions.get(0).members());
        assertEquals(4, regions.get(0).zoom());
        assertEquals(new Box(90, 90, 150, 150), regions.get(0).region());
    }

    @Test
    void shouldClipEnlargedBoxesToTheFrame() {
        FrameSize frame = new FrameSize(100, 100);
        // [0,0,20,10]: centre (10,5), half sizes 15 x 7.5 -> [-5,-2.5,25,12.5] -> [0,0,25,12.5].
        assertEquals(
                new Box(0, 0, 25, 12.5),
                clusterer
                        .cluster(0, frame, List.of(det(0, 0, 20, 10, 1)))
                        .get(0)
                        .region());
        // [90,95,100,100]: centre (95,97.5), half 7.5 x 3.75 -> [87.5,93.75,102.5,101.25] -> clipped.
        assertEquals(
                new Box(87.5, 93.75, 100, 100),
                clusterer
                        .cluster(0, frame, List.of(det(90, 95, 100, 100, 1)))
                        .get(0)
                        .region());
    }

    @Test
    void shouldDropCandidatesOutsideTheFrame() {
        assertEquals(List.of(), clusterer.cluster(0, new FrameSize(100, 100), List.of(det(300, 300, 310, 310, 1))));
    }

    @Test
    void shouldRescanUntilNothingMoreMerges() {
        // No enlargement, so the boxes are the regions. A = [28,12,40,23] (132 px^2, score 0.9),
        // B = [27,7,35,14] (56, 0.8), C = [27,7,33,19] (72, 0.7).
        // A's turn: with B the enclosing [27,7,40,23] is 13 x 16 = 208 >= 188, with C 208 >= 204:
        // nothing. B's turn: A still 208 >= 188; C: [27,7,35,19] = 96 < 128, B grows to 96 px^2.
        // B's re-scan: A now merges, 208 < 96 + 132. A single scan would leave two regions that
        // still pass the merge test.
        ForegroundClusterer plain = new ForegroundClusterer(new ClusteringConfig(1, 32, 4, 96, 2));
        List<ForegroundRegion> regions = plain.cluster(
                0, FRAME, List.of(det(28, 12, 40, 23, 0.9), det(27, 7, 35, 14, 0.8), det(27, 7, 33, 19, 0.7)));
        assertEquals(List.of(new ForegroundRegion(0, new Box(27, 7, 40, 23), 4, 3)), regions);
    }

    @Test
    void shouldLeaveNoTwoRegionsThatWouldStillMergeAndLoseNoCandidate() {
        SplittableRandom rng = new SplittableRandom(11);
        int merges = 0;
        for (int t = 0; t < 500; t++) {
            FrameSize frame = new FrameSize(200 + rng.nextInt(800), 200 + rng.nextInt(800));
            List<Detection> cands = new ArrayList<>();
            int n = rng.nextInt(40);
            for (int i = 0; i < n; i++) {
                double w = 2 + rng.nextDouble(rng.nextBoolean() ? 30 : 150), h = 2 + rng.nextDouble(60);
                double x = rng.nextDouble(frame.width() - 1), y = rng.nextDouble(frame.height() - 1);
                cands.add(det(x, y, x + w, y + h, rng.nextInt(10) / 10.0));
            }
            List<ForegroundRegion> regions = clusterer.cluster(t, frame, cands);
            assertEquals(n, regions.stream().mapToInt(ForegroundRegion::members).sum(), "case " + t);
            for (int a = 0; a < regions.size(); a++) {
                Box ra = regions.get(a).region();
                assertTrue(ra.x1() >= 0 && ra.y1() >= 0 && ra.x2() <= frame.width() && ra.y2() <= frame.height());
                for (int b = a + 1; b < regions.size(); b++) {
                    assertFalse(
                            ForegroundClusterer.shouldMerge(ra, regions.get(b).region()), "case " + t);
                }
            }
            for (Detection d : cands) {
                // Every candidate's (clipped) box lies in some region.
                Box c = d.box().clip(frame.width(), frame.height());
                assertTrue(regions.stream().anyMatch(r -> r.region().intersection(c) == c.area()), "case " + t);
            }
            merges += n - regions.size();
        }
        assertTrue(merges > 1000, "the random cases should exercise merging: " + merges);
    }

    private ForegroundRegion single(Detection d) {
        List<ForegroundRegion> regions = clusterer.cluster(0, FRAME, List.of(d));
        assertEquals(1, regions.size());
        return regions.get(0);
    }
}
