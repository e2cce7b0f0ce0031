package io.skypack.app;

import io.skypack.detect.Detection;
import io.skypack.eval.CocoEvaluator;
import io.skypack.eval.DetectionsFile;
import io.skypack.eval.EvalParams;
import io.skypack.eval.EvalReport;
import io.skypack.eval.IouType;
import io.skypack.eval.PrCurvePlot;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.train.ModelDetections;
import io.skypack.train.data.Annotation;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneDataset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skypack eval}: COCO-style metrics with the VisDrone ignore rule. */
@Command(
        name = "eval",
        mixinStandardHelpOptions = true,
        description = {
            "Score detections against a VisDrone-format dataset (DET or VID layout): AP@[.50:.95], AP50, AP75,",
            "AP small/medium/large, AR@1/10/100/500, per class and overall; box AP, and mask AP when both sides have masks.",
            "Prints a table per IoU type and, with --out, writes eval-<type>.json and pr-<type>.png there.",
            "Detections file: JSON lines {\"image_id\",\"category_id\",\"bbox\":[x,y,w,h],\"score\",\"segmentation\"?}",
            "or a COCO results JSON array of the same objects; image_id is <sequence>/<frame, 7 digits> or the DET image name.",
            "With --model instead of --detections, the model is run over the dataset's images first."
        })
final class EvalCommand implements Callable<Integer> {

    enum Types {
        auto,
        bbox,
        segm,
        both
    }

    @Option(names = "--gt", required = true, description = "Ground-truth dataset root (VisDrone-DET or -VID layout).")
    Path groundTruth;

    /** Where the detections come from: a file, or a model run over the ground truth's images. */
    static final class Source {
        @Option(
                names = "--detections",
                required = true,
                description = "Detections file (JSON lines or COCO results JSON).")
        Path detectionsFile;

        @Option(
                names = "--model",
                required = true,
                description = "Run this model over the images instead: coarse, fine (bundled) or a .mpdet file.")
        String model;
    }

    @ArgGroup(multiplicity = "1")
    Source source;

    @Option(names = "--batch", description = "Images per inference batch with --model (default ${DEFAULT-VALUE}).")
    int batch = 4;

    @Option(
            names = "--iou",
            description = "bbox, segm, both, or auto: bbox plus segm when every ground truth and detection has a mask"
                    + " (default ${DEFAULT-VALUE}).")
    Types types = Types.auto;

    @Option(
            names = "--max-dets",
            description = "Detections kept per image and class, by score (default ${DEFAULT-VALUE}).")
    int maxDets = 500;

    @Option(names = "--no-ignore-rule", description = "Do not drop objects and detections inside ignored regions.")
    boolean noIgnoreRule;

    @Option(names = "--out", description = "Folder for eval-<type>.json and pr-<type>.png (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (maxDets < 1) {
            throw new IllegalArgumentException("--max-dets is " + maxDets + ", must be at least 1");
        }
        List<LabeledImage> gt = VisDroneDataset.load(groundTruth);
        Map<String, List<Detection>> dets;
        if (source.model != null) {
            if (batch < 1) throw new IllegalArgumentException("--batch is " + batch + ", must be at least 1");
            try (MpDetRunner runner = ModelOption.open(source.model, MpDetDecoder.Params.DEFAULTS)) {
                dets = ModelDetections.run(runner, gt, batch);
            }
        } else {
            dets = DetectionsFile.read(source.detectionsFile);
        }
        List<IouType> run = new ArrayList<>();
        boolean masks = everyObjectHasMask(gt)
                && dets.values().stream().flatMap(List::stream).allMatch(d -> d.mask() != null);
        switch (types) {
            case bbox -> run.add(IouType.BBOX);
            case segm -> run.add(IouType.SEGM);
            case both -> run.addAll(List.of(IouType.BBOX, IouType.SEGM));
            case auto -> {
                run.add(IouType.BBOX);
                if (masks) run.add(IouType.SEGM);
            }
        }
        long detCount = dets.values().stream().mapToLong(List::size).sum();
        System.out.printf(
                Locale.ROOT,
                "%d images, %d detections, %s%n",
                gt.size(),
                detCount,
                masks ? "masks on both sides" : "no mask evaluation (not every object and detection has a mask)");
        List<Integer> caps = List.of(Math.min(1, maxDets), Math.min(10, maxDets), Math.min(100, maxDets), maxDets);
        for (IouType type : run) {
            EvalParams params = new EvalParams(type, caps.stream().distinct().toList(), !noIgnoreRule);
            EvalReport report = new CocoEvaluator().evaluate(gt, dets, params);
            System.out.println();
            System.out.println("== " + type.cocoName() + " ==");
            System.out.print(report.toTable());
            if (out != null) {
                Files.createDirectories(out);
                report.writeJson(out.resolve("eval-" + type.cocoName() + ".json"));
                PrCurvePlot.write(report, out.resolve("pr-" + type.cocoName() + ".png"));
            }
        }
        if (out != null) {
            System.out.println("\nwrote " + out.toAbsolutePath());
        }
        return 0;
    }

    private static boolean everyObjectHasMask(List<LabeledImage> gt) {
        for (LabeledImage img : gt) {
            for (Annotation a : img.annotations()) {
                if (!a.isIgnoredRegion() && a.mask() == null) return false;
            }
        }
        return true;
    }
}
