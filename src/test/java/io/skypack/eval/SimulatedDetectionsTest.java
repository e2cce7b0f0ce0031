package io.skypack.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Detection;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneDataset;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Synthetic flight, its ground truth as detections, and the evaluator, end to end. */
class SimulatedDetectionsTest {
    @TempDir
    static Path root;

    static List<LabeledImage> gt;

    @Test
    void fixtureShouldHoldEnoughObjectsToMeasureRates() {
        long objects = gt.stream()
                .flatMap(i -> i.annotations().stream())
                .filter(a -> !a.isIgnoredRegion())
                .count();
        assertTrue(objects >= 100, "seed 6 flies over a busy block: " + objects + " objects");
    }

    @BeforeAll
    static void makeFlight() throws IOException {
        new FlightWriter(new SynthConfig(640, 360, 4, 1, 10, 40, 70, 2.0, 1.0, 0, 0.9, 6), root, false)
                .writeAll(s -> {});
        gt = VisDroneDataset.load(root);
    }

    @Test
    void shouldScoreErrorFreeDetectionsOfASyntheticFlightAsOneForBoxesAndMasks() {
        Map<String, List<Detection>> dets = new SimulatedDetections(0, 0, 0, 0, 1).apply(gt);
        for (IouType type : IouType.values()) {
            Metrics m = new CocoEvaluator()
                    .evaluate(gt, dets, EvalParams.visDrone(type))
                    .overall();
            assertEquals(1.0, m.ap(), 1e-9, type + " AP");
            assertEquals(1.0, m.ar().get(3), 1e-9, type + " AR500");
        }
    }

    @Test
    void shouldLowerRecallByTheMissRate() {
        Map<String, List<Detection>> dets = new SimulatedDetections(0, 0.5, 0, 0, 2).apply(gt);
        Metrics m = new CocoEvaluator()
                .evaluate(gt, dets, EvalParams.visDrone(IouType.BBOX))
                .overall();
        assertEquals(0.5, m.ar().get(3), 0.2, "half the objects missed");
        assertTrue(m.ap() < 0.75, "AP " + m.ap());
    }

    @Test
    void shouldLowerAp75BeforeAp50WhenBoxesJitter() {
        Map<String, List<Detection>> dets = new SimulatedDetections(0.08, 0, 0, 0, 3).apply(gt);
        Metrics m = new CocoEvaluator()
                .evaluate(gt, dets, EvalParams.visDrone(IouType.BBOX))
                .overall();
        assertTrue(m.ap50() > 0.8, "AP50 " + m.ap50());
        assertTrue(m.ap75() < m.ap50() - 0.1, "AP75 " + m.ap75() + " vs AP50 " + m.ap50());
    }

    @Test
    void shouldRejectOutOfRangeKnobNamingTheOption() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> new SimulatedDetections(0, 1.5, 0, 0, 1));
        assertTrue(e.getMessage().startsWith("--miss-rate"), e.getMessage());
    }
}
