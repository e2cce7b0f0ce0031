package io.skypack.model;

import java.util.Arrays;

/**
 * The prior locations of a GFL/ATSS head (DESIGN.md section 4, "MP-Det head") for one input size:
 * one location per feature-map cell of every pyramid level, each with one square anchor.
 *
 * <p>Level {@code l} of stride {@code s} has {@code ceil(H / s)} rows and {@code ceil(W / s)}
 * columns. Priors are ordered level-major, then row-major (y, then x), which is the order of a
 * flattened {@code [levels][H_l][W_l]} head output. The centre of cell (x, y) is {@code (x * s + s
 * / 2, y * s + s / 2)} in input pixels (centre offset 0.5, the cell centre), and its anchor is the
 * square of side {@code octaveScale * s} centred there (ATSS/GFL: one anchor per location, octave
 * base scale 8, aspect ratio 1). Anchors are not clipped to the image.
 *
 * <p>Note: mmdet's {@code AnchorGenerator} defaults to centre offset 0 (centres on {@code x * s});
 * we use the cell centre so that the grid is symmetric in the image. Regression targets and decoded
 * boxes must use {@link #centers()} of this class, never a re-derived grid.
 *
 * <p>Immutable; the array getters return copies.
 */
public final class Priors {
    /** The strides of the default three-level head (P3-P5). */
    public static final int[] DEFAULT_STRIDES = {8, 16, 32};

    /** ATSS/GFL default anchor side in strides ({@code octave_base_scale}). */
    public static final double DEFAULT_OCTAVE_SCALE = 8.0;

    private final int width;
    private final int height;
    private final int[] strides;
    private final int[] countPerLevel;
    private final float[] centers;
    private final float[] anchors;
    private final int[] strideOf;

    private Priors(int width, int height, int[] strides, double octaveScale) {
        this.width = width;
        this.height = height;
        this.strides = strides.clone();
        this.countPerLevel = new int[strides.length];
        int total = 0;
        for (int l = 0; l < strides.length; l++) {
            int s = strides[l];
            countPerLevel[l] = ceilDiv(height, s) * ceilDiv(width, s);
            total += countPerLevel[l];
        }
        this.centers = new float[2 * total];
        this.anchors = new float[4 * total];
        this.strideOf = new int[total];
        int i = 0;
        for (int s : strides) {
            double half = octaveScale * s / 2;
            int rows = ceilDiv(height, s);
            int cols = ceilDiv(width, s);
            for (int y = 0; y < rows; y++) {
                for (int x = 0; x < cols; x++) {
                    double cx = x * s + s / 2.0;
                    double cy = y * s + s / 2.0;
                    centers[2 * i] = (float) cx;
                    centers[2 * i + 1] = (float) cy;
                    anchors[4 * i] = (float) (cx - half);
                    anchors[4 * i + 1] = (float) (cy - half);
                    anchors[4 * i + 2] = (float) (cx + half);
                    anchors[4 * i + 3] = (float) (cy + half);
                    strideOf[i] = s;
                    i++;
                }
            }
        }
    }

    /**
     * The priors of an input of {@code width x height} pixels.
     *
     * @param strides positive, strictly increasing strides, one per pyramid level
     * @param octaveScale anchor side in strides, positive (8 for ATSS/GFL)
     */
    public static Priors of(int width, int height, int[] strides, double octaveScale) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("input size must be positive: " + width + "x" + height);
        }
        if (strides.length == 0) {
            throw new IllegalArgumentException("no strides");
        }
        for (int l = 0; l < strides.length; l++) {
            if (strides[l] <= 0 || (l > 0 && strides[l] <= strides[l - 1])) {
                throw new IllegalArgumentException(
                        "strides must be positive and strictly increasing: " + Arrays.toString(strides));
            }
        }
        if (!(octaveScale > 0) || Double.isInfinite(octaveScale)) {
            throw new IllegalArgumentException("octaveScale must be positive: " + octaveScale);
        }
        return new Priors(width, height, strides, octaveScale);
    }

    /** The priors of the default head: strides {8, 16, 32}, octave scale 8. */
    public static Priors of(int width, int height) {
        return of(width, height, DEFAULT_STRIDES, DEFAULT_OCTAVE_SCALE);
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** Number of priors over all levels. */
    public int count() {
        return strideOf.length;
    }

    /** The strides, one per level. */
    public int[] strides() {
        return strides.clone();
    }

    /** Number of priors of each level, in level order. */
    public int[] countPerLevel() {
        return countPerLevel.clone();
    }

    /** Centres in input pixels, {@code [cx0, cy0, cx1, cy1, ...]}: 2 per prior. */
    public float[] centers() {
        return centers.clone();
    }

    /** Anchors in input pixels, {@code [x1, y1, x2, y2, ...]}: 4 per prior. */
    public float[] anchors() {
        return anchors.clone();
    }

    /** The stride of each prior's level: 1 per prior. */
    public int[] strideOf() {
        return strideOf.clone();
    }
}
