package io.skypack.eval;

import static io.skypack.eval.Fixtures.CAR;
import static io.skypack.eval.Fixtures.OTHERS;
import static io.skypack.eval.Fixtures.PEDESTRIAN;
import static io.skypack.eval.Fixtures.det;
import static io.skypack.eval.Fixtures.gt;
import static io.skypack.eval.Fixtures.ignoredGt;
import static io.skypack.eval.Fixtures.image;
import static io.skypack.eval.Fixtures.region;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneCategory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cases worked out by hand; the comment above each expected value shows the arithmetic. */
class CocoEvaluatorTest {
    private static final double EPS = 1e-12;
    private static final EvalParams BBOX = EvalParams.visDrone(IouType.BBOX);
    private static final EvalParams SEGM = EvalParams.visDrone(IouType.SEGM);
    private final CocoEvaluator evaluator = new CocoEvaluator();

    // With one TP ranked after one FP, rc = [0, .5], pr = [0, .5] -> envelope [.5, .5]: recall points
    // 0.00..0.50 (51 of 101) get precision .5, the rest 0.
    private static final double ONE_FP_THEN_ONE_OF_TWO_TP = 51 * 0.5 / 101;

    @Test
    void shouldScorePerfectDetectionsAsOne() {
        // Cars 40x40 (medium), a pedestrian 10x20 (small); image b has two cars.
        List<LabeledImage> gts = List.of(
                image("a", 200, 200, gt(CAR, 10, 10, 40, 40), gt(PEDESTRIAN, 100, 100, 10, 20)),
                image("b", 200, 200, gt(CAR, 0, 0, 40, 40), gt(CAR, 100, 0, 40, 40)));
        Map<String, List<Detection>> dets = Map.of(
                "a", List.of(det(CAR, 10, 10, 40, 40, 0.9), det(PEDESTRIAN, 100, 100, 10, 20, 0.8)),
                "b", List.of(det(CAR, 0, 0, 40, 40, 0.7), det(CAR, 100, 0, 40, 40, 0.6)));

        EvalReport report = evaluator.evaluate(gts, dets, BBOX);

        Metrics all = report.overall();
        assertEquals(1.0, all.ap(), EPS);
        assertEquals(1.0, all.ap50(), EPS);
        assertEquals(1.0, all.ap75(), EPS);
        assertEquals(1.0, all.apSmall(), EPS);
        assertEquals(1.0, all.apMedium(), EPS);
        assertEquals(-1.0, all.apLarge(), EPS);
        // AR1: the cap is per image and class, so image b keeps one of its two cars:
        // car recall 2/3, pedestrian 1 -> (2/3 + 1) / 2 = 5/6.
        assertEquals(5.0 / 6, all.ar().get(0), EPS);
        assertEquals(List.of(1.0, 1.0, 1.0), all.ar().subList(1, 4));
        assertEquals(1.0, all.arSmall(), EPS);
        assertEquals(1.0, all.arMedium(), EPS);
        assertEquals(-1.0, all.arLarge(), EPS);
        assertEquals(1.0, report.perClass().get(VisDroneCategory.CAR).ap(), EPS);
        assertEquals(1.0, report.perClass().get(VisDroneCategory.PEDESTRIAN).ap(), EPS);
        assertEquals(-1.0, report.perClass().get(VisDroneCategory.BUS).ap(), EPS);
    }

    @Test
    void shouldCountDuplicateDetectionAsFalsePositive() {
        // Two cars; the duplicate of A (0.8) ranks between A (0.9) and B (0.7): TP, FP, TP.
        List<LabeledImage> gts = List.of(image("a", 100, 100, gt(CAR, 0, 0, 20, 20), gt(CAR, 50, 0, 20, 20)));
        Map<String, List<Detection>> dets = Map.of(
                "a", List.of(det(CAR, 0, 0, 20, 20, 0.9), det(CAR, 0, 0, 20, 20, 0.8), det(CAR, 50, 0, 20, 20, 0.7)));

        EvalReport report = evaluator.evaluate(gts, dets, BBOX);

        // rc = [.5, .5, 1], pr = [1, 1/2, 2/3] -> envelope [1, 2/3, 2/3]. searchsorted(left):
        // recall points 0.00..0.50 -> index 0 (precision 1), 0.51..1.00 -> index 2 (2/3).
        // AP = (51 * 1 + 50 * 2/3) / 101 = 253/303 = 0.83498..., at every IoU threshold.
        double expected = (51 * 1.0 + 50 * (2.0 / 3)) / 101;
        assertEquals(expected, report.overall().ap(), EPS);
        assertEquals(expected, report.overall().ap50(), EPS);
        assertEquals(1.0, report.overall().ar().get(3), EPS);
        double[] q = report.precision(0, VisDroneCategory.CAR, AreaRange.ALL, 3);
        assertEquals(1.0, q[50], EPS);
        assertEquals(2.0 / 3, q[51], EPS);
    }

