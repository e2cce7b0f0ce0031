package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.skypack.detect.Detection;
import io.skypack.train.synth.FlightGenerator;
import io.skypack.train.synth.SynthConfig;
import java.awt.image.BufferedImage;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpDetRunnerTest {

    @Test
    void batchesShouldLeaveNoArraysBehindInTheRunner(@TempDir Path dir) throws Exception {
        try (MpDetRunner runner =
                MpDetRunner.open(RandomModels.write(dir, "fine", 128, 128, 3), MpDetDecoder.Params.DEFAULTS)) {
            BufferedImage image = new BufferedImage(200, 120, BufferedImage.TYPE_INT_RGB);
            runner.detect(List.of(image));
            int held = runner.heldArrays();
            for (int batch : new int[] {1, 3, 8}) {
                for (int round = 0; round < 3; round++) {
                    runner.detect(java.util.Collections.nCopies(batch, image));
                }
                assertEquals(held, runner.heldArrays(), "arrays held after batches of " + batch);
            }
        }
    }

    @Test
    void aBatchAfterALargerOneShouldGiveTheDetectionsOfAFreshRunner() throws Exception {
        List<BufferedImage> frames = frames(4);
        try (MpDetRunner used = MpDetRunner.openBundled(MpDetRunner.FINE, MpDetDecoder.Params.DEFAULTS);
                MpDetRunner fresh = MpDetRunner.openBundled(MpDetRunner.FINE, MpDetDecoder.Params.DEFAULTS)) {
            used.detect(frames); // leaves four images' pixels in the reused input buffer
            List<List<Detection>> after = used.detect(frames.subList(2, 4));
            List<List<Detection>> alone = fresh.detect(frames.subList(2, 4));
            assertEquals(4L * 3 * 512 * 512 * Float.BYTES, used.inputBufferBytes(), "grown to the batch of 4");
            for (int i = 0; i < 2; i++) {
                assertTrue(
                        alone.get(i).size() >= 3,
                        "detections on a synthetic frame: " + alone.get(i).size());
                assertEquals(alone.get(i).size(), after.get(i).size(), "image " + i);
                for (int d = 0; d < alone.get(i).size(); d++) {
                    Detection a = alone.get(i).get(d), b = after.get(i).get(d);
                    assertEquals(a.box(), b.box(), "image " + i + " detection " + d);
                    assertEquals(a.score(), b.score(), "image " + i + " detection " + d);
                    assertEquals(a.mask(), b.mask(), "image " + i + " detection " + d);
                }
            }
        }
    }

    @Test
    void repeatedBatchesShouldAllocateNoLargeDirectBuffers() throws Exception {
        List<BufferedImage> frames = frames(4);
        BufferPoolMXBean direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .findFirst()
                .orElseThrow();
        try (MpDetRunner runner = MpDetRunner.openBundled(MpDetRunner.FINE, MpDetDecoder.Params.DEFAULTS)) {
            int masks = runner.detect(frames).stream().mapToInt(List::size).sum();
            assertTrue(masks >= 12, "the mask branch ran: " + masks + " detections");
            long before = direct.getTotalCapacity();
            for (int round = 0; round < 6; round++) {
                runner.detect(frames);
                runner.detect(frames.subList(0, 2));
            }
            // Each call used to allocate a direct buffer for its pixels (3 MB an image here), freed only
            // by a GC: at least the last call's 6 MB would still be there. DJL still puts each number in
            // an op like x.add(1e-5f) in a 4-byte one, hence a bound and not "no change".
            long grown = direct.getTotalCapacity() - before;
            assertTrue(grown < 1 << 20, "direct buffers grew " + grown + " bytes over 12 calls");
        }
    }

    private static List<BufferedImage> frames(int n) {
        FlightGenerator flight = new FlightGenerator(SynthConfig.defaults(), 0);
        List<BufferedImage> out = new ArrayList<>();
        for (int i = 0; i < n; i++) out.add(flight.next().image());
        return out;
    }
}
