package io.skypack.train.synth;

import io.skypack.train.data.VisDroneCategory;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.Shape;
import java.awt.geom.AffineTransform;
import java.awt.geom.Area;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.geom.RoundRectangle2D;
import java.util.SplittableRandom;

/**
 * Draws the objects of a synthetic scene seen from above, in world metres. Each object is drawn in
 * its local frame (x forward along its heading, y across, origin at its centre) as three layers: its
 * shadow on the ground, its side (the part an oblique camera sees), and its top with details
 * (windows, roofs, riders). {@link #silhouette} gives exactly the pixels the side and top cover, which
 * is the instance mask; the shadow is not part of the object.
 *
 * <p>Every class has three visual variants (shape, proportions, colour scheme), so one class looks
 * several ways, as in VisDrone.
 */
final class ObjectPainter {
    private static final Color GLASS = new Color(28, 34, 44);
    private static final Color TYRE = new Color(25, 25, 25);

    private ObjectPainter() {}

    /** {length, width, height} in metres for a class and variant. */
    static double[] dimensions(int category, int variant) {
        VisDroneCategory c = VisDroneCategory.ofId(category);
        return switch (c) {
            case PEDESTRIAN -> variant == 2 ? new double[] {0.38, 0.55, 1.75} : new double[] {0.32, 0.52, 1.7};
            case BICYCLE ->
                variant == 2 ? new double[] {2.4, 0.75, 1.6} : new double[] {1.75, 0.6, variant == 1 ? 1.0 : 1.6};
            case CAR ->
                switch (variant) {
                    case 0 -> new double[] {4.6, 1.8, 1.45};
                    case 1 -> new double[] {3.9, 1.75, 1.5};
                    default -> new double[] {4.8, 1.95, 1.75};
                };
            case VAN ->
                switch (variant) {
                    case 0 -> new double[] {5.4, 2.05, 2.4};
                    case 1 -> new double[] {4.95, 1.9, 1.8};
                    default -> new double[] {5.3, 1.9, 1.8};
                };
            case TRUCK ->
                switch (variant) {
                    case 0 -> new double[] {7.5, 2.4, 3.3};
                    case 1 -> new double[] {8.5, 2.5, 2.6};
                    default -> new double[] {9.5, 2.5, 3.2};
                };
            case BUS ->
                switch (variant) {
                    case 0 -> new double[] {12.0, 2.55, 3.1};
                    case 1 -> new double[] {11.0, 2.55, 4.3};
                    default -> new double[] {13.0, 2.55, 3.6};
                };
            case MOTOR -> variant == 0 ? new double[] {1.7, 0.7, 1.5} : new double[] {2.1, 0.8, 1.55};
            default -> throw new IllegalArgumentException("no painter for category " + c.label());
        };
    }

    /** {primary, secondary} colours for a new object. */
    static Color[] colors(int category, int variant, SplittableRandom rng) {
        VisDroneCategory c = VisDroneCategory.ofId(category);
        return switch (c) {
            case PEDESTRIAN ->
                new Color[] {
                    variant == 0
                            ? World.hsb(rng.nextDouble(), 0.2 + 0.3 * rng.nextDouble(), 0.15 + 0.25 * rng.nextDouble())
                            : World.hsb(rng.nextDouble(), 0.6 + 0.4 * rng.nextDouble(), 0.6 + 0.4 * rng.nextDouble()),
                    hair(rng)
                };
            case BICYCLE, MOTOR ->
                new Color[] {
                    World.hsb(rng.nextDouble(), 0.5 + 0.5 * rng.nextDouble(), 0.3 + 0.6 * rng.nextDouble()),
                    World.hsb(rng.nextDouble(), 0.3 + 0.6 * rng.nextDouble(), 0.2 + 0.7 * rng.nextDouble())
                };
            case CAR -> new Color[] {carPaint(rng), GLASS};
            case VAN ->
                new Color[] {
                    variant == 0 ? new Color(225 + rng.nextInt(25), 225 + rng.nextInt(25), 222) : carPaint(rng),
                    new Color(70, 60, 50)
                };
            case TRUCK ->
                new Color[] {
                    World.hsb(rng.nextDouble(), 0.55 + 0.4 * rng.nextDouble(), 0.45 + 0.45 * rng.nextDouble()),
                    variant == 2
                            ? new Color(185, 188, 192)
                            : World.hsb(rng.nextDouble(), 0.15 * rng.nextDouble(), 0.55 + 0.4 * rng.nextDouble())
                };
            case BUS ->
                switch (variant) {
                    case 0 ->
                        new Color[] {
                            pickColor(rng, new Color(225, 180, 30), new Color(40, 90, 170), new Color(40, 140, 80)),
                            new Color(210, 212, 214)
                        };
                    case 1 -> new Color[] {new Color(185, 25, 30), new Color(160, 20, 25)};
                    default ->
                        new Color[] {
                            new Color(238, 238, 236),
                            pickColor(rng, new Color(20, 60, 150), new Color(200, 90, 20), new Color(120, 20, 120))
                        };
                };
            default -> throw new IllegalArgumentException("no colours for category " + c.label());
        };
    }

