package io.skypack.train.synth;

import java.awt.Color;
import java.awt.TexturePaint;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.EnumMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Ground materials as tiling textures anchored in world metres, so the ground moves with the world
 * as the camera flies and keeps its scale as the altitude changes. One set per flight, seeded.
 */
final class Textures {
    private static final int TILE_PX = 128;
    private final Map<World.Ground, TexturePaint> paints = new EnumMap<>(World.Ground.class);

    Textures(SplittableRandom rng) {
        for (World.Ground g : World.Ground.values()) {
            double metres =
                    switch (g) {
                        case GRASS, CROP, DIRT -> 12;
                        case ASPHALT -> 6;
                        case CONCRETE -> 9;
                        default -> 8;
                    };
            paints.put(g, new TexturePaint(tile(g, rng), new Rectangle2D.Double(0, 0, metres, metres)));
        }
    }

    TexturePaint paint(World.Ground g) {
        return paints.get(g);
    }

    private static BufferedImage tile(World.Ground g, SplittableRandom rng) {
        BufferedImage img = new BufferedImage(TILE_PX, TILE_PX, BufferedImage.TYPE_INT_RGB);
        Color base =
                switch (g) {
                    case GRASS ->
                        World.hsb(
                                0.24 + rng.nextDouble() * 0.06,
                                0.45 + rng.nextDouble() * 0.2,
                                0.38 + rng.nextDouble() * 0.12);
                    case CROP -> World.hsb(0.17 + rng.nextDouble() * 0.08, 0.5, 0.45);
                    case ASPHALT -> World.hsb(0.6, 0.04, 0.27 + rng.nextDouble() * 0.08);
                    case CONCRETE -> World.hsb(0.1, 0.05, 0.62 + rng.nextDouble() * 0.1);
                    case DIRT -> World.hsb(0.07 + rng.nextDouble() * 0.03, 0.35, 0.45 + rng.nextDouble() * 0.1);
                    case ROOF_TILE -> World.hsb(0.02 + rng.nextDouble() * 0.03, 0.55, 0.5);
                    case ROOF_GREY -> World.hsb(0.6, 0.03, 0.55 + rng.nextDouble() * 0.15);
                    case ROOF_DARK -> World.hsb(0.6, 0.05, 0.22 + rng.nextDouble() * 0.06);
                };
        double[][] coarse = valueNoise(rng, 8);
        double[][] fine = valueNoise(rng, 32);
        double amp =
                switch (g) {
                    case GRASS, DIRT -> 0.22;
                    case CROP -> 0.15;
                    default -> 0.07;
                };
        for (int y = 0; y < TILE_PX; y++) {
            for (int x = 0; x < TILE_PX; x++) {
                double n = 1 + amp * (sample(coarse, x, y) - 0.5) * 2 + amp * 0.6 * (sample(fine, x, y) - 0.5);
                n *= switch (g) {
                    case CROP -> (x / 8) % 2 == 0 ? 1.1 : 0.85; // crop rows
                    case CONCRETE -> (x % 42 == 0 || y % 42 == 0) ? 0.8 : 1; // slab joints
                    case ROOF_TILE -> (y % 8 < 2) ? 0.82 : 1; // tile courses
                    case ROOF_GREY -> (x % 32 == 0) ? 0.85 : 1; // sheet seams
                    default -> 1;
                };
                img.setRGB(x, y, ObjectPainter.scale(base, n).getRGB());
            }
        }
        return img;
    }

    /** A periodic grid of random values, cells {@code TILE_PX / cells} pixels wide, for smooth noise. */
    private static double[][] valueNoise(SplittableRandom rng, int cells) {
        double[][] v = new double[cells][cells];
        for (double[] row : v) {
            for (int i = 0; i < row.length; i++) {
                row[i] = rng.nextDouble();
            }
        }
        return v;
    }

    /** Bilinear, wrapping interpolation of the grid at tile pixel (x, y). */
    private static double sample(double[][] v, int x, int y) {
        int n = v.length;
        double fx = (double) x * n / TILE_PX, fy = (double) y * n / TILE_PX;
        int ix = (int) fx, iy = (int) fy;
        double tx = fx - ix, ty = fy - iy;
        double a = v[iy % n][ix % n], b = v[iy % n][(ix + 1) % n];
        double c = v[(iy + 1) % n][ix % n], d = v[(iy + 1) % n][(ix + 1) % n];
        return (a * (1 - tx) + b * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
}
