package io.skypack.train;

import io.skypack.detect.Box;
import io.skypack.model.InputImages;
import io.skypack.model.InputWindow;
import io.skypack.model.MpDetConfig;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;

/**
 * Turns a labelled image into a {@link TrainSample}: takes a window of the image (the whole frame,
 * letterboxed, or a crop around objects at a chosen zoom), scales it to the network input, maps
 * boxes and masks the same way, and applies the augmentation. Objects mostly cut off by the window,
 * ignored regions, score-0 boxes and classes the model does not have become ignored targets, so the
 * detector is neither rewarded nor punished there.
 */
public final class SampleBuilder {
    /** Objects keeping less than this fraction of their box inside the window are ignored. */
    static final double MIN_VISIBLE = 0.45;

    /** How to cut an input out of a frame. */
    public enum Mode {
        /** The whole frame, scaled down to fit the input, padding at the right and bottom. */
        FULL_FRAME,
        /** A window around a random object at zoom 1, 1.5 or 2 (as the fine pass sees chips). */
        CROPS
    }

    /** Augmentation knobs. */
    public record Augment(boolean flip, double brightness) {
        public static final Augment NONE = new Augment(false, 0);
    }

    private final MpDetConfig model;
    private final Mode mode;
    private final Augment augment;

    public SampleBuilder(MpDetConfig model, Mode mode, Augment augment) {
        this.model = model;
        this.mode = mode;
        this.augment = augment;
    }

    public TrainSample build(LabeledImage image, SplittableRandom rng) throws IOException {
        BufferedImage src = ImageIO.read(image.image().toFile());
        if (src == null) {
            throw new IOException(image.image() + ": not a readable image");
        }
        int w = model.inputWidth(), h = model.inputHeight();
        InputWindow window = window(image, rng);
        double wx = window.x(), wy = window.y(), scale = window.scale();
        boolean flip = augment.flip() && rng.nextBoolean();
        float gain = (float) (1 + (rng.nextDouble() * 2 - 1) * augment.brightness());

        BufferedImage in = InputImages.render(src, window, w, h);
        float[] chw = new float[3 * w * h];
        InputImages.toChw(in, flip, gain, chw, 0);

        List<float[]> boxes = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        List<Boolean> ignore = new ArrayList<>();
        List<float[]> masks = new ArrayList<>();
        for (Annotation a : image.annotations()) {
            Box b = a.box();
            Box mapped =
                    new Box((b.x1() - wx) * scale, (b.y1() - wy) * scale, (b.x2() - wx) * scale, (b.y2() - wy) * scale);
            Box clipped = mapped.clip(w, h);
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
            masks.add(ignored || a.mask() == null ? null : maskAtStride4(a, wx, wy, scale, flip));
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

    /** The object's mask box-filtered onto the stride-4 prototype grid of the input. */
    private float[] maskAtStride4(Annotation a, double wx, double wy, double scale, boolean flip) {
        int mw = model.inputWidth() / 4, mh = model.inputHeight() / 4;
        float[] cover = new float[mw * mh];
        double f = scale / 4; // source pixels to prototype cells
        float perPixel = (float) (f * f);
        a.mask().forEachSegment((x, y0, y1) -> {
            int tx = (int) Math.floor((x + 0.5 - wx) * f);
            if (tx < 0 || tx >= mw) return;
            if (flip) tx = mw - 1 - tx;
            for (int y = y0; y < y1; y++) {
                int ty = (int) Math.floor((y + 0.5 - wy) * f);
                if (ty >= 0 && ty < mh) cover[ty * mw + tx] += perPixel;
            }
        });
        for (int i = 0; i < cover.length; i++) {
            cover[i] = cover[i] >= 0.5f ? 1f : 0f;
        }
        return cover;
    }
}
