package io.skypack.eval;

import static io.skypack.eval.Fixtures.CAR;
import static io.skypack.eval.Fixtures.PEDESTRIAN;
import static io.skypack.eval.Fixtures.det;
import static io.skypack.eval.Fixtures.gt;
import static io.skypack.eval.Fixtures.image;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrCurvePlotTest {
    @TempDir
    Path dir;

    @Test
    void shouldDrawOneCurvePerClassWithGroundTruth() throws Exception {
        EvalReport report = new CocoEvaluator()
                .evaluate(
                        List.of(image(
                                "a",
                                200,
                                200,
                                gt(CAR, 0, 0, 20, 20),
                                gt(CAR, 50, 0, 20, 20),
                                gt(PEDESTRIAN, 100, 100, 10, 20))),
                        Map.of(
                                "a",
                                List.of(
                                        det(CAR, 0, 0, 20, 20, 0.9),
                                        det(CAR, 120, 150, 20, 20, 0.8),
                                        det(CAR, 52, 0, 20, 20, 0.7),
                                        det(PEDESTRIAN, 100, 100, 10, 20, 0.6))),
                        EvalParams.visDrone(IouType.BBOX));
        Path png = dir.resolve("pr.png");

        PrCurvePlot.write(report, png);

        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(PrCurvePlot.WIDTH, img.getWidth());
        assertEquals(PrCurvePlot.HEIGHT, img.getHeight());
        assertTrue(contains(img, PrCurvePlot.CLASS_COLORS[CAR - 1]), "car curve");
        assertTrue(contains(img, PrCurvePlot.CLASS_COLORS[PEDESTRIAN - 1]), "pedestrian curve");
        assertTrue(contains(img, Color.BLACK), "axes and mean curves");
        assertFalse(contains(img, PrCurvePlot.CLASS_COLORS[9 - 1]), "bus has no ground truth, so no curve");
    }

    private static boolean contains(BufferedImage img, Color color) {
        int rgb = color.getRGB() & 0xffffff;
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                if ((img.getRGB(x, y) & 0xffffff) == rgb) {
                    return true;
                }
            }
        }
        return false;
    }
}
