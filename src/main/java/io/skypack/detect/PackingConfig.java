package io.skypack.detect;

/**
 * Knobs of {@link MosaicPacker} (DESIGN.md section 4, "UFP: packing").
 *
 * @param canvasSize side of every square mosaic in pixels (the fine model's input size), {@code >= 1}
 * @param gap least distance in pixels between two chips of a canvas, {@code >= 0}; chips may touch
 *     the canvas border
 * @param tileOverlap when a region is split, neighbouring tiles share at least this many mosaic pixels,
 *     {@code ceil(tileOverlap / z)} frame pixels for tiles at zoom z, so an object up to that size on a
 *     seam lies whole inside one tile; {@code 0 <= tileOverlap < canvasSize}
 */
public record PackingConfig(int canvasSize, int gap, int tileOverlap) {

    /** 640 px canvases (the default fine model's input), 4 px gaps, 64 px tile overlap. */
    public static final PackingConfig DEFAULT = new PackingConfig(640, 4, 64);

    public PackingConfig {
        if (canvasSize < 1) {
            throw new IllegalArgumentException("canvasSize must be >= 1: " + canvasSize);
        }
        if (gap < 0) {
            throw new IllegalArgumentException("gap must be >= 0: " + gap);
        }
        if (tileOverlap < 0 || tileOverlap >= canvasSize) {
            throw new IllegalArgumentException(
                    "tileOverlap must be in [0, canvasSize): " + tileOverlap + " (canvasSize " + canvasSize + ")");
        }
    }
}
