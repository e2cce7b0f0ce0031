package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.model.MpDetConfig;
import io.skypack.train.data.LabeledImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SampleBuilderTest {
    private static MpDetConfig model(int w, int h) {
        return new MpDetConfig(
                "t",
                w,
                h,
                List.of(4),
                List.of(1),
                8,
                7,
                List.of(8, 16, 32),
                List.of(8, 8, 8, 8, 8),
                8,
                1,
                4,
                10f,
                false);
    }

    @Test
    void shouldScaleBoxesAndMasksWithTheFrameInFullFrameMode(@TempDir Path dir) throws IOException {
        LabeledImage img = TinyDataset.write(dir, 1).get(0); // car at (20, 30)-(60, 54) in 128x128
        TrainSample s = new SampleBuilder(model(64, 64), SampleBuilder.Mode.FULL_FRAME, SampleBuilder.Augment.NONE)
                .build(img, new SplittableRandom(1));
        assertArrayEquals(new float[] {10, 15, 30, 27}, s.boxes(), 1e-4f);
        assertEquals(0, s.labels()[0]);
        assertFalse(s.ignore()[0]);
        // Mask on the 16x16 prototype grid: the box / 4 = (2.5, 3.75)-(7.5, 6.75) -> cells x 2..7, y 3..6 (> half
        // covered).
        float[] m = s.masks()[0];
        int set = 0;
        for (int y = 0; y < 16; y++) {
            for (int x = 0; x < 16; x++) {
                if (m[y * 16 + x] > 0) {
                    set++;
                    assertTrue(x >= 2 && x <= 7 && y >= 3 && y <= 6, "cell " + x + "," + y);
                }
            }
        }
        assertTrue(set >= 15 && set <= 24, "cells set: " + set);
        // The car is red: the red channel at its centre (20, 21) is bright, green is dark.
        assertTrue(s.chw()[21 * 64 + 20] > 0.7f && s.chw()[64 * 64 + 21 * 64 + 20] < 0.3f);
    }

    @Test
    void shouldMirrorBoxesWhenFlipped(@TempDir Path dir) throws IOException {
        LabeledImage img = TinyDataset.write(dir, 1).get(0);
        SampleBuilder b =
                new SampleBuilder(model(128, 128), SampleBuilder.Mode.FULL_FRAME, new SampleBuilder.Augment(true, 0));
        boolean sawFlip = false;
        for (int seed = 0; seed < 8; seed++) {
            TrainSample s = b.build(img, new SplittableRandom(seed));
            if (s.boxes()[0] != 20f) {
                assertArrayEquals(new float[] {68, 30, 108, 54}, s.boxes(), 1e-4f);
                assertTrue(s.chw()[40 * 128 + 100] > 0.7f, "red pixel moved to the mirrored place");
                sawFlip = true;
            }
        }
        assertTrue(sawFlip, "half the samples are flipped");
    }

    @Test
    void shouldIgnoreClassesTheModelDoesNotKnow(@TempDir Path dir) throws IOException {
        LabeledImage img = TinyDataset.write(dir, 1).get(0);
        MpDetConfig busOnly = new MpDetConfig(
                "t",
                64,
                64,
                List.of(9),
                List.of(1),
                8,
                7,
                List.of(8, 16, 32),
                List.of(8, 8, 8, 8, 8),
                8,
                1,
                4,
                10f,
                false);
        TrainSample s = new SampleBuilder(busOnly, SampleBuilder.Mode.FULL_FRAME, SampleBuilder.Augment.NONE)
                .build(img, new SplittableRandom(1));
        assertTrue(s.ignore()[0], "a car is not a class of a bus-only model: ignored, not background");
        assertEquals(-1, s.labels()[0]);
    }

    @Test
    void shouldShowSmallObjectsAtFourTimesTheirSizeOnAMosaicCanvas(@TempDir Path dir) throws IOException {
        // The 40x24 car (area 960 < 32^2) gets zoom 4: the fine pass sees it as 160x96 on the canvas. The simulated
        // coarse box is 85-120% of the object per side, so its area can pass 32^2 and the zoom become 2 (80x48).
        LabeledImage img = TinyDataset.write(dir, 1).get(0);
        // A perfect simulated coarse pass (no miss, no false candidate): one region, one canvas, the car on it.
        SampleBuilder b =
                new SampleBuilder(model(256, 256), SampleBuilder.Mode.MOSAICS, SampleBuilder.Augment.NONE, 0, 0);
        int zoomed = 0, seen = 0;
        for (int seed = 0; seed < 20; seed++) {
            TrainSample s = b.build(img, new SplittableRandom(seed));
            for (int i = 0; i < s.labels().length; i++) {
                float[] box = java.util.Arrays.copyOfRange(s.boxes(), 4 * i, 4 * i + 4);
                assertTrue(box[0] >= 0 && box[1] >= 0 && box[2] <= 256 && box[3] <= 256, "inside the canvas");
                if (s.ignore()[i]) continue;
                float zoom = (box[2] - box[0]) / 40;
                assertTrue(zoom == 4f || zoom == 2f, "zoom " + zoom);
                assertEquals(24 * zoom, box[3] - box[1], 1e-3f);
                if (zoom == 4f) zoomed++;
                seen++;
                // Red at the car's centre on the canvas, and the mask's cells all inside its box.
                int cx = (int) ((box[0] + box[2]) / 2), cy = (int) ((box[1] + box[3]) / 2);
                assertTrue(s.chw()[cy * 256 + cx] > 0.7f && s.chw()[256 * 256 + cy * 256 + cx] < 0.3f);
                float[] m = s.masks()[i];
                int set = 0;
                for (int y = 0; y < 64; y++) {
                    for (int x = 0; x < 64; x++) {
                        if (m[y * 64 + x] == 0) continue;
                        set++;
                        assertTrue(
                                x * 4 + 2 >= box[0]
                                        && x * 4 + 2 <= box[2]
                                        && y * 4 + 2 >= box[1]
                                        && y * 4 + 2 <= box[3],
                                "cell " + x + "," + y + " outside " + java.util.Arrays.toString(box));
                    }
                }
                // The object's area in stride-4 cells, give or take the cells its edges cut.
                float cw = 40 * zoom / 4, ch = 24 * zoom / 4;
                assertTrue(set >= (cw - 1) * (ch - 1) && set <= (cw + 1) * (ch + 1), set + " mask cells");
            }
        }
        assertEquals(20, seen, "the car is on the canvas of every sample");
        assertTrue(zoomed >= 5, "zoom 4 in " + zoomed + " of 20");
        // With misses and false candidates a canvas may show only false foreground, or part of the car at a
        // chip's edge (labelled while at least MIN_VISIBLE of it shows); most still show the car.
        SampleBuilder noisy =
                new SampleBuilder(model(256, 256), SampleBuilder.Mode.MOSAICS, SampleBuilder.Augment.NONE);
        int cars = 0;
        for (int seed = 0; seed < 20; seed++) {
            TrainSample s = noisy.build(img, new SplittableRandom(seed));
            for (int i = 0; i < s.labels().length; i++) {
                if (s.ignore()[i]) continue;
                assertTrue(s.boxes()[4 * i + 2] - s.boxes()[4 * i] >= 2
                        && s.boxes()[4 * i + 3] - s.boxes()[4 * i + 1] >= 2);
                cars++;
            }
        }
        assertTrue(cars >= 10, "cars in " + cars + " of 20 noisy samples");
    }

    @Test
    void shouldPackSomeSamplesUnderABudgetShortOfWhatTheyNeedWhenAskedToLowerZoom() {
        // Fifty 20x20 regions at zoom 4 (80 px chips): more than one 512 px canvas at the zoom they ask for.
        List<io.skypack.detect.ForegroundRegion> regions = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            regions.add(new io.skypack.detect.ForegroundRegion(
                    0,
                    new io.skypack.detect.Box(30 * (i % 40), 25 * (i / 40), 30 * (i % 40) + 20, 25 * (i / 40) + 20),
                    4,
                    1));
        }
        var packer = new io.skypack.detect.MosaicPacker(new io.skypack.detect.PackingConfig(512, 4, 64));
        int needed = packer.pack(regions).mosaics().size();
        assertTrue(needed >= 2, needed + " canvases");
        int lowered = 0;
        for (int seed = 0; seed < 40; seed++) {
            var never = SampleBuilder.pack(packer, regions, 0, new SplittableRandom(seed));
            assertEquals(needed, never.mosaics().size());
            assertEquals(0, never.reducedZoomRegions());
            var half = SampleBuilder.pack(packer, regions, 0.5, new SplittableRandom(seed));
            if (half.reducedZoomRegions() > 0) {
                lowered++;
                assertTrue(half.mosaics().size() < needed, "fewer canvases than it needs");
                assertTrue(half.chips().stream().allMatch(c -> c.zoom() >= 1));
            }
        }
        assertTrue(lowered >= 10 && lowered <= 30, "lowered in " + lowered + " of 40 at chance 0.5");
    }

    @Test
    void shouldRefuseMosaicsForANonSquareModel() {
        org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class,
                () -> new SampleBuilder(model(64, 32), SampleBuilder.Mode.MOSAICS, SampleBuilder.Augment.NONE));
    }
}
