package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class BackMapperTest {
    /** Frame 1 region [100,50,200,150] at zoom 2 on (10,20); frame 2 region [300,200,400,250] at zoom 4 on (0,300). */
    private static final Chip ZOOM2 = new Chip(0, 1, new Box(100, 50, 200, 150), 2, 10, 20, 200, 200);

    private static final Chip ZOOM4 = new Chip(1, 2, new Box(300, 200, 400, 250), 4, 0, 300, 400, 200);
    private static final PackingResult PACKING =
            new PackingResult(List.of(new Mosaic(0, 640, List.of(ZOOM2, ZOOM4))), 0.2, 0, 0);
    private static final Map<Integer, FrameSize> FRAMES =
            Map.of(1, new FrameSize(640, 480), 2, new FrameSize(1000, 800));
    private final BackMapper mapper = new BackMapper();

    private static Detection det(double x1, double y1, double x2, double y2, int category, double score) {
        return new Detection(new Box(x1, y1, x2, y2), category, score, null, 2);
    }

    @Test
    void shouldMapBoxesBackToExactFrameCoordinates() {
        BackMapping out = mapper.map(
                PACKING, List.of(List.of(det(50, 60, 90, 100, 7, 0.8), det(40, 340, 80, 360, 9, 0.6))), FRAMES);
        // Zoom 2: x' = (50 - 10) / 2 + 100 = 120, y' = (60 - 20) / 2 + 50 = 70, (90 - 10) / 2 + 100 = 140,
        // (100 - 20) / 2 + 50 = 90.
        assertEquals(List.of(new Detection(new Box(120, 70, 140, 90), 7, 0.8, null, 2)), out.detections(1));
        // Zoom 4: 40 / 4 + 300 = 310, (340 - 300) / 4 + 200 = 210, 80 / 4 + 300 = 320, 60 / 4 + 200 = 215.
        assertEquals(List.of(new Detection(new Box(310, 210, 320, 215), 9, 0.6, null, 2)), out.detections(2));
        assertEquals(0, out.unassigned());
        assertEquals(0, out.suppressed());
    }

    @Test
    void shouldDropADetectionWithIofAtOrBelowTheThresholdAndClipOneAbove() {
        Chip chip = new Chip(0, 0, new Box(0, 0, 100, 100), 1, 0, 0, 100, 100);
        PackingResult packing = new PackingResult(List.of(new Mosaic(0, 200, List.of(chip))), 0.25, 0, 0);
        // [83,0,103,10]: 17 of its 20 columns on the chip, IoF 0.85. [81,0,101,10]: IoF 0.95.
        // [150,150,160,160]: on no chip at all.
        BackMapping out = mapper.map(
                packing,
                List.of(List.of(
                        det(83, 0, 103, 10, 1, 0.9), det(81, 0, 101, 10, 1, 0.5), det(150, 150, 160, 160, 1, 0.5))),
                Map.of(0, new FrameSize(300, 300)));
        assertEquals(List.of(new Detection(new Box(81, 0, 100, 10), 1, 0.5, null, 2)), out.detections(0));
        assertEquals(2, out.unassigned());
    }

    @Test
    void shouldMapMasksWithTheirBoxesIntoFrameSizedMasks() {
        // Mosaic masks set on [51,70) x [61,80) under the zoom-2 box and on [40,60) x [340,360)
        // under the zoom-4 box. A frame pixel takes the mosaic pixel under its centre: frame column
        // 120 spans mosaic [50, 52), centre 51, set; column 129 has centre 69, set; 130 has 71.
        // So frame [120,130) x [70,80) and [310,315) x [210,215).
        MaskRle m2 = MaskRle.ofRectangle(640, 640, 51, 61, 70, 80);
        MaskRle m4 = MaskRle.ofRectangle(640, 640, 40, 340, 60, 360);
        BackMapping out = mapper.map(
                PACKING,
                List.of(List.of(
                        new Detection(new Box(50, 60, 90, 100), 7, 0.8, m2),
                        new Detection(new Box(40, 340, 80, 360), 9, 0.6, m4))),
                FRAMES);
        assertEquals(
                MaskRle.ofRectangle(480, 640, 120, 70, 130, 80),
                out.detections(1).get(0).mask());
        assertEquals(
                MaskRle.ofRectangle(800, 1000, 310, 210, 315, 215),
                out.detections(2).get(0).mask());
    }

    @Test
    void shouldMapAMaskPixelForPixelAtZoomOne() {
        Chip chip = new Chip(0, 0, new Box(30, 40, 50, 60), 1, 5, 7, 20, 20);
        PackingResult packing = new PackingResult(List.of(new Mosaic(0, 32, List.of(chip))), 0.4, 0, 0);
        SplittableRandom rng = new SplittableRandom(5);
        boolean[] mosaic = new boolean[32 * 32];
        boolean[] frame = new boolean[100 * 80];
        for (int y = 7; y < 27; y++) {
            for (int x = 5; x < 25; x++) {
                boolean v = rng.nextBoolean();
                mosaic[y * 32 + x] = v;
                frame[(y - 7 + 40) * 80 + (x - 5 + 30)] = v;
            }
        }
        Detection d = new Detection(new Box(5, 7, 25, 27), 0, 1, MaskRle.encode(mosaic, 32, 32));
        BackMapping out = mapper.map(packing, List.of(List.of(d)), Map.of(0, new FrameSize(80, 100)));
        assertEquals(MaskRle.encode(frame, 100, 80), out.detections(0).get(0).mask());
    }

    @Test
    void shouldMergeTheSameObjectSeenInTwoOverlappingTiles() {
        PackingResult packing = twoTiles();
        // The object at frame [500,20,540,60] is whole in both tiles: mosaic [500,20,540,60] on the
        // first, [140,124,180,164] on the second.
        Box onLeft = new Box(500, 20, 540, 60), onRight = new Box(140, 124, 180, 164);
        BackMapping out = mapper.map(
                packing,
                List.of(List.of(
                        new Detection(onLeft, 3, 0.9, null),
                        new Detection(onRight, 3, 0.8, null),
                        new Detection(onRight, 4, 0.7, null))),
                Map.of(5, new FrameSize(1000, 100)));
        assertEquals(
                List.of(
                        new Detection(new Box(500, 20, 540, 60), 3, 0.9, null),
                        new Detection(new Box(500, 20, 540, 60), 4, 0.7, null)),
                out.detections(5));
        assertEquals(1, out.suppressed());
    }

    /** A 1000 x 100 region split into tiles [0,640) and [360,1000), stacked with a 4 px gap. */
    private static PackingResult twoTiles() {
        PackingResult packing =
                new MosaicPacker().pack(List.of(new ForegroundRegion(5, new Box(0, 0, 1000, 100), 1, 1)));
        assertEquals(
                List.of(
                        new Chip(0, 5, new Box(0, 0, 640, 100), 1, 0, 0, 640, 100),
                        new Chip(0, 5, new Box(360, 0, 1000, 100), 1, 0, 104, 640, 100)),
                packing.chips());
        return packing;
    }

    @Test
    void shouldJoinTheTwoPiecesOfAnObjectCutByASeam() {
        // Object at frame [200,900) x [20,60), wider than the 280 px overlap: tile 1 sees [200,640),
        // tile 2 sees [360,900) (mosaic [0,124,540,164]). The pieces' IoU is 280 / 700 = 0.4, so NMS
        // alone keeps both; inside the shared [360,640) both are [360,640) x [20,60), IoU 1: joined.
        MaskRle left = MaskRle.ofRectangle(640, 640, 200, 20, 640, 60);
        MaskRle right = MaskRle.ofRectangle(640, 640, 0, 124, 540, 164);
        BackMapping out = mapper.map(
                twoTiles(),
                List.of(List.of(
                        new Detection(new Box(200, 20, 640, 60), 3, 0.7, left, 0),
                        new Detection(new Box(0, 124, 540, 164), 3, 0.9, right, 1))),
                Map.of(5, new FrameSize(1000, 100)));
        assertEquals(
                List.of(new Detection(
                        new Box(200, 20, 900, 60), 3, 0.9, MaskRle.ofRectangle(100, 1000, 200, 20, 900, 60), 1)),
                out.detections(5));
        assertEquals(1, out.joined());
        assertEquals(0, out.suppressed());
    }

    @Test
    void shouldJoinAFragmentIntoTheWholeObjectOfTheNeighbouringTile() {
        // Object X at [600,720) x [20,60): tile 1 sees the fragment [600,640) (cut at its seam),
        // tile 2 sees X whole (mosaic x 240..360). Their IoU is 40 / 120, so NMS alone keeps both;
        // inside the shared [360,640) both are [600,640): joined. A class-9 fragment with no
        // partner, and W, a car right of the seam that only tile 2 sees, stay.
        BackMapping out = mapper.map(
                twoTiles(),
                List.of(List.of(
                        new Detection(new Box(600, 20, 640, 60), 4, 0.8, null),
                        new Detection(new Box(240, 124, 360, 164), 4, 0.6, null),
                        new Detection(new Box(600, 70, 640, 90), 9, 0.5, null),
                        new Detection(new Box(290, 174, 340, 194), 4, 0.4, null))),
                Map.of(5, new FrameSize(1000, 100)));
        assertEquals(
                List.of(
                        new Detection(new Box(600, 20, 720, 60), 4, 0.8, null),
                        new Detection(new Box(600, 70, 640, 90), 9, 0.5, null),
                        new Detection(new Box(650, 70, 700, 90), 4, 0.4, null)),
                out.detections(5));
        assertEquals(1, out.joined());
    }

    @Test
    void shouldNotJoinNeighboursThatDisagreeWhereBothTilesSawThem() {
        // Car A cut by tile 1's seam at [560,640) x [20,60) (mosaic as is); tile 2 sees only car B at
        // [650,700) x [20,60), beside A but not A: inside the shared [360,640) B is empty.
        // And A beside a same-class box of tile 2 that covers other rows: [360,640) x [60,90).
        BackMapping out = mapper.map(
                twoTiles(),
                List.of(List.of(
                        new Detection(new Box(560, 20, 640, 60), 4, 0.8, null),
                        new Detection(new Box(290, 124, 340, 164), 4, 0.7, null),
                        new Detection(new Box(0, 164, 280, 194), 4, 0.6, null))),
                Map.of(5, new FrameSize(1000, 100)));
        assertEquals(3, out.detections(5).size(), "" + out.detections(5));
        assertEquals(0, out.joined());
    }

    @Test
    void shouldKeepFramesApartAndListFramesWithoutDetections() {
        // The same mosaic box class on two frames' chips is never merged; frame 2 found nothing.
        BackMapping out = mapper.map(PACKING, List.of(List.of(det(50, 60, 90, 100, 7, 0.8))), FRAMES);
        assertEquals(List.of(1, 2), List.copyOf(out.byFrame().keySet()));
        assertEquals(List.of(), out.detections(2));
        assertNull(out.detections(1).get(0).mask());
    }

    @Test
    void shouldRefuseMismatchedInputs() {
        assertThrows(IllegalArgumentException.class, () -> mapper.map(PACKING, List.of(), FRAMES));
        assertThrows(
                IllegalArgumentException.class,
                () -> mapper.map(PACKING, List.of(List.of()), Map.of(1, new FrameSize(640, 480))));
        Detection wrongMask = new Detection(new Box(50, 60, 90, 100), 7, 0.8, MaskRle.empty(100, 100));
        assertThrows(IllegalArgumentException.class, () -> mapper.map(PACKING, List.of(List.of(wrongMask)), FRAMES));
    }

    @Test
    void shouldRecoverFrameBoxesThroughRealPackingsOfRandomBatches() {
        SplittableRandom rng = new SplittableRandom(17);
        MosaicPacker packer = new MosaicPacker(new PackingConfig(512, 4, 64));
        int checked = 0, category = 0;
        for (int t = 0; t < 200; t++) {
            List<ForegroundRegion> regions = MosaicPackerTest.randomBatch(rng);
            PackingResult packing = packer.pack(regions);
            List<List<Detection>> perMosaic = new ArrayList<>();
            List<List<Box>> expected = new ArrayList<>();
            for (Mosaic m : packing.mosaics()) {
                List<Detection> dets = new ArrayList<>();
                for (Chip c : m.chips()) {
                    // A random box inside the chip's source region, given to the mapper in mosaic pixels.
                    Box r = c.sourceRegion();
                    double x1 = r.x1() + rng.nextDouble() * r.width(), x2 = x1 + rng.nextDouble() * (r.x2() - x1);
                    double y1 = r.y1() + rng.nextDouble() * r.height(), y2 = y1 + rng.nextDouble() * (r.y2() - y1);
                    if (x2 - x1 < 1e-3 || y2 - y1 < 1e-3) continue;
                    Box inMosaic = new Box(c.toMosaicX(x1), c.toMosaicY(y1), c.toMosaicX(x2), c.toMosaicY(y2));
                    dets.add(new Detection(inMosaic, category++, 0.5, null)); // distinct: no NMS between them
                    while (expected.size() <= c.frameIndex()) expected.add(new ArrayList<>());
                    expected.get(c.frameIndex()).add(new Box(x1, y1, x2, y2));
                }
                perMosaic.add(dets);
            }
            Map<Integer, FrameSize> frames = new HashMap<>();
            for (ForegroundRegion g : regions) frames.put(g.frameIndex(), new FrameSize(4000, 3000));
            BackMapping out = mapper.map(packing, perMosaic, frames);
            assertEquals(0, out.unassigned());
            for (int f = 0; f < expected.size(); f++) {
                for (Box want : expected.get(f)) {
                    boolean found = out.detections(f).stream().anyMatch(d -> near(d.box(), want));
                    assertTrue(found, "batch " + t + " frame " + f + " box " + want);
                    checked++;
                }
            }
        }
        assertTrue(checked > 5000, "checked " + checked);
    }

    @Test
    void shouldGiveEveryObjectOfASplitRegionBackWholeAndOnce() {
        // Disjoint objects of one class in regions too large for a 512 px canvas; every tile reports
        // the piece of every object it sees (object clipped to the tile), as a perfect fine model
        // would. Whatever the seams cut, each object must come back once, with its whole box.
        SplittableRandom rng = new SplittableRandom(23);
        MosaicPacker packer = new MosaicPacker(new PackingConfig(512, 4, 64));
        int objectsSeen = 0, piecesSeen = 0;
        for (int t = 0; t < 200; t++) {
            double w = 600 + rng.nextDouble(1300), h = 100 + rng.nextDouble(1300);
            Box region = new Box(10, 20, 10 + w, 20 + h);
            PackingResult packing = packer.pack(List.of(new ForegroundRegion(0, region, 1 + rng.nextInt(2), 1)));
            List<Box> objects = new ArrayList<>();
            for (int tries = 0; tries < 200 && objects.size() < 15; tries++) {
                double ow = 4 + rng.nextDouble(400), oh = 4 + rng.nextDouble(300);
                Box snapped = packing.chips().stream()
                        .map(Chip::sourceRegion)
                        .reduce(Box::union)
                        .orElseThrow();
                if (ow >= snapped.width() || oh >= snapped.height()) continue;
                double x = snapped.x1() + rng.nextDouble(snapped.width() - ow);
                double y = snapped.y1() + rng.nextDouble(snapped.height() - oh);
                Box o = Box.ofXywh(x, y, ow, oh);
                if (objects.stream().allMatch(p -> p.intersection(o) == 0)) objects.add(o);
            }
            List<List<Detection>> perMosaic = new ArrayList<>();
            for (Mosaic m : packing.mosaics()) {
                List<Detection> dets = new ArrayList<>();
                for (Chip c : m.chips()) {
                    Box src = c.sourceRegion();
                    for (Box o : objects) {
                        double x1 = Math.max(o.x1(), src.x1()), y1 = Math.max(o.y1(), src.y1());
                        double x2 = Math.min(o.x2(), src.x2()), y2 = Math.min(o.y2(), src.y2());
                        if (x2 <= x1 || y2 <= y1) continue;
                        Box piece = new Box(c.toMosaicX(x1), c.toMosaicY(y1), c.toMosaicX(x2), c.toMosaicY(y2));
                        dets.add(new Detection(piece, 4, 0.1 + 0.8 * rng.nextDouble(), null));
                        piecesSeen++;
                    }
                }
                perMosaic.add(dets);
            }
            List<Detection> out = mapper.map(packing, perMosaic, Map.of(0, new FrameSize(2000, 1500)))
                    .detections(0);
            for (Box o : objects) {
                assertEquals(
                        1,
                        out.stream().filter(d -> near(d.box(), o)).count(),
                        "case " + t + ": object " + o + " in " + out);
            }
            assertEquals(objects.size(), out.size(), "case " + t + ": no leftover pieces in " + out);
            objectsSeen += objects.size();
        }
        assertTrue(piecesSeen > 1.5 * objectsSeen, "seams should cut many objects: " + piecesSeen + " pieces");
    }

    private static boolean near(Box a, Box b) {
        return Math.abs(a.x1() - b.x1()) < 1e-9
                && Math.abs(a.y1() - b.y1()) < 1e-9
                && Math.abs(a.x2() - b.x2()) < 1e-9
                && Math.abs(a.y2() - b.y2()) < 1e-9;
    }
}
