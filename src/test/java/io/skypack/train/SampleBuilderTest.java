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
}
