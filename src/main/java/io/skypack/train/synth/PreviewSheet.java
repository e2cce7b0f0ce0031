package io.skypack.train.synth;

import io.skypack.detect.Box;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.VisDroneCategory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A contact sheet of a flight for people: four frames at half size with every ground-truth box and
 * mask drawn in its class colour (ignored regions dashed grey), two crops at twice the size where
 * objects are densest, and a legend with the counts per class.
 */
public final class PreviewSheet {
    private static final int FRAMES = 4;
    private static final int HEADER = 24;
    private static final int LEGEND = 30;

    private PreviewSheet() {}

    /** The 1-based frame indices the sheet shows for a flight of {@code frames} frames. */
    public static List<Integer> pickFrames(int frames) {
        List<Integer> at = new ArrayList<>();
        for (int k = 0; k < FRAMES; k++) {
            int f = 1 + (int) Math.round((double) k * (frames - 1) / (FRAMES - 1));
            if (!at.contains(f)) at.add(f);
        }
        return at;
    }

    /** Colour used for a VisDrone category in every SkyPack picture. */
    public static Color classColor(int category) {
        return switch (VisDroneCategory.ofId(category)) {
            case PEDESTRIAN -> new Color(255, 60, 60);
            case PEOPLE -> new Color(255, 140, 0);
            case BICYCLE -> new Color(255, 230, 0);
            case CAR -> new Color(0, 200, 255);
            case VAN -> new Color(60, 255, 100);
            case TRUCK -> new Color(190, 90, 255);
            case TRICYCLE -> new Color(255, 120, 200);
            case AWNING_TRICYCLE -> new Color(140, 255, 230);
            case BUS -> new Color(255, 0, 200);
            case MOTOR -> new Color(255, 255, 255);
            default -> new Color(160, 160, 160);
        };
    }

    public static BufferedImage render(String flight, List<SyntheticFrame> frames) {
        if (frames.isEmpty()) {
            throw new IllegalArgumentException("no frames to preview");
        }
        int fw = frames.get(0).image().getWidth(), fh = frames.get(0).image().getHeight();
        int cellW = fw / 2, cellH = fh / 2;
        int cropW = fw / 4, cropH = fh / 4; // shown at 2x, so two crops fill one row
        int width = cellW * 2;
        int height = HEADER + 2 * (cellH + HEADER) + (cropH * 2 + HEADER) + LEGEND;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(new Color(20, 22, 26));
        g.fillRect(0, 0, width, height);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.setColor(Color.WHITE);
        g.drawString(
                "SkyPack synthetic flight " + flight
                        + "  (ground truth: boxes and masks; grey dashed = ignored region)",
                8,
                17);

        Map<VisDroneCategory, Integer> counts = new EnumMap<>(VisDroneCategory.class);
        for (int k = 0; k < Math.min(FRAMES, frames.size()); k++) {
            SyntheticFrame f = frames.get(k);
            BufferedImage annotated = annotate(f);
            int x = (k % 2) * cellW, y = HEADER + (k / 2) * (cellH + HEADER);
            caption(g, f, x + 6, y + 16);
            g.drawImage(annotated, x, y + HEADER, cellW, cellH, null);
            for (Annotation a : f.annotations()) {
                counts.merge(VisDroneCategory.ofId(a.category()), 1, Integer::sum);
            }
        }
        int cropY = HEADER + 2 * (cellH + HEADER);
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        for (int k = 0; k < 2 && k < frames.size(); k++) {
            SyntheticFrame f = frames.get(k == 0 ? 0 : frames.size() - 1);
            BufferedImage annotated = annotate(f);
            Rectangle2D crop = densestWindow(f, cropW, cropH);
            g.drawString(
                    String.format(Locale.ROOT, "frame %d, densest %dx%d window at 2x", f.frameIndex(), cropW, cropH),
                    k * cellW + 6,
                    cropY + 16);
            int sx = (int) crop.getX(), sy = (int) crop.getY();
            g.drawImage(
                    annotated,
                    k * cellW,
                    cropY + HEADER,
                    k * cellW + cropW * 2,
                    cropY + HEADER + cropH * 2,
                    sx,
                    sy,
                    sx + cropW,
                    sy + cropH,
                    null);
        }
        legend(g, counts, height - LEGEND + 20);
        g.dispose();
        return sheet;
    }

