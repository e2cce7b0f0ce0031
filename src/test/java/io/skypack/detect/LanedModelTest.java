package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LanedModelTest {
    private final InferenceLanes lanes = new InferenceLanes(2, "lane", () -> {});

    @AfterEach
    void closeLanes() {
        lanes.close();
    }

    /** Answers each image with one detection whose box is as wide as the image; records who ran it. */
    private static class Copy implements ImageModel {
        final List<Integer> widths = Collections.synchronizedList(new ArrayList<>());
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        private final int input;

        Copy(int input) {
            this.input = input;
        }

        @Override
        public int inputWidth() {
            return input;
        }

        @Override
        public int inputHeight() {
            return input;
        }

        @Override
        public List<List<Detection>> detect(List<BufferedImage> images) {
            threads.add(Thread.currentThread().getName());
            List<List<Detection>> out = new ArrayList<>();
            for (BufferedImage im : images) {
                widths.add(im.getWidth());
                out.add(List.of(new Detection(new Box(0, 0, im.getWidth(), 1), 1, 0.5, null, 0)));
            }
            return out;
        }
    }

    private static List<BufferedImage> imagesOfWidths(int from, int count) {
        return IntStream.range(from, from + count)
                .mapToObj(w -> new BufferedImage(w, 2, BufferedImage.TYPE_3BYTE_BGR))
                .toList();
    }

    private static List<Integer> answeredWidths(List<List<Detection>> dets) {
        return dets.stream().map(d -> (int) d.get(0).box().x2()).toList();
    }

    @Test
    void shouldSplitABatchEvenlyOverTheLanesAndAnswerInInputOrder() {
        Copy a = new Copy(64), b = new Copy(64);
        LanedModel model = new LanedModel(lanes, List.of(a, b));

        List<List<Detection>> dets = model.detect(imagesOfWidths(10, 8));

        assertEquals(List.of(10, 11, 12, 13, 14, 15, 16, 17), answeredWidths(dets));
        assertEquals(List.of(10, 11, 12, 13), a.widths);
        assertEquals(List.of("lane-0"), a.threads);
        assertEquals(List.of(14, 15, 16, 17), b.widths);
        assertEquals(List.of("lane-1"), b.threads);
    }

    @Test
    void anOddBatchShouldGiveTheLastLaneTheExtraImage() {
        Copy a = new Copy(64), b = new Copy(64);

        List<List<Detection>> dets = new LanedModel(lanes, List.of(a, b)).detect(imagesOfWidths(20, 5));

        assertEquals(List.of(20, 21, 22, 23, 24), answeredWidths(dets));
        assertEquals(List.of(20, 21), a.widths);
        assertEquals(List.of(22, 23, 24), b.widths);
    }

    @Test
    void oneImageShouldRunOnTheCallersThreadOnTheFirstCopy() {
        Copy a = new Copy(64), b = new Copy(64);

        List<List<Detection>> dets = new LanedModel(lanes, List.of(a, b)).detect(imagesOfWidths(30, 1));

        assertEquals(List.of(30), answeredWidths(dets));
        assertEquals(List.of(Thread.currentThread().getName()), a.threads);
        assertEquals(List.of(), b.threads);
    }

    @Test
    void fewerImagesThanLanesShouldLeaveTheLastLanesIdle() {
        try (InferenceLanes four = new InferenceLanes(4, "four", () -> {})) {
            List<Copy> copies = List.of(new Copy(64), new Copy(64), new Copy(64), new Copy(64));

            List<List<Detection>> dets = new LanedModel(four, copies).detect(imagesOfWidths(40, 3));

            assertEquals(List.of(40, 41, 42), answeredWidths(dets));
            assertEquals(
                    List.of(List.of(40), List.of(41), List.of(42), List.of()),
                    copies.stream().map(c -> c.widths).toList());
        }
    }

    @Test
    void aCopyFailingShouldFailTheWholeCall() {
        ImageModel broken = new Copy(64) {
            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                throw new IllegalStateException("native OOM");
            }
        };
        LanedModel model = new LanedModel(lanes, List.of(new Copy(64), broken));

        assertEquals(
                "native OOM",
                assertThrows(IllegalStateException.class, () -> model.detect(imagesOfWidths(1, 4)))
                        .getMessage());
    }

    @Test
    void shouldRefuseCopiesThatDoNotMatchTheLanesOrEachOther() {
        assertThrows(IllegalArgumentException.class, () -> new LanedModel(lanes, List.of(new Copy(64))));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new LanedModel(lanes, List.of(new Copy(64), new Copy(32))));
        assertEquals("the copies' input sizes differ: 32x32 and 64x64", e.getMessage());
    }
}
