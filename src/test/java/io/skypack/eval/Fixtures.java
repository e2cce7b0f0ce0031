package io.skypack.eval;

import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import java.nio.file.Path;
import java.util.List;

/** Small builders for hand-made ground truth and detections (boxes as x, y, w, h in pixels). */
final class Fixtures {
    static final int CAR = 4;
    static final int PEDESTRIAN = 1;
    static final int OTHERS = 11;
    static final int IGNORED_REGION = 0;

    private Fixtures() {}

    static LabeledImage image(String id, int width, int height, Annotation... annotations) {
        return new LabeledImage(id, Path.of(id + ".jpg"), width, height, List.of(annotations));
    }

    static Annotation gt(int category, double x, double y, double w, double h) {
        return new Annotation(1, Box.ofXywh(x, y, w, h), category, 1, 0, 0, null);
    }

    static Annotation ignoredGt(int category, double x, double y, double w, double h) {
        return new Annotation(1, Box.ofXywh(x, y, w, h), category, 0, 0, 0, null);
    }

    static Annotation region(double x, double y, double w, double h) {
        return new Annotation(1, Box.ofXywh(x, y, w, h), IGNORED_REGION, 0, 0, 0, null);
    }

    static Detection det(int category, double x, double y, double w, double h, double score) {
        return new Detection(Box.ofXywh(x, y, w, h), category, score, null);
    }

    static Detection det(int category, Box box, double score, MaskRle mask) {
        return new Detection(box, category, score, mask);
    }
}
