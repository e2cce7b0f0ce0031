package io.skypack.eval;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneCategory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Detections made from ground truth with controlled, seeded errors: box jitter, misses, false
 * positives, class confusion. This is no detector: it exists to check the evaluator and to show how
 * each kind of error moves the metrics (more jitter lowers AP75 before AP50; misses lower recall).
 *
 * @param boxJitter standard deviation of each box edge, as a fraction of the box's width or height
 * @param missRate probability that an object gets no detection
 * @param falsePositives mean number of spurious detections per image (Poisson)
 * @param confusion probability that a detection carries a wrong class
 * @param seed seed for all of the above
 */
public record SimulatedDetections(
        double boxJitter, double missRate, double falsePositives, double confusion, long seed) {

    public SimulatedDetections {
        check(boxJitter >= 0 && boxJitter <= 1, "--box-jitter", boxJitter, "in [0, 1]");
        check(missRate >= 0 && missRate <= 1, "--miss-rate", missRate, "in [0, 1]");
        check(falsePositives >= 0 && falsePositives <= 100, "--false-positives", falsePositives, "in [0, 100]");
        check(confusion >= 0 && confusion <= 1, "--confusion", confusion, "in [0, 1]");
    }

    /** Detections per image id, with full-image masks (the object's mask moved with its box). */
    public Map<String, List<Detection>> apply(List<LabeledImage> images) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, List<Detection>> out = new LinkedHashMap<>();
        List<VisDroneCategory> classes = VisDroneCategory.evaluatedClasses();
        for (LabeledImage img : images) {
            List<Detection> dets = new ArrayList<>();
            for (Annotation a : img.annotations()) {
                if (a.isIgnoredRegion()
                        || !VisDroneCategory.ofId(a.category()).evaluated()
                        || rng.nextDouble() < missRate) {
                    continue;
                }
                Box b = a.box();
                double dx1 = rng.nextGaussian() * boxJitter * b.width(),
                        dx2 = rng.nextGaussian() * boxJitter * b.width();
                double dy1 = rng.nextGaussian() * boxJitter * b.height(),
                        dy2 = rng.nextGaussian() * boxJitter * b.height();
                double x1 = b.x1() + dx1, x2 = Math.max(x1 + 1, b.x2() + dx2);
                double y1 = b.y1() + dy1, y2 = Math.max(y1 + 1, b.y2() + dy2);
                Box jittered = new Box(x1, y1, x2, y2).clip(img.width(), img.height());
                if (jittered.area() <= 0) continue;
                int category = rng.nextDouble() < confusion
                        ? classes.get(rng.nextInt(classes.size())).id()
                        : a.category();
                // Better-localised detections score higher, as a trained detector's quality score would.
                double score = clamp01(0.35 + 0.6 * b.iou(jittered) * (0.7 + 0.3 * rng.nextDouble()));
                MaskRle mask = a.mask() == null
                        ? null
                        : shift(a.mask(), (int) Math.round((dx1 + dx2) / 2), (int) Math.round((dy1 + dy2) / 2));
                dets.add(new Detection(jittered, category, score, mask));
            }
            int spurious = poisson(rng, falsePositives);
            for (int i = 0; i < spurious; i++) {
                double w = 6 + rng.nextDouble() * 60, h = 6 + rng.nextDouble() * 60;
                double x = rng.nextDouble() * Math.max(1, img.width() - w),
                        y = rng.nextDouble() * Math.max(1, img.height() - h);
                Box box = new Box(x, y, x + w, y + h).clip(img.width(), img.height());
                int category = classes.get(rng.nextInt(classes.size())).id();
                dets.add(new Detection(
                        box,
                        category,
                        clamp01(0.05 + 0.55 * rng.nextDouble()),
                        MaskRle.ofRectangle(
                                img.height(), img.width(), (int) box.x1(), (int) box.y1(), (int) box.x2(), (int)
                                        box.y2())));
            }
            out.put(img.id(), dets);
        }
        return out;
    }

    /** The mask translated by (dx, dy) pixels; pixels moved outside the image are lost. */
    static MaskRle shift(MaskRle m, int dx, int dy) {
        int h = m.height(), w = m.width();
        boolean[] src = m.decode();
        Box b = m.boundingBox();
        if (b == null) return m;
        return MaskRle.encodeWindow(
                h, w, (int) b.x1() + dx, (int) b.y1() + dy, (int) b.x2() + dx, (int) b.y2() + dy, (x, y) -> {
                    int sx = x - dx, sy = y - dy;
                    return sx >= 0 && sx < w && sy >= 0 && sy < h && src[sy * w + sx];
                });
    }

    private static int poisson(SplittableRandom rng, double mean) {
        double l = Math.exp(-mean), p = 1;
        int k = 0;
        do {
            k++;
            p *= rng.nextDouble();
        } while (p > l && k < 10_000);
        return k - 1;
    }

    private static double clamp01(double v) {
        return Math.max(0, Math.min(1, v));
    }

    private static void check(boolean ok, String key, double v, String expected) {
        if (!ok) throw new IllegalArgumentException(key + " is " + v + ", must be " + expected);
    }
}
