package io.skypack.app;

import io.skypack.detect.Detection;
import io.skypack.eval.CocoEvaluator;
import io.skypack.eval.EvalParams;
import io.skypack.eval.EvalReport;
import io.skypack.eval.IouType;
import io.skypack.eval.Metrics;
import io.skypack.train.data.LabeledImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Box and mask metrics of detections on held-out flights, as the bench commands report them.
 *
 * @param box overall box metrics (VisDrone rules)
 * @param mask overall mask metrics
 */
record HeldOutScores(Metrics box, Metrics mask) {

    /** Evaluates boxes and masks the VisDrone way; writes {@code eval-bbox.json} and {@code eval-segm.json} to {@code dir}. */
    static HeldOutScores evaluate(List<LabeledImage> gt, Map<String, List<Detection>> dets, Path dir)
            throws IOException {
        CocoEvaluator evaluator = new CocoEvaluator();
        EvalReport box = evaluator.evaluate(gt, dets, EvalParams.visDrone(IouType.BBOX));
        EvalReport segm = evaluator.evaluate(gt, dets, EvalParams.visDrone(IouType.SEGM));
        Files.createDirectories(dir);
        box.writeJson(dir.resolve("eval-bbox.json"));
        segm.writeJson(dir.resolve("eval-segm.json"));
        return new HeldOutScores(box.overall(), segm.overall());
    }
}
