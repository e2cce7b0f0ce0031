package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.BatchStats;
import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectorWarmUpTest {
    /** Records the batches it is given; fails on every batch when told to. */
    private static final class Recording implements Detector {
        final List<List<FrameImage>> batches = new ArrayList<>();
        final boolean fail;

        Recording(boolean fail) {
            this.fail = fail;
        }

        @Override
        public DetectionBatch detect(List<FrameImage> frames) throws DetectionException {
            batches.add(frames);
            if (fail) throw new DetectionException("CUDA out of memory", null);
            return new DetectionBatch(List.of(), BatchStats.ZERO);
        }
    }

    @Test
    void shouldRunTheDetectorOnItsBatchOfSyntheticFramesOncePerRound() {
        DetectorWarmUp warmUp = DetectorWarmUp.of(3, 2);
        Recording detector = new Recording(false);

        warmUp.warm(detector);

        assertEquals(2, detector.batches.size());
        for (List<FrameImage> batch : detector.batches) {
            assertEquals(3, batch.size());
            assertEquals(List.of(0, 1, 2), batch.stream().map(FrameImage::index).toList());
            assertEquals(1280, batch.get(0).image().getWidth());
            assertEquals(720, batch.get(0).image().getHeight());
        }
    }

    @Test
    void shouldRenderScenesWithObjectsInView() {
        // Empty scenes would leave the coarse pass without candidates and the fine pass cold.
        DetectorWarmUp warmUp = DetectorWarmUp.of(4, 1);

        assertTrue(warmUp.objects() >= 4 * 10, "objects in 4 warm-up frames: " + warmUp.objects());
    }

    @Test
    void shouldDoNothingAtZeroRounds() {
        Recording detector = new Recording(false);

        DetectorWarmUp.of(8, 0).warm(detector);

        assertEquals(0, detector.batches.size());
    }

    @Test
    void shouldSayThatTheDetectorFailedItsWarmUp() {
        IllegalStateException e = assertThrows(
                IllegalStateException.class, () -> DetectorWarmUp.of(2, 2).warm(new Recording(true)));
        assertTrue(e.getMessage().contains("warm-up batch of 2 synthetic frames"), e.getMessage());
        assertTrue(e.getMessage().contains("CUDA out of memory"), e.getMessage());
    }

    @Test
    void shouldRefuseNegativeRoundsAndEmptyBatches() {
        assertThrows(IllegalArgumentException.class, () -> DetectorWarmUp.of(8, -1));
        assertThrows(IllegalArgumentException.class, () -> DetectorWarmUp.of(0, 2));
    }
}
