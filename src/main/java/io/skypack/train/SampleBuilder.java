package io.skypack.train;

import io.skypack.detect.Box;
import io.skypack.detect.Chip;
import io.skypack.detect.Detection;
import io.skypack.detect.ForegroundClusterer;
import io.skypack.detect.ForegroundRegion;
import io.skypack.detect.FrameSize;
import io.skypack.detect.Mosaic;
import io.skypack.detect.MosaicPacker;
import io.skypack.detect.MosaicRenderer;
import io.skypack.detect.PackingConfig;
import io.skypack.detect.PackingResult;
import io.skypack.detect.UfpmpConfig;
import io.skypack.model.InputImages;
import io.skypack.model.InputWindow;
import io.skypack.model.MpDetConfig;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Turns a labelled image into a {@link TrainSample}: takes a window of the image (the whole frame,
 * letterboxed, a crop around objects at a chosen zoom, or a UFP mosaic of its foreground regions),
 * scales it to the network input, maps boxes and masks the same way, and applies the augmentation.
 * Objects mostly cut off by the window, ignored regions, score-0 boxes and classes the model does not
 * have become ignored targets, so the detector is neither rewarded nor punished there.
 */
public final class SampleBuilder {
    /** Objects keeping less than this fraction of their box inside the window are ignored. */
    static final double MIN_VISIBLE = 0.45;

    /** How to cut an input out of a frame. */
    public enum Mode {
        /** The whole frame, scaled down to fit the input, padding at the right and bottom. */
        FULL_FRAME,
        /** A window around a random object at zoom 1, 1.5 or 2. */
        CROPS,
        /**
         * One canvas of what the UFP fine pass sees (DESIGN.md section 4, as UFPMP-Det trains its fine
         * detector on its own mosaics): simulated coarse candidates (the labelled objects, jittered,
         * some missed, plus small false ones, as many as there are objects) are clustered by {@link
         * ForegroundClusterer} and packed by {@link MosaicPacker} into canvases of the (square) model
         * input, every chip at the zoom the clustering asks for (no canvas budget: a budget at
         * inference that lowers zoom shows the model chips it did not see in training); one canvas is
         * drawn at random. Objects cut by a chip's edge are mapped into that chip only. A frame whose
         * candidates all vanish falls back to {@link #CROPS}.
         */
        MOSAICS
    }

    /** Probability that the simulated coarse pass misses an object (it then gets no region of its own). */
    static final double CANDIDATE_MISS = 0.1;

    /**
     * At most this many simulated false candidates per frame, and at most one more than the frame has
     * objects: the coarse pass at the low candidate score fires on clutter (trees, road marks) about
     * as often as on objects.
     */
    static final int MAX_FALSE_CANDIDATES = 60;

    /**
     * Augmentation knobs.
     *
     * @param lowerZoom MOSAICS: the chance that a frame's canvases are packed under a random canvas
     *     budget smaller than they need, so that, as under {@code UfpmpConfig#canvasesPerFrame} at
     *     inference, some chips are drawn at a lower zoom than the clustering asked for
     */
    public record Augment(boolean flip, double brightness, double lowerZoom) {
        public static final Augment NONE = new Augment(false, 0, 0);

        public Augment(boolean flip, double brightness) {
            this(flip, brightness, 0);
        }

        public Augment {
            if (!(lowerZoom >= 0 && lowerZoom <= 1)) {
                throw new IllegalArgumentException("lowerZoom is a probability, got " + lowerZoom);
            }
        }
    }

    private final MpDetConfig model;
    private final Mode mode;
    private final Augment augment;
    private final double candidateMiss;
    private final int maxFalseCandidates;

    public SampleBuilder(MpDetConfig model, Mode mode, Augment augment) {
        this(model, mode, augment, CANDIDATE_MISS, MAX_FALSE_CANDIDATES);
    }

    /** With the simulated coarse pass's error knobs, for tests. */
    SampleBuilder(MpDetConfig model, Mode mode, Augment augment, double candidateMiss, int maxFalseCandidates) {
        if (mode == Mode.MOSAICS && model.inputWidth() != model.inputHeight()) {
            throw new IllegalArgumentException("MOSAICS needs a square model input (the canvas), got "
                    + model.inputWidth() + "x" + model.inputHeight());
        }
        this.model = model;
        this.mode = mode;
        this.augment = augment;
        this.candidateMiss = candidateMiss;
        this.maxFalseCandidates = maxFalseCandidates;
    }

    /**
     * A part of the input that shows the source image: input pixel (u, v) inside {@code clip} shows
     * source point {@code (x + u / scale, y + v / scale)}.
     */
    private record View(double x, double y, double scale, Box clip) {
        static View of(InputWindow w, int width, int height) {
            return new View(w.x(), w.y(), w.scale(), new Box(0, 0, width, height));
        }

