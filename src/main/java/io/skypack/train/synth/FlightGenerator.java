package io.skypack.train.synth;

import io.skypack.detect.Box;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.VisDroneCategory;
import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.NoninvertibleTransformException;
import java.awt.geom.Point2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Renders one synthetic flight frame by frame: a world ({@link World}), a camera path with changing
 * altitude and yaw, moving objects, and exact ground truth per frame (boxes from each object's full
 * silhouette, masks of its visible pixels, occlusion and truncation as VisDrone defines them).
 *
 * <p>The camera is orthographic (nadir) with an oblique component: an object's top is displaced by
 * its height times the flight's tilt, so vehicles show a side and tall objects lean, as in oblique
 * drone footage. Not thread-safe; one generator per flight.
 */
public final class FlightGenerator {
    /** Objects smaller than this (box side in pixels) are too small to label: ignored regions. */
    static final int MIN_LABEL_SIDE = 4;
    /** Visible fraction under which an object is too occluded to label: an ignored region. */
    static final double MIN_VISIBLE_FRACTION = 0.2;
    /** In-frame fraction under which a truncated object becomes an ignored region. */
    static final double MIN_IN_FRAME_FRACTION = 0.5;

    private final SynthConfig config;
    private final SplittableRandom rng;
    private final World world;
    private final Textures textures;
    private final double speed;
    private final double yawOffset;
    private final double turnRate;
    private final double altitudePeriod;
    private final double altitudePhase;
    private final double tilt;
    private final double sunX;
    private final double sunY;
    private final double originLat;
    private final double originLon;
    private double camX;
    private double camY;
    private double course;
    private int nextFrame = 1;

    public FlightGenerator(SynthConfig config, int flightIndex) {
        this.config = config;
        this.rng = new SplittableRandom(config.flightSeed(flightIndex));
        double duration = config.frames() / config.fps();
        this.speed = 5 + rng.nextDouble() * 9;
        double maxGsd = config.maxAltitude() * SynthConfig.GSD_PER_METRE_ALTITUDE;
        double halfView = 0.5 * Math.hypot(config.width(), config.height()) * maxGsd;
        double size = speed * duration + 2 * halfView + 120;
        this.world = World.generate(size, size, config.density(), rng.split());
        this.textures = new Textures(rng.split());
        this.course = rng.nextDouble() * 2 * Math.PI;
        this.turnRate = (rng.nextDouble() - 0.5) * 0.06;
        this.yawOffset = (rng.nextDouble() - 0.5) * 0.6;
        this.camX = size / 2 - Math.cos(course) * speed * duration / 2;
        this.camY = size / 2 - Math.sin(course) * speed * duration / 2;
        this.altitudePeriod = duration * (0.6 + rng.nextDouble());
        this.altitudePhase = rng.nextDouble() * 2 * Math.PI;
        this.tilt = rng.nextDouble() * 0.35;
        double sunAzimuth = rng.nextDouble() * 2 * Math.PI;
        double shadowLength = World.clamp(0.35 + (1.1 - config.lighting()) * 0.9, 0.2, 1.6);
        this.sunX = Math.cos(sunAzimuth) * shadowLength;
        this.sunY = Math.sin(sunAzimuth) * shadowLength;
        this.originLat = 30 + rng.nextDouble() * 20;
        this.originLon = 100 + rng.nextDouble() * 20;
    }

    public boolean hasNext() {
        return nextFrame <= config.frames();
    }

