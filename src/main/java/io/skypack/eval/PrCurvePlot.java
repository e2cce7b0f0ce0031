package io.skypack.eval;

import io.skypack.train.data.VisDroneCategory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Stroke;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * Draws precision-recall curves of an {@link EvalReport} to a PNG with Java2D: one curve per class
 * that has ground truth at IoU 0.5, and the mean over those classes at IoU 0.5 and 0.75, all at area
 * "all" and the largest detection cap. Each curve is cocoeval's 101-point interpolated precision.
 * Needs no display; run with {@code -Djava.awt.headless=true} on servers.
 */
public final class PrCurvePlot {
    /** Default image size in pixels. */
    public static final int WIDTH = 1000;

    public static final int HEIGHT = 700;

    // Ten distinguishable colours (Tableau 10), in class id order.
    static final Color[] CLASS_COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
        new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)
    };

    private static final int IOU_50 = 0;
    private static final int IOU_75 = 5;

    private PrCurvePlot() {}

    /** Renders the plot and writes it as a PNG, replacing the file. */
    public static void write(EvalReport report, Path png) throws IOException {
        if (!ImageIO.write(render(report, WIDTH, HEIGHT), "png", png.toFile())) {
            throw new IOException("no PNG writer available for " + png);
        }
    }

    /** Renders the plot into a new image of {@code width x height} pixels. */
    public static BufferedImage render(EvalReport report, int width, int height) {
        BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            draw(g, report, width, height);
        } finally {
            g.dispose();
        }
        return img;
    }

    private record Curve(String label, Color color, Stroke stroke, double[] precision) {}

    private static void draw(Graphics2D g, EvalReport report, int width, int height) {
        Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 14);
        g.setFont(font);
        FontMetrics fm = g.getFontMetrics();
        // Curves: classes first, means on top.
        List<Curve> curves = new ArrayList<>();
        int last = report.params().maxDets().size() - 1;
        for (VisDroneCategory c : VisDroneCategory.evaluatedClasses()) {
            double[] q = report.precision(IOU_50, c, AreaRange.ALL, last);
            if (q[0] > -1) {
                curves.add(new Curve(
                        c.label()
                                + String.format(
                                        Locale.ROOT,
                                        " (AP50 %.3f)",
                                        report.perClass().get(c).ap50()),
                        CLASS_COLORS[c.id() - 1],
                        new BasicStroke(2f),
                        q));
            }
        }
        double[] mean50 = report.meanPrecision(IOU_50);
        double[] mean75 = report.meanPrecision(IOU_75);
        if (mean50[0] > -1) {
            curves.add(new Curve(
                    String.format(
                            Locale.ROOT,
                            "mean @0.50 (AP50 %.3f)",
                            report.overall().ap50()),
                    Color.BLACK,
                    new BasicStroke(3.5f),
                    mean50));
            curves.add(new Curve(
                    String.format(
                            Locale.ROOT,
                            "mean @0.75 (AP75 %.3f)",
                            report.overall().ap75()),
                    Color.BLACK,
                    new BasicStroke(3.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {10f, 6f}, 0f),
                    mean75));
        }
        // The legend is as wide as its longest label.
        int legendWidth = 120;
        for (Curve c : curves) {
            legendWidth = Math.max(legendWidth, 60 + fm.stringWidth(c.label()));
        }
        int left = 80, top = 50, right = width - legendWidth - 30, bottom = height - 70;
        int plotW = right - left, plotH = bottom - top;

        // Title.
        g.setColor(Color.BLACK);
        g.setFont(font.deriveFont(Font.BOLD, 16f));
        int cap = report.params().maxDetections();
        String title = String.format(
                Locale.ROOT,
                "Precision-recall (%s, area all, maxDets %d)",
                report.params().iouType().cocoName(),
                cap);
        g.drawString(title, left + (plotW - g.getFontMetrics().stringWidth(title)) / 2, top - 20);
        g.setFont(font);

        // Grid, ticks and tick labels every 0.1.
        for (int i = 0; i <= 10; i++) {
            double v = i / 10.0;
            int x = left + (int) Math.round(v * plotW);
            int y = bottom - (int) Math.round(v * plotH);
            g.setColor(new Color(0xe6e6e6));
            g.drawLine(x, top, x, bottom);
            g.drawLine(left, y, right, y);
            g.setColor(Color.BLACK);
            g.drawLine(x, bottom, x, bottom + 6);
            g.drawLine(left - 6, y, left, y);
            String label = String.format(Locale.ROOT, "%.1f", v);
            g.drawString(label, x - fm.stringWidth(label) / 2, bottom + 8 + fm.getAscent());
            g.drawString(label, left - 10 - fm.stringWidth(label), y + fm.getAscent() / 2 - 1);
        }
        g.setColor(Color.BLACK);
        g.setStroke(new BasicStroke(1.5f));
        g.drawRect(left, top, plotW, plotH);

        // Axis labels.
        String xLabel = "recall";
        g.drawString(xLabel, left + (plotW - fm.stringWidth(xLabel)) / 2, bottom + 45);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        String yLabel = "precision";
        rotated.drawString(yLabel, -(top + (plotH + fm.stringWidth(yLabel)) / 2), left - 50);
        rotated.dispose();

        double[] recall = report.recallThresholds();
        Graphics2D clip = (Graphics2D) g.create();
        clip.clipRect(left - 2, top - 2, plotW + 4, plotH + 4);
        for (Curve c : curves) {
            Path2D.Double path = new Path2D.Double();
            for (int r = 0; r < recall.length; r++) {
                double x = left + recall[r] * plotW;
                double y = bottom - c.precision()[r] * plotH;
                if (r == 0) {
                    path.moveTo(x, y);
                } else {
                    path.lineTo(x, y);
                }
            }
            clip.setColor(c.color());
            clip.setStroke(c.stroke());
            clip.draw(path);
        }
        clip.dispose();

        // Legend to the right of the plot.
        int lx = right + 20, ly = top;
        int lineH = fm.getHeight() + 4;
        g.setStroke(new BasicStroke(1f));
        g.setColor(Color.BLACK);
        g.drawRect(lx, ly, legendWidth, 10 + lineH * Math.max(1, curves.size()));
        if (curves.isEmpty()) {
            g.drawString("no ground truth", lx + 10, ly + 5 + fm.getAscent());
        }
        for (int i = 0; i < curves.size(); i++) {
            Curve c = curves.get(i);
            int y = ly + 5 + i * lineH + lineH / 2;
            g.setColor(c.color());
            g.setStroke(c.stroke());
            g.drawLine(lx + 8, y, lx + 40, y);
            g.setColor(Color.BLACK);
            g.drawString(c.label(), lx + 48, y + fm.getAscent() / 2 - 2);
        }
    }
}