        static View of(Chip c) {
            return new View(
                    c.sourceRegion().x1() - c.x() / c.zoom(),
                    c.sourceRegion().y1() - c.y() / c.zoom(),
                    c.zoom(),
                    c.rect());
        }

        Box toInput(Box b) {
            return new Box((b.x1() - x) * scale, (b.y1() - y) * scale, (b.x2() - x) * scale, (b.y2() - y) * scale);
        }
    }

    public TrainSample build(LabeledImage image, SplittableRandom rng) throws IOException {
        BufferedImage src = ImageIO.read(image.image().toFile());
        if (src == null) {
            throw new IOException(image.image() + ": not a readable image");
        }
        int w = model.inputWidth(), h = model.inputHeight();
        BufferedImage in = null;
        List<View> views = new ArrayList<>();
        if (mode == Mode.MOSAICS) {
            Mosaic mosaic = mosaic(image, rng);
            if (mosaic != null) {
                in = new MosaicRenderer().render(mosaic, Map.of(0, src));
                for (Chip c : mosaic.chips()) views.add(View.of(c));
            }
        }
        if (in == null) {
            InputWindow window = window(image, rng);
            in = InputImages.render(src, window, w, h);
            views.add(View.of(window, w, h));
        }
        boolean flip = augment.flip() && rng.nextBoolean();
        float gain = (float) (1 + (rng.nextDouble() * 2 - 1) * augment.brightness());
        float[] chw = new float[3 * w * h];
        InputImages.toChw(in, flip, gain, FloatBuffer.wrap(chw), 0);

        List<float[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Boolean> ignore = new ArrayList<>();
        List<float[]> masks = new ArrayList<>();
        for (View view : views) {
            for (Annotation a : image.annotations()) {
                Box mapped = view.toInput(a.box());
                Box clipped = mapped.clip(view.clip());
                if (clipped.area() <= 0) continue;
                int cls = a.isIgnoredRegion() || a.scoreFlag() == 0 ? -1 : model.classIndex(a.category());
                boolean ignored = cls < 0
                        || clipped.area() < MIN_VISIBLE * mapped.area()
                        || Math.min(clipped.width(), clipped.height()) < 2;
                float[] box = flip
                        ? new float[] {
                            (float) (w - clipped.x2()),
                            (float) clipped.y1(),
                            (float) (w - clipped.x1()),
                            (float) clipped.y2()
                        }
                        : new float[] {
                            (float) clipped.x1(), (float) clipped.y1(), (float) clipped.x2(), (float) clipped.y2()
                        };
                boxes.add(box);
                labels.add(ignored ? -1 : cls);
                ignore.add(ignored);
                masks.add(ignored || a.mask() == null ? null : maskAtStride4(a, view, flip));
            }
        }
        float[] flat = new float[boxes.size() * 4];
        for (int i = 0; i < boxes.size(); i++) System.arraycopy(boxes.get(i), 0, flat, 4 * i, 4);
        boolean[] ig = new boolean[ignore.size()];
        for (int i = 0; i < ig.length; i++) ig[i] = ignore.get(i);
        return new TrainSample(
                image.id(),
                chw,
                w,
                h,
                flat,
                labels.stream().mapToInt(Integer::intValue).toArray(),
                ig,
                masks.toArray(new float[0][]));
    }

    /** The part of the image this sample shows and its scale. */
    private InputWindow window(LabeledImage image, SplittableRandom rng) {
        int w = model.inputWidth(), h = model.inputHeight();
        if (mode == Mode.FULL_FRAME) {
            return InputWindow.letterbox(image.width(), image.height(), w, h);
        }
        double zoom = new double[] {1, 1.5, 2}[rng.nextInt(3)];
        double sw = w / zoom, sh = h / zoom;
        List<Annotation> objects =
                image.annotations().stream().filter(a -> !a.isIgnoredRegion()).toList();
        double cx, cy;
        if (!objects.isEmpty() && rng.nextDouble() < 0.9) {
            Box b = objects.get(rng.nextInt(objects.size())).box();
            cx = b.centerX() + (rng.nextDouble() - 0.5) * sw * 0.6;
            cy = b.centerY() + (rng.nextDouble() - 0.5) * sh * 0.6;
        } else {
            cx = rng.nextDouble() * image.width();
            cy = rng.nextDouble() * image.height();
        }
        double x = Math.max(0, Math.min(image.width() - sw, cx - sw / 2));
        double y = Math.max(0, Math.min(image.height() - sh, cy - sh / 2));
        return new InputWindow(x, y, zoom, image.width(), image.height());
    }

    /**
     * The regions packed at the zoom they ask for; or, with chance {@code lowerZoom} when they need
     * more than one canvas, under a random budget of fewer canvases, as a canvas budget packs them at
     * inference.
     */
    static PackingResult pack(
            MosaicPacker packer, List<ForegroundRegion> regions, double lowerZoom, SplittableRandom rng) {
        PackingResult packing = packer.pack(regions);
        int needed = packing.mosaics().size();
        if (needed > 1 && lowerZoom > 0 && rng.nextDouble() < lowerZoom) {
            packing = packer.pack(regions, 1 + rng.nextInt(needed - 1));
        }
        return packing;
    }

    /**
     * One canvas of this image's foreground, packed as {@code UfpmpDetector} packs it, from simulated
     * coarse candidates; null when no candidate is left.
     */
    private Mosaic mosaic(LabeledImage image, SplittableRandom rng) {
        List<Detection> candidates = new ArrayList<>();
        for (Annotation a : image.annotations()) {
            if (a.isIgnoredRegion() || a.scoreFlag() == 0 || rng.nextDouble() < candidateMiss) continue;
            Box b = a.box();
            // A coarse box is roughly right: centre off by up to 10% of the size, each side 85-120%.
            double cx = b.centerX() + (rng.nextDouble() - 0.5) * 0.2 * b.width();
            double cy = b.centerY() + (rng.nextDouble() - 0.5) * 0.2 * b.height();
            double hw = b.width() / 2 * (0.85 + 0.35 * rng.nextDouble());
            double hh = b.height() / 2 * (0.85 + 0.35 * rng.nextDouble());
            candidates.add(new Detection(new Box(cx - hw, cy - hh, cx + hw, cy + hh), a.category(), score(rng), null));
        }
        int falseOnes =
                rng.nextInt(Math.min(maxFalseCandidates, image.annotations().size() + 1) + 1);
        for (int i = 0; i < falseOnes; i++) {
            double bw = 6 + rng.nextDouble() * 58, bh = 6 + rng.nextDouble() * 58;
            double x = rng.nextDouble() * Math.max(1, image.width() - bw);
            double y = rng.nextDouble() * Math.max(1, image.height() - bh);
            candidates.add(new Detection(new Box(x, y, x + bw, y + bh), 0, score(rng), null));
        }
        UfpmpConfig ufp = UfpmpConfig.DEFAULT;
        List<ForegroundRegion> regions = new ForegroundClusterer(ufp.clustering())
                .cluster(0, new FrameSize(image.width(), image.height()), candidates);
        MosaicPacker packer = new MosaicPacker(new PackingConfig(model.inputWidth(), ufp.gap(), ufp.tileOverlap()));
        List<Mosaic> canvases = pack(packer, regions, augment.lowerZoom(), rng).mosaics();
        return canvases.isEmpty() ? null : canvases.get(rng.nextInt(canvases.size()));
    }

    private static double score(SplittableRandom rng) {
        return UfpmpConfig.DEFAULT.candidateScore() + rng.nextDouble() * (1 - UfpmpConfig.DEFAULT.candidateScore());
    }

    /**
     * The object's mask box-filtered onto the stride-4 prototype grid of the input, limited to the
     * cells whose centre lies in the view.
     */
    private float[] maskAtStride4(Annotation a, View view, boolean flip) {
        int mw = model.inputWidth() / 4, mh = model.inputHeight() / 4;
        float[] cover = new float[mw * mh];
        double f = view.scale() / 4; // source pixels to prototype cells
        float perPixel = (float) (f * f);
        Box clip = view.clip();
        int cx0 = Math.max(0, (int) Math.ceil(clip.x1() / 4 - 0.5)),
                cx1 = Math.min(mw, (int) Math.ceil(clip.x2() / 4 - 0.5));
        int cy0 = Math.max(0, (int) Math.ceil(clip.y1() / 4 - 0.5)),
                cy1 = Math.min(mh, (int) Math.ceil(clip.y2() / 4 - 0.5));
        a.mask().forEachSegment((x, y0, y1) -> {
            int tx = (int) Math.floor((x + 0.5 - view.x()) * f);
            if (tx < cx0 || tx >= cx1) return;
            if (flip) tx = mw - 1 - tx;
            for (int y = y0; y < y1; y++) {
                int ty = (int) Math.floor((y + 0.5 - view.y()) * f);
                if (ty >= cy0 && ty < cy1) cover[ty * mw + tx] += perPixel;
            }
        });
        for (int i = 0; i < cover.length; i++) {
            cover[i] = cover[i] >= 0.5f ? 1f : 0f;
        }
        return cover;
    }
}
