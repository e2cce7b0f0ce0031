package io.skypack.train.synth;

import io.skypack.train.data.VisDroneCategory;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A procedural ground scene in world metres: a grid of roads around blocks of different kinds
 * (parking lots, plazas, buildings, parks, fields, dirt lots), trees that occlude, and the objects
 * that live there, parked or moving. Clustered blocks (parking, plazas, traffic) and empty ones
 * (fields, dirt) alternate, so a flight crosses both.
 */
final class World {

    enum Ground {
        GRASS,
        ASPHALT,
        CONCRETE,
        DIRT,
        ROOF_TILE,
        ROOF_GREY,
        ROOF_DARK,
        CROP
    }

    enum BlockKind {
        PARKING,
        PLAZA,
        BUILDINGS,
        PARK,
        FIELD,
        DIRT_LOT
    }

    /** A filled area of one ground material. */
    record Patch(Rectangle2D rect, Ground ground) {}

    /** A straight road, axis-aligned; lanes alternate direction and each has one speed. */
    record Road(Rectangle2D rect, boolean horizontal, int lanes) {}

    /** Painted line on the ground (lane markings, parking stalls), a thin rectangle. */
    record Marking(Rectangle2D rect, boolean dashed) {}

    record Tree(double x, double y, double radius, Color canopy) {}

    record Block(Rectangle2D rect, BlockKind kind) {}

    final double sizeX;
    final double sizeY;
    final List<Patch> patches = new ArrayList<>();
    final List<Road> roads = new ArrayList<>();
    final List<Marking> markings = new ArrayList<>();
    final List<Tree> trees = new ArrayList<>();
    final List<Block> blocks = new ArrayList<>();
    final List<SceneObject> objects = new ArrayList<>();
    private final SplittableRandom rng;
    private final double density;
    private int nextTrackId = 1;

    private World(double sizeX, double sizeY, double density, SplittableRandom rng) {
        this.sizeX = sizeX;
        this.sizeY = sizeY;
        this.density = density;
        this.rng = rng;
    }

    /** Builds a world of {@code sizeX x sizeY} metres. */
    static World generate(double sizeX, double sizeY, double density, SplittableRandom rng) {
        World w = new World(sizeX, sizeY, density, rng);
        w.layOut();
        return w;
    }

    // ---------------------------------------------------------------- layout

    private void layOut() {
        List<double[]> xs = roadLines(sizeX);
        List<double[]> ys = roadLines(sizeY);
        for (double[] r : xs) {
            roads.add(new Road(new Rectangle2D.Double(r[0] - r[1] / 2, 0, r[1], sizeY), false, (int) r[2]));
        }
        for (double[] r : ys) {
            roads.add(new Road(new Rectangle2D.Double(0, r[0] - r[1] / 2, sizeX, r[1]), true, (int) r[2]));
        }
        double prevX = 0;
        for (int i = 0; i <= xs.size(); i++) {
            double endX = i < xs.size() ? xs.get(i)[0] - xs.get(i)[1] / 2 : sizeX;
            double prevY = 0;
            for (int j = 0; j <= ys.size(); j++) {
                double endY = j < ys.size() ? ys.get(j)[0] - ys.get(j)[1] / 2 : sizeY;
                double sidewalk = 2.5;
                Rectangle2D r = new Rectangle2D.Double(
                        prevX + sidewalk, prevY + sidewalk, endX - prevX - 2 * sidewalk, endY - prevY - 2 * sidewalk);
                if (r.getWidth() > 8 && r.getHeight() > 8) {
                    patches.add(new Patch(
                            new Rectangle2D.Double(prevX, prevY, endX - prevX, endY - prevY), Ground.CONCRETE));
                    fillBlock(r);
                }
                prevY = j < ys.size() ? ys.get(j)[0] + ys.get(j)[1] / 2 : sizeY;
            }
            prevX = i < xs.size() ? xs.get(i)[0] + xs.get(i)[1] / 2 : sizeX;
        }
        for (Road road : roads) {
            addRoadTraffic(road);
        }
    }

    /** Road centre lines across one axis: {centre, width, lanes}. */
    private List<double[]> roadLines(double extent) {
        List<double[]> lines = new ArrayList<>();
        double pos = 20 + rng.nextDouble() * 60;
        while (pos < extent - 20) {
            int lanes = rng.nextDouble() < 0.35 ? 4 : 2;
            lines.add(new double[] {pos, lanes * 3.5 + 1, lanes});
            pos += 70 + rng.nextDouble() * 90;
        }
        return lines;
    }

