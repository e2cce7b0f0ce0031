package io.skypack.app;

import io.skypack.detect.Detection;
import io.skypack.detect.Detector;
import io.skypack.detect.UfpmpDetector;
import io.skypack.eval.Metrics;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.train.ModelDetections;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneDataset;
import io.skypack.train.synth.SynthConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code skypack bench conditions}: one model on held-out synthetic flights under each of the
 * generator's knobs (altitude, density, lighting, blur, JPEG quality). Every condition uses its own
 * seed, never used by a training recipe (recipes use 1000-2999 and 9000 for their held-out set).
 */
@Command(
        name = "conditions",
        mixinStandardHelpOptions = true,
        description = {
            "Evaluate a model on held-out synthetic flights per condition (default knobs, low and high altitude,",
            "dense, dim light, motion blur, low JPEG quality); prints AP, AP50, AP small and mask AP per condition."
        })
final class BenchConditionsCommand implements Callable<Integer> {
    /** A named change of the default knobs, with its own held-out seed. */
    record Condition(String name, String knobs, SynthConfig config) {}

    @Option(
            names = "--model",
            description =
                    "coarse, fine or a .mpdet file; or ufp: the UFP detector (coarse pass, packing, fine pass)"
                            + " with the models and knobs of --coarse, --fine, --candidate-score, ... (default ${DEFAULT-VALUE}).")
    String model = "coarse";

    @Mixin
    UfpOptions ufp = new UfpOptions();

    @Option(
            names = "--batch",
            description =
                    "Frames per detector call (default 4 for a model, 8 for ufp, whose canvas budget is per batch).")
    Integer batch;

    @Option(names = "--flights", description = "Held-out flights per condition (default ${DEFAULT-VALUE}).")
    int flights = 2;

    @Option(names = "--frames", description = "Frames per flight (default ${DEFAULT-VALUE}).")
    int frames = 10;

    @Option(names = "--out", description = "Where flights and reports go (default ${DEFAULT-VALUE}).")
    Path out = Path.of("skypack-bench", "conditions");

    @Option(
            names = "--seed-offset",
            description = "Added to every condition's seed, for fresh held-out flights (default ${DEFAULT-VALUE}).")
    int seedOffset = 0;

    static List<Condition> conditions(int flights, int frames, int seedOffset) {
        SynthConfig d = SynthConfig.defaults();
        int s = 9100 + seedOffset;
        return List.of(
                new Condition("default", "altitude 40-110 m, density 1, light 1", defaults(flights, frames, s)),
                new Condition(
                        "low altitude", "altitude 25-45 m", knobs(d, flights, frames, 25, 45, 1, 1, 0, 0.92, s + 1)),
                new Condition(
                        "high altitude",
                        "altitude 110-160 m",
                        knobs(d, flights, frames, 110, 160, 1, 1, 0, 0.92, s + 2)),
                new Condition("dense", "density 3", knobs(d, flights, frames, 40, 110, 3, 1, 0, 0.92, s + 3)),
                new Condition("dusk", "lighting 0.4", knobs(d, flights, frames, 40, 110, 1, 0.4, 0, 0.92, s + 4)),
                new Condition("motion blur", "blur 6 px", knobs(d, flights, frames, 40, 110, 1, 1, 6, 0.92, s + 5)),
                new Condition("jpeg q40", "JPEG quality 0.4", knobs(d, flights, frames, 40, 110, 1, 1, 0, 0.4, s + 6)));
    }

    /** Held-out flights with the default knobs (the "default" condition) from {@code seed}. */
    static SynthConfig defaults(int flights, int frames, long seed) {
        return knobs(SynthConfig.defaults(), flights, frames, 40, 110, 1, 1, 0, 0.92, seed);
    }

    private static SynthConfig knobs(
            SynthConfig d,
            int flights,
            int frames,
            double minAlt,
            double maxAlt,
            double density,
            double light,
            double blur,
            double jpeg,
            long seed) {
        return new SynthConfig(
                d.width(), d.height(), frames, flights, 2.0, minAlt, maxAlt, density, light, blur, jpeg, seed);
    }

    @Override
    public Integer call() throws Exception {
        if (flights < 1 || frames < 1) throw new IllegalArgumentException("--flights and --frames must be at least 1");
        boolean isUfp = model.equals("ufp");
        int perCall = batch != null ? batch : isUfp ? 8 : 4;
        if (perCall < 1) throw new IllegalArgumentException("--batch must be at least 1, got " + perCall);
        try (MpDetRunner runner = isUfp ? ufp.openCoarse() : ModelOption.open(model, MpDetDecoder.Params.DEFAULTS);
                MpDetRunner fine = isUfp ? ufp.openFine() : null) {
            Detector detector = isUfp ? new UfpmpDetector(runner, fine, ufp.config(perCall)) : null;
            System.out.printf(
                    Locale.ROOT,
                    "%s, %d flights x %d frames per condition, batch %d, held-out seeds%n%n",
                    isUfp
                            ? "ufp: coarse " + runner.config().name() + " at " + runner.inputWidth() + "x"
                                    + runner.inputHeight() + ", fine "
                                    + fine.config().name()
                            : "model " + runner.config().name() + " (" + model + ")",
                    flights,
                    frames,
                    perCall);
            System.out.println("| condition | knobs | seed | objects | AP | AP50 | AP small | mask AP | mask AP50 |");
            System.out.println("|---|---|---:|---:|---:|---:|---:|---:|---:|");
            for (Condition c : conditions(flights, frames, seedOffset)) {
                Path dir =
                        TrainCommand.synthesise(c.config(), out.resolve(c.name().replace(' ', '-')));
                List<LabeledImage> gt = VisDroneDataset.load(dir);
                Map<String, List<Detection>> dets =
                        isUfp ? ModelDetections.run(detector, gt, perCall) : ModelDetections.run(runner, gt, perCall);
                HeldOutScores scores = HeldOutScores.evaluate(gt, dets, dir);
                Metrics b = scores.box(), s = scores.mask();
                long objects =
                        gt.stream().mapToLong(i -> i.annotations().size()).sum();
                System.out.printf(
                        Locale.ROOT,
                        "| %s | %s | %d | %d | %.3f | %.3f | %.3f | %.3f | %.3f |%n",
                        c.name(),
                        c.knobs(),
                        c.config().seed(),
                        objects,
                        b.ap(),
                        b.ap50(),
                        b.apSmall(),
                        s.ap(),
                        s.ap50());
            }
        }
        return 0;
    }
}
