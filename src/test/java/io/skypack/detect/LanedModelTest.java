package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LanedModelTest {
    private final InferenceLanes lanes = new InferenceLanes(2, "lane", () -> {});

    @AfterEach
    void closeLanes() {
        lanes.close();
    }

    /** Answers each image with one detection whose box is as wide as the image; records who ran what. */
    private static class Copy implements ImageModel {
        final List<Integer> widths = Collections.synchronizedList(new ArrayList<>());
        final List<Integer> callSizes = Collections.synchronizedList(new ArrayList<>());
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
            callSizes.add(images.size());
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

    private static List<Integer> range(int from, int count) {
        return IntStream.range(from, from + count).boxed().toList();
    }

    @Test
    void shouldCutABatchIntoChunksOfAtMostMaxPerCallAndAnswerInInputOrder() {
        Copy a = new Copy(64), b = new Copy(64);
        LanedModel model = new LanedModel(lanes, List.of(a, b), 4);

        List<List<Detection>> dets = model.detect(imagesOfWidths(10, 26));

        assertEquals(range(10, 26), answeredWidths(dets));
        List<Integer> sizes = new ArrayList<>(a.callSizes);
        sizes.addAll(b.callSizes);
        Collections.sort(sizes);
        assertEquals(List.of(2, 4, 4, 4, 4, 4, 4), sizes, "7 chunks, the last one short");
        List<Integer> seen = new ArrayList<>(a.widths);
        seen.addAll(b.widths);
        Collections.sort(seen);
        assertEquals(range(10, 26), seen, "every image once");
        a.threads.forEach(t -> assertEquals("lane-0", t));
        b.threads.forEach(t -> assertEquals("lane-1", t));
    }

    @Test
    void aSmallBatchShouldBeCutIntoOneChunkPerLane() {
        Copy a = new Copy(64), b = new Copy(64);

        List<List<Detection>> dets = new LanedModel(lanes, List.of(a, b), 8).detect(imagesOfWidths(20, 5));

        assertEquals(range(20, 5), answeredWidths(dets));
        List<Integer> sizes = new ArrayList<>(a.callSizes);
        sizes.addAll(b.callSizes);
        Collections.sort(sizes);
        assertEquals(List.of(2, 3), sizes);
    }

    @Test
    void bothLanesShouldRunAtOnce() {
        // Each copy waits for the other inside its call: run one after the other, the call would time out.
        CountDownLatch both = new CountDownLatch(2);
        class Meeting extends Copy {
            Meeting() {
                super(64);
            }

            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                both.countDown();
                try {
                    if (!both.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("ran alone");
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.detect(images);
            }
        }
        Meeting a = new Meeting(), b = new Meeting();

        List<List<Detection>> dets = new LanedModel(lanes, List.of(a, b), 8).detect(imagesOfWidths(30, 4));

        assertEquals(range(30, 4), answeredWidths(dets));
        assertEquals(List.of(2), a.callSizes);
        assertEquals(List.of(2), b.callSizes);
    }

    @Test
    void aSlowLaneShouldTakeFewerChunks() {
        Copy slow = new Copy(64) {
            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                try {
                    Thread.sleep(400);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.detect(images);
            }
        };
        Copy fast = new Copy(64);

        List<List<Detection>> dets = new LanedModel(lanes, List.of(slow, fast), 1).detect(imagesOfWidths(40, 8));

        assertEquals(range(40, 8), answeredWidths(dets));
        // An even split would give it 4; a fast lane that starts late may leave it a second or third.
        assertTrue(slow.callSizes.size() <= 3, "the slow lane took " + slow.callSizes.size() + " of 8 chunks");
        assertEquals(8, slow.callSizes.size() + fast.callSizes.size());
    }

    @Test
    void oneImageShouldRunOnTheCallersThreadOnTheFirstCopy() {
        Copy a = new Copy(64), b = new Copy(64);

        List<List<Detection>> dets = new LanedModel(lanes, List.of(a, b), 8).detect(imagesOfWidths(30, 1));

        assertEquals(List.of(30), answeredWidths(dets));
        assertEquals(List.of(Thread.currentThread().getName()), a.threads);
        assertEquals(List.of(), b.threads);
    }

    @Test
    void fewerImagesThanLanesShouldLeaveTheOtherLanesIdle() {
        try (InferenceLanes four = new InferenceLanes(4, "four", () -> {})) {
            List<Copy> copies = List.of(new Copy(64), new Copy(64), new Copy(64), new Copy(64));

            List<List<Detection>> dets = new LanedModel(four, copies, 8).detect(imagesOfWidths(40, 3));

            assertEquals(range(40, 3), answeredWidths(dets));
            assertEquals(3, copies.stream().mapToInt(c -> c.callSizes.size()).sum(), "three chunks of one image");
            assertEquals(List.of(), copies.get(3).callSizes);
        }
    }

    @Test
    void aCopyFailingShouldFailTheWholeCall() {
        // The good copy waits until the broken one has its chunk, or it could take both chunks itself.
        CountDownLatch brokenCalled = new CountDownLatch(1);
        ImageModel broken = new Copy(64) {
            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                brokenCalled.countDown();
                throw new IllegalStateException("native OOM");
            }
        };
        ImageModel good = new Copy(64) {
            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                try {
                    brokenCalled.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                return super.detect(images);
            }
        };
        LanedModel model = new LanedModel(lanes, List.of(good, broken), 8);

        assertEquals(
                "native OOM",
                assertThrows(IllegalStateException.class, () -> model.detect(imagesOfWidths(1, 4)))
                        .getMessage());
    }

    @Test
    void aCopyAnsweringTheWrongNumberOfImagesShouldFailTheCall() {
        ImageModel short1 = new Copy(64) {
            @Override
            public List<List<Detection>> detect(List<BufferedImage> images) {
                return super.detect(images.subList(1, images.size()));
            }
        };
        LanedModel model = new LanedModel(lanes, List.of(short1, short1), 8);

        assertEquals(
                "a model copy gave 1 results for 2 images",
                assertThrows(IllegalStateException.class, () -> model.detect(imagesOfWidths(1, 4)))
                        .getMessage());
    }

    @Test
    void shouldRefuseCopiesThatDoNotMatchTheLanesOrEachOther() {
        assertThrows(IllegalArgumentException.class, () -> new LanedModel(lanes, List.of(new Copy(64)), 8));
        assertThrows(
                IllegalArgumentException.class, () -> new LanedModel(lanes, List.of(new Copy(64), new Copy(64)), 0));
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> new LanedModel(lanes, List.of(new Copy(64), new Copy(32)), 8));
        assertEquals("the copies' input sizes differ: 32x32 and 64x64", e.getMessage());
    }
}