    private static Color hair(SplittableRandom rng) {
        return pickColor(
                rng, new Color(25, 20, 18), new Color(70, 45, 25), new Color(190, 160, 100), new Color(120, 120, 120));
    }

    private static Color carPaint(SplittableRandom rng) {
        double u = rng.nextDouble();
        if (u < 0.25) return new Color(232, 232, 230);
        if (u < 0.45) return new Color(168, 171, 175);
        if (u < 0.62) return new Color(28, 28, 32);
        if (u < 0.72) return new Color(95, 98, 102);
        if (u < 0.80) return new Color(165, 28, 30);
        if (u < 0.88) return new Color(32, 62, 140);
        if (u < 0.93) return new Color(30, 72, 52);
        if (u < 0.97) return new Color(200, 185, 150);
        return new Color(225, 185, 40);
    }

    private static Color pickColor(SplittableRandom rng, Color... options) {
        return options[rng.nextInt(options.length)];
    }

    // ---------------------------------------------------------------- shapes

    /** The object's ground footprint in its local frame. */
    static Shape footprint(SceneObject o) {
        double l = o.length, w = o.width;
        return switch (VisDroneCategory.ofId(o.category)) {
            case PEDESTRIAN -> new Ellipse2D.Double(-l / 2, -w / 2, l, w);
            case BICYCLE, MOTOR -> new RoundRectangle2D.Double(-l / 2, -w / 4, l, w / 2, w / 2, w / 2);
            default ->
                new RoundRectangle2D.Double(-l / 2, -w / 2, l, w, Math.min(0.7, w * 0.35), Math.min(0.7, w * 0.35));
        };
    }

    /** The outline of the object's top (roof, shoulders, rider, umbrella) in its local frame. */
    static Shape topOutline(SceneObject o) {
        double l = o.length, w = o.width;
        return switch (VisDroneCategory.ofId(o.category)) {
            case PEDESTRIAN ->
                o.variant == 2
                        ? new Ellipse2D.Double(-0.5, -0.5, 1.0, 1.0)
                        : new Ellipse2D.Double(-l / 2, -w / 2, l, w);
            case BICYCLE, MOTOR -> {
                Area a = new Area(footprint(o));
                if (!(o.category == VisDroneCategory.BICYCLE.id() && o.variant == 1)) {
                    a.add(new Area(new Ellipse2D.Double(-0.35, -0.27, 0.4, 0.54)));
                }
                if (o.category == VisDroneCategory.MOTOR.id() && o.variant == 2) {
                    a.add(new Area(new Ellipse2D.Double(-0.75, -0.27, 0.4, 0.54)));
                }
                yield a;
            }
            default -> footprint(o);
        };
    }

    /**
     * The pixels the object covers in world coordinates: footprint, side and top, for a camera
     * whose oblique view displaces the top by {@code (tiltX, tiltY)} metres per metre of height.
     */
    static Area silhouette(SceneObject o, double tiltX, double tiltY) {
        AffineTransform pose = pose(o, 0, 0);
        Area a = new Area(pose.createTransformedShape(footprint(o)));
        for (double s : new double[] {0.25, 0.5, 0.75}) {
            a.add(new Area(pose(o, tiltX * o.height * s, tiltY * o.height * s).createTransformedShape(footprint(o))));
        }
        a.add(new Area(pose(o, tiltX * o.height, tiltY * o.height).createTransformedShape(topOutline(o))));
        return a;
    }

    private static AffineTransform pose(SceneObject o, double dx, double dy) {
        AffineTransform t = AffineTransform.getTranslateInstance(o.x + dx, o.y + dy);
        t.rotate(o.heading);
        return t;
    }

