package io.skypack.detect;

import java.util.List;

/**
 * Knobs of {@link UfpmpDetector} (DESIGN.md section 4). The canvas size is not one of them: it is
 * the fine model's (square) input.
 *
 * @param candidateScore coarse detections scoring at least this are candidates for the fine pass, in
 *     [0, 1]. Low on purpose: a missed candidate is an object the fine pass never sees, a false one
 *     only costs canvas area. The coarse model's own decoder threshold must not be higher.
 * @param clustering how candidates become regions and their zoom
 * @param gap least distance in pixels between two chips of a canvas ({@link PackingConfig#gap()})
 * @param tileOverlap least overlap of the tiles of a split region, in mosaic pixels ({@link
 *     PackingConfig#tileOverlap()})
 * @param maxBatch at most this many images per network call, coarse frames and fine canvases alike,
 *     {@code >= 1}
 * @param keepCoarse which coarse detections go to the output as they are
 * @param canvasesPerFrame canvas budget: a batch of n frames gets at most {@code max(1, floor(n *
 *     canvasesPerFrame))} canvases while zoom can still be lowered ({@link MosaicPacker#pack(List,
 *     int)}); 0 for no budget
 * @param canvasBudget whether the budget lowers each frame's zoom as if the frame were alone ({@link
 *     CanvasBudget#FRAME}) or the batch's zoom as a whole ({@link CanvasBudget#BATCH})
 */
