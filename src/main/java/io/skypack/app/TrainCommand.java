package io.skypack.app;

import io.skypack.detect.Detection;
import io.skypack.detect.UfpmpConfig;
import io.skypack.detect.UfpmpDetector;
import io.skypack.eval.CocoEvaluator;
import io.skypack.eval.EvalParams;
import io.skypack.eval.IouType;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.train.ModelDetections;
import io.skypack.train.MpDetTrainer;
import io.skypack.train.SampleBuilder;
import io.skypack.train.TrainRecipe;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.data.VisDroneDataset;
import io.skypack.train.synth.FlightWriter;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code skypack train}: trains an MP-Det model from a recipe, then evaluates it on held-out flights. */
@Command(
        name = "train",
        mixinStandardHelpOptions = true,
        description = {
            "Train an MP-Det model from a recipe (JSON: model, data, schedule, augmentation, losses, seed), then",
            "evaluate it on the recipe's held-out synthetic flights. Synthetic data is generated into OUT/data first.",
            "Built-in recipes: coarse, fine (the bundled default models). Writes OUT/<model>.mpdet and checkpoints."
        })
final class TrainCommand implements Callable<Integer> {

    @Option(
            names = "--recipe",
            required = true,
            description = "Recipe file, or 'coarse' / 'fine' for the built-in ones.")
    String recipe;

    @Option(names = "--out", required = true, description = "Output folder for data, checkpoints and the model.")
    Path out;

    @Option(names = "--data", description = "Train on this VisDrone-format folder instead of the recipe's data.")
    Path data;

    @Option(names = "--resume", description = "Continue from OUT/checkpoint.mpdet if present.")
    boolean resume;

    @Override
    public Integer call() throws Exception {
        TrainRecipe r = load(recipe);
        Files.createDirectories(out);
        Files.writeString(out.resolve("recipe.json"), r.toJson());
        List<LabeledImage> train;
        if (data != null) {
            train = VisDroneDataset.load(data);
        } else if (r.visDrone() != null) {
            train = VisDroneDataset.load(Path.of(r.visDrone()));
        } else {
            train = VisDroneDataset.load(synthesise(r.trainData(), out.resolve("data/train")));
        }
        System.out.println("training " + r.model().name() + " on " + train.size() + " images");
        Path model = new MpDetTrainer(r, System.out).train(train, out, resume);
        if (r.evalData() != null) {
            List<LabeledImage> held = VisDroneDataset.load(synthesise(r.evalData(), out.resolve("data/eval")));
            Map<String, List<Detection>> dets;
            String how;
            if (r.mode() == SampleBuilder.Mode.MOSAICS) {
                // A mosaic-trained model is the fine pass: score it where it runs, behind the bundled coarse model.
                UfpOptions ufp = new UfpOptions();
                ufp.fine = model.toString();
                try (MpDetRunner coarse = ufp.openCoarse();
                        MpDetRunner fine = ufp.openFine()) {
                    int batch = UfpmpConfig.DEFAULT.maxBatch();
                    dets = ModelDetections.run(new UfpmpDetector(coarse, fine, ufp.config(batch)), held, batch);
                }
                how = "UFP with the bundled coarse model";
            } else {
                try (MpDetRunner runner = MpDetRunner.open(model, MpDetDecoder.Params.DEFAULTS)) {
                    dets = ModelDetections.run(runner, held, r.batchSize());
                }
                how = "whole frames";
            }
            for (IouType t : IouType.values()) {
                var report = new CocoEvaluator().evaluate(held, dets, EvalParams.visDrone(t));
                System.out.println("\n== held-out " + t.cocoName() + " (" + held.size() + " frames, " + how + ") ==");
                System.out.print(report.toTable());
                report.writeJson(out.resolve("eval-" + t.cocoName() + ".json"));
            }
        }
        return 0;
    }

    static TrainRecipe load(String recipe) throws IOException {
        if (recipe.equals("coarse") || recipe.equals("fine")) {
            String res = "/io/skypack/model/recipes/" + recipe + ".json";
            try (InputStream in = TrainCommand.class.getResourceAsStream(res)) {
                if (in == null) throw new IOException("built-in recipe " + res + " is missing from the jar");
                return TrainRecipe.read(in, res);
            }
        }
        return TrainRecipe.read(Path.of(recipe));
    }

    /** Generates the flights once; reuses them when the folder already holds the same config. */
    static Path synthesise(SynthConfig cfg, Path dir) throws IOException {
        Path marker = dir.resolve("synth-config.txt");
        String key = cfg.toString();
        if (Files.exists(marker) && Files.readString(marker).equals(key)) {
            return dir;
        }
        System.out.println("generating " + cfg.flights() + " synthetic flights into " + dir);
        new FlightWriter(cfg, dir, false)
                .writeAll(s -> System.out.println("  " + s.name() + ": " + s.objects() + " objects"));
        Files.writeString(marker, key);
        return dir;
    }
}
