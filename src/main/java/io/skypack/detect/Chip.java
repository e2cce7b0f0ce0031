package io.skypack.detect;

/**
 * One frame region drawn, scaled by {@code zoom}, into a rectangle of a mosaic. Mosaic pixel (u, v)
 * with {@code x <= u < x + w}, {@code y <= v < y + h} shows frame point
 * {@code (sourceRegion.x1() + (u - x) / zoom, sourceRegion.y1() + (v - y) / zoom)} (continuous
 * coordinates, pixel corners at integers), so {@code w = sourceRegion.width() * zoom} and likewise h.
 *
 * @param regionIndex index of the {@link ForegroundRegion} in the packer's input it comes from; a
 *     split region gives several chips with the same index
 * @param frameIndex the frame the source region lies in
 * @param sourceRegion in frame pixels, on whole pixels
 * @param zoom mosaic pixels per frame pixel, {@code > 0}
 * @param x left edge in mosaic pixels
 * @param y top edge in mosaic pixels
 * @param w width in mosaic pixels, {@code >= 1}
 * @param h height in mosaic pixels, {@code >= 1}
 */
public record Chip(int regionIndex, int frameIndex, Box sourceRegion, double zoom, int x, int y, int w, int h) {
    public Chip {
        if (!(zoom > 0) || Double.isInfinite(zoom)) {
            throw new IllegalArgumentException("zoom must be a finite number > 0: " + zoom);
        }
        if (w < 1 || h < 1) {
            throw new IllegalArgumentException("chip must be at least 1x1: " + w + "x" + h);
        }
    }

    /** The chip's rectangle in mosaic pixels. */
    public Box rect() {
        return new Box(x, y, x + w, y + h);
    }

    /** Mosaic x to frame x. */
    public double toFrameX(double u) {
        return sourceRegion.x1() + (u - x) / zoom;
    }

    /** Mosaic y to frame y. */
    public double toFrameY(double v) {
        return sourceRegion.y1() + (v - y) / zoom;
    }

    /** Frame x to mosaic x. */
    public double toMosaicX(double fx) {
        return x + (fx - sourceRegion.x1()) * zoom;
    }

    /** Frame y to mosaic y. */
    public double toMosaicY(double fy) {
        return y + (fy - sourceRegion.y1()) * zoom;
    }
}