    /** Renders the next frame and advances the world and camera by one frame interval. */
    public SyntheticFrame next() {
        if (!hasNext()) {
            throw new IllegalStateException("flight has " + config.frames() + " frames");
        }
        double t = (nextFrame - 1) / config.fps();
        double altitude = config.minAltitude()
                + (config.maxAltitude() - config.minAltitude())
                        * (0.5 + 0.5 * Math.sin(2 * Math.PI * t / altitudePeriod + altitudePhase));
        double gsd = altitude * SynthConfig.GSD_PER_METRE_ALTITUDE;
        double yaw = course + yawOffset + rng.nextGaussian() * 0.002;
        double jx = camX + rng.nextGaussian() * 0.05, jy = camY + rng.nextGaussian() * 0.05;
        AffineTransform toImage = new AffineTransform();
        toImage.translate(config.width() / 2.0, config.height() / 2.0);
        toImage.rotate(-yaw);
        toImage.scale(1 / gsd, 1 / gsd);
        toImage.translate(-jx, -jy);
        // Tops of objects lean towards the top of the image (a forward-tilted camera): image-up in world terms.
        double tiltX = Math.sin(yaw) * tilt, tiltY = -Math.cos(yaw) * tilt;

        Rectangle2D view = viewBounds(toImage, gsd);
        List<SceneObject> visible = new ArrayList<>();
        for (SceneObject o : world.objects) {
            double r = o.reach();
            if (view.intersects(o.x - r, o.y - r, 2 * r, 2 * r)) {
                visible.add(o);
            }
        }
        visible.sort(Comparator.comparingDouble((SceneObject o) -> o.height).thenComparingInt(o -> o.trackId));

        BufferedImage image = render(toImage, view, visible, tiltX, tiltY);
        List<Annotation> annotations = annotate(toImage, visible, tiltX, tiltY);
        double[] motion = {Math.cos(course) * speed, Math.sin(course) * speed};
        postProcess(image, toImage, motion, gsd);

        double headingDeg = ((Math.toDegrees(yaw) % 360) + 360 + 90) % 360;
        SyntheticFrame.Telemetry telemetry = new SyntheticFrame.Telemetry(
                Math.round(t * 1000),
                altitude,
                gsd,
                originLat - camY / 111_320.0,
                originLon + camX / (111_320.0 * Math.cos(Math.toRadians(originLat))),
                headingDeg);
        SyntheticFrame frame = new SyntheticFrame(nextFrame, image, annotations, telemetry);

        double dt = 1 / config.fps();
        world.step(dt);
        camX += Math.cos(course) * speed * dt;
        camY += Math.sin(course) * speed * dt;
        course += turnRate * dt;
        nextFrame++;
        return frame;
    }

    /** The world rectangle the frame sees, with a margin for objects' reach. */
    private Rectangle2D viewBounds(AffineTransform toImage, double gsd) {
        try {
            AffineTransform inv = toImage.createInverse();
            Rectangle2D r = null;
            for (double[] c :
                    new double[][] {{0, 0}, {config.width(), 0}, {0, config.height()}, {config.width(), config.height()}
                    }) {
                Point2D p = inv.transform(new Point2D.Double(c[0], c[1]), null);
                if (r == null) r = new Rectangle2D.Double(p.getX(), p.getY(), 0, 0);
                else r.add(p);
            }
            return r;
        } catch (NoninvertibleTransformException e) {
            throw new IllegalStateException("camera transform not invertible at gsd " + gsd, e);
        }
    }