    private void fillBlock(Rectangle2D r) {
        double u = rng.nextDouble();
        BlockKind kind = u < 0.22
                ? BlockKind.PARKING
                : u < 0.38
                        ? BlockKind.PLAZA
                        : u < 0.58
                                ? BlockKind.BUILDINGS
                                : u < 0.74 ? BlockKind.PARK : u < 0.9 ? BlockKind.FIELD : BlockKind.DIRT_LOT;
        blocks.add(new Block(r, kind));
        switch (kind) {
            case PARKING -> parkingLot(r);
            case PLAZA -> plaza(r);
            case BUILDINGS -> buildings(r);
            case PARK -> park(r);
            case FIELD -> patches.add(new Patch(r, rng.nextBoolean() ? Ground.CROP : Ground.GRASS));
            case DIRT_LOT -> dirtLot(r);
        }
    }

    private void parkingLot(Rectangle2D r) {
        patches.add(new Patch(r, Ground.ASPHALT));
        double occupancy = Math.min(1, (0.35 + 0.6 * rng.nextDouble()) * density);
        boolean rowsAlongX = r.getWidth() >= r.getHeight();
        double along = rowsAlongX ? r.getWidth() : r.getHeight();
        double across = rowsAlongX ? r.getHeight() : r.getWidth();
        double stall = 2.6;
        double depth = 5.2;
        // Double rows of stalls separated by 6 m aisles.
        for (double c = 3; c + 2 * depth < across - 3; c += 2 * depth + 6.5) {
            for (int side = 0; side < 2; side++) {
                double rowCentre = c + depth / 2 + side * depth;
                for (double a = 3; a + stall < along - 3; a += stall) {
                    double sx = rowsAlongX ? r.getX() + a : r.getX() + c + side * depth;
                    double sy = rowsAlongX ? r.getY() + c + side * depth : r.getY() + a;
                    markings.add(new Marking(
                            rowsAlongX
                                    ? new Rectangle2D.Double(sx, sy, 0.12, depth)
                                    : new Rectangle2D.Double(sx, sy, depth, 0.12),
                            false));
                    if (rng.nextDouble() < occupancy) {
                        double cx = rowsAlongX ? sx + stall / 2 : r.getX() + rowCentre;
                        double cy = rowsAlongX ? r.getY() + rowCentre : sy + stall / 2;
                        double heading = (rowsAlongX ? Math.PI / 2 : 0) + (side == 0 ? 0 : Math.PI);
                        heading += rng.nextGaussian() * 0.04;
                        int cat = pick(
                                new double[] {0.82, 0.13, 0.05},
                                VisDroneCategory.CAR,
                                VisDroneCategory.VAN,
                                VisDroneCategory.TRUCK);
                        if (cat != VisDroneCategory.TRUCK.id() || depth > 5) {
                            addObject(cat, cx, cy, heading, 0, null);
                        }
                    }
                }
            }
        }
        scatterWalkers(r, (int) (r.getWidth() * r.getHeight() / 900 * density), false);
    }

    private void plaza(Rectangle2D r) {
        patches.add(new Patch(r, Ground.CONCRETE));
        // Crowds: gaussian clusters of pedestrians (VisDrone's dense scenes), plus bicycle racks.
        int clusters = 1 + rng.nextInt(3);
        for (int k = 0; k < clusters; k++) {
            double cx = r.getX() + r.getWidth() * (0.2 + 0.6 * rng.nextDouble());
            double cy = r.getY() + r.getHeight() * (0.2 + 0.6 * rng.nextDouble());
            double spread = 3 + rng.nextDouble() * 8;
            int n = (int) Math.round((10 + rng.nextInt(40)) * density);
            for (int i = 0; i < n; i++) {
                double px = clamp(cx + rng.nextGaussian() * spread, r.getMinX() + 1, r.getMaxX() - 1);
                double py = clamp(cy + rng.nextGaussian() * spread, r.getMinY() + 1, r.getMaxY() - 1);
                boolean walking = rng.nextDouble() < 0.6;
                addObject(
                        VisDroneCategory.PEDESTRIAN.id(),
                        px,
                        py,
                        rng.nextDouble() * 2 * Math.PI,
                        walking ? 0.8 + rng.nextDouble() * 0.8 : 0,
                        rect(r));
            }
        }
        int racks = rng.nextInt(3);
        for (int k = 0; k < racks; k++) {
            double x0 = r.getX() + 2 + rng.nextDouble() * Math.max(1, r.getWidth() - 15);
            double y0 = r.getY() + 2 + rng.nextDouble() * Math.max(1, r.getHeight() - 4);
            int n = (int) Math.round((3 + rng.nextInt(8)) * density);
            for (int i = 0; i < n; i++) {
                int cat = rng.nextDouble() < 0.7 ? VisDroneCategory.BICYCLE.id() : VisDroneCategory.MOTOR.id();
                addObject(cat, x0 + i * 0.9, y0, Math.PI / 2 + rng.nextGaussian() * 0.1, 0, null);
            }
        }
        for (int i = 0; i < 3 + rng.nextInt(6); i++) {
            trees.add(tree(r));
        }
    }

