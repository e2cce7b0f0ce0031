package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
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
}
