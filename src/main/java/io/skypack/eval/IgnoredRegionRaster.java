package io.skypack.eval;

import io.skypack.detect.Box;
import java.util.List;

/**
 * The union of an image's ignored regions as a pixel raster with its integral image, to ask what
 * fraction of a box lies inside (VisDrone {@code dropObjectsInIgr.m} with {@code createIntImg.m}).
 *
 * <p>Boxes are snapped to whole pixels the way the toolkit snaps them: the left/top edge is rounded
 * and the width/height is rounded and at least 1. A box then covers pixel columns [x, x + w) and
 * rows [y, y + h), clipped to the image. The toolkit's raster is one pixel wider and taller per
 * region (MATLAB's inclusive {@code y:y+h}) and its lookup window is shifted by one pixel; we use the
 * exclusive edges of {@link Box} instead, so a region of width w covers exactly w columns.
 */
final class IgnoredRegionRaster {
    private final int width;
    private final int height;
    // integral[(y) * (width + 1) + x] = covered pixels in rows [0, y) and columns [0, x).
    private final int[] integral;

    IgnoredRegionRaster(int width, int height, List<Box> regions) {
        this.width = width;
        this.height = height;
        boolean[] covered = new boolean[width * height];
        for (Box r : regions) {
            int[] px = snap(r);
            for (int y = px[1]; y < px[3]; y++) {
                for (int x = px[0]; x < px[2]; x++) {
                    covered[y * width + x] = true;
                }
            }
        }
        integral = new int[(width + 1) * (height + 1)];
        for (int y = 0; y < height; y++) {
            int rowSum = 0;
            for (int x = 0; x < width; x++) {
                rowSum += covered[y * width + x] ? 1 : 0;
                integral[(y + 1) * (width + 1) + x + 1] = integral[y * (width + 1) + x + 1] + rowSum;
            }
        }
    }

    /**
     * The fraction of the box's own snapped area (outside the image included) that is inside an
     * ignored region, in [0, 1].
     */
    double coveredFraction(Box box) {
        int w = Math.max(1, (int) Math.round(box.width()));
        int h = Math.max(1, (int) Math.round(box.height()));
        int[] px = snap(box);
        int inside = integral[px[3] * (width + 1) + px[2]]
                - integral[px[1] * (width + 1) + px[2]]
                - integral[px[3] * (width + 1) + px[0]]
                + integral[px[1] * (width + 1) + px[0]];
        return (double) inside / ((double) w * h);
    }

    /** The toolkit's rule: drop when at least half of the box is ignored ({@code igrVal/(h*w) < 0.5} keeps). */
    boolean isMostlyIgnored(Box box) {
        return coveredFraction(box) >= 0.5;
    }

    // Pixel bounds [x1, y1, x2, y2) of a box, clipped to the image.
    private int[] snap(Box b) {
        long x = Math.round(b.x1());
        long y = Math.round(b.y1());
        long w = Math.max(1, Math.round(b.width()));
        long h = Math.max(1, Math.round(b.height()));
        return new int[] {clip(x, width), clip(y, height), clip(x + w, width), clip(y + h, height)};
    }

    private static int clip(long v, int max) {
        return (int) Math.max(0, Math.min(max, v));
    }
}
