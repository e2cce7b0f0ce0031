package io.skypack.detect;

/**
 * A cluster of candidate objects in one frame, to be cut out, zoomed and fine-detected.
 *
 * @param frameIndex the frame within the batch (or flight) the region lies in
 * @param region in frame pixels, inside the frame; not necessarily on whole pixels
 * @param zoom requested zoom (mosaic pixels per frame pixel), {@code >= 1}
 * @param members number of candidate boxes the region holds, {@code >= 1}
 */
public record ForegroundRegion(int frameIndex, Box region, int zoom, int members) {
    public ForegroundRegion {
        if (zoom < 1) {
            throw new IllegalArgumentException("zoom must be >= 1: " + zoom);
        }
        if (members < 1) {
            throw new IllegalArgumentException("a region has at least one member: " + members);
        }
    }
}
