package io.skypack.train;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skypack.model.MpDetConfig;
import io.skypack.train.loss.LossWeights;
import io.skypack.train.synth.SynthConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything that decides a trained model, recorded in one JSON file so anyone can regenerate it:
 * the network, the data (a synthetic recipe or a VisDrone-format folder), the schedule, the
 * augmentation, the loss weights and the seed. The default models' recipes live in
 * {@code src/main/resources/io/skypack/model/recipes/}.
 *
 * @param model the network
 * @param mode how inputs are cut from frames
 * @param trainData synthetic training flights (used when {@code visDrone} is null)
 * @param visDrone a VisDrone-format dataset folder to train on instead, or null
 * @param evalData held-out synthetic flights for the final evaluation (seeds never used in training)
 * @param epochs passes over the training images
 * @param batchSize images per step
 * @param learningRate base SGD learning rate
 * @param optimizer SGD with momentum (GFL's choice, default) or AdamW (momentum is then unused)
 * @param momentum SGD momentum
 * @param weightDecay L2 weight decay
 * @param warmupIterations linear warm-up from 10% of the rate
 * @param stepEpochs epochs after which the rate is divided by 10
 * @param gradientClip maximum global L2 norm of the gradient (GFL uses 35)
 * @param flip random horizontal flips
 * @param brightness random brightness jitter, fraction
 * @param losses loss weights
 * @param otFromEpoch first epoch (0-based) with the OT proxy loss
 * @param seed seed for initialisation, order and augmentation
 * @param servedInput {@code [width, height]} the saved model runs at, or null for the training input
 *     size. The network is fully convolutional, so the same weights run at any multiple of 32; a
 *     downscaled full-frame model often finds more small objects at a slightly larger input than it
 *     was trained at. Choose it on validation flights, never on the held-out ones.
 */
public record TrainRecipe(
        MpDetConfig model,
        SampleBuilder.Mode mode,
        SynthConfig trainData,
        String visDrone,
        SynthConfig evalData,
        int epochs,
        int batchSize,
        Optimizer optimizer,
        float learningRate,
        float momentum,
        float weightDecay,
        int warmupIterations,
        List<Integer> stepEpochs,
        float gradientClip,
        boolean flip,
        double brightness,
        LossWeights losses,
        int otFromEpoch,
        long seed,
        List<Integer> servedInput) {

    /** The update rule. */
    public enum Optimizer {
        SGD,
        ADAMW
    }

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public TrainRecipe {
        if (model == null) throw new IllegalArgumentException("recipe: 'model' is required");
        if (mode == null)
            throw new IllegalArgumentException("recipe: 'mode' is required (FULL_FRAME, CROPS or MOSAICS)");
        if (trainData == null && visDrone == null) {
            throw new IllegalArgumentException(
                    "recipe: one of 'trainData' (synthetic) or 'visDrone' (folder) is required");
        }
        if (epochs < 1) throw new IllegalArgumentException("recipe: 'epochs' must be at least 1, got " + epochs);
        if (batchSize < 1)
            throw new IllegalArgumentException("recipe: 'batchSize' must be at least 1, got " + batchSize);
        if (!(learningRate > 0))
            throw new IllegalArgumentException("recipe: 'learningRate' must be > 0, got " + learningRate);
        if (losses == null) losses = LossWeights.DEFAULTS;
        if (optimizer == null) optimizer = Optimizer.SGD;
        stepEpochs = stepEpochs == null ? List.of() : List.copyOf(stepEpochs);
        if (servedInput != null) {
            if (servedInput.size() != 2) {
                throw new IllegalArgumentException("recipe: 'servedInput' must be [width, height], got " + servedInput);
            }
            servedInput = List.copyOf(servedInput);
            model.withInput(servedInput.get(0), servedInput.get(1)); // validates: multiples of 32
        }
    }

    /** The network as saved: the training network at {@link #servedInput()} when one is given. */
    public MpDetConfig servedModel() {
        return servedInput == null ? model : model.withInput(servedInput.get(0), servedInput.get(1));
    }

    public static TrainRecipe read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString());
        }
    }

    public static TrainRecipe read(InputStream in, String source) throws IOException {
        try {
            return JSON.readValue(in, TrainRecipe.class);
        } catch (com.fasterxml.jackson.databind.JsonMappingException e) {
            Throwable cause = e.getCause() instanceof IllegalArgumentException ? e.getCause() : e;
            throw new IOException(source + ": " + (cause == e ? e.getOriginalMessage() : cause.getMessage()), e);
        }
    }

    public String toJson() throws IOException {
        return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(this);
    }
}
