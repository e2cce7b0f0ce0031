package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class SlicedDetectorTest {

    private static Detection det(double x1, double y1, double x2, double y2, int category, double score) {
        return new Detection(new Box(x1, y1, x2, y2), category, score, null);
    }

    @Test
    void shouldCutSahisGridForA1280x720FrameWith512PxSlices() {
        // Step 512 - floor(0.2 * 512) = 410: x 0, 410, then 820 + 512 > 1280, so 1280 - 512 = 768;
        // y 0, then 410 + 512 > 720, so 208.
        List<Box> slices = SlicedDetector.slices(new FrameSize(1280, 720), 512, 0.2);
        List<Box> expected = new ArrayList<>();
        for (int y : new int[] {0, 208}) {
            for (int x : new int[] {0, 410, 768}) expected.add(Box.ofXywh(x, y, 512, 512));
        }
        assertEquals(expected, slices);
    }

    @Test
    void shouldCoverEveryPixelWithSlicesInsideTheFrame() {
        SplittableRandom rng = new SplittableRandom(31);
        List<int[]> cases = new ArrayList<>(List.of(
                new int[] {1280, 720, 512},
                new int[] {512, 512, 512},
                new int[] {513, 511, 512},
                new int[] {100, 60, 128},
                new int[] {1, 1, 64},
                new int[] {1025, 1024, 512}));
        for (int t = 0; t < 60; t++) {
            cases.add(
                    new int[] {1 + rng.nextInt(1400), 1 + rng.nextInt(900), new int[] {32, 64, 128, 512}[rng.nextInt(4)]
                    });
        }
        double[] overlaps = {0, 0.2, 0.5, 0.9};
        int checked = 0;
        for (int[] c : cases) {
            for (double overlap : overlaps) {
                int w = c[0], h = c[1], side = c[2];
                String ctx = w + "x" + h + " slice " + side + " overlap " + overlap;
                List<Box> slices = SlicedDetector.slices(new FrameSize(w, h), side, overlap);
                // Slices per pixel by 2-D differences: +1 at a slice's top-left, -1 right of it and
                // below it, +1 diagonally past it; prefix sums then count the slices over each pixel.
                int[] cover = new int[(w + 1) * (h + 1)];
                TreeSet<Double> xs = new TreeSet<>(), ys = new TreeSet<>();
                for (Box s : slices) {
                    assertTrue(s.x1() >= 0 && s.y1() >= 0 && s.x2() <= w && s.y2() <= h, "inside, " + ctx + ": " + s);
                    assertEquals(Math.min(side, w), s.width(), ctx);
                    assertEquals(Math.min(side, h), s.height(), ctx);
                    int x1 = (int) s.x1(), y1 = (int) s.y1(), x2 = (int) s.x2(), y2 = (int) s.y2();
                    cover[y1 * (w + 1) + x1]++;
                    cover[y1 * (w + 1) + x2]--;
                    cover[y2 * (w + 1) + x1]--;
                    cover[y2 * (w + 1) + x2]++;
                    xs.add(s.x1());
                    ys.add(s.y1());
                }
                for (int y = 0; y < h; y++) {
                    for (int x = 0; x < w; x++) {
                        int i = y * (w + 1) + x;
                        if (x > 0) cover[i] += cover[i - 1];
                        if (y > 0) cover[i] += cover[i - w - 1];
                        if (x > 0 && y > 0) cover[i] -= cover[i - w - 2];
                        if (cover[i] <= 0) fail("pixel (" + x + ", " + y + ") in no slice, " + ctx);
                    }
                }
                assertEquals(xs.size() * ys.size(), slices.size(), "a grid, each slice once, " + ctx);
                // Neighbours share at least floor(overlap * side) pixels.
                int least = (int) (overlap * side);
                for (TreeSet<Double> starts : List.of(xs, ys)) {
                    Double prev = null;
                    for (double s : starts) {
                        if (prev != null) assertTrue(s - prev <= side - least, "overlap, " + ctx + ": " + starts);
                        prev = s;
                    }
                }
                checked++;
            }
        }
        assertEquals(66 * 4, checked);
    }

    /** A frame whose pixel (x, y) has red x % 256, green y, blue x / 256: any crop is recognisable. */
    private static BufferedImage ramp(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, (x % 256) << 16 | y << 8 | x / 256);
        }
        return img;
    }

    @Test
    void shouldRunSlicesAndTheWholeFrameInBatchesAndMergeThemByNms() throws Exception {
        // 300 x 200 frame, 128 px slices, overlap 0.2: step 103, x 0, 103, 172 and y 0, 72: six
        // slices (row by row), then the whole frame, in calls of 3, 3 and 1.
        BufferedImage frame = ramp(300, 200);
        FakeModel model = new FakeModel(128, 128, i -> switch (i) {
            case 1 -> List.of(det(10, 20, 30, 40, 4, 0.8)); // slice (103, 0): frame [113,20,133,40]
            case 4 -> List.of(det(0, 0, 10, 10, 4, 0.6)); // slice (103, 72): frame [103,72,113,82]
            case 6 -> List.of(det(112, 19, 134, 41, 4, 0.9), det(0, 0, 50, 50, 1, 0.5)); // the whole frame
            default -> List.of();
        });
        DetectionBatch out = new SlicedDetector(model, 0.2, 3).detect(List.of(new FrameImage(4, frame)));

        assertEquals(List.of(3, 3, 1), model.callSizes);
        assertEquals(frame.getRGB(103, 0), model.seen.get(1).getRGB(0, 0), "slice 1 starts at (103, 0)");
        assertEquals(frame.getRGB(299, 199), model.seen.get(5).getRGB(127, 127), "slice 5 ends at the corner");
        assertSame(frame, model.seen.get(6), "the whole frame, letterboxed by the model itself");
        // The slice's [113,20,133,40] and the frame's [112,19,134,41] (IoU 0.83) merge to the better.
        assertEquals(
                List.of(det(112, 19, 134, 41, 4, 0.9), det(103, 72, 113, 82, 4, 0.6), det(0, 0, 50, 50, 1, 0.5)),
                out.frames().get(0).detections());
        BatchStats s = out.stats();
        assertEquals(new BatchStats(1, 7, 7L * 128 * 128, 0, 0, s.packMs(), s.fineMs(), s.totalMs()), s);
        assertEquals(s.totalMs(), s.packMs() + s.fineMs(), 1e-6);
    }

    @Test
    void shouldDropDetectionsOnThePaddingOfASliceLargerThanTheFrame() throws Exception {
        // A 100 x 60 frame is one slice drawn on a 128 px canvas; [110,100,120,110] lies on grey.
        FakeModel model = new FakeModel(
                128,
                128,
                i -> i == 0 ? List.of(det(110, 100, 120, 110, 4, 0.9), det(10, 10, 20, 20, 4, 0.7)) : List.of());
        DetectionBatch out = new SlicedDetector(model, 0.2, 8).detect(List.of(new FrameImage(0, ramp(100, 60))));
        assertEquals(List.of(det(10, 10, 20, 20, 4, 0.7)), out.frames().get(0).detections());
        assertEquals(115, model.seen.get(0).getRGB(127, 127) & 0xFF, "grey padding");
        assertThrows(
                IllegalArgumentException.class,
                () -> new SlicedDetector(new FakeModel(128, 96, i -> List.of()), 0.2, 8));
        assertThrows(IllegalArgumentException.class, () -> new SlicedDetector(model, 1.0, 8));
    }

    @Test
    void fullFrameShouldPassFramesThroughInBatchesWithItsStats() throws Exception {
        FakeModel model = new FakeModel(
                128, 96, i -> List.of(det(i, i, i + 10, i + 10, 4, 0.2), det(0, 0, 5, 5, 1, 0.3 + 0.1 * i)));
        List<FrameImage> frames = new ArrayList<>();
        for (int i = 0; i < 5; i++) frames.add(new FrameImage(20 + i, ramp(64, 48)));
        DetectionBatch out = new FullFrameDetector(model, 2).detect(frames);
        assertEquals(List.of(2, 2, 1), model.callSizes);
        assertEquals(
                List.of(20, 21, 22, 23, 24),
                out.frames().stream().map(FrameResult::index).toList());
        assertEquals(
                List.of(det(0, 0, 5, 5, 1, 0.5), det(2, 2, 12, 12, 4, 0.2)),
                out.frames().get(2).detections(),
                "by descending score");
        BatchStats s = out.stats();
        assertEquals(new BatchStats(5, 5, 5L * 128 * 96, 0, 0, 0, s.fineMs(), s.totalMs()), s);
        assertEquals(s.totalMs(), s.fineMs(), 1e-9);
    }
}
