package io.skypack.app;

import io.skypack.detect.Detection;
import io.skypack.eval.DetectionsFile;
import io.skypack.eval.SimulatedDetections;
import io.skypack.train.data.VisDroneDataset;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skypack simulate-detections}: ground truth with controlled errors, for checking the evaluator. */
@Command(
        name = "simulate-detections",
        mixinStandardHelpOptions = true,
        description = {
            "Write a detections file made from a dataset's ground truth with seeded, controlled errors (box jitter,",
            "misses, false positives, class confusion). Not a detector: a way to check the evaluator and to see how",
            "each kind of error moves the metrics."
        })
final class SimulateDetectionsCommand implements Callable<Integer> {

    @Option(names = "--gt", required = true, description = "Ground-truth dataset root (VisDrone-DET or -VID layout).")
    Path groundTruth;

    @Option(names = "--out", required = true, description = "Detections file to write (JSON lines).")
    Path out;

    @Option(
            names = "--box-jitter",
            description = "Std. dev. of each box edge, fraction of box size (default ${DEFAULT-VALUE}).")
    double boxJitter = 0.08;

    @Option(names = "--miss-rate", description = "Probability an object is missed (default ${DEFAULT-VALUE}).")
    double missRate = 0.1;

    @Option(names = "--false-positives", description = "Mean spurious detections per image (default ${DEFAULT-VALUE}).")
    double falsePositives = 2;

    @Option(names = "--confusion", description = "Probability of a wrong class (default ${DEFAULT-VALUE}).")
    double confusion = 0.05;

    @Option(names = "--seed", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed = 1;

    @Override
    public Integer call() throws Exception {
        SimulatedDetections sim = new SimulatedDetections(boxJitter, missRate, falsePositives, confusion, seed);
        Map<String, List<Detection>> dets = sim.apply(VisDroneDataset.load(groundTruth));
        DetectionsFile.write(out, dets);
        System.out.println(
                "wrote " + dets.values().stream().mapToInt(List::size).sum() + " detections for " + dets.size()
                        + " images to " + out.toAbsolutePath());
        return 0;
    }
}
