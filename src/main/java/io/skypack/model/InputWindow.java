package io.skypack.model;

/**
 * Where a network input came from: input pixel (u, v) shows source pixel (x + u / scale, y + v /
 * scale). Input pixels beyond the source are padding.
 *
 * @param x left edge of the window in source pixels
 * @param y top edge of the window in source pixels
 * @param scale input pixels per source pixel
 * @param sourceWidth width of the source image
 * @param sourceHeight height of the source image
 */
public record InputWindow(double x, double y, double scale, int sourceWidth, int sourceHeight) {

    /** The whole source scaled to fit an input of the given size, anchored top-left. */
    public static InputWindow letterbox(int sourceWidth, int sourceHeight, int inputWidth, int inputHeight) {
        double scale = Math.min((double) inputWidth / sourceWidth, (double) inputHeight / sourceHeight);
        return new InputWindow(0, 0, scale, sourceWidth, sourceHeight);
    }

    public double toSourceX(double u) {
        return x + u / scale;
    }

    public double toSourceY(double v) {
        return y + v / scale;
    }

    public double toInputX(double sx) {
        return (sx - x) * scale;
    }

    public double toInputY(double sy) {
        return (sy - y) * scale;
    }
}
