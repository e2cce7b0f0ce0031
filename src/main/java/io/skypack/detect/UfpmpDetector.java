package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * UFPMP detection of one micro-batch (DESIGN.md sections 1 and 4):
 *
 * <ol>
 *   <li>coarse pass: the coarse model on the whole frames, letterboxed (downscaled) to its input;
 *   <li>per frame, the coarse detections scoring at least {@link UfpmpConfig#candidateScore()} are
 *       clustered into foreground regions with a zoom ({@link ForegroundClusterer});
 *   <li>the regions of all frames of the batch are packed together into square canvases of the fine
 *       model's input size ({@link MosaicPacker}), within the canvas budget ({@link
 *       UfpmpConfig.CanvasBudget}), and drawn ({@link MosaicRenderer});
 *   <li>fine pass: the fine model on the canvases, at their own size;
 *   <li>its detections are mapped back to their frames and merged ({@link BackMapper}); optionally,
 *       confident large coarse detections the fine pass did not find are added ({@link
 *       UfpmpConfig.KeepCoarse}).
 * </ol>
 *
 * A frame without candidates has no region, so the fine pass never sees it; a batch without any
 * makes no fine call at all.
 *
 * <p>The models are borrowed, not owned (see {@link Detector}). Not thread-safe.
 */
public final class UfpmpDetector implements Detector {
    private final ImageModel coarse;
    private final ImageModel fine;
    private final UfpmpConfig config;
    private final ForegroundClusterer clusterer;
    private final MosaicPacker packer;
    private final MosaicRenderer renderer = new MosaicRenderer();
    private final BackMapper backMapper = new BackMapper();

    /**
     * @param coarse the coarse model, any input size
     * @param fine the fine model; its input must be square, the canvas size
     */
    public UfpmpDetector(ImageModel coarse, ImageModel fine, UfpmpConfig config) {
        if (fine.inputWidth() != fine.inputHeight()) {
            throw new IllegalArgumentException("the fine model's input must be square (it is the mosaic canvas), got "
                    + fine.inputWidth() + "x" + fine.inputHeight());
        }
        if (config.tileOverlap() >= fine.inputWidth()) {
            throw new IllegalArgumentException("tileOverlap " + config.tileOverlap()
                    + " must be less than the fine model's input size " + fine.inputWidth());
        }
        this.coarse = coarse;
        this.fine = fine;
        this.config = config;
        this.clusterer = new ForegroundClusterer(config.clustering());
        this.packer = new MosaicPacker(new PackingConfig(fine.inputWidth(), config.gap(), config.tileOverlap()));
    }

    public UfpmpConfig config() {
        return config;
    }

    @Override
    public DetectionBatch detect(List<FrameImage> frames) throws DetectionException {
        return detectShowingMosaics(frames).batch();
    }

    /**
     * A batch's detections together with what the fine pass saw, for pictures and debugging.
     *
     * @param batch what {@link #detect} returns
     * @param packing the canvases and their chips
     * @param canvases the rendered canvases, one per mosaic, as given to the fine model
     * @param fineDetections the fine model's detections per canvas, in canvas pixels
     */
    public record Mosaics(
            DetectionBatch batch,
            PackingResult packing,
            List<BufferedImage> canvases,
            List<List<Detection>> fineDetections) {}

    /** The batch's regions packed within the canvas budget, per frame or per batch as configured. */
    private PackingResult pack(List<ForegroundRegion> regions, int frames) {
        if (config.canvasesPerFrame() == 0) return packer.pack(regions);
        return switch (config.canvasBudget()) {
            case FRAME -> packer.packWithinFrameBudgets(regions, config.maxCanvases(1));
            case BATCH -> packer.pack(regions, config.maxCanvases(frames));
        };
    }

    /** {@link #detect}, keeping the mosaics, their pictures and the fine pass's raw detections. */
    public Mosaics detectShowingMosaics(List<FrameImage> frames) throws DetectionException {
        Inference.checkFrames(frames);
        long t0 = System.nanoTime();
        List<List<Detection>> coarseDets = Inference.run(coarse, "coarse", Inference.images(frames), config.maxBatch());
        long t1 = System.nanoTime();

        List<ForegroundRegion> regions = new ArrayList<>();
        List<List<ForegroundRegion>> regionsOf = new ArrayList<>();
        Map<Integer, BufferedImage> images = new HashMap<>();
        Map<Integer, FrameSize> sizes = new HashMap<>();
        for (int i = 0; i < frames.size(); i++) {
            FrameImage f = frames.get(i);
            List<Detection> candidates = coarseDets.get(i).stream()
                    .filter(d -> d.score() >= config.candidateScore())
                    .toList();
            List<ForegroundRegion> own = clusterer.cluster(f.index(), f.size(), candidates);
            regionsOf.add(own);
            regions.addAll(own);
            images.put(f.index(), f.image());
            sizes.put(f.index(), f.size());
        }
        PackingResult packing = pack(regions, frames.size());
        List<BufferedImage> canvases = renderer.render(packing, images);
        long t2 = System.nanoTime();

        List<List<Detection>> perCanvas = Inference.run(fine, "fine", canvases, config.maxBatch());
        BackMapping mapped = backMapper.map(packing, perCanvas, sizes);
        List<FrameResult> results = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            int index = frames.get(i).index();
            List<Detection> fineDets = mapped.detections(index);
            List<Detection> out = new ArrayList<>(fineDets);
            for (Detection d : coarseDets.get(i)) {
                if (config.keepCoarse().keeps(d, fineDets)) out.add(d);
            }
            out.sort(Comparator.comparingDouble(Detection::score).reversed());
            results.add(new FrameResult(
                    index, out, regionsOf.get(i), regionsOf.get(i).isEmpty()));
        }
        long t3 = System.nanoTime();

        int canvasCount = canvases.size();
        long pixels = (long) frames.size() * coarse.inputWidth() * coarse.inputHeight()
                + (long) canvasCount * fine.inputWidth() * fine.inputHeight();
        BatchStats stats =
                BatchStats.timed(frames.size(), frames.size() + canvasCount, pixels, canvasCount, t0, t1, t2, t3);
        return new Mosaics(new DetectionBatch(results, stats), packing, canvases, perCanvas);
    }
}