    private static void caption(Graphics2D g, SyntheticFrame f, int x, int y) {
        long objects =
                f.annotations().stream().filter(a -> !a.isIgnoredRegion()).count();
        g.setColor(Color.WHITE);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        g.drawString(
                String.format(
                        Locale.ROOT,
                        "frame %d  altitude %.0f m  %d objects, %d ignored",
                        f.frameIndex(),
                        f.telemetry().altitude(),
                        objects,
                        f.annotations().size() - objects),
                x,
                y);
    }

    /** The frame at full size with masks tinted and boxes outlined. */
    static BufferedImage annotate(SyntheticFrame f) {
        BufferedImage src = f.image();
        int w = src.getWidth(), h = src.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.drawImage(src, 0, 0, null);
        for (Annotation a : f.annotations()) {
            if (a.mask() == null) continue;
            Color c = classColor(a.category());
            boolean[] m = a.mask().decode();
            Box b = a.box();
            for (int y = (int) b.y1(); y < Math.min(h, (int) Math.ceil(b.y2())); y++) {
                for (int x = (int) b.x1(); x < Math.min(w, (int) Math.ceil(b.x2())); x++) {
                    if (m[y * w + x]) out.setRGB(x, y, blend(out.getRGB(x, y), c, 0.35));
                }
            }
        }
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        for (Annotation a : f.annotations()) {
            Box b = a.box();
            if (a.isIgnoredRegion()) {
                g.setColor(new Color(200, 200, 200));
                g.setStroke(
                        new BasicStroke(1f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 1f, new float[] {3, 3}, 0));
            } else {
                g.setColor(classColor(a.category()));
                g.setStroke(new BasicStroke(1f));
            }
            g.drawRect((int) b.x1(), (int) b.y1(), (int) b.width() - 1, (int) b.height() - 1);
        }
        g.dispose();
        return out;
    }

    /** The crop window (frame pixels) containing the most labelled object centres. */
    private static Rectangle2D densestWindow(SyntheticFrame f, int cw, int ch) {
        int w = f.image().getWidth(), h = f.image().getHeight();
        int best = -1;
        Rectangle2D bestR = new Rectangle2D.Double(0, 0, cw, ch);
        for (int y = 0; y + ch <= h; y += ch / 4) {
            for (int x = 0; x + cw <= w; x += cw / 4) {
                int n = 0;
                for (Annotation a : f.annotations()) {
                    if (!a.isIgnoredRegion()
                            && a.box().centerX() >= x
                            && a.box().centerX() < x + cw
                            && a.box().centerY() >= y
                            && a.box().centerY() < y + ch) n++;
                }
                if (n > best) {
                    best = n;
                    bestR = new Rectangle2D.Double(x, y, cw, ch);
                }
            }
        }
        return bestR;
    }

    private static void legend(Graphics2D g, Map<VisDroneCategory, Integer> counts, int y) {
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = 8;
        for (Map.Entry<VisDroneCategory, Integer> e : counts.entrySet()) {
            g.setColor(classColor(e.getKey().id()));
            g.fillRect(x, y - 11, 12, 12);
            g.setColor(Color.WHITE);
            String s = e.getKey().label() + " " + e.getValue();
            g.drawString(s, x + 16, y);
            x += 24 + g.getFontMetrics().stringWidth(s);
        }
    }

    private static int blend(int rgb, Color c, double a) {
        int r = (int) (((rgb >> 16) & 0xFF) * (1 - a) + c.getRed() * a);
        int gg = (int) (((rgb >> 8) & 0xFF) * (1 - a) + c.getGreen() * a);
        int b = (int) ((rgb & 0xFF) * (1 - a) + c.getBlue() * a);
        return (r << 16) | (gg << 8) | b;
    }
}
