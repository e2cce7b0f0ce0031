package io.skypack.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.skypack.detect.Detection;
import io.skypack.model.ModelFile;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.model.RandomModels;
import io.skypack.train.data.LabeledImage;
import io.skypack.train.loss.LossWeights;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MpDetTrainerTest {

    static TrainRecipe recipe(int epochs) {
        return recipe(epochs, null);
    }

    static TrainRecipe recipe(int epochs, List<Integer> servedInput) {
        MpDetConfig model = RandomModels.tiny("tiny", 128, 128);
        return new TrainRecipe(
                model,
                SampleBuilder.Mode.FULL_FRAME,
                null,
                "unused",
                null,
                epochs,
                2,
                TrainRecipe.Optimizer.SGD,
                0.02f,
                0.9f,
                1e-4f,
                5,
                List.of(),
                10f,
                false,
                0,
                LossWeights.DEFAULTS,
                1,
                3,
                servedInput);
    }

    @Test
    void shouldResumeFromTheCheckpointWithItsExactWeights(@TempDir Path dir) throws IOException {
        List<LabeledImage> images = TinyDataset.write(dir.resolve("data"), 4);
        Path out = dir.resolve("out");
        PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
        new MpDetTrainer(recipe(2), quiet).train(images, out, false);
        float[][] checkpoint = weights(out.resolve("checkpoint.mpdet"));
        // Resuming a finished run trains nothing: the model it writes holds the checkpoint's weights.
        Path resumed = new MpDetTrainer(recipe(2), quiet).train(images, out, true);
        float[][] again = weights(resumed);
        assertEquals(checkpoint.length, again.length);
        for (int i = 0; i < checkpoint.length; i++) assertArrayEquals(checkpoint[i], again[i], 0f, "parameter " + i);
        assertTrue(Math.abs(checkpoint[0][0]) > 0, "weights are not all zero");
    }

    private static float[][] weights(Path file) throws IOException {
        try (ai.djl.ndarray.NDManager m = ai.djl.ndarray.NDManager.newBaseManager()) {
            var net = io.skypack.model.ModelFile.load(file, m);
            return net.getParameters().values().stream()
                    .map(p -> p.getArray().toFloatArray())
                    .toArray(float[][]::new);
        }
    }

    @Test
    void shouldLearnATinyDatasetSoLossFallsAndTheObjectIsFound(@TempDir Path dir) throws IOException {
        List<LabeledImage> images = TinyDataset.write(dir.resolve("data"), 4);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        Path model = new MpDetTrainer(recipe(15), new PrintStream(log, true, StandardCharsets.UTF_8))
                .train(images, dir.resolve("out"), false);
        List<Float> losses = new java.util.ArrayList<>();
        Matcher m = Pattern.compile(" loss ([0-9.]+) ").matcher(log.toString(StandardCharsets.UTF_8));
        while (m.find()) losses.add(Float.parseFloat(m.group(1)));
        assertTrue(losses.size() >= 10, "progress lines: " + log);
        float first = losses.get(0), last = losses.get(losses.size() - 1);
        assertTrue(last < 0.5f * first, "loss should at least halve: " + losses);
        assertTrue(Files.size(model) < 10_000_000, "model file under 10 MB");

        try (MpDetRunner runner = MpDetRunner.open(model, MpDetDecoder.Params.DEFAULTS)) {
            var dets = ModelDetections.run(runner, images, 2);
            Detection best = dets.get("img01").stream()
                    .max(java.util.Comparator.comparingDouble(Detection::score))
                    .orElseThrow();
            assertEquals(4, best.category(), "the red box is a car");
            assertTrue(best.box().iou(images.get(1).annotations().get(0).box()) > 0.5, "box " + best.box());
            assertTrue(best.mask() != null && best.mask().area() > 0.4 * 40 * 24, "mask " + best.mask());
        }
    }

    @Test
    void shouldResumeFromTheCheckpointAtTheNextEpoch(@TempDir Path dir) throws IOException {
        List<LabeledImage> images = TinyDataset.write(dir.resolve("data"), 2);
        Path out = dir.resolve("out");
        new MpDetTrainer(recipe(1), new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .train(images, out, false);
        assertTrue(Files.readString(out.resolve("checkpoint.json")).contains("\"nextEpoch\":1"));
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        new MpDetTrainer(recipe(2), new PrintStream(log, true, StandardCharsets.UTF_8)).train(images, out, true);
        String text = log.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("resuming tiny at epoch 2"), text);
        assertTrue(!text.contains("epoch 1/2"), "epoch 1 is not trained again: " + text);
        assertTrue(Files.readString(out.resolve("checkpoint.json")).contains("\"nextEpoch\":2"));
    }

    @Test
    void modelFileShouldRoundTripToIdenticalOutputs(@TempDir Path dir) throws IOException {
        MpDetConfig cfg = recipe(1).model();
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = new MpDet(cfg, 5);
            net.initialize(m, ai.djl.ndarray.types.DataType.FLOAT32, new Shape(1, 3, 128, 128));
            Path f = dir.resolve("m.mpdet");
            ModelFile.save(net, f);
            MpDet back = ModelFile.load(f, m);
            assertEquals(cfg, back.config());
            var x = m.randomUniform(0, 1, new Shape(1, 3, 128, 128));
            NDList a = net.forward(new ParameterStore(m, false), new NDList(x), false);
            NDList b = back.forward(new ParameterStore(m, false), new NDList(x), false);
            for (int i = 0; i < a.size(); i++) assertEquals(a.get(i), b.get(i), "output " + i);
        }
    }

    @Test
    void shouldSaveTheTrainedWeightsAtTheServedInputSize(@TempDir Path dir) throws IOException {
        List<LabeledImage> images = TinyDataset.write(dir.resolve("data"), 2);
        Path out = dir.resolve("out");
        Path model = new MpDetTrainer(
                        recipe(1, List.of(192, 96)),
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8))
                .train(images, out, false);
        try (NDManager m = NDManager.newBaseManager()) {
            MpDetConfig served = ModelFile.load(model, m).config();
            assertEquals(192, served.inputWidth());
            assertEquals(96, served.inputHeight());
            // Only the size differs; the checkpoint keeps the training size so --resume trains at it.
            assertEquals(recipe(1).model(), served.withInput(128, 128));
            assertEquals(
                    128,
                    ModelFile.load(out.resolve("checkpoint.mpdet"), m).config().inputWidth());
        }
        assertArrayEquals(weights(out.resolve("checkpoint.mpdet"))[0], weights(model)[0], 0f);
        try (MpDetRunner runner = MpDetRunner.open(model, MpDetDecoder.Params.DEFAULTS)) {
            assertEquals(2, ModelDetections.run(runner, images, 2).size(), "runs at the served size");
        }
    }

    @Test
    void shouldRefuseAServedInputThatIsNotTwoMultiplesOf32() {
        var notPair = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> recipe(1, List.of(192)));
        assertTrue(notPair.getMessage().contains("'servedInput' must be [width, height]"), notPair.getMessage());
        var odd = org.junit.jupiter.api.Assertions.assertThrows(
                IllegalArgumentException.class, () -> recipe(1, List.of(200, 96)));
        assertTrue(odd.getMessage().contains("multiples of 32"), odd.getMessage());
    }

    @Test
    void shouldRefuseAFileThatIsNotAModel(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("bad.mpdet");
        Files.writeString(f, "hello, not a model\n");
        try (NDManager m = NDManager.newBaseManager()) {
            IOException e =
                    org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () -> ModelFile.load(f, m));
            assertTrue(e.getMessage().contains("not a SkyPack model file"), e.getMessage());
        }
    }

    @Test
    void warmupShouldRampToTheBaseRateAndStepsDivideByTen() {
        var t = new MpDetTrainer.WarmupStepTracker(0.01f, 10, List.of(100, 150));
        assertEquals(0.001f, t.getNewValue(0), 1e-7);
        assertEquals(0.0055f, t.getNewValue(5), 1e-7);
        assertEquals(0.01f, t.getNewValue(10), 1e-7);
        assertEquals(0.001f, t.getNewValue(100), 1e-7);
        assertEquals(0.0001f, t.getNewValue(150), 1e-8);
    }
}
