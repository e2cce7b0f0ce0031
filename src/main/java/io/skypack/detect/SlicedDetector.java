package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Baseline after SAHI (Akyon et al., "Slicing Aided Hyper Inference", ICIP 2022): the model on
 * fixed-size overlapping slices of every frame at full resolution, plus one letterboxed pass on the
 * whole frame for objects larger than a slice; the detections of a frame are merged by greedy
 * per-class NMS at {@link #NMS_IOU}.
 *
 * <p>A slice is as large as the model's (square) input, so it is drawn at zoom 1; the slice grid is
 * SAHI's ({@link #slices}). Slices are drawn like one-chip mosaics by {@link MosaicRenderer} (grey
 * padding where a frame is smaller than a slice) and mapped back by {@link BackMapper}, without its
 * NMS, so all pieces of a frame meet in one NMS. Slices and whole frames go through the model in
 * calls of at most {@code maxBatch} images. Cutting and drawing slices counts as pack time, the rest
 * as fine pass.
 *
 * <p>The model is borrowed, not owned (see {@link Detector}). Not thread-safe.
 */
public final class SlicedDetector implements Detector {
    /** SAHI's default overlap of neighbouring slices, as a fraction of the slice side. */
    public static final double DEFAULT_OVERLAP = 0.2;
    /** The same merge IoU as the UFP back-mapping, so the methods differ in what the model sees only. */
    public static final double NMS_IOU = BackMapper.DEFAULT_NMS_IOU;

    private final ImageModel model;
    private final double overlap;
    private final int maxBatch;
    private final MosaicRenderer renderer = new MosaicRenderer();
    // IoU threshold 1: nothing is suppressed there; the merge happens below, slices and full frame together.
    private final BackMapper mapper = new BackMapper(BackMapper.DEFAULT_MIN_IOF, 1);

    /**
     * @param model its input must be square: the slice size
     * @param overlap neighbouring slices share at least {@code floor(overlap * side)} pixels, in [0, 1)
     * @param maxBatch at most this many images per network call, {@code >= 1}
     */
    public SlicedDetector(ImageModel model, double overlap, int maxBatch) {
        if (model.inputWidth() != model.inputHeight()) {
            throw new IllegalArgumentException("slices are square: the model's input must be, got " + model.inputWidth()
                    + "x" + model.inputHeight());
        }
        if (!(overlap >= 0 && overlap < 1)) {
            throw new IllegalArgumentException("overlap outside [0, 1): " + overlap);
        }
        Inference.checkMaxBatch(maxBatch);
        this.model = model;
        this.overlap = overlap;
        this.maxBatch = maxBatch;
    }

    /**
     * SAHI's slice grid ({@code get_slice_bboxes}): along each axis slices start at 0 and advance by
     * {@code side - floor(overlap * side)} until one reaches the far edge, which is then moved back to
     * end exactly there. Every slice is {@code min(side, frame side)} pixels a side and inside the
     * frame, and together they cover it; row by row, left to right.
     */
    public static List<Box> slices(FrameSize frame, int side, double overlap) {
        List<Box> out = new ArrayList<>();
        int w = Math.min(side, frame.width()), h = Math.min(side, frame.height());
        for (int y : starts(frame.height(), side, overlap)) {
            for (int x : starts(frame.width(), side, overlap)) {
                out.add(Box.ofXywh(x, y, w, h));
            }
        }
        return out;
    }

    private static List<Integer> starts(int length, int side, double overlap) {
        int step = side - (int) (overlap * side); // >= 1, since overlap < 1
        List<Integer> out = new ArrayList<>();
        for (int x = 0; ; x += step) {
            if (x + side >= length) {
                out.add(Math.max(0, length - side));
                return out;
            }
            out.add(x);
        }
    }

    @Override
    public DetectionBatch detect(List<FrameImage> frames) throws DetectionException {
        Inference.checkFrames(frames);
        int side = model.inputWidth();
        long t0 = System.nanoTime();
        List<Mosaic> mosaics = new ArrayList<>();
        Map<Integer, BufferedImage> images = new HashMap<>();
        Map<Integer, FrameSize> sizes = new HashMap<>();
        long chipArea = 0;
        for (FrameImage f : frames) {
            images.put(f.index(), f.image());
            sizes.put(f.index(), f.size());
            for (Box s : slices(f.size(), side, overlap)) {
                // Each slice its own region, so BackMapper never joins slices across seams: this
                // baseline merges by NMS alone, as SAHI's NMS postprocess does.
                int n = mosaics.size();
                Chip chip = new Chip(n, f.index(), s, 1, 0, 0, (int) s.width(), (int) s.height());
                mosaics.add(new Mosaic(n, side, List.of(chip)));
                chipArea += (long) chip.w() * chip.h();
            }
        }
        double fill = mosaics.isEmpty() ? 0 : (double) chipArea / ((double) side * side * mosaics.size());
        PackingResult packing = new PackingResult(mosaics, fill, 0, 0);
        List<BufferedImage> inputs = new ArrayList<>(renderer.render(packing, images));
        long t1 = System.nanoTime();

        int sliceCount = inputs.size();
        inputs.addAll(Inference.images(frames));
        List<List<Detection>> dets = Inference.run(model, "fine", inputs, maxBatch);
        BackMapping fromSlices = mapper.map(packing, dets.subList(0, sliceCount), sizes);
        List<FrameResult> results = new ArrayList<>(frames.size());
        for (int i = 0; i < frames.size(); i++) {
            int index = frames.get(i).index();
            List<Detection> all = new ArrayList<>(fromSlices.detections(index));
            all.addAll(dets.get(sliceCount + i));
            results.add(new FrameResult(index, Nms.keep(all, NMS_IOU), List.of(), false));
        }
        long t2 = System.nanoTime();
        long pixels = (long) inputs.size() * side * side;
        return new DetectionBatch(results, BatchStats.timed(frames.size(), inputs.size(), pixels, 0, t0, t0, t1, t2));
    }
}