    private void buildings(Rectangle2D r) {
        patches.add(new Patch(r, Ground.CONCRETE));
        int n = 1 + rng.nextInt(3);
        Ground[] roofs = {Ground.ROOF_TILE, Ground.ROOF_GREY, Ground.ROOF_DARK};
        double w = r.getWidth() / n;
        for (int i = 0; i < n; i++) {
            double bx = r.getX() + i * w + 3;
            double bw = w - 6 - rng.nextDouble() * w * 0.3;
            double bh = r.getHeight() * (0.45 + 0.35 * rng.nextDouble());
            double by = r.getY() + 3 + rng.nextDouble() * (r.getHeight() - bh - 6);
            if (bw > 6 && bh > 6) {
                patches.add(new Patch(new Rectangle2D.Double(bx, by, bw, bh), roofs[rng.nextInt(roofs.length)]));
            }
        }
        scatterWalkers(r, (int) (r.getWidth() * r.getHeight() / 1500 * density), true);
    }

    private void park(Rectangle2D r) {
        patches.add(new Patch(r, Ground.GRASS));
        double pathW = 3;
        patches.add(new Patch(
                new Rectangle2D.Double(r.getX(), r.getCenterY() - pathW / 2, r.getWidth(), pathW), Ground.DIRT));
        int nTrees = (int) (r.getWidth() * r.getHeight() / 250);
        for (int i = 0; i < nTrees; i++) {
            trees.add(tree(r));
        }
        Rectangle2D path = new Rectangle2D.Double(r.getX() + 1, r.getCenterY() - pathW / 2, r.getWidth() - 2, pathW);
        scatterWalkers(path, (int) (r.getWidth() / 12 * density), true);
        int bikes = (int) Math.round(rng.nextInt(3) * density);
        for (int i = 0; i < bikes; i++) {
            addObject(
                    VisDroneCategory.BICYCLE.id(),
                    r.getX() + rng.nextDouble() * r.getWidth(),
                    r.getCenterY(),
                    rng.nextBoolean() ? 0 : Math.PI,
                    3 + rng.nextDouble() * 2,
                    rect(path));
        }
    }

    private void dirtLot(Rectangle2D r) {
        patches.add(new Patch(r, Ground.DIRT));
        int trucks = (int) Math.round(rng.nextInt(3) * density);
        for (int i = 0; i < trucks; i++) {
            addObject(
                    VisDroneCategory.TRUCK.id(),
                    r.getX() + 8 + rng.nextDouble() * Math.max(1, r.getWidth() - 16),
                    r.getY() + 8 + rng.nextDouble() * Math.max(1, r.getHeight() - 16),
                    rng.nextDouble() * Math.PI * 2,
                    0,
                    null);
        }
    }

    private void scatterWalkers(Rectangle2D r, int n, boolean mostlyWalking) {
        for (int i = 0; i < n; i++) {
            double speed = rng.nextDouble() < (mostlyWalking ? 0.8 : 0.5) ? 0.9 + rng.nextDouble() * 0.7 : 0;
            addObject(
                    VisDroneCategory.PEDESTRIAN.id(),
                    r.getX() + rng.nextDouble() * r.getWidth(),
                    r.getY() + rng.nextDouble() * r.getHeight(),
                    rng.nextDouble() * 2 * Math.PI,
                    speed,
                    rect(r));
        }
    }

