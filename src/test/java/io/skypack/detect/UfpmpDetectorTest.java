package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.model.RandomModels;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UfpmpDetectorTest {
    private static final int RED = 0xC80A0A, BLUE = 0x0A0AC8, GREY = 115 << 16 | 115 << 8 | 115;

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) img.setRGB(x, y, rgb);
        }
        return img;
    }

    private static Detection det(double x1, double y1, double x2, double y2, int category, double score) {
        return new Detection(new Box(x1, y1, x2, y2), category, score, null);
    }

    /** Canvas 128, gap 4, tile overlap 16; otherwise the defaults (candidates from 0.1). */
    private static final UfpmpConfig SMALL = new UfpmpConfig(
            0.1, ClusteringConfig.DEFAULT, 4, 16, 8, UfpmpConfig.KeepCoarse.DEFAULT, 0, UfpmpConfig.CanvasBudget.FRAME);

    private static void assertStatsAddUp(BatchStats s) {
        assertEquals(s.totalMs(), s.coarseMs() + s.packMs() + s.fineMs(), 1e-6, "stages add up to the total: " + s);
        assertTrue(s.coarseMs() >= 0 && s.packMs() >= 0 && s.fineMs() >= 0, "" + s);
    }

    @Test
    void shouldMapFineDetectionsBackToExactFrameCoordinatesAndSkipFramesWithoutCandidates() throws Exception {
        // Frame 10: an 8x8 candidate at (100, 60), enlarged 1.5x to [98,58,110,70]; mean area 64 <
        // 32^2, zoom 4: a 48x48 chip. Frame 11: only a 0.05 detection, under the 0.1 threshold: no
        // candidate. Frame 12: [20,30,28,38] gives [18,28,30,40], also 48x48 at zoom 4. One 128 px
        // canvas: frame 10's chip at (0,0), frame 12's beside it at 48 + 4 = 52.
        FakeModel coarse = FakeModel.answering(
                64,
                48,
                List.of(
                        List.of(det(100, 60, 108, 68, 4, 0.9)),
                        List.of(det(5, 5, 15, 15, 4, 0.05)),
                        List.of(det(20, 30, 28, 38, 1, 0.3))));
        // On the canvas: [8,12,24,32] on frame 10's chip, [60,4,72,20] on frame 12's.
        FakeModel fine =
                FakeModel.answering(128, 128, List.of(List.of(det(8, 12, 24, 32, 4, 0.9), det(60, 4, 72, 20, 1, 0.7))));
        UfpmpDetector detector = new UfpmpDetector(coarse, fine, SMALL);
        List<FrameImage> frames = List.of(
                new FrameImage(10, solid(200, 150, RED)),
                new FrameImage(11, solid(200, 150, 0x00FF00)),
                new FrameImage(12, solid(200, 150, BLUE)));

        UfpmpDetector.Mosaics out = detector.detectShowingMosaics(frames);

        assertEquals(
                List.of(
                        new Chip(0, 10, new Box(98, 58, 110, 70), 4, 0, 0, 48, 48),
                        new Chip(1, 12, new Box(18, 28, 30, 40), 4, 52, 0, 48, 48)),
                out.packing().chips());
        assertEquals(List.of(1), fine.callSizes, "one fine call with the one canvas");
        BufferedImage canvas = fine.seen.get(0);
        assertEquals(128, canvas.getWidth());
        assertEquals(RED, canvas.getRGB(10, 10) & 0xFFFFFF, "frame 10 drawn on its chip");
        assertEquals(BLUE, canvas.getRGB(60, 10) & 0xFFFFFF, "frame 12 drawn on its chip");
        assertEquals(GREY, canvas.getRGB(120, 120) & 0xFFFFFF, "padding");

        List<FrameResult> results = out.batch().frames();
        assertEquals(
                List.of(10, 11, 12), results.stream().map(FrameResult::index).toList());
        // x' = (x - chipX) / zoom + regionX: (8 - 0) / 4 + 98 = 100, (12 - 0) / 4 + 58 = 61, 24 / 4 +
        // 98 = 104, 32 / 4 + 58 = 66; and (60 - 52) / 4 + 18 = 20, 4 / 4 + 28 = 29, (72 - 52) / 4 +
        // 18 = 23, 20 / 4 + 28 = 33.
        assertEquals(List.of(det(100, 61, 104, 66, 4, 0.9)), results.get(0).detections());
        assertEquals(List.of(), results.get(1).detections());
        assertEquals(List.of(det(20, 29, 23, 33, 1, 0.7)), results.get(2).detections());
        assertEquals(
                List.of(new ForegroundRegion(10, new Box(98, 58, 110, 70), 4, 1)),
                results.get(0).regions());
        assertEquals(
                List.of(false, true, false),
                results.stream().map(FrameResult::fineSkipped).toList());

        BatchStats s = out.batch().stats();
        assertEquals(3, s.frames());
        assertEquals(3 + 1, s.networkInputs(), "three coarse frames, one canvas");
        assertEquals(3 * 64 * 48 + 128 * 128, s.pixelsInferred());
        assertEquals(1, s.mosaics());
        assertStatsAddUp(s);
    }

    @Test
    void aFrameBudgetShouldGiveACrowdedFrameItsZoomAloneWhereABatchBudgetLendsItASparseFramesCanvas() throws Exception {
        // Frame 0: two 20x20 candidates far apart, enlarged to 30x30, zoom 4: two 120 px chips, one per 128 px
        // canvas. Frame 1: one 8x8 candidate, a 48 px chip. One canvas per frame.
        List<List<Detection>> candidates = List.of(
                List.of(det(50, 50, 70, 70, 1, 0.9), det(300, 200, 320, 220, 1, 0.9)),
                List.of(det(100, 100, 108, 108, 1, 0.9)));
        List<FrameImage> frames =
                List.of(new FrameImage(0, solid(400, 300, RED)), new FrameImage(1, solid(400, 300, BLUE)));
        UfpmpConfig perFrame = SMALL.withCanvasesPerFrame(1);

        FakeModel fine = FakeModel.answering(128, 128, List.of());
        UfpmpDetector.Mosaics alone = new UfpmpDetector(FakeModel.answering(64, 48, candidates), fine, perFrame)
                .detectShowingMosaics(frames.subList(0, 1));
        assertEquals(List.of(2.0, 2.0), zooms(alone.packing()), "frame 0 alone: both chips halved to fit one canvas");

        UfpmpDetector.Mosaics shared =
                new UfpmpDetector(FakeModel.answering(64, 48, candidates), fine, perFrame).detectShowingMosaics(frames);
        assertEquals(List.of(2.0, 2.0, 4.0), zooms(shared.packing()), "frame 0 as alone, frame 1 untouched");
        assertEquals(1, shared.packing().mosaics().size(), "both frames share one canvas");
        assertEquals(1, shared.batch().stats().mosaics());

        UfpmpDetector.Mosaics borrowed = new UfpmpDetector(
                        FakeModel.answering(64, 48, candidates),
                        fine,
                        perFrame.withCanvasBudget(UfpmpConfig.CanvasBudget.BATCH))
                .detectShowingMosaics(frames);
        assertEquals(2, borrowed.packing().mosaics().size(), "the batch's two canvases");
        assertTrue(
                zooms(borrowed.packing()).subList(0, 2).contains(4.0),
                "frame 0 keeps zoom 4 on one chip with frame 1's canvas: " + zooms(borrowed.packing()));
    }

    /** Each region's zoom on the canvases, by region. */
    private static List<Double> zooms(PackingResult p) {
        return p.chips().stream()
                .sorted(java.util.Comparator.comparingInt(Chip::regionIndex))
                .map(Chip::zoom)
                .toList();
    }

    @Test
    void shouldMakeNoFineCallWhenNoFrameHasCandidates() throws Exception {
        FakeModel coarse = FakeModel.answering(64, 48, List.of(List.of(det(5, 5, 15, 15, 4, 0.09))));
        FakeModel fine = FakeModel.answering(128, 128, List.of());
        DetectionBatch out = new UfpmpDetector(coarse, fine, SMALL)
                .detect(List.of(new FrameImage(0, solid(90, 60, RED)), new FrameImage(1, solid(90, 60, BLUE))));
        assertEquals(List.of(), fine.callSizes);
        assertTrue(out.frames().stream()
                .allMatch(f -> f.fineSkipped() && f.detections().isEmpty()));
        assertEquals(new BatchStats(2, 2, 2 * 64 * 48, 0, 0, 0, 0, 0), zeroTimes(out.stats()));
        assertStatsAddUp(out.stats());
    }

    private static BatchStats zeroTimes(BatchStats s) {
        return new BatchStats(s.frames(), s.networkInputs(), s.pixelsInferred(), s.mosaics(), 0, 0, 0, 0);
    }

    @Test
    void shouldKeepConfidentLargeCoarseDetectionsOnlyWhereTheFinePassHasNothingThere() throws Exception {
        // A 150 x 120 truck (18,000 px >= 96^2) at 0.9. Enlarged: [12.5,20,237.5,200], snapped to
        // [12,20,238,200], zoom 1: one 226 x 180 chip at (0,0) of a 256 px canvas.
        Detection truck = det(50, 50, 200, 170, 6, 0.9);
        List<FrameImage> frame = List.of(new FrameImage(0, solid(400, 300, RED)));
        UfpmpConfig keep = SMALL.withKeepCoarse(true);

        FakeModel finds = FakeModel.answering(256, 256, List.of(List.of(det(0, 0, 226, 180, 6, 0.6))));
        List<Detection> found = only(new UfpmpDetector(coarseSaying(truck), finds, keep).detect(frame));
        // The fine box maps to [12,20,238,200]: IoU with the truck 18,000 / 40,680 = 0.44 > 0.3.
        assertEquals(List.of(det(12, 20, 238, 200, 6, 0.6)), found, "the fine pass found it: not kept");

        FakeModel missesIt = FakeModel.answering(256, 256, List.of());
        assertEquals(List.of(truck), only(new UfpmpDetector(coarseSaying(truck), missesIt, keep).detect(frame)));
        assertEquals(
                List.of(),
                only(new UfpmpDetector(coarseSaying(truck), missesIt, SMALL).detect(frame)),
                "off by default");

        // Candidates only from 0.95: the frame has none and skips the fine pass; the truck stays.
        FakeModel unused = FakeModel.answering(256, 256, List.of());
        DetectionBatch skipped =
                new UfpmpDetector(coarseSaying(truck), unused, keep.withCandidateScore(0.95)).detect(frame);
        assertTrue(skipped.frames().get(0).fineSkipped());
        assertEquals(List.of(truck), skipped.frames().get(0).detections());
        assertEquals(List.of(), unused.callSizes);
    }

    private static FakeModel coarseSaying(Detection d) {
        return FakeModel.answering(64, 48, List.of(List.of(d)));
    }

    private static List<Detection> only(DetectionBatch b) {
        assertEquals(1, b.frames().size());
        return b.frames().get(0).detections();
    }

    @Test
    void shouldFailTheWholeBatchWithOneCheckedExceptionWhenAModelFails() {
        FakeModel broken = new FakeModel(64, 48, i -> {
            throw new IllegalStateException("native allocation failed");
        });
        UfpmpDetector detector = new UfpmpDetector(broken, FakeModel.answering(128, 128, List.of()), SMALL);
        DetectionException e = assertThrows(
                DetectionException.class, () -> detector.detect(List.of(new FrameImage(0, solid(10, 10, RED)))));
        assertTrue(e.getMessage().contains("coarse model failed"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalStateException);
        assertThrows(
                IllegalArgumentException.class,
                () -> detector.detect(
                        List.of(new FrameImage(3, solid(10, 10, RED)), new FrameImage(3, solid(10, 10, RED)))),
                "frame indices must be unique");
        assertThrows(
                IllegalArgumentException.class,
                () -> new UfpmpDetector(broken, FakeModel.answering(128, 96, List.of()), SMALL),
                "the canvas is square");
    }

    // ---- end to end on tiny random MP-Det models ----

    /** Grey frames with a few bright rectangles, so a random model has something to react to. */
    private static BufferedImage scene(int w, int h, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        BufferedImage img = solid(w, h, 0x5A6E5A);
        Graphics2D g = img.createGraphics();
        for (int i = 0; i < 6; i++) {
            g.setColor(new Color(rng.nextInt(0x1000000)));
            g.fillRect(rng.nextInt(w - 20), rng.nextInt(h - 12), 4 + rng.nextInt(16), 4 + rng.nextInt(8));
        }
        g.dispose();
        return img;
    }

    @Test
    void shouldRunEndToEndOnTinyRandomModelsWithStatsThatAddUp(@TempDir Path dir) throws Exception {
        // Every coarse detection of a random model is a candidate (decoder threshold and candidate
        // score 0), at most 12 per frame. Frame 7's coarse answer is dropped on the way, so it has
        // no candidates and must skip the fine pass while frames 5 and 6 go through it.
        MpDetDecoder.Params coarseParams = new MpDetDecoder.Params(0, 1000, 0.6, 12, 0.5, true);
        List<FrameImage> frames = List.of(
                new FrameImage(5, scene(160, 120, 1)),
                new FrameImage(6, scene(160, 120, 2)),
                new FrameImage(7, scene(160, 120, 3)));
        try (MpDetRunner coarseRunner = MpDetRunner.open(RandomModels.write(dir, "coarse", 96, 64, 1), coarseParams);
                MpDetRunner fineRunner =
                        MpDetRunner.open(RandomModels.write(dir, "fine", 128, 128, 2), MpDetDecoder.Params.DEFAULTS)) {
            ImageModel coarse = new ImageModel() {
                @Override
                public int inputWidth() {
                    return coarseRunner.inputWidth();
                }

                @Override
                public int inputHeight() {
                    return coarseRunner.inputHeight();
                }

                @Override
                public List<List<Detection>> detect(List<BufferedImage> images) {
                    List<List<Detection>> out = new ArrayList<>(coarseRunner.detect(images));
                    for (int i = 0; i < images.size(); i++) {
                        if (images.get(i) == frames.get(2).image()) out.set(i, List.of());
                    }
                    return out;
                }
            };
            UfpmpDetector detector = new UfpmpDetector(coarse, fineRunner, SMALL.withCandidateScore(0));
            UfpmpDetector.Mosaics out = detector.detectShowingMosaics(frames);

            List<FrameResult> results = out.batch().frames();
            assertEquals(
                    List.of(5, 6, 7), results.stream().map(FrameResult::index).toList());
            assertFalse(results.get(0).fineSkipped() || results.get(1).fineSkipped(), "frames with candidates");
            assertTrue(results.get(2).fineSkipped() && results.get(2).regions().isEmpty());
            assertEquals(List.of(), results.get(2).detections());
            assertTrue(out.packing().chips().stream().noneMatch(c -> c.frameIndex() == 7), "no chip of frame 7");

            BatchStats s = out.batch().stats();
            int mosaics = out.packing().mosaics().size();
            assertTrue(mosaics >= 1, "frames 5 and 6 need at least one canvas");
            assertEquals(mosaics, s.mosaics());
            assertEquals(mosaics, out.canvases().size());
            assertEquals(3 + mosaics, s.networkInputs());
            assertEquals(3L * 96 * 64 + (long) mosaics * 128 * 128, s.pixelsInferred());
            assertStatsAddUp(s);

            int found = 0;
            for (FrameResult r : results) {
                for (Detection d : r.detections()) {
                    Box b = d.box();
                    assertTrue(b.x1() >= 0 && b.y1() >= 0 && b.x2() <= 160 && b.y2() <= 120, "inside: " + b);
                    assertTrue(
                            r.regions().stream().anyMatch(g -> g.region().intersection(b) > 0), "from a region: " + b);
                    assertTrue(d.mask() == null
                            || (d.mask().width() == 160 && d.mask().height() == 120));
                    found++;
                }
            }
            assertTrue(found > 0, "a random model at threshold 0.05 finds something on the canvases");
        }
    }
}