    @Test
    void shouldNotLowerApWhenDuplicateRanksBelowAllTruePositives() {
        // TP, TP, FP: rc = [.5, 1, 1], pr = [1, 1, 2/3]; every recall point finds precision 1.
        List<LabeledImage> gts = List.of(image("a", 100, 100, gt(CAR, 0, 0, 20, 20), gt(CAR, 50, 0, 20, 20)));
        Map<String, List<Detection>> dets = Map.of(
                "a", List.of(det(CAR, 0, 0, 20, 20, 0.9), det(CAR, 50, 0, 20, 20, 0.8), det(CAR, 0, 0, 20, 20, 0.7)));

        assertEquals(1.0, evaluator.evaluate(gts, dets, BBOX).overall().ap(), EPS);
    }

    @Test
    void shouldMatchShiftedBoxAtLowThresholdsOnly() {
        // gt [0, 10] x [0, 10], detection shifted 2.6 px right: IoU = 7.4 * 10 / (200 - 74) = 0.587,
        // which passes thresholds .50 and .55 only: AP50 = 1, AP75 = 0, AP = 2/10.
        List<LabeledImage> gts = List.of(image("a", 100, 100, gt(CAR, 0, 0, 10, 10)));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, 2.6, 0, 10, 10, 0.9)));

        EvalReport report = evaluator.evaluate(gts, dets, BBOX);

        assertEquals(1.0, report.overall().ap50(), EPS);
        assertEquals(0.0, report.overall().ap75(), EPS);
        assertEquals(0.2, report.overall().ap(), EPS);
        // AR: recall 1 at two of ten thresholds.
        assertEquals(0.2, report.overall().ar().get(3), EPS);
    }

    @Test
    void shouldMatchWhenIouEqualsThresholdExactly() {
        // Shift 2.5 px: IoU = 75 / 125 = 0.6 exactly, and iouThrs[2] is exactly 0.6 (numpy's
        // linspace), so IoU >= threshold holds at .50, .55 and .60: AP = 3/10.
        assertEquals(0.6, EvalParams.iouThresholds()[2]);
        assertEquals(0.6, Box.ofXywh(0, 0, 10, 10).iou(Box.ofXywh(2.5, 0, 10, 10)));
        List<LabeledImage> gts = List.of(image("a", 100, 100, gt(CAR, 0, 0, 10, 10)));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, 2.5, 0, 10, 10, 0.9)));

        assertEquals(0.3, evaluator.evaluate(gts, dets, BBOX).overall().ap(), EPS);
    }

    @Test
    void shouldUseThresholdsBitForBitAsNumpyLinspace() {
        assertArrayEquals(
                new double[] {0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95},
                EvalParams.iouThresholds());
        double[] rec = EvalParams.recallThresholds();
        assertEquals(101, rec.length);
        assertEquals(0.5700000000000001, rec[57]);
        assertEquals(0.5, rec[50]);
        assertEquals(1.0, rec[100]);
    }

    @Test
    void shouldDropObjectsInsideIgnoredRegions() {
        // Left half is an ignored region. gt1 lies inside it (no detection), gt2 outside with a perfect
        // detection at 0.5; a detection inside the region at 0.9 hits nothing.
        List<LabeledImage> gts =
                List.of(image("a", 100, 100, region(0, 0, 50, 100), gt(CAR, 10, 10, 20, 20), gt(CAR, 70, 10, 20, 20)));
        Map<String, List<Detection>> dets =
                Map.of("a", List.of(det(CAR, 10, 60, 20, 20, 0.9), det(CAR, 70, 10, 20, 20, 0.5)));

        EvalReport withRule = evaluator.evaluate(gts, dets, BBOX);
        EvalReport without =
                evaluator.evaluate(gts, dets, new EvalParams(IouType.BBOX, List.of(1, 10, 100, 500), false));

        // With the rule: one gt, one TP, no FP.
        assertEquals(1.0, withRule.overall().ap(), EPS);
        assertEquals(1.0, withRule.overall().ar().get(3), EPS);
        // Without it: FP then TP over two gts.
        assertEquals(ONE_FP_THEN_ONE_OF_TWO_TP, without.overall().ap(), EPS);
        assertEquals(0.5, without.overall().ar().get(3), EPS);
    }

    @Test
    void shouldTreatDetectionOnScoreZeroGroundTruthAsNeitherTruePositiveNorFalsePositive() {
        List<LabeledImage> gts = List.of(image("a", 100, 100, ignoredGt(CAR, 0, 0, 20, 20), gt(CAR, 50, 0, 20, 20)));
        Map<String, List<Detection>> dets =
                Map.of("a", List.of(det(CAR, 0, 0, 20, 20, 0.9), det(CAR, 50, 0, 20, 20, 0.5)));

        EvalReport report = evaluator.evaluate(gts, dets, BBOX);

        // Were the first detection a FP: 51 * .5 / 101; were it a TP: recall over one gt would be 2.
        assertEquals(1.0, report.overall().ap(), EPS);
        assertEquals(1.0, report.overall().ar().get(3), EPS);
    }

    @Test
    void shouldEvaluateOnlyTheTenClassesAndDropOtherDetections() {
        // An "others" gt with an "others" detection and a car detection on it, a car gt with its
        // detection, and a detection of category 0. Only the car class is scored: the car detection on
        // the "others" box is a false positive ranked first (as the VisDrone toolkit scores it).
        List<LabeledImage> gts = List.of(image("a", 100, 100, gt(OTHERS, 0, 0, 20, 20), gt(CAR, 50, 0, 20, 20)));
        Map<String, List<Detection>> dets = Map.of(
                "a",
                List.of(
                        det(OTHERS, 0, 0, 20, 20, 0.95),
                        det(0, 50, 50, 20, 20, 0.99),
                        det(CAR, 0, 0, 20, 20, 0.9),
                        det(CAR, 50, 0, 20, 20, 0.5)));

        EvalReport report = evaluator.evaluate(gts, dets, BBOX);

        // FP (0.9) then TP (0.5) over one gt: rc = [0, 1], pr = [0, .5] -> .5 at every recall point.
        assertEquals(0.5, report.perClass().get(VisDroneCategory.CAR).ap(), EPS);
        assertEquals(0.5, report.overall().ap(), EPS);
        assertFalse(report.perClass().containsKey(VisDroneCategory.OTHERS));
        assertEquals(10, report.perClass().size());
    }

    @Test
    void shouldCountTrueDetectionWrittenLastWhenItHasTheHighestScore() {
        EvalReport report = evaluator.evaluate(oneCar(), Map.of("a", falsePlusTrue(500, 0.9)), BBOX);

        // Sorted first: recall 1 with precision 1 before any FP.
        assertEquals(1.0, report.overall().ap(), EPS);
        assertEquals(1.0, report.overall().ar().get(0), EPS);
        assertEquals(1.0, report.overall().ar().get(3), EPS);
    }

    @Test
    void shouldDropTrueDetectionBeyondTheCapWhenItHasTheLowestScore() {
        EvalReport capped = evaluator.evaluate(oneCar(), Map.of("a", falsePlusTrue(500, 0.1)), BBOX);
        EvalReport fits = evaluator.evaluate(oneCar(), Map.of("a", falsePlusTrue(499, 0.1)), BBOX);

        // 501st by score: cut by the cap of 500.
        assertEquals(0.0, capped.overall().ap(), EPS);
        assertEquals(0.0, capped.overall().ar().get(3), EPS);
        // 500th: kept, found after 499 FPs: precision 1/500 at every recall point.
        assertEquals(1.0, fits.overall().ar().get(3), EPS);
        assertEquals(1.0 / 500, fits.overall().ap(), 1e-12);
        assertEquals(0.0, fits.overall().ar().get(2), EPS);
    }

    private static List<LabeledImage> oneCar() {
        return List.of(image("a", 1000, 1000, gt(CAR, 0, 0, 20, 20)));
    }

    // `falseCount` false detections at 0.5 far from the car, then the true one, written last.
    private static List<Detection> falsePlusTrue(int falseCount, double trueScore) {
        List<Detection> dets = new ArrayList<>();
        for (int i = 0; i < falseCount; i++) {
            dets.add(det(CAR, 500, 500, 20, 20, 0.5));
        }
        dets.add(det(CAR, 0, 0, 20, 20, trueScore));
        return dets;
    }

    @Test
    void shouldScoreSegmByMaskIouWhereBoxIouIsHigh() {
        // Same 20x20 box; gt mask is the triangle x + y <= 19, the detection's x + y >= 19. They share
        // the 20-pixel diagonal: mask IoU = 20 / (210 + 210 - 20) = 0.05, box IoU = 1.
        MaskRle upper = triangle(50, 50, true);
        MaskRle lower = triangle(50, 50, false);
        assertEquals(0.05, upper.iou(lower), EPS);
        Box box = Box.ofXywh(0, 0, 20, 20);
        List<LabeledImage> gts =
                List.of(image("a", 50, 50, gt(CAR, 0, 0, 20, 20).withMask(upper)));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, box, 0.9, lower)));

        assertEquals(1.0, evaluator.evaluate(gts, dets, BBOX).overall().ap(), EPS);
        assertEquals(0.0, evaluator.evaluate(gts, dets, SEGM).overall().ap(), EPS);
    }

    @Test
    void shouldScoreIdenticalMasksAsOneInSegm() {
        MaskRle upper = triangle(50, 50, true);
        List<LabeledImage> gts =
                List.of(image("a", 50, 50, gt(CAR, 0, 0, 20, 20).withMask(upper)));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, Box.ofXywh(0, 0, 20, 20), 0.9, upper)));

        assertEquals(1.0, evaluator.evaluate(gts, dets, SEGM).overall().ap(), EPS);
    }

    // Pixels of the 20x20 corner box with x + y <= 19 (upper) or x + y >= 19 (lower).
    private static MaskRle triangle(int height, int width, boolean upper) {
        boolean[] m = new boolean[height * width];
        for (int y = 0; y < 20; y++) {
            for (int x = 0; x < 20; x++) {
                m[y * width + x] = upper ? x + y <= 19 : x + y >= 19;
            }
        }
        return MaskRle.encode(m, height, width);
    }

    @Test
    void shouldPutTwentyPixelSquareInSmallRangeOnly() {
        // 20 * 20 = 400 < 32^2.
        List<LabeledImage> gts = List.of(image("a", 200, 200, gt(CAR, 10, 10, 20, 20)));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, 10, 10, 20, 20, 0.9)));

        Metrics m = evaluator.evaluate(gts, dets, BBOX).overall();

        assertEquals(1.0, m.apSmall(), EPS);
        assertEquals(-1.0, m.apMedium(), EPS);
        assertEquals(-1.0, m.apLarge(), EPS);
        assertEquals(1.0, m.arSmall(), EPS);
        assertEquals(-1.0, m.arMedium(), EPS);
    }

    @Test
    void shouldTakeAreaFromMaskInSegmAndFromBoxInBbox() {
        // Box 40x40 = 1600 (medium); its mask is a 20x20 square = 400 pixels (small).
        MaskRle square = MaskRle.ofRectangle(100, 100, 10, 10, 30, 30);
        Annotation car = gt(CAR, 10, 10, 40, 40).withMask(square);
        List<LabeledImage> gts = List.of(image("a", 100, 100, car));
        Map<String, List<Detection>> dets = Map.of("a", List.of(det(CAR, Box.ofXywh(10, 10, 40, 40), 0.9, square)));

        Metrics segm = evaluator.evaluate(gts, dets, SEGM).overall();
        Metrics bbox = evaluator.evaluate(gts, dets, BBOX).overall();

        assertEquals(1.0, segm.apSmall(), EPS);
        assertEquals(-1.0, segm.apMedium(), EPS);
        assertEquals(-1.0, bbox.apSmall(), EPS);
        assertEquals(1.0, bbox.apMedium(), EPS);
    }

    @Test
    void shouldBreakScoreTiesAcrossImagesInImageIdOrder() {
        // Equal scores in two images: "a" (FP) sorts before "b" (TP), as cocoeval's sorted imgIds and
        // mergesort do, whatever order the caller gives. FP then TP over one gt: AP = .5.
        List<LabeledImage> gts = List.of(image("b", 100, 100, gt(CAR, 0, 0, 20, 20)), image("a", 100, 100));
        Map<String, List<Detection>> dets = Map.of(
                "b", List.of(det(CAR, 0, 0, 20, 20, 0.5)),
                "a", List.of(det(CAR, 0, 0, 20, 20, 0.5)));

        assertEquals(0.5, evaluator.evaluate(gts, dets, BBOX).overall().ap(), EPS);
    }

    @Test
    void shouldRejectDetectionsOfUnknownImage() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> evaluator.evaluate(
                        List.of(image("a", 10, 10)), Map.of("zz", List.of(det(CAR, 0, 0, 5, 5, 0.5))), BBOX));
        assertTrue(e.getMessage().contains("'zz'"), e.getMessage());
    }

    @Test
    void shouldRejectSegmEvaluationWithoutMasks() {
        List<LabeledImage> gts = List.of(image("a", 50, 50, gt(CAR, 0, 0, 20, 20)));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> evaluator.evaluate(gts, Map.of(), SEGM));
        assertTrue(e.getMessage().contains("has no mask"), e.getMessage());
    }
}
