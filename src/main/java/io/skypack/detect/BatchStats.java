package io.skypack.detect;

/**
 * The cost of one {@link Detector#detect} call. Stage times come from consecutive clock readings,
 * so {@code coarseMs + packMs + fineMs == totalMs} up to rounding.
 *
 * @param frames frames in the batch
 * @param networkInputs images given to the networks (coarse frames, fine canvases or slices, full
 *     frames); every one is a full network input, whatever it shows
 * @param pixelsInferred network input pixels over all of them (input width x height each)
 * @param mosaics fine-pass canvases ({@link UfpmpDetector}); 0 for the other detectors
 * @param coarseMs the coarse pass; 0 for detectors without one
 * @param packMs clustering, packing and rendering of mosaics (or cutting slices)
 * @param fineMs the fine passes, with mapping back to frames and merging
 * @param totalMs the whole call
 */
public record BatchStats(
        int frames,
        int networkInputs,
        long pixelsInferred,
        int mosaics,
        double coarseMs,
        double packMs,
        double fineMs,
        double totalMs) {

    /** Nothing yet: the start of a sum. */
    public static final BatchStats ZERO = new BatchStats(0, 0, 0, 0, 0, 0, 0, 0);

    /** Stage times from four {@link System#nanoTime()} readings: start, coarse done, pack done, end. */
    static BatchStats timed(int frames, int inputs, long pixels, int mosaics, long t0, long t1, long t2, long t3) {
        return new BatchStats(
                frames, inputs, pixels, mosaics, (t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, (t3 - t0) / 1e6);
    }

    /** The sum of two batches' statistics, for totals over a run. */
    public BatchStats plus(BatchStats o) {
        return new BatchStats(
                frames + o.frames,
                networkInputs + o.networkInputs,
                pixelsInferred + o.pixelsInferred,
                mosaics + o.mosaics,
                coarseMs + o.coarseMs,
                packMs + o.packMs,
                fineMs + o.fineMs,
                totalMs + o.totalMs);
    }
}