    private void addRoadTraffic(Road road) {
        double laneW = (road.horizontal ? road.rect.getHeight() : road.rect.getWidth()) / road.lanes;
        double extent = road.horizontal ? sizeX : sizeY;
        double start = road.horizontal ? road.rect.getY() : road.rect.getX();
        // Centre line and lane separators.
        for (int lane = 1; lane < road.lanes; lane++) {
            double p = start + lane * laneW;
            boolean centre = lane == road.lanes / 2;
            markings.add(new Marking(
                    road.horizontal
                            ? new Rectangle2D.Double(0, p - 0.08, sizeX, centre ? 0.2 : 0.15)
                            : new Rectangle2D.Double(p - 0.08, 0, centre ? 0.2 : 0.15, sizeY),
                    !centre));
        }
        if (rng.nextDouble() < 0.4) {
            // A row of street trees along one side: they hide parts of the traffic.
            double side = rng.nextBoolean() ? start - 1.2 : start + laneW * road.lanes + 1.2;
            for (double a = 5 + rng.nextDouble() * 10; a < extent; a += 12 + rng.nextDouble() * 10) {
                double r = 2.2 + rng.nextDouble() * 1.8;
                trees.add(new Tree(road.horizontal ? a : side, road.horizontal ? side : a, r, canopyColor()));
            }
        }
        double busyness = rng.nextDouble();
        for (int lane = 0; lane < road.lanes; lane++) {
            boolean forward = lane >= road.lanes / 2;
            double speed = busyness < 0.25 ? 0 : 6 + rng.nextDouble() * 8; // a quarter of roads are jammed
            double centre = start + (lane + 0.5) * laneW;
            double pos = rng.nextDouble() * 20;
            double meanGap = (8 + 60 * (1 - busyness)) / Math.max(0.05, density);
            while (pos < extent) {
                int cat = pick(
                        new double[] {0.58, 0.12, 0.08, 0.05, 0.12, 0.05},
                        VisDroneCategory.CAR,
                        VisDroneCategory.VAN,
                        VisDroneCategory.TRUCK,
                        VisDroneCategory.BUS,
                        VisDroneCategory.MOTOR,
                        VisDroneCategory.BICYCLE);
                double heading = road.horizontal ? (forward ? 0 : Math.PI) : (forward ? Math.PI / 2 : -Math.PI / 2);
                double lateral = centre + rng.nextGaussian() * 0.15;
                SceneObject o = addObject(
                        cat, road.horizontal ? pos : lateral, road.horizontal ? lateral : pos, heading, speed, null);
                o.wrapMin = -10;
                o.wrapMax = extent + 10;
                pos += o.length + 2 + exponential(meanGap);
            }
        }
    }

    private Tree tree(Rectangle2D r) {
        return new Tree(
                r.getX() + rng.nextDouble() * r.getWidth(),
                r.getY() + rng.nextDouble() * r.getHeight(),
                1.8 + rng.nextDouble() * 2.5,
                canopyColor());
    }

    private Color canopyColor() {
        return hsb(0.22 + rng.nextDouble() * 0.1, 0.45 + rng.nextDouble() * 0.3, 0.25 + rng.nextDouble() * 0.2);
    }

    // ---------------------------------------------------------------- objects

    private SceneObject addObject(int category, double x, double y, double heading, double speed, double[] bounds) {
        int variant = rng.nextInt(3);
        double[] dims = ObjectPainter.dimensions(category, variant);
        double scale = 0.92 + rng.nextDouble() * 0.16;
        Color[] colors = ObjectPainter.colors(category, variant, rng);
        SceneObject o = new SceneObject(
                nextTrackId++,
                category,
                variant,
                dims[0] * scale,
                dims[1] * scale,
                dims[2] * scale,
                colors[0],
                colors[1],
                x,
                y,
                heading,
                speed,
                bounds);
        objects.add(o);
        return o;
    }

    /** Advances moving objects by {@code dt} seconds. */
    void step(double dt) {
        for (SceneObject o : objects) {
            if (o.speed == 0) {
                continue;
            }
            if (o.bounds != null && o.category == VisDroneCategory.PEDESTRIAN.id()) {
                o.heading += rng.nextGaussian() * 0.25 * Math.sqrt(dt); // walkers meander
            }
            o.x += Math.cos(o.heading) * o.speed * dt;
            o.y += Math.sin(o.heading) * o.speed * dt;
            if (o.bounds != null) {
                // Walkers turn back at the edge of their area.
                if (o.x < o.bounds[0] || o.x > o.bounds[2]) {
                    o.heading = Math.PI - o.heading;
                    o.x = clamp(o.x, o.bounds[0], o.bounds[2]);
                }
                if (o.y < o.bounds[1] || o.y > o.bounds[3]) {
                    o.heading = -o.heading;
                    o.y = clamp(o.y, o.bounds[1], o.bounds[3]);
                }
            } else if (o.wrapMax > o.wrapMin) {
                // Traffic leaving the world re-enters at the far end, outside any camera view.
                boolean alongX = Math.abs(Math.cos(o.heading)) > 0.5;
                double p = alongX ? o.x : o.y;
                double span = o.wrapMax - o.wrapMin;
                if (p > o.wrapMax) p -= span;
                if (p < o.wrapMin) p += span;
                if (alongX) o.x = p;
                else o.y = p;
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private int pick(double[] weights, VisDroneCategory... cats) {
        double u = rng.nextDouble();
        double acc = 0;
        for (int i = 0; i < weights.length; i++) {
            acc += weights[i];
            if (u < acc) return cats[i].id();
        }
        return cats[cats.length - 1].id();
    }

    private double exponential(double mean) {
        return -Math.log(1 - rng.nextDouble()) * mean;
    }

    static double clamp(double v, double lo, double hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    private static double[] rect(Rectangle2D r) {
        return new double[] {r.getMinX(), r.getMinY(), r.getMaxX(), r.getMaxY()};
    }

    static Color hsb(double h, double s, double b) {
        return Color.getHSBColor((float) h, (float) clamp(s, 0, 1), (float) clamp(b, 0, 1));
    }
}
