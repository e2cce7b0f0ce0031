package io.skypack.model;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.nio.FloatBuffer;

/** How images become network inputs, shared by training and inference so both see the same pixels. */
public final class InputImages {
    /** Pixels outside the source window are this grey (about the network's input mean). */
    public static final int PAD_GREY = 115;

    private InputImages() {}

    /** The window of {@code src} drawn into a width x height RGB image, bilinear, padded grey. */
    public static BufferedImage render(BufferedImage src, InputWindow w, int width, int height) {
        BufferedImage in = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = in.createGraphics();
        g.setColor(new Color(PAD_GREY, PAD_GREY, PAD_GREY));
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.translate(-w.x() * w.scale(), -w.y() * w.scale());
        g.scale(w.scale(), w.scale());
        g.drawImage(src, 0, 0, null);
        g.dispose();
        return in;
    }

    /**
     * Writes an RGB image as channel-major floats in [0, 1] at {@code dst[offset..]} (absolute
     * indices; the buffer's position is not used or moved), optionally mirrored left-right and scaled
     * in brightness (clipped at 1).
     */
    public static void toChw(BufferedImage img, boolean flip, float gain, FloatBuffer dst, int offset) {
        int w = img.getWidth(), h = img.getHeight();
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        int plane = w * h;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int p = px[y * w + (flip ? w - 1 - x : x)];
                int i = offset + y * w + x;
                dst.put(i, Math.min(1f, ((p >> 16) & 0xFF) / 255f * gain));
                dst.put(plane + i, Math.min(1f, ((p >> 8) & 0xFF) / 255f * gain));
                dst.put(2 * plane + i, Math.min(1f, (p & 0xFF) / 255f * gain));
            }
        }
    }
}