    private BufferedImage render(
            AffineTransform toImage, Rectangle2D view, List<SceneObject> visible, double tiltX, double tiltY) {
        BufferedImage img = new BufferedImage(config.width(), config.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.setTransform(toImage);
        g.setPaint(textures.paint(World.Ground.GRASS));
        g.fill(view);
        for (World.Patch p : world.patches) {
            if (p.rect().intersects(view)) {
                boolean roof = p.ground().name().startsWith("ROOF");
                if (roof) {
                    // Buildings (~8 m) cast a shadow; their roof edge (parapet) is darker.
                    Rectangle2D r = p.rect();
                    g.setColor(new Color(0, 0, 0, 90));
                    g.fill(new Rectangle2D.Double(
                            r.getX() + sunX * 8, r.getY() + sunY * 8, r.getWidth(), r.getHeight()));
                }
                g.setPaint(textures.paint(p.ground()));
                g.fill(p.rect());
                if (roof) {
                    g.setColor(new Color(0, 0, 0, 70));
                    g.setStroke(new java.awt.BasicStroke(0.6f));
                    g.draw(p.rect());
                }
            }
        }
        for (World.Road road : world.roads) {
            if (road.rect().intersects(view)) {
                g.setPaint(textures.paint(World.Ground.ASPHALT));
                g.fill(road.rect());
            }
        }
        g.setColor(new Color(225, 225, 215));
        for (World.Marking m : world.markings) {
            if (m.rect().intersects(view)) {
                fillMarking(g, m, view);
            }
        }
        // Shadows of trees and objects fall on the ground, under everything standing.
        for (World.Tree tree : world.trees) {
            if (view.intersects(tree.x() - 12, tree.y() - 12, 24, 24)) {
                g.setColor(new Color(0, 0, 0, 80));
                g.fill(new Ellipse2D.Double(
                        tree.x() - tree.radius() + sunX * 5,
                        tree.y() - tree.radius() + sunY * 5,
                        2 * tree.radius(),
                        2 * tree.radius()));
            }
        }
        float shadowAlpha = (float) (0.2 + 0.2 * Math.min(1, config.lighting()));
        for (SceneObject o : visible) {
            ObjectPainter.drawShadow(g, o, sunX, sunY, shadowAlpha);
        }
        for (SceneObject o : visible) {
            ObjectPainter.draw(g, o, tiltX, tiltY);
        }
        for (World.Tree tree : world.trees) {
            if (view.intersects(tree.x() - 8, tree.y() - 8, 16, 16)) {
                drawTree(g, tree);
            }
        }
        g.dispose();
        return img;
    }

    private static void fillMarking(Graphics2D g, World.Marking m, Rectangle2D view) {
        Rectangle2D r = m.rect();
        if (!m.dashed()) {
            g.fill(r.createIntersection(view));
            return;
        }
        boolean alongX = r.getWidth() > r.getHeight();
        double from = alongX ? Math.max(r.getMinX(), view.getMinX()) : Math.max(r.getMinY(), view.getMinY());
        double to = alongX ? Math.min(r.getMaxX(), view.getMaxX()) : Math.min(r.getMaxY(), view.getMaxY());
        for (double a = Math.floor(from / 9) * 9; a < to; a += 9) {
            g.fill(
                    alongX
                            ? new Rectangle2D.Double(a, r.getY(), 3, r.getHeight())
                            : new Rectangle2D.Double(r.getX(), a, r.getWidth(), 3));
        }
    }

    private void drawTree(Graphics2D g, World.Tree tree) {
        double r = tree.radius();
        g.setColor(ObjectPainter.scale(tree.canopy(), 0.75));
        g.fill(treeShape(tree));
        g.setColor(tree.canopy());
        g.fill(new Ellipse2D.Double(
                tree.x() - r * 0.8 - sunX * 0.3, tree.y() - r * 0.8 - sunY * 0.3, r * 1.5, r * 1.5));
        g.setColor(ObjectPainter.scale(tree.canopy(), 1.2));
        g.fill(new Ellipse2D.Double(
                tree.x() - r * 0.5 - sunX * 0.5, tree.y() - r * 0.5 - sunY * 0.5, r * 0.7, r * 0.7));
    }

    private static Shape treeShape(World.Tree tree) {
        double r = tree.radius();
        return new Ellipse2D.Double(tree.x() - r, tree.y() - r, 2 * r, 2 * r);
    }

    /**
     * Ground truth for the frame: draws every visible object's silhouette into a label image, in
     * paint order, with trees on top, then reads back each object's visible pixels.
     */
    private List<Annotation> annotate(AffineTransform toImage, List<SceneObject> visible, double tiltX, double tiltY) {
        int w = config.width(), h = config.height();
        BufferedImage labels = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = labels.createGraphics();
        g.setComposite(AlphaComposite.Src);
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.setTransform(toImage);
        List<Shape> silhouettes = new ArrayList<>(visible.size());
        for (int i = 0; i < visible.size(); i++) {
            Area s = ObjectPainter.silhouette(visible.get(i), tiltX, tiltY);
            silhouettes.add(s);
            g.setColor(new Color(i + 1)); // label = index + 1; 0 is background
            g.fill(s);
        }
        g.setColor(new Color(0));
        for (World.Tree tree : world.trees) {
            g.fill(treeShape(tree));
        }
        g.dispose();
        int[] label = ((DataBufferInt) labels.getRaster().getDataBuffer()).getData();

        List<Annotation> out = new ArrayList<>();
        for (int i = 0; i < visible.size(); i++) {
            SceneObject o = visible.get(i);
            Shape inImage = toImage.createTransformedShape(silhouettes.get(i));
            Rectangle2D full = inImage.getBounds2D();
            Box amodal = new Box(full.getMinX(), full.getMinY(), full.getMaxX(), full.getMaxY());
            Box clipped = amodal.clip(w, h);
            if (clipped.area() <= 0) {
                continue;
            }
            int x0 = (int) Math.floor(clipped.x1()), y0 = (int) Math.floor(clipped.y1());
            int x1 = (int) Math.ceil(clipped.x2()), y1 = (int) Math.ceil(clipped.y2());
            long inFrame = rasterArea(inImage, x0, y0, x1, y1);
            final int id = i + 1;
            long visiblePx = 0;
            for (int y = y0; y < y1; y++) {
                for (int x = x0; x < x1; x++) {
                    if ((label[y * w + x] & 0xFFFFFF) == id) visiblePx++;
                }
            }
            if (visiblePx == 0) {
                continue; // fully hidden: not in this frame's ground truth at all
            }
            double inFrameFraction = amodal.area() <= 0 ? 0 : clipped.area() / amodal.area();
            double visibleFraction = inFrame == 0 ? 0 : (double) visiblePx / inFrame;
            int left = (int) Math.round(clipped.x1()), top = (int) Math.round(clipped.y1());
            int right = (int) Math.round(clipped.x2()), bottom = (int) Math.round(clipped.y2());
            Box box = new Box(left, top, Math.max(left + 1, right), Math.max(top + 1, bottom));
            boolean labelable = Math.min(box.width(), box.height()) >= MIN_LABEL_SIDE
                    && visibleFraction >= MIN_VISIBLE_FRACTION
                    && inFrameFraction >= MIN_IN_FRAME_FRACTION;
            if (!labelable) {
                out.add(new Annotation(o.trackId, box, VisDroneCategory.IGNORED_REGION.id(), 0, 0, 0, null));
                continue;
            }
            int truncation = inFrameFraction < 0.999 ? 1 : 0;
            double occluded = 1 - visibleFraction;
            int occlusion = occluded < 0.01 ? 0 : occluded <= 0.5 ? 1 : 2;
            MaskRle mask = MaskRle.encodeWindow(h, w, x0, y0, x1, y1, (x, y) -> (label[y * w + x] & 0xFFFFFF) == id);
            out.add(new Annotation(o.trackId, box, o.category, 1, truncation, occlusion, mask));
        }
        out.sort(Comparator.comparingInt(Annotation::targetId));
        return out;
    }

    /** Pixels inside {@code shape} within the window, counted by rasterising it alone. */
    private static long rasterArea(Shape shape, int x0, int y0, int x1, int y1) {
        int ww = x1 - x0, hh = y1 - y0;
        if (ww <= 0 || hh <= 0) return 0;
        BufferedImage m = new BufferedImage(ww, hh, BufferedImage.TYPE_BYTE_GRAY);
        Graphics2D g = m.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_OFF);
        g.translate(-x0, -y0);
        g.setColor(Color.WHITE);
        g.fill(shape);
        g.dispose();
        byte[] px = ((java.awt.image.DataBufferByte) m.getRaster().getDataBuffer()).getData();
        long n = 0;
        for (byte b : px) {
            if (b != 0) n++;
        }
        return n;
    }

