package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class MosaicPackerTest {

    private static ForegroundRegion region(int frame, double x1, double y1, double x2, double y2, int zoom) {
        return new ForegroundRegion(frame, new Box(x1, y1, x2, y2), zoom, 1);
    }

    @Test
    void shouldGiveNoCanvasesForNoRegions() {
        PackingResult r = new MosaicPacker().pack(List.of());
        assertEquals(List.of(), r.mosaics());
        assertEquals(0.0, r.foregroundFraction());
    }

    @Test
    void shouldSnapOutwardsToWholePixelsAndZoom() {
        // [10.2, 20.7] x [5.5, 9] snaps to [10, 21] x [5, 9]: 11 x 4 frame px, 44 x 16 at zoom 4.
        PackingResult r = new MosaicPacker().pack(List.of(region(3, 10.2, 5.5, 20.7, 9, 4)));
        assertEquals(
                List.of(new Mosaic(0, 640, List.of(new Chip(0, 3, new Box(10, 5, 21, 9), 4, 0, 0, 44, 16)))),
                r.mosaics());
        assertEquals(44.0 * 16 / (640 * 640), r.foregroundFraction(), 1e-15);
    }

    @Test
    void shouldFillACanvasExactlyWhenChipsAndGapsAddUp() {
        // 16 chips of 157 px with 4 px gaps: 4 * 157 + 3 * 4 = 640, one canvas, a 4 x 4 grid.
        List<ForegroundRegion> regions = new ArrayList<>();
        for (int i = 0; i < 16; i++) regions.add(region(i, 0, 0, 157, 157, 1));
        PackingResult r = new MosaicPacker(new PackingConfig(640, 4, 64)).pack(regions);
        assertEquals(1, r.mosaics().size());
        TreeSet<Integer> xs = new TreeSet<>(), ys = new TreeSet<>();
        r.chips().forEach(c -> {
            xs.add(c.x());
            ys.add(c.y());
        });
        assertEquals(List.of(0, 161, 322, 483), List.copyOf(xs));
        assertEquals(List.of(0, 161, 322, 483), List.copyOf(ys));
        // One pixel more each and the 16th needs a second canvas.
        regions.replaceAll(g -> region(g.frameIndex(), 0, 0, 158, 158, 1));
        assertEquals(
                2,
                new MosaicPacker(new PackingConfig(640, 4, 64))
                        .pack(regions)
                        .mosaics()
                        .size());
    }

    @Test
    void shouldHalveTheZoomOfARegionTooLargeForTheCanvas() {
        // 200 x 100 at zoom 4 is 800 px wide > 640; at zoom 2 it is 400 x 200.
        PackingResult r = new MosaicPacker().pack(List.of(region(0, 0, 0, 200, 100, 4)));
        Chip c = r.chips().get(0);
        assertEquals(2.0, c.zoom());
        assertEquals(400, c.w());
        assertEquals(200, c.h());
        assertEquals(1, r.reducedZoomRegions());
        assertEquals(0, r.splitRegions());
    }

    @Test
    void shouldSplitARegionTooLargeAtZoomOneIntoOverlappingTiles() {
        // 1000 px wide, canvas 640, overlap 64: n = 1 + ceil(360 / 576) = 2 tiles, at 0 and 360.
        PackingResult r = new MosaicPacker().pack(List.of(region(5, 0, 0, 1000, 100, 1)));
        List<Box> sources = r.chips().stream()
                .map(Chip::sourceRegion)
                .sorted((a, b) -> Double.compare(a.x1(), b.x1()))
                .toList();
        assertEquals(List.of(new Box(0, 0, 640, 100), new Box(360, 0, 1000, 100)), sources);
        assertTrue(r.chips().stream().allMatch(c -> c.zoom() == 1 && c.frameIndex() == 5 && c.regionIndex() == 0));
        assertEquals(1, r.splitRegions());
        assertEquals(0, r.reducedZoomRegions());
    }

    @Test
    void shouldTileARegionTooLargeAtZoomOneAtItsRequestedZoom() {
        // The same region of small objects at zoom 2: tiles of 640 / 2 = 320 frame px sharing at
        // least 64 / 2 = 32, so step 288 and n = 1 + ceil(680 / 288) = 4, at floor(k * 680 / 3).
        // Each tile is drawn at zoom 2 (640 x 200), not shrunk to zoom 1 first.
        PackingResult r = new MosaicPacker().pack(List.of(region(5, 0, 0, 1000, 100, 2)));
        List<Box> sources = r.chips().stream()
                .map(Chip::sourceRegion)
                .sorted((a, b) -> Double.compare(a.x1(), b.x1()))
                .toList();
        assertEquals(
                List.of(
                        new Box(0, 0, 320, 100),
                        new Box(226, 0, 546, 100),
                        new Box(453, 0, 773, 100),
                        new Box(680, 0, 1000, 100)),
                sources);
        assertTrue(r.chips().stream().allMatch(c -> c.zoom() == 2 && c.w() == 640 && c.h() == 200));
        assertEquals(2, r.mosaics().size(), "three 200 px rows with gaps fit a canvas, the fourth does not");
        assertEquals(1, r.splitRegions());
        assertEquals(0, r.reducedZoomRegions());
    }

    @Test
    void shouldHalveTheTileZoomOnlyWhenTheOverlapWouldNotFitATile() {
        // Canvas 130, overlap 129: at zoom 4 a tile is 32 frame px but must share ceil(129 / 4) =
        // 33; at zoom 2, 65 and 65; only zoom 1 (130 and 129) leaves room to advance.
        PackingResult r = new MosaicPacker(new PackingConfig(130, 0, 129)).pack(List.of(region(0, 0, 0, 300, 10, 4)));
        assertTrue(r.chips().stream().allMatch(c -> c.zoom() == 1 && c.w() == 130));
        assertEquals(1, r.reducedZoomRegions());
    }

    @Test
    void shouldRefuseEmptyRegions() {
        assertThrows(IllegalArgumentException.class, () -> new MosaicPacker().pack(List.of(region(0, 5, 5, 5, 9, 1))));
    }

    /** Regions of 1..16 frames: tiny, medium, large, huge and whole-frame, zooms 1, 2 and 4. */
    static List<ForegroundRegion> randomBatch(SplittableRandom rng) {
        FrameSize[] sizes = {
            new FrameSize(1920, 1080), new FrameSize(1280, 720), new FrameSize(960, 540), new FrameSize(640, 480)
        };
        int[] zooms = {1, 2, 4};
        int frames = 1 + rng.nextInt(16);
        List<ForegroundRegion> regions = new ArrayList<>();
        for (int f = 0; f < frames; f++) {
            FrameSize fs = rng.nextInt(50) == 0 ? new FrameSize(3840, 2160) : sizes[rng.nextInt(sizes.length)];
            int n = rng.nextInt(4) == 0 ? 0 : rng.nextInt(rng.nextBoolean() ? 4 : 16);
            for (int i = 0; i < n; i++) {
                int kind = rng.nextInt(100);
                double w, h;
                if (kind < 55) { // tiny
                    w = 2 + rng.nextDouble(40);
                    h = 2 + rng.nextDouble(40);
                } else if (kind < 85) { // medium
                    w = 20 + rng.nextDouble(180);
                    h = 20 + rng.nextDouble(180);
                } else if (kind < 95) { // large
                    w = 150 + rng.nextDouble(750);
                    h = 150 + rng.nextDouble(600);
                } else if (kind < 99) { // huge
                    w = 500 + rng.nextDouble(fs.width());
                    h = 400 + rng.nextDouble(fs.height());
                } else { // the whole frame
                    w = fs.width();
                    h = fs.height();
                }
                w = Math.min(w, fs.width());
                h = Math.min(h, fs.height());
                double x = rng.nextDouble() * (fs.width() - w), y = rng.nextDouble() * (fs.height() - h);
                regions.add(new ForegroundRegion(f, new Box(x, y, x + w, y + h), zooms[rng.nextInt(3)], 1));
            }
        }
        return regions;
    }

    @Test
    void shouldPlaceEveryRegionOnceInsideItsCanvasWithGapsOn5000RandomBatches() {
        SplittableRandom rng = new SplittableRandom(20240701L);
        int[] canvasSizes = {512, 640};
        int[] gaps = {0, 4, 7};
        int[] overlaps = {32, 64, 100};
        double sumFraction = 0;
        long chipArea = 0, canvasArea = 0, fullChipArea = 0, fullCanvasArea = 0, lowerBound = 0;
        long unsplitBatches = 0, unsplitBound = 0, unsplitUsed = 0;
        int batches = 5000, splitSeen = 0, reducedSeen = 0, multiCanvas = 0, regionsSeen = 0, canvasesSeen = 0;
        for (int t = 0; t < batches; t++) {
            List<ForegroundRegion> regions = randomBatch(rng);
            PackingConfig config =
                    new PackingConfig(canvasSizes[rng.nextInt(2)], gaps[rng.nextInt(3)], overlaps[rng.nextInt(3)]);
            MosaicPacker packer = new MosaicPacker(config);
            PackingResult r = packer.pack(regions);
            String ctx = "batch " + t + " " + config;
            PackingInvariants.check(regions, config, r, rng, ctx);
            if (t % 50 == 0) {
                assertEquals(r, packer.pack(List.copyOf(regions)), "deterministic, " + ctx);
            }
            splitSeen += r.splitRegions();
            reducedSeen += r.reducedZoomRegions();
            regionsSeen += regions.size();
            canvasesSeen += r.mosaics().size();
            int s = config.canvasSize();
            long bound = canvasLowerBound(r.chips(), config);
            lowerBound += bound;
            if (r.splitRegions() == 0 && !r.mosaics().isEmpty()) {
                unsplitBatches++;
                unsplitBound += bound;
                unsplitUsed += r.mosaics().size();
            }
            if (!r.mosaics().isEmpty()) {
                sumFraction += r.foregroundFraction();
                for (Mosaic m : r.mosaics()) {
                    chipArea += m.chipArea();
                    canvasArea += (long) s * s;
                }
            }
            if (r.mosaics().size() > 1) {
                multiCanvas++;
                // The last canvas takes the leftovers; the others show how well the packer fills.
                for (Mosaic m : r.mosaics().subList(0, r.mosaics().size() - 1)) {
                    fullChipArea += m.chipArea();
                    fullCanvasArea += (long) s * s;
                }
            }
        }
        double aggregate = (double) chipArea / canvasArea, full = (double) fullChipArea / fullCanvasArea;
        double bound = (double) lowerBound / canvasesSeen, unsplit = (double) unsplitBound / unsplitUsed;
        System.out.printf(
                "MosaicPacker on %d batches (%d regions, %d canvases, lower bound %d): mean foreground fraction"
                        + " %.3f, aggregate %.3f, all canvases but the last %.3f, lower bound / used %.3f;"
                        + " %d regions split, %d zoomed less; %d batches without a split: lower bound / used %.3f%n",
                batches,
                regionsSeen,
                canvasesSeen,
                lowerBound,
                sumFraction / batches,
                aggregate,
                full,
                bound,
                splitSeen,
                reducedSeen,
                unsplitBatches,
                unsplit);
        assertTrue(splitSeen > 200 && reducedSeen > 500 && multiCanvas > 1000, "the batches should exercise splits");
        // Floors just under what this seed gives (measured: mean 0.803, aggregate 0.974, all
        // but the last 0.985, bound/used 0.989 overall and 0.873 without splits), so a packer that
        // got worse fails here. The mean is low because a batch with one small region still takes
        // a whole canvas; the bound/used ratios say how far from the best possible it can be. Split
        // regions are tiled at their zoom, mostly into whole-canvas tiles that pack perfectly, so
        // the overall ratios are high and the ratio without splits is the one that tells packers
        // apart: packing in height order only gives 0.860 there, next-fit instead of first-fit
        // 0.797 (and mean 0.781, aggregate 0.959, bound/used 0.975); both fail.
        assertTrue(sumFraction / batches > 0.80, "mean foreground fraction " + sumFraction / batches);
        assertTrue(aggregate > 0.97, "aggregate fill " + aggregate);
        assertTrue(full > 0.98, "fill of non-last canvases " + full);
        assertTrue(bound > 0.985, "lower bound / canvases used " + bound);
        assertTrue(unsplit > 0.865, "lower bound / canvases used without splits " + unsplit);
    }

    /**
     * No packing can use fewer canvases than this: the padded chip area over the padded canvas
     * area, and the number of chips more than half a canvas in both directions (no two fit together).
     */
    static long canvasLowerBound(List<Chip> chips, PackingConfig config) {
        long e = config.canvasSize() + config.gap(), area = 0, big = 0;
        for (Chip c : chips) {
            long w = c.w() + config.gap(), h = c.h() + config.gap();
            area += w * h;
            if (2 * w > e && 2 * h > e) big++;
        }
        return Math.max(big, (area + e * e - 1) / (e * e));
    }

    @Test
    void shouldStayWithinTheCanvasBudgetByLoweringZoomOn2000RandomBatches() {
        SplittableRandom rng = new SplittableRandom(20261125L);
        int lowered = 0, overBudgetAtZoomOne = 0, batchesOverBudget = 0;
        for (int t = 0; t < 2000; t++) {
            List<ForegroundRegion> regions = randomBatch(rng);
            PackingConfig config = new PackingConfig(rng.nextBoolean() ? 512 : 640, 4, 64);
            MosaicPacker packer = new MosaicPacker(config);
            int budget = 1 + rng.nextInt(6);
            PackingResult free = packer.pack(regions);
            PackingResult r = packer.pack(regions, budget);
            String ctx = "batch " + t + " budget " + budget + " " + config;
            PackingInvariants.check(regions, config, r, rng, ctx, true);
            if (free.mosaics().size() <= budget) {
                assertEquals(free, r, "a packing within budget is left alone, " + ctx);
                continue;
            }
            batchesOverBudget++;
            assertTrue(r.mosaics().size() <= free.mosaics().size(), "never more canvases than without, " + ctx);
            if (r.mosaics().size() > budget) {
                overBudgetAtZoomOne++;
                assertTrue(r.chips().stream().allMatch(c -> c.zoom() == 1), "over budget only at zoom 1, " + ctx);
            }
            lowered += r.reducedZoomRegions() - free.reducedZoomRegions();
        }
        assertTrue(batchesOverBudget > 200, "the budget bites in " + batchesOverBudget + " batches");
        assertTrue(lowered > 0);
        assertTrue(overBudgetAtZoomOne < batchesOverBudget, "most over-budget batches are brought within it");
    }

    /**
     * Frame 0: one 200x200 region at zoom 4 (an 800 px chip, too large for 512: packed at zoom 2, 400 px) and
     * twelve 20x20 regions at zoom 4 (80 px chips): two 512 px canvases, one if the big region is at zoom 1.
     */
    private static List<ForegroundRegion> crowdedFrame() {
        List<ForegroundRegion> regions = new ArrayList<>();
        regions.add(new ForegroundRegion(0, new Box(0, 0, 200, 200), 4, 5));
        for (int i = 0; i < 12; i++) {
            regions.add(new ForegroundRegion(0, new Box(200 + 30 * i, 300, 220 + 30 * i, 320), 4, 1));
        }
        return regions;
    }

    @Test
    void shouldLowerTheLargestChipFirstAndKeepSmallObjectsZoomed() {
        // Budget 1: the big region gives up zoom first (to 1, since it is drawn at 2 already), the small ones keep 4.
        List<ForegroundRegion> regions = crowdedFrame();
        MosaicPacker packer = new MosaicPacker(new PackingConfig(512, 4, 64));
        assertEquals(2, packer.pack(regions).mosaics().size());
        PackingResult r = packer.pack(regions, 1);
        assertEquals(1, r.mosaics().size());
        for (Chip c : r.chips()) {
            assertEquals(c.regionIndex() == 0 ? 1.0 : 4.0, c.zoom(), "chip of region " + c.regionIndex());
        }
        assertEquals(1, r.reducedZoomRegions());
    }

    @Test
    void aFrameBudgetShouldLowerACrowdedFramesZoomAsIfAloneAndLetTheBatchShareCanvases() {
        // Frame 0: two canvases at its requested zoom, one if its big region goes to zoom 1. Frame 1: one 20x20
        // region at zoom 4 (an 80 px chip).
        List<ForegroundRegion> regions = crowdedFrame();
        regions.add(new ForegroundRegion(1, new Box(50, 50, 70, 70), 4, 1));
        MosaicPacker packer = new MosaicPacker(new PackingConfig(512, 4, 64));

        // One budget of 2 for the batch: frame 0 borrows frame 1's canvas and keeps zoom 2.
        PackingResult batch = packer.pack(regions, 2);
        assertEquals(2, batch.mosaics().size());
        assertEquals(2.0, zoomOf(batch, 0));
        // One canvas per frame: frame 0 is lowered as when alone, then both frames fit one canvas.
        PackingResult perFrame = packer.packWithinFrameBudgets(regions, 1);
        assertEquals(1, perFrame.mosaics().size());
        assertEquals(1.0, zoomOf(perFrame, 0));
        for (int r = 1; r < regions.size(); r++) assertEquals(4.0, zoomOf(perFrame, r), "region " + r);
        assertEquals(1, perFrame.reducedZoomRegions());
        PackingInvariants.check(regions, packer.config(), perFrame, new SplittableRandom(1), "two frames", true);

        // A single frame is packed exactly as under a batch budget of perFrame.
        List<ForegroundRegion> alone = regions.subList(0, 13);
        assertEquals(packer.pack(alone, 1), packer.packWithinFrameBudgets(alone, 1));
        assertThrows(IllegalArgumentException.class, () -> packer.packWithinFrameBudgets(regions, 0));
    }

    private static double zoomOf(PackingResult r, int region) {
        return r.chips().stream()
                .filter(c -> c.regionIndex() == region)
                .mapToDouble(Chip::zoom)
                .max()
                .orElseThrow();
    }

    @Test
    void aFrameBudgetShouldGiveEveryFrameItsZoomAloneAndShareCanvasesOn2000RandomBatches() {
        SplittableRandom rng = new SplittableRandom(20261126L);
        long shared = 0, alone = 0;
        int lowered = 0, multiFrame = 0, fewer = 0, notAsAlone = 0;
        for (int t = 0; t < 2000; t++) {
            List<ForegroundRegion> regions = randomBatch(rng);
            PackingConfig config = new PackingConfig(rng.nextBoolean() ? 512 : 640, 4, 64);
            MosaicPacker packer = new MosaicPacker(config);
            int perFrame = 1 + rng.nextInt(5);
            PackingResult r = packer.packWithinFrameBudgets(regions, perFrame);
            String ctx = "batch " + t + " per frame " + perFrame + " " + config;
            PackingInvariants.check(regions, config, r, rng, ctx, true);
            // Each frame alone: the zoom of each of its regions there is the zoom it has in the batch.
            TreeSet<Integer> frames = new TreeSet<>();
            for (ForegroundRegion g : regions) frames.add(g.frameIndex());
            int canvasesAlone = 0;
            boolean asAlone = true;
            for (int f : frames) {
                List<Integer> own = new ArrayList<>();
                for (int i = 0; i < regions.size(); i++) if (regions.get(i).frameIndex() == f) own.add(i);
                PackingResult a = packer.pack(own.stream().map(regions::get).toList(), perFrame);
                canvasesAlone += a.mosaics().size();
                for (Chip c : a.chips()) {
                    double inBatch = zoomOf(r, own.get(c.regionIndex()));
                    assertTrue(inBatch <= c.zoom(), "never more zoom than alone, frame " + f + ", " + ctx);
                    asAlone &= inBatch == c.zoom();
                }
            }
            assertTrue(r.mosaics().size() <= canvasesAlone, "never more canvases than frame by frame, " + ctx);
            if (!asAlone) notAsAlone++;
            lowered += r.reducedZoomRegions();
            if (frames.size() > 1) {
                multiFrame++;
                shared += r.mosaics().size();
                alone += canvasesAlone;
                if (r.mosaics().size() < canvasesAlone) fewer++;
            }
        }
        System.out.printf(
                "Frame budgets on %d multi-frame batches: %d canvases shared against %d with each frame alone"
                        + " (%.3f); fewer in %d batches; %d regions lowered; %d batches not at every frame's zoom"
                        + " alone%n",
                multiFrame, shared, alone, (double) shared / alone, fewer, lowered, notAsAlone);
        assertTrue(lowered > 500, "the budget bites: " + lowered);
        // Measured with this seed: 0.781 of the canvases, fewer in 1,649 of 1,691 batches, and the shared packing
        // never needed more canvases than the frames alone (so nothing was lowered further).
        assertTrue(shared < 0.85 * alone, "sharing canvases saves: " + shared + " against " + alone);
        assertTrue(fewer > 0.9 * multiFrame, fewer + " of " + multiFrame);
        assertEquals(0, notAsAlone, "batches that lowered a frame below its zoom alone");
    }
}