public record UfpmpConfig(
        double candidateScore,
        ClusteringConfig clustering,
        int gap,
        int tileOverlap,
        int maxBatch,
        KeepCoarse keepCoarse,
        double canvasesPerFrame,
        CanvasBudget canvasBudget) {

    /** How the canvas budget is shared by the frames of a batch. */
    public enum CanvasBudget {
        /**
         * Each frame's zoom is lowered as it would be were the frame alone, within {@code
         * max(1, floor(canvasesPerFrame))} canvases ({@link MosaicPacker#packWithinFrameBudgets}); the frames of
         * a batch then share canvases at those zooms. A frame's detections so hardly depend on its batch,
         * and batching buys fewer canvases: on the 64-frame pipeline-bench flight, 173 canvases at batch 8
         * against 208 at batch 1 (batch-wide: 205).
         */
        FRAME,
        /**
         * The batch as a whole gets {@code max(1, floor(n * canvasesPerFrame))} canvases ({@link
         * MosaicPacker#pack(List, int)}): crowded frames borrow what sparse frames leave, so batching buys zoom
         * rather than canvases, and a frame's zoom depends on the frames it is batched with.
         */
        BATCH
    }

    /**
     * Default canvas budget per frame: a batch of 8 gets 32 canvases of 512 px, which with the 640x384
     * coarse inputs are at most 1.29 Mpx a frame, 0.70x of what slicing a 1280x720 frame costs (1.84
     * Mpx). Measured on two sets of held-out flights ({@code skypack bench detect --seed-offset 0 and
     * -100}, batch 8): 2.5 (0.90 Mpx at most, the first default) scored AP 0.397 on one and 0.217 on
     * the other, where no budget scored 0.390 at 1.60 Mpx; 4 scored 0.408 and 0.320 at 1.06 and 1.15
     * Mpx. Lowering zoom is where the budget costs: the fine model is trained on chips at the zoom the
     * clustering asks for, so a lowered chip shows it objects smaller than it learnt them.
     */
    public static final double CANVASES_PER_FRAME = 4;

    /**
     * Default candidate score. 0.25 rather than 0.1: the trained coarse model's low-score detections are
     * mostly clutter, which costs canvas area and so, under the budget, zoom (held-out AP 0.397 at 0.25
     * against 0.299 at 0.1 with the budget).
     */
    public static final double CANDIDATE_SCORE = 0.25;

    /**
     * Candidates from {@link #CANDIDATE_SCORE}, DESIGN.md clustering, the packer's default gap and overlap, up to 8
     * images per network call, coarse detections not kept (whether keeping them pays is for {@code
     * skypack bench detect} to show), at most {@link #CANVASES_PER_FRAME} canvases per frame.
     */
    public static final UfpmpConfig DEFAULT = new UfpmpConfig(
            CANDIDATE_SCORE,
            ClusteringConfig.DEFAULT,
            PackingConfig.DEFAULT.gap(),
            PackingConfig.DEFAULT.tileOverlap(),
            8,
            KeepCoarse.DEFAULT,
            CANVASES_PER_FRAME,
            CanvasBudget.FRAME);

    public UfpmpConfig {
        if (!(candidateScore >= 0 && candidateScore <= 1)) {
            throw new IllegalArgumentException("candidateScore outside [0, 1]: " + candidateScore);
        }
        if (clustering == null || keepCoarse == null || canvasBudget == null) {
            throw new IllegalArgumentException("clustering, keepCoarse and canvasBudget are required");
        }
        if (gap < 0 || tileOverlap < 0) {
            throw new IllegalArgumentException("gap and tileOverlap must be >= 0: " + gap + ", " + tileOverlap);
        }
        Inference.checkMaxBatch(maxBatch);
        if (!(canvasesPerFrame >= 0) || Double.isInfinite(canvasesPerFrame)) {
            throw new IllegalArgumentException("canvasesPerFrame must be finite and >= 0: " + canvasesPerFrame);
        }
    }

    /** The canvas budget for a batch of {@code frames} frames; {@link Integer#MAX_VALUE} for none. */
    public int maxCanvases(int frames) {
        // Floor, so the pixels per frame stay within the budget at every batch size (one frame at 2.5: 2).
        return canvasesPerFrame == 0 ? Integer.MAX_VALUE : Math.max(1, (int) Math.floor(frames * canvasesPerFrame));
    }

    public UfpmpConfig withCanvasesPerFrame(double perFrame) {
        return new UfpmpConfig(
                candidateScore, clustering, gap, tileOverlap, maxBatch, keepCoarse, perFrame, canvasBudget);
    }

    public UfpmpConfig withCanvasBudget(CanvasBudget budget) {
        return new UfpmpConfig(
                candidateScore, clustering, gap, tileOverlap, maxBatch, keepCoarse, canvasesPerFrame, budget);
    }

    public UfpmpConfig withCandidateScore(double score) {
        return new UfpmpConfig(
                score, clustering, gap, tileOverlap, maxBatch, keepCoarse, canvasesPerFrame, canvasBudget);
    }

    public UfpmpConfig withMaxBatch(int images) {
        return new UfpmpConfig(
                candidateScore, clustering, gap, tileOverlap, images, keepCoarse, canvasesPerFrame, canvasBudget);
    }

    public UfpmpConfig withKeepCoarse(boolean enabled) {
        return new UfpmpConfig(
                candidateScore,
                clustering,
                gap,
                tileOverlap,
                maxBatch,
                keepCoarse.withEnabled(enabled),
                canvasesPerFrame,
                canvasBudget);
    }

    /**
     * Coarse detections worth keeping as they are: large objects the downscaled coarse pass already
     * sees well, which the fine pass may miss (a region of small objects is zoomed past them, or a
     * frame has no fine pass at all).
     *
     * @param enabled whether any coarse detection is kept
     * @param minScore a kept detection scores at least this, in [0, 1]
     * @param minArea and its box covers at least this many frame pixels
     * @param maxFineIou and no fine detection of its frame, of any class, has IoU above this with it;
     *     a frame without a fine pass has none, so there every confident large coarse detection stays
     */
    public record KeepCoarse(boolean enabled, double minScore, double minArea, double maxFineIou) {
        /** Off; when on: score 0.5, COCO's "large" (96^2 px and up), no fine detection with IoU above 0.3. */
        public static final KeepCoarse DEFAULT = new KeepCoarse(false, 0.5, 96 * 96, 0.3);

        public KeepCoarse {
            if (!(minScore >= 0 && minScore <= 1) || !(minArea >= 0) || !(maxFineIou >= 0 && maxFineIou <= 1)) {
                throw new IllegalArgumentException("need minScore and maxFineIou in [0, 1], minArea >= 0: " + minScore
                        + ", " + maxFineIou + ", " + minArea);
            }
        }

        public KeepCoarse withEnabled(boolean on) {
            return new KeepCoarse(on, minScore, minArea, maxFineIou);
        }

        /** Whether {@code coarse} goes to the output beside {@code fine}, the frame's fine detections. */
        boolean keeps(Detection coarse, List<Detection> fine) {
            if (!enabled || coarse.score() < minScore || coarse.box().area() < minArea) return false;
            for (Detection f : fine) {
                if (f.box().iou(coarse.box()) > maxFineIou) return false;
            }
            return true;
        }
    }
}