    // ---------------------------------------------------------------- drawing

    /** Shadow cast on the ground by a sun {@code (sunX, sunY)} metres of shadow per metre of height. */
    static void drawShadow(Graphics2D g, SceneObject o, double sunX, double sunY, float alpha) {
        Area shadow = new Area(pose(o, 0, 0).createTransformedShape(footprint(o)));
        shadow.add(new Area(pose(o, sunX * o.height, sunY * o.height).createTransformedShape(topOutline(o))));
        shadow.add(
                new Area(pose(o, sunX * o.height * 0.5, sunY * o.height * 0.5).createTransformedShape(footprint(o))));
        g.setColor(new Color(0, 0, 0, Math.round(alpha * 255)));
        g.fill(shadow);
    }

    /** Side and top of the object. */
    static void draw(Graphics2D g, SceneObject o, double tiltX, double tiltY) {
        Area side = silhouette(o, tiltX, tiltY);
        g.setColor(sideColor(o));
        g.fill(side);
        AffineTransform saved = g.getTransform();
        g.transform(pose(o, tiltX * o.height, tiltY * o.height));
        switch (VisDroneCategory.ofId(o.category)) {
            case PEDESTRIAN -> pedestrian(g, o);
            case BICYCLE -> bicycle(g, o);
            case MOTOR -> motor(g, o);
            case CAR -> car(g, o);
            case VAN -> van(g, o);
            case TRUCK -> truck(g, o);
            case BUS -> bus(g, o);
            default -> throw new IllegalStateException("no painter for " + o.category);
        }
        g.setTransform(saved);
    }

    private static Color sideColor(SceneObject o) {
        return switch (VisDroneCategory.ofId(o.category)) {
            case PEDESTRIAN -> new Color(40, 40, 45); // legs
            case BICYCLE, MOTOR -> TYRE;
            default -> scale(o.primary, 0.55);
        };
    }

    private static void pedestrian(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        if (o.variant == 2) {
            g.setColor(o.primary);
            g.fill(new Ellipse2D.Double(-0.5, -0.5, 1.0, 1.0));
            g.setColor(scale(o.primary, 0.7));
            g.setStroke(new BasicStroke(0.04f));
            for (int k = 0; k < 4; k++) {
                double a = k * Math.PI / 4;
                g.draw(new Line2D.Double(-0.5 * Math.cos(a), -0.5 * Math.sin(a), 0.5 * Math.cos(a), 0.5 * Math.sin(a)));
            }
            return;
        }
        g.setColor(o.primary);
        g.fill(new Ellipse2D.Double(-l / 2, -w / 2, l, w));
        if (o.variant == 1) {
            g.setColor(scale(o.primary, 0.5)); // backpack
            g.fill(new Rectangle2D.Double(-l / 2 - 0.05, -0.14, 0.16, 0.28));
        }
        g.setColor(o.secondary);
        g.fill(new Ellipse2D.Double(-0.11, -0.11, 0.22, 0.22));
    }

    private static void rider(Graphics2D g, SceneObject o, double cx, Color helmet) {
        g.setColor(o.secondary);
        g.fill(new Ellipse2D.Double(cx - 0.15, -0.27, 0.34, 0.54));
        g.setColor(helmet);
        g.fill(new Ellipse2D.Double(cx - 0.06, -0.12, 0.24, 0.24));
    }

    private static void bicycle(Graphics2D g, SceneObject o) {
        double l = o.length;
        g.setColor(TYRE);
        g.fill(new Rectangle2D.Double(l / 2 - 0.65, -0.03, 0.62, 0.06));
        g.fill(new Rectangle2D.Double(-l / 2 + 0.03, -0.03, 0.62, 0.06));
        g.setColor(o.primary);
        g.setStroke(new BasicStroke(0.06f));
        g.draw(new Line2D.Double(-l / 2 + 0.35, 0, l / 2 - 0.35, 0));
        g.draw(new Line2D.Double(l / 2 - 0.45, -0.25, l / 2 - 0.45, 0.25)); // handlebar
        if (o.variant == 2) {
            g.setColor(scale(o.primary, 0.8));
            g.fill(new Rectangle2D.Double(l / 2 - 1.0, -0.35, 0.6, 0.7)); // cargo box
        }
        if (o.variant != 1) {
            rider(g, o, -0.2, o.secondary.darker());
        }
    }