    /** Lighting, motion blur along the camera's motion, and a little sensor noise. */
    private void postProcess(BufferedImage img, AffineTransform toImage, double[] motionWorld, double gsd) {
        int w = img.getWidth(), h = img.getHeight();
        int[] px = ((DataBufferInt) img.getRaster().getDataBuffer()).getData();
        if (config.motionBlur() >= 1) {
            // The world moves against the camera: blur along the image-space motion direction.
            double[] d = new double[2];
            toImage.deltaTransform(motionWorld, 0, d, 0, 1);
            double len = Math.hypot(d[0], d[1]);
            double ux = len == 0 ? 1 : d[0] / len, uy = len == 0 ? 0 : d[1] / len;
            int n = (int) Math.round(config.motionBlur());
            int[] src = px.clone();
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = 0, gg = 0, b = 0;
                    for (int k = 0; k < n; k++) {
                        double off = k - (n - 1) / 2.0;
                        int sx = Math.min(w - 1, Math.max(0, (int) Math.round(x + ux * off)));
                        int sy = Math.min(h - 1, Math.max(0, (int) Math.round(y + uy * off)));
                        int p = src[sy * w + sx];
                        r += (p >> 16) & 0xFF;
                        gg += (p >> 8) & 0xFF;
                        b += p & 0xFF;
                    }
                    px[y * w + x] = ((r / n) << 16) | ((gg / n) << 8) | (b / n);
                }
            }
        }
        double light = config.lighting();
        double gain = 0.45 + 0.55 * Math.min(light, 1.0) + 0.25 * Math.max(0, light - 1);
        double warm = Math.max(0, 1 - light) * 0.25; // low sun: warmer, bluer shadows lost
        long noiseSeed = rng.nextLong();
        for (int i = 0; i < px.length; i++) {
            int p = px[i];
            int noise = (int) ((mix(noiseSeed + i) & 7) - 3.5);
            int r = clamp8(((p >> 16) & 0xFF) * gain * (1 + warm) + noise);
            int gg = clamp8(((p >> 8) & 0xFF) * gain + noise);
            int b = clamp8((p & 0xFF) * gain * (1 - warm) + noise);
            px[i] = (r << 16) | (gg << 8) | b;
        }
    }

    private static int clamp8(double v) {
        return (int) Math.max(0, Math.min(255, v));
    }

    /** SplitMix64 finaliser: cheap per-pixel noise that depends only on the seed and index. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
