package io.skypack.detect;

/**
 * An axis-aligned box in pixel coordinates of some image: (x1, y1) is the top-left corner and (x2,
 * y2) the bottom-right corner, exclusive, so a box covering pixel columns 10..19 has x1 = 10, x2 =
 * 20 and width 10. Coordinates are doubles because detectors regress sub-pixel boxes.
 */
public record Box(double x1, double y1, double x2, double y2) {

    public Box {
        if (!(x2 >= x1) || !(y2 >= y1)) {
            throw new IllegalArgumentException("box corners out of order: " + x1 + "," + y1 + "," + x2 + "," + y2);
        }
    }

    /** From the COCO/VisDrone convention: left, top, width, height. */
    public static Box ofXywh(double left, double top, double width, double height) {
        return new Box(left, top, left + width, top + height);
    }

    public double width() {
        return x2 - x1;
    }

    public double height() {
        return y2 - y1;
    }

    public double area() {
        return width() * height();
    }

    public double centerX() {
        return (x1 + x2) / 2;
    }

    public double centerY() {
        return (y1 + y2) / 2;
    }

    /** Area of the overlap with {@code other}; 0 when they do not overlap. */
    public double intersection(Box other) {
        double w = Math.min(x2, other.x2) - Math.max(x1, other.x1);
        double h = Math.min(y2, other.y2) - Math.max(y1, other.y1);
        return w <= 0 || h <= 0 ? 0 : w * h;
    }

    /** Intersection over union; 0 when both boxes are empty. */
    public double iou(Box other) {
        double inter = intersection(other);
        double union = area() + other.area() - inter;
        return union <= 0 ? 0 : inter / union;
    }

    /** The smallest box containing both. */
    public Box union(Box other) {
        return new Box(Math.min(x1, other.x1), Math.min(y1, other.y1), Math.max(x2, other.x2), Math.max(y2, other.y2));
    }

    /** This box clipped to [0, width] x [0, height]; may become empty. */
    public Box clip(double width, double height) {
        return clip(new Box(0, 0, width, height));
    }

    /** This box clipped to {@code bounds}; may become empty (then it lies on the bounds' edge). */
    public Box clip(Box bounds) {
        double cx1 = Math.max(bounds.x1, Math.min(bounds.x2, x1));
        double cy1 = Math.max(bounds.y1, Math.min(bounds.y2, y1));
        double cx2 = Math.max(cx1, Math.min(bounds.x2, x2));
        double cy2 = Math.max(cy1, Math.min(bounds.y2, y2));
        return new Box(cx1, cy1, cx2, cy2);
    }
}
