package io.skypack.detect;

/**
 * Box geometry on flat float arrays of {@code [x1, y1, x2, y2]} quadruples (box {@code i} at {@code
 * 4 * i}), the layout the head, the assigner and NMS share. Same conventions as {@link Box}: corners
 * in pixels, x2 and y2 exclusive. Arithmetic is in double.
 */
public final class BoxArrays {
    private BoxArrays() {}

    /** Intersection over union of box {@code i} of {@code a} and box {@code j} of {@code b}; 0 when both are empty. */
    public static double iou(float[] a, int i, float[] b, int j) {
        double ax1 = a[4 * i], ay1 = a[4 * i + 1], ax2 = a[4 * i + 2], ay2 = a[4 * i + 3];
        double bx1 = b[4 * j], by1 = b[4 * j + 1], bx2 = b[4 * j + 2], by2 = b[4 * j + 3];
        double w = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        double h = Math.min(ay2, by2) - Math.max(ay1, by1);
        double inter = w <= 0 || h <= 0 ? 0 : w * h;
        double areaA = Math.max(0, ax2 - ax1) * Math.max(0, ay2 - ay1);
        double areaB = Math.max(0, bx2 - bx1) * Math.max(0, by2 - by1);
        double union = areaA + areaB - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** Number of boxes in {@code boxes}; throws when its length is not a multiple of 4. */
    public static int count(float[] boxes) {
        if (boxes.length % 4 != 0) {
            throw new IllegalArgumentException("box array length " + boxes.length + " is not a multiple of 4");
        }
        return boxes.length / 4;
    }
}
