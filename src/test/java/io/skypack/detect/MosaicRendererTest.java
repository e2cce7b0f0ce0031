package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.skypack.model.InputImages;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MosaicRendererTest {

    /** 8 x 8 frame: red 16x + 4y (linear), green 3xy (bilinear), blue a 0/200 checkerboard. */
    private static BufferedImage gradient(int type) {
        BufferedImage img = new BufferedImage(8, 8, type);
        for (int y = 0; y < 8; y++) {
            for (int x = 0; x < 8; x++) {
                img.setRGB(x, y, (16 * x + 4 * y) << 16 | (3 * x * y) << 8 | ((x + y) % 2) * 200);
            }
        }
        return img;
    }

    private static int[] rgb(BufferedImage img, int x, int y) {
        int p = img.getRGB(x, y);
        return new int[] {p >> 16 & 0xFF, p >> 8 & 0xFF, p & 0xFF};
    }

    private static Mosaic mosaic(int size, Chip... chips) {
        return new Mosaic(0, size, List.of(chips));
    }

    @Test
    void shouldSampleTheSourceBilinearlyAtPixelCentres() {
        // Region [2,3,6,7] at zoom 2, drawn at (5,5) as 8 x 8.
        Mosaic m = mosaic(20, new Chip(0, 0, new Box(2, 3, 6, 7), 2, 5, 5, 8, 8));
        BufferedImage out = new MosaicRenderer().render(m, Map.of(0, gradient(BufferedImage.TYPE_INT_RGB)));
        // Mosaic (5,5) samples frame (2 + 0.5/2 - 0.5, 3 + 0.25 - 0.5) = (1.75, 2.75): red 16 * 1.75
        // + 4 * 2.75 = 39; green 3 * 1.75 * 2.75 = 14.44; blue between (1,2)=200, (2,2)=0, (1,3)=0,
        // (2,3)=200 with weights .25/.75: (50 * .25 + 150 * .75) = 125. Nearest would give 200.
        assertArrayEquals(new int[] {39, 14, 125}, rgb(out, 5, 5));
        // Mosaic (12,12) samples (5.25, 6.25): red 84 + 25 = 109, green 98.44, blue 150 * .75 + 50 * .25.
        assertArrayEquals(new int[] {109, 98, 125}, rgb(out, 12, 12));
        // Outside the chip: the background grey.
        assertArrayEquals(new int[] {115, 115, 115}, rgb(out, 0, 0));
        assertArrayEquals(new int[] {115, 115, 115}, rgb(out, 13, 5));
        assertArrayEquals(new int[] {115, 115, 115}, rgb(out, 5, 13));
    }

    @Test
    void shouldClampNeighboursAtTheFrameEdgeButUseThemInsideIt() {
        Mosaic m = mosaic(8, new Chip(0, 0, new Box(4, 4, 8, 8), 2, 0, 0, 8, 8));
        BufferedImage out = new MosaicRenderer().render(m, Map.of(0, gradient(BufferedImage.TYPE_INT_RGB)));
        // (7,7) samples (7.25, 7.25), past the last pixel centre: clamped to pixel (7,7).
        assertArrayEquals(new int[] {140, 147, 0}, rgb(out, 7, 7));
        // (0,0) samples (3.75, 3.75), outside the region: neighbours x = 3 and 4 are both used.
        // red 20 * 3.75 = 75, green 3 * 3.75^2 = 42.19, blue (150 * .25 + 50 * .75) = 75.
        assertArrayEquals(new int[] {75, 42, 75}, rgb(out, 0, 0));
    }

    @Test
    void shouldCopyPixelsExactlyAtZoomOne() {
        BufferedImage frame = gradient(BufferedImage.TYPE_INT_RGB);
        Mosaic m = mosaic(10, new Chip(0, 0, new Box(1, 2, 6, 8), 1, 3, 1, 5, 6));
        BufferedImage out = new MosaicRenderer().render(m, Map.of(0, frame));
        for (int v = 0; v < 6; v++) {
            for (int u = 0; u < 5; u++) {
                assertEquals(frame.getRGB(1 + u, 2 + v), out.getRGB(3 + u, 1 + v));
            }
        }
    }

    @Test
    void shouldRenderOtherImageTypesAndSubimagesAlike() {
        Mosaic m = mosaic(16, new Chip(0, 3, new Box(1, 1, 5, 4), 2.5, 2, 3, 10, 7));
        MosaicRenderer renderer = new MosaicRenderer();
        BufferedImage expected = renderer.render(m, Map.of(3, gradient(BufferedImage.TYPE_INT_RGB)));
        BufferedImage big = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
        big.getGraphics().drawImage(gradient(BufferedImage.TYPE_INT_RGB), 5, 7, null);
        BufferedImage bigBgr = new BufferedImage(20, 20, BufferedImage.TYPE_3BYTE_BGR);
        bigBgr.getGraphics().drawImage(gradient(BufferedImage.TYPE_INT_RGB), 5, 7, null);
        BufferedImage bgrPart = bigBgr.getSubimage(5, 7, 8, 8);
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, bgrPart.getType(), "read from its bytes, at its offset");
        for (BufferedImage frame : List.of(
                gradient(BufferedImage.TYPE_3BYTE_BGR),
                gradient(BufferedImage.TYPE_INT_ARGB),
                big.getSubimage(5, 7, 8, 8),
                bgrPart)) {
            BufferedImage got = renderer.render(m, Map.of(3, frame));
            assertArrayEquals(expected.getRGB(0, 0, 16, 16, null, 0, 16), got.getRGB(0, 0, 16, 16, null, 0, 16));
        }
    }

    @Test
    void shouldRenderEveryMosaicOfAPacking() {
        BufferedImage frame = gradient(BufferedImage.TYPE_INT_RGB);
        PackingResult packing = new MosaicPacker(new PackingConfig(8, 0, 2))
                .pack(List.of(
                        new ForegroundRegion(0, new Box(0, 0, 8, 8), 1, 1),
                        new ForegroundRegion(0, new Box(0, 0, 2, 2), 4, 1)));
        List<BufferedImage> out = new MosaicRenderer(0).render(packing, Map.of(0, frame));
        assertEquals(2, out.size());
        assertEquals(frame.getRGB(3, 5), out.get(0).getRGB(3, 5)); // the whole frame at zoom 1
    }

    @Test
    void shouldRefuseAMissingFrameOrASourceOutsideIt() {
        Mosaic m = mosaic(8, new Chip(0, 1, new Box(4, 4, 9, 8), 1, 0, 0, 5, 4));
        MosaicRenderer renderer = new MosaicRenderer();
        assertThrows(IllegalArgumentException.class, () -> renderer.render(m, Map.of()));
        assertThrows(
                IllegalArgumentException.class,
                () -> renderer.render(m, Map.of(1, gradient(BufferedImage.TYPE_INT_RGB))));
    }

    @Test
    void shouldUseTheModelsPaddingGreyByDefault() {
        assertEquals(InputImages.PAD_GREY, MosaicRenderer.DEFAULT_BACKGROUND);
    }
}
