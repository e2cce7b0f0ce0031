package io.skypack.app;

import io.skypack.detect.BatchStats;
import io.skypack.detect.Detection;
import io.skypack.detect.DetectionBatch;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
import io.skypack.detect.FullFrameDetector;
import io.skypack.detect.SlicedDetector;
import io.skypack.detect.UfpmpDetector;
import io.skypack.model.MpDetRunner;
import io.skypack.train.ModelDetections;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneDataset;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code skypack bench detect}: the detection methods side by side on the same held-out synthetic
 * flights (default knobs, seeds from 9200, which no recipe uses): accuracy, what the networks were
 * given, and where the time went, per batch size.
 */
@Command(
        name = "detect",
        mixinStandardHelpOptions = true,
        description = {
            "Compare detection methods on held-out synthetic flights: ufp (coarse pass, cluster, pack, fine pass),",
            "full-frame (the fine model on the letterboxed frame) and sliced (SAHI: fine-size slices plus the frame).",
            "Prints AP, AP50, AP small, mask AP, network inputs and pixels per frame, and ms per frame for the",
            "coarse, pack and fine stages and in total, for each batch size (frames per detector call, and at most",
            "that many images per network call). Each method and batch size first runs one untimed batch."
        })
final class BenchDetectCommand implements Callable<Integer> {
    /** First held-out seed: recipes use 1000-2999 and 9000, bench conditions 9100-9106. */
    static final int SEED = 9200;

    static final List<String> METHODS = List.of("ufp", "full-frame", "sliced");

    @Mixin
    UfpOptions ufp = new UfpOptions();

    @Option(names = "--flights", description = "Held-out flights (default ${DEFAULT-VALUE}).")
    int flights = 2;

    @Option(names = "--frames", description = "Frames per flight (default ${DEFAULT-VALUE}).")
    int frames = 10;

    @Option(
            names = "--batch",
            split = ",",
            description = "Batch sizes, frames per detector call (default ${DEFAULT-VALUE}).")
    List<Integer> batches = List.of(1, 8);

    @Option(
            names = "--methods",
            split = ",",
            description = "Methods to compare, of ufp, full-frame, sliced (default ${DEFAULT-VALUE}).")
    List<String> methods = METHODS;

    @Option(
            names = "--slice-overlap",
            description = "Overlap of neighbouring slices, fraction of a slice (default ${DEFAULT-VALUE}).")
    double sliceOverlap = SlicedDetector.DEFAULT_OVERLAP;

    @Option(names = "--out", description = "Where flights and reports go (default ${DEFAULT-VALUE}).")
    Path out = Path.of("skypack-bench", "detect");

    @Option(names = "--seed-offset", description = "Added to the seed, for fresh flights (default ${DEFAULT-VALUE}).")
    int seedOffset = 0;

    @Override
    public Integer call() throws IOException, DetectionException {
        if (flights < 1 || frames < 1) throw new IllegalArgumentException("--flights and --frames must be at least 1");
        if (batches.isEmpty() || batches.stream().anyMatch(b -> b < 1)) {
            throw new IllegalArgumentException("every --batch must be at least 1: " + batches);
        }
        for (String m : methods) {
            if (!METHODS.contains(m)) throw new IllegalArgumentException("unknown method '" + m + "', use " + METHODS);
        }
        if (!(sliceOverlap >= 0 && sliceOverlap < 1)) {
            throw new IllegalArgumentException("--slice-overlap is " + sliceOverlap + ", must be in [0, 1)");
        }
        ufp.config(1); // checks the UFP options before the models load

        SynthConfig flightsConfig = BenchConditionsCommand.defaults(flights, frames, SEED + seedOffset);
        Path data = TrainCommand.synthesise(flightsConfig, out.resolve("flights"));
        List<LabeledImage> gt = VisDroneDataset.load(data);
        List<FrameImage> images = new ArrayList<>();
        for (int i = 0; i < gt.size(); i++)
            images.add(new FrameImage(i, ModelDetections.read(gt.get(i).image())));

        try (MpDetRunner coarse = ufp.openCoarse();
                MpDetRunner fine = ufp.openFine()) {
            System.out.printf(
                    Locale.ROOT,
                    "coarse %s (%s, %dx%d), fine %s (%s, %dx%d); %d held-out frames (seed %d), %d threads%n%n",
                    coarse.config().name(),
                    ufp.coarse,
                    coarse.inputWidth(),
                    coarse.inputHeight(),
                    fine.config().name(),
                    ufp.fine,
                    fine.inputWidth(),
                    fine.inputHeight(),
                    images.size(),
                    flightsConfig.seed(),
                    Runtime.getRuntime().availableProcessors());
            System.out.println("| method | batch | AP | AP50 | AP small | mask AP | inputs/frame | Mpx/frame"
                    + " | coarse ms | pack ms | fine ms | total ms |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (int batch : batches) {
                for (String method : methods) {
                    Detector detector =
                            switch (method) {
                                case "ufp" -> new UfpmpDetector(coarse, fine, ufp.config(batch));
                                case "full-frame" -> new FullFrameDetector(fine, batch);
                                default -> new SlicedDetector(fine, sliceOverlap, batch);
                            };
                    detector.detect(images.subList(0, Math.min(batch, images.size()))); // warm-up, untimed
                    Map<String, List<Detection>> dets = new LinkedHashMap<>();
                    BatchStats total = BatchStats.ZERO;
                    for (int i = 0; i < images.size(); i += batch) {
                        DetectionBatch result = detector.detect(images.subList(i, Math.min(images.size(), i + batch)));
                        total = total.plus(result.stats());
                        for (FrameResult f : result.frames())
                            dets.put(gt.get(f.index()).id(), f.detections());
                    }
                    HeldOutScores s = HeldOutScores.evaluate(gt, dets, out.resolve(method + "-batch" + batch));
                    double n = total.frames();
                    System.out.printf(
                            Locale.ROOT,
                            "| %s | %d | %.3f | %.3f | %.3f | %.3f | %.1f | %.2f | %.1f | %.1f | %.1f | %.1f |%n",
                            method,
                            batch,
                            s.box().ap(),
                            s.box().ap50(),
                            s.box().apSmall(),
                            s.mask().ap(),
                            total.networkInputs() / n,
                            total.pixelsInferred() / n / 1e6,
                            total.coarseMs() / n,
                            total.packMs() / n,
                            total.fineMs() / n,
                            total.totalMs() / n);
                }
            }
        }
        return 0;
    }
}