    private static void motor(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        g.setColor(scale(o.primary, 0.9));
        g.fill(new RoundRectangle2D.Double(-l / 2 + 0.1, -w / 4, l - 0.2, w / 2, 0.3, 0.3));
        g.setColor(TYRE);
        g.fill(new Rectangle2D.Double(l / 2 - 0.3, -0.05, 0.3, 0.1));
        g.setColor(Color.DARK_GRAY);
        g.setStroke(new BasicStroke(0.05f));
        g.draw(new Line2D.Double(l / 2 - 0.45, -0.35, l / 2 - 0.45, 0.35));
        rider(g, o, -0.2, o.variant == 0 ? Color.WHITE : new Color(30, 30, 30));
        if (o.variant == 2) {
            rider(g, o, -0.6, new Color(200, 30, 30));
        }
    }

    private static void car(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        Shape body = footprint(o);
        g.setPaint(new GradientPaint(
                0, (float) (-w / 2), scale(o.primary, 1.12), 0, (float) (w / 2), scale(o.primary, 0.85)));
        g.fill(body);
        double front = o.variant == 1 ? 0.16 : 0.12;
        // Windscreen (trapezoid, narrower at the roof) and rear window.
        g.setColor(GLASS);
        g.fill(trapezoid(l * front, l * 0.30, w * 0.84, w * 0.7));
        double rear0 = o.variant == 1 ? -0.47 : -0.40;
        g.fill(trapezoid(l * rear0, l * (rear0 + 0.13), w * 0.78, w * 0.7));
        // Roof and side windows.
        g.setColor(scale(o.primary, 1.05));
        g.fill(new RoundRectangle2D.Double(
                l * (rear0 + 0.13), -w * 0.35, l * (front + 0.18 - rear0 - 0.13 + 0.0), w * 0.7, 0.3, 0.3));
        g.setColor(GLASS);
        g.fill(new Rectangle2D.Double(l * (rear0 + 0.12), -w * 0.43, l * (0.28 - rear0 - 0.12), w * 0.07));
        g.fill(new Rectangle2D.Double(l * (rear0 + 0.12), w * 0.36, l * (0.28 - rear0 - 0.12), w * 0.07));
        if (o.variant == 2) {
            g.setColor(new Color(40, 40, 40));
            g.setStroke(new BasicStroke(0.06f));
            g.draw(new Line2D.Double(l * -0.2, -w * 0.28, l * 0.05, -w * 0.28));
            g.draw(new Line2D.Double(l * -0.2, w * 0.28, l * 0.05, w * 0.28));
        }
        lights(g, l, w);
    }

    private static void van(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        g.setColor(o.primary);
        g.fill(footprint(o));
        g.setColor(GLASS);
        switch (o.variant) {
            case 0 -> {
                g.fill(trapezoid(l * 0.34, l * 0.44, w * 0.9, w * 0.8));
                g.setColor(scale(o.primary, 0.9));
                g.setStroke(new BasicStroke(0.05f));
                for (double x = -0.4; x < 0.3; x += 0.1) {
                    g.draw(new Line2D.Double(l * x, -w * 0.42, l * x, w * 0.42)); // roof ribs
                }
            }
            case 1 -> {
                g.fill(trapezoid(l * 0.2, l * 0.34, w * 0.86, w * 0.74));
                g.fill(new Rectangle2D.Double(-l * 0.42, -w * 0.44, l * 0.62, w * 0.09));
                g.fill(new Rectangle2D.Double(-l * 0.42, w * 0.35, l * 0.62, w * 0.09));
            }
            default -> {
                // Pickup: cab in front, open bed behind with some load.
                g.fill(trapezoid(l * 0.16, l * 0.28, w * 0.86, w * 0.74));
                g.setColor(scale(o.primary, 0.6));
                g.fill(new Rectangle2D.Double(-l * 0.47, -w * 0.4, l * 0.42, w * 0.8));
                g.setColor(o.secondary);
                g.fill(new Rectangle2D.Double(-l * 0.4, -w * 0.25, l * 0.18, w * 0.45));
            }
        }
        lights(g, l, w);
    }

