package io.skypack.detect;

import java.util.List;

/**
 * The mosaics of one batch and how well they are used.
 *
 * @param mosaics canvases, {@code mosaics.get(i).canvasIndex() == i}
 * @param foregroundFraction sum of chip areas over total canvas area; 0 when there are no canvases
 * @param reducedZoomRegions regions drawn at less than their requested zoom to fit a canvas
 * @param splitRegions regions too large for a canvas even at zoom 1, drawn as overlapping tiles
 */
public record PackingResult(List<Mosaic> mosaics, double foregroundFraction, int reducedZoomRegions, int splitRegions) {
    public PackingResult {
        mosaics = List.copyOf(mosaics);
    }

    /** All chips of all canvases, canvas by canvas. */
    public List<Chip> chips() {
        return mosaics.stream().flatMap(m -> m.chips().stream()).toList();
    }
}
