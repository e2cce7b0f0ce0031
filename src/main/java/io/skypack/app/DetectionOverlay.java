package io.skypack.app;

import io.skypack.detect.Box;
import io.skypack.detect.Chip;
import io.skypack.detect.Detection;
import io.skypack.detect.Mosaic;
import io.skypack.train.data.VisDroneCategory;
import io.skypack.train.synth.PreviewSheet;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Pictures of detections for people: each detection's mask filled translucent and its box outlined
 * in its class colour (the colours of {@link PreviewSheet}), labelled with class name and score.
 */
final class DetectionOverlay {
    private static final int MASK_ALPHA = 100;
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    private DetectionOverlay() {}

    /** A copy of {@code image} with the detections (masks over the whole image) drawn on it. */
    static BufferedImage draw(BufferedImage image, List<Detection> dets) {
        BufferedImage out = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(image, 0, 0, null);
        drawDetections(g, dets);
        g.dispose();
        return out;
    }

    /**
     * A canvas as the fine pass saw it: every chip outlined and labelled with its frame's name and
     * zoom, and the fine pass's detections on it (canvas pixels).
     */
    static BufferedImage drawMosaic(
            BufferedImage canvas, Mosaic mosaic, List<Detection> dets, IntFunction<String> frameName) {
        BufferedImage out = draw(canvas, dets);
        Graphics2D g = out.createGraphics();
        g.setFont(LABEL);
        g.setStroke(new BasicStroke(1f));
        for (Chip c : mosaic.chips()) {
            g.setColor(Color.WHITE);
            g.drawRect(c.x(), c.y(), c.w() - 1, c.h() - 1);
            label(
                    g,
                    String.format(Locale.ROOT, "%s x%.0f", frameName.apply(c.frameIndex()), c.zoom()),
                    c.x(),
                    c.y() + g.getFontMetrics().getAscent() + 2,
                    Color.WHITE);
        }
        g.dispose();
        return out;
    }

    private static void drawDetections(Graphics2D g, List<Detection> dets) {
        // Masks first, so no fill covers a box or a label.
        for (Detection d : dets) {
            if (d.mask() == null) continue;
            Color c = PreviewSheet.classColor(d.category());
            g.setColor(new Color(c.getRed(), c.getGreen(), c.getBlue(), MASK_ALPHA));
            d.mask().forEachSegment((x, y0, y1) -> g.fillRect(x, y0, 1, y1 - y0));
        }
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(LABEL);
        g.setStroke(new BasicStroke(1f));
        for (Detection d : dets) {
            Color c = PreviewSheet.classColor(d.category());
            Box b = d.box();
            int x = (int) Math.floor(b.x1()), y = (int) Math.floor(b.y1());
            g.setColor(c);
            g.drawRect(
                    x, y, Math.max(0, (int) Math.ceil(b.x2()) - x - 1), Math.max(0, (int) Math.ceil(b.y2()) - y - 1));
            String name = VisDroneCategory.ofId(d.category()).label();
            label(g, String.format(Locale.ROOT, "%s %.2f", name, d.score()), x, y - 2, c);
        }
    }

    /** Text on a dark backing with its baseline at y (moved inside the image when it would leave it). */
    private static void label(Graphics2D g, String text, int x, int y, Color color) {
        FontMetrics fm = g.getFontMetrics();
        int base = Math.max(fm.getAscent(), y);
        g.setColor(new Color(0, 0, 0, 160));
        g.fillRect(x, base - fm.getAscent(), fm.stringWidth(text) + 2, fm.getAscent() + fm.getDescent());
        g.setColor(color);
        g.drawString(text, x + 1, base);
    }
}