    private static void truck(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        double cab = 2.1;
        g.setColor(o.primary);
        g.fill(new RoundRectangle2D.Double(l / 2 - cab, -w / 2, cab, w, 0.5, 0.5));
        g.setColor(GLASS);
        g.fill(new Rectangle2D.Double(l / 2 - 0.55, -w * 0.42, 0.35, w * 0.84));
        double cargoLen = l - cab - 0.3;
        Rectangle2D cargo = new Rectangle2D.Double(-l / 2, -w / 2, cargoLen, w);
        switch (o.variant) {
            case 0 -> {
                g.setColor(o.secondary);
                g.fill(cargo);
                g.setColor(scale(o.secondary, 0.85));
                g.setStroke(new BasicStroke(0.06f));
                for (double x = -l / 2 + 0.8; x < -l / 2 + cargoLen; x += 0.8) {
                    g.draw(new Line2D.Double(x, -w / 2, x, w / 2));
                }
            }
            case 1 -> {
                g.setColor(new Color(110, 100, 90));
                g.fill(cargo);
                g.setColor(o.secondary);
                g.fill(new Rectangle2D.Double(-l / 2 + 0.4, -w * 0.4, cargoLen * 0.35, w * 0.8));
                g.setColor(scale(o.secondary, 0.7));
                g.fill(new Rectangle2D.Double(-l / 2 + 0.6 + cargoLen * 0.4, -w * 0.35, cargoLen * 0.3, w * 0.7));
            }
            default -> {
                g.setPaint(new GradientPaint(
                        0, (float) (-w / 2), scale(o.secondary, 0.7), 0, 0, scale(o.secondary, 1.2), true));
                g.fill(new RoundRectangle2D.Double(-l / 2, -w * 0.48, cargoLen, w * 0.96, w * 0.9, w * 0.9));
                g.setColor(new Color(60, 60, 60));
                g.fill(new Ellipse2D.Double(-l / 2 + cargoLen * 0.45, -0.3, 0.6, 0.6)); // hatch
            }
        }
    }

    private static void bus(Graphics2D g, SceneObject o) {
        double l = o.length, w = o.width;
        g.setColor(o.primary);
        g.fill(footprint(o));
        g.setColor(GLASS);
        g.fill(new Rectangle2D.Double(l / 2 - 0.45, -w * 0.44, 0.35, w * 0.88));
        g.fill(new Rectangle2D.Double(-l / 2 + 0.4, -w * 0.5, l - 1.2, w * 0.1));
        g.fill(new Rectangle2D.Double(-l / 2 + 0.4, w * 0.4, l - 1.2, w * 0.1));
        g.setColor(o.secondary);
        if (o.variant == 2) {
            g.fill(new Rectangle2D.Double(-l / 2, -w * 0.12, l - 0.5, w * 0.24)); // coach stripe
        } else {
            g.fill(new RoundRectangle2D.Double(-l / 2 + 0.5, -w * 0.36, l - 1.6, w * 0.72, 0.4, 0.4));
        }
        g.setColor(new Color(150, 152, 155));
        g.fill(new Rectangle2D.Double(-l * 0.1, -w * 0.25, 1.6, w * 0.5)); // roof AC unit
        if (o.variant != 1) {
            g.fill(new Rectangle2D.Double(-l * 0.4, -w * 0.2, 1.0, w * 0.4));
        }
    }

    private static void lights(Graphics2D g, double l, double w) {
        g.setColor(new Color(235, 230, 200));
        g.fill(new Rectangle2D.Double(l / 2 - 0.12, -w * 0.42, 0.1, w * 0.16));
        g.fill(new Rectangle2D.Double(l / 2 - 0.12, w * 0.26, 0.1, w * 0.16));
        g.setColor(new Color(150, 20, 20));
        g.fill(new Rectangle2D.Double(-l / 2 + 0.02, -w * 0.42, 0.08, w * 0.14));
        g.fill(new Rectangle2D.Double(-l / 2 + 0.02, w * 0.28, 0.08, w * 0.14));
    }

    /** A trapezoid from x0 (width w0) to x1 (width w1), centred on the x axis. */
    private static Shape trapezoid(double x0, double x1, double w0, double w1) {
        Path2D p = new Path2D.Double();
        p.moveTo(x0, -w0 / 2);
        p.lineTo(x1, -w1 / 2);
        p.lineTo(x1, w1 / 2);
        p.lineTo(x0, w0 / 2);
        p.closePath();
        return p;
    }

    static Color scale(Color c, double f) {
        return new Color(
                (int) World.clamp(c.getRed() * f, 0, 255),
                (int) World.clamp(c.getGreen() * f, 0, 255),
                (int) World.clamp(c.getBlue() * f, 0, 255),
                c.getAlpha());
    }
}
