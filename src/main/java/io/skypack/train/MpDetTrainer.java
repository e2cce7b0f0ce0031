package io.skypack.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.skypack.model.ModelFile;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import io.skypack.model.NativeAllocator;
import io.skypack.model.ReusedDirectBuffer;
import io.skypack.train.data.LabeledImage;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Trains an MP-Det network from a {@link TrainRecipe}: SGD with momentum, linear warm-up and step
 * decay, one {@link NDManager} scope per batch so native memory stays flat, a progress line with the
 * loss parts, images/s and ETA, and a checkpoint after every epoch that {@code resume} continues from
 * (weights and position; SGD momentum restarts at zero).
 */
public final class MpDetTrainer {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Non-finite steps in a row after which the run is declared diverged. */
    /** A gradient this many times the clip norm is logged with the parameter it is largest in. */
    static final double HUGE_GRADIENT = 1000;

    static final int MAX_CONSECUTIVE_BAD_STEPS = 5;

    /** Where a run stands, written beside the checkpoint. */
    record State(int nextEpoch, int iteration) {}

    private final TrainRecipe recipe;
    private final PrintStream log;

    public MpDetTrainer(TrainRecipe recipe, PrintStream log) {
        this.recipe = recipe;
        this.log = log;
    }

    /**
     * Trains on {@code images} and writes {@code out/<model name>.mpdet}; checkpoints go to {@code
     * out/checkpoint.mpdet} and {@code out/checkpoint.json}.
     */
    public Path train(List<LabeledImage> images, Path out, boolean resume) throws IOException {
        if (images.isEmpty()) {
            throw new IllegalArgumentException("no training images");
        }
        Files.createDirectories(out);
        MpDetConfig cfg = recipe.model();
        int batch = recipe.batchSize();
        int perEpoch = Math.max(1, images.size() / batch);
        int totalIters = perEpoch * recipe.epochs();
        Path ckpt = out.resolve("checkpoint.mpdet");
        Path ckptState = out.resolve("checkpoint.json");
        State state = new State(0, 0);

        NativeAllocator.tune();
        Engine.getInstance().setRandomSeed((int) recipe.seed());
        MpDet net = new MpDet(cfg, recipe.seed());
        try (Model model = Model.newInstance(cfg.name())) {
            model.setBlock(net);
            Device device = Engine.getInstance().defaultDevice();
            Tracker lr = new WarmupStepTracker(
                    recipe.learningRate(),
                    recipe.warmupIterations(),
                    recipe.stepEpochs().stream().map(e -> e * perEpoch).toList());
            DefaultTrainingConfig tc = new DefaultTrainingConfig(Loss.l2Loss()) // unused: MpDetLoss is applied by hand
                    .optOptimizer(optimizer(recipe, lr))
                    .optDevices(new Device[] {device});
            if (resume && Files.exists(ckpt) && Files.exists(ckptState)) {
                net.initialize(model.getNDManager(), DataType.FLOAT32, inputShape(batch, cfg));
                try (InputStream in = Files.newInputStream(ckpt)) {
                    MpDet saved = ModelFile.load(in, ckpt.toString(), model.getNDManager());
                    copyParameters(saved, net);
                }
                state = JSON.readValue(ckptState.toFile(), State.class);
                log.printf(
                        Locale.ROOT,
                        "resuming %s at epoch %d (iteration %d)%n",
                        cfg.name(),
                        state.nextEpoch() + 1,
                        state.iteration());
            } else if (resume) {
                log.println("no checkpoint in " + out + ", starting from scratch");
            }
            try (Trainer trainer = model.newTrainer(tc)) {
                trainer.initialize(inputShape(batch, cfg));
                MpDetLoss lossFn = new MpDetLoss(cfg, recipe.losses(), recipe.otFromEpoch());
                SampleBuilder builder = new SampleBuilder(
                        cfg,
                        recipe.mode(),
                        new SampleBuilder.Augment(recipe.flip(), recipe.brightness(), recipe.lowerZoom()));
                long start = System.nanoTime();
                int iteration = state.iteration();
                int done = 0;
                int skipped = 0;
                int consecutiveBad = 0;
                // A direct buffer per step would be freed only by a GC (see ReusedDirectBuffer).
                ReusedDirectBuffer inputPixels = new ReusedDirectBuffer();
                for (int epoch = state.nextEpoch(); epoch < recipe.epochs(); epoch++) {
                    SplittableRandom rng = new SplittableRandom(recipe.seed() * 31 + epoch);
                    int[] order = shuffled(images.size(), rng);
                    for (int it = 0; it < perEpoch; it++) {
                        List<TrainSample> samples = new ArrayList<>(batch);
                        for (int j = 0; j < batch; j++) {
                            samples.add(builder.build(images.get(order[(it * batch + j) % order.length]), rng));
                        }
                        MpDetLoss.Parts parts;
                        float total;
                        double gradNorm;
                        try (NDManager scope = trainer.getManager().newSubManager(device)) {
                            // x reads the reused buffer in place; the scope closes it before the next step
                            NDArray x = scope.create(
                                    concat(samples, inputPixels), inputShape(batch, cfg), DataType.FLOAT32);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList outputs = trainer.forward(new NDList(x));
                                parts = lossFn.compute(outputs, samples, epoch, scope);
                                total = parts.total().getFloat();
                                if (Float.isFinite(total)) {
                                    gc.backward(parts.total());
                                }
                            }
                            gradNorm = Float.isFinite(total)
                                    ? GradientClip.clipGlobalNorm(
                                            net.getParameters().values(), recipe.gradientClip())
                                    : Double.NaN;
                            if (Double.isFinite(gradNorm) && gradNorm > HUGE_GRADIENT * recipe.gradientClip()) {
                                log.printf(
                                        Locale.ROOT,
                                        "clipped a huge gradient at step %d: norm %.3g, largest in %s%n",
                                        iteration,
                                        gradNorm,
                                        GradientClip.largest(net.getParameters()));
                            }
                            if (Double.isFinite(gradNorm)) {
                                trainer.step();
                                consecutiveBad = 0;
                            } else {
                                // A non-finite step is never applied (as mixed-precision loss scaling skips
                                // overflowing steps); a run that keeps producing them is broken and stops.
                                List<String> badParameters = GradientClip.nonFinite(net.getParameters());
                                resetGradients(net);
                                if (skipped == 0) {
                                    // The weights that produced the first bad step, for diagnosis.
                                    ModelFile.save(net, out.resolve("nonfinite-" + iteration + ".mpdet"));
                                }
                                skipped++;
                                consecutiveBad++;
                                log.printf(
                                        Locale.ROOT,
                                        "skipped step %d: non-finite gradient norm %s (loss %f: qfl %f dfl %f giou %f mask %f ot %f, %d positives; images %s; non-finite in %d parameters, the last in forward order (nearest the cause): %s)%n",
                                        iteration,
                                        gradNorm,
                                        total,
                                        parts.qfl(),
                                        parts.dfl(),
                                        parts.giou(),
                                        parts.mask(),
                                        parts.ot(),
                                        parts.positives(),
                                        samples.stream()
                                                .map(TrainSample::imageId)
                                                .toList(),
                                        badParameters.size(),
                                        badParameters.subList(
                                                Math.max(0, badParameters.size() - 6), badParameters.size()));
                                if (consecutiveBad >= MAX_CONSECUTIVE_BAD_STEPS) {
                                    throw new IllegalStateException(
                                            consecutiveBad + " non-finite steps in a row at iteration " + iteration
                                                    + " (" + skipped + " skipped in all): training diverged");
                                }
                            }
                        }
                        iteration++;
                        done++;
                        progress(
                                epoch,
                                it + 1,
                                perEpoch,
                                iteration,
                                totalIters,
                                done,
                                start,
                                batch,
                                total,
                                parts,
                                gradNorm,
                                lr.getNewValue(iteration));
                    }
                    ModelFile.save(net, ckpt);
                    JSON.writeValue(ckptState.toFile(), new State(epoch + 1, iteration));
                }
                Path model1 = out.resolve(cfg.name() + ".mpdet");
                ModelFile.save(net, recipe.servedModel(), model1);
                log.printf(Locale.ROOT, "%nsaved %s (%.1f MB)%n", model1, Files.size(model1) / 1e6);
                return model1;
            }
        }
    }

    private void progress(
            int epoch,
            int it,
            int perEpoch,
            int iteration,
            int totalIters,
            int done,
            long start,
            int batch,
            float loss,
            MpDetLoss.Parts p,
            double gradNorm,
            float lr) {
        double secs = (System.nanoTime() - start) / 1e9;
        double ips = done * batch / Math.max(1e-9, secs);
        double eta = (totalIters - iteration) * batch / Math.max(1e-9, ips);
        int bar = 20 * it / perEpoch;
        boolean last = it == perEpoch;
        if (last || it % 10 == 1 || Boolean.getBoolean("skypack.train.verbose")) {
            log.printf(
                    Locale.ROOT,
                    "epoch %d/%d [%s%s] %d/%d loss %.3f (qfl %.3f dfl %.3f giou %.3f mask %.3f ot %.3f) pos %d |g| %.3g lr %.4f %.1f img/s ETA %s%n",
                    epoch + 1,
                    recipe.epochs(),
                    "#".repeat(bar),
                    ".".repeat(20 - bar),
                    it,
                    perEpoch,
                    loss,
                    p.qfl(),
                    p.dfl(),
                    p.giou(),
                    p.mask(),
                    p.ot(),
                    p.positives(),
                    gradNorm,
                    lr,
                    ips,
                    duration(eta));
        }
    }

    private static String duration(double seconds) {
        long s = Math.round(seconds);
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    private static Shape inputShape(int batch, MpDetConfig cfg) {
        return new Shape(batch, 3, cfg.inputHeight(), cfg.inputWidth());
    }

    /** The samples' pixels one after another in {@code into}'s buffer, ready for {@code NDManager.create}. */
    private static ByteBuffer concat(List<TrainSample> samples, ReusedDirectBuffer into) {
        int len = samples.get(0).chw().length;
        ByteBuffer bytes = into.take((long) len * samples.size() * Float.BYTES);
        FloatBuffer floats = bytes.asFloatBuffer();
        for (TrainSample sample : samples) floats.put(sample.chw());
        return bytes;
    }

    private static int[] shuffled(int n, SplittableRandom rng) {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = i;
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return a;
    }

    /**
     * Zeroes every gradient in place. PyTorch accumulates gradients and only DJL's optimizer update
     * clears them, so a skipped step must do it itself; {@code setRequiresGradient(true)} does not,
     * and the old reset left one bad step's NaNs in every later step.
     */
    private static void resetGradients(MpDet net) {
        for (var p : net.getParameters().values()) {
            if (!p.requiresGradient()) continue;
            try (NDArray g = p.getArray().getGradient()) {
                // In place and NaN-safe (index_put_ of 0). Not g.set(float[]): that swaps in native
                // memory the JVM later frees (a SIGSEGV), and g.subi(g) leaves NaN as NaN.
                g.set(new NDIndex("..."), 0);
            }
        }
    }

    private static Optimizer optimizer(TrainRecipe recipe, Tracker lr) {
        return switch (recipe.optimizer()) {
            case SGD ->
                Optimizer.sgd()
                        .setLearningRateTracker(lr)
                        .optMomentum(recipe.momentum())
                        .optWeightDecays(recipe.weightDecay())
                        .build();
            case ADAMW ->
                Optimizer.adamW()
                        .optLearningRateTracker(lr)
                        .optWeightDecays(recipe.weightDecay())
                        .build();
        };
    }

    private static void copyParameters(MpDet from, MpDet to) {
        Map<String, ai.djl.nn.Parameter> src = from.getParameters().toMap();
        for (var e : to.getParameters().toMap().entrySet()) {
            ai.djl.nn.Parameter p = src.get(e.getKey());
            if (p == null) throw new IllegalStateException("checkpoint lacks parameter " + e.getKey());
            // In place inside torch (index_put_ from a torch tensor). Not set(float[]): that hands the
            // parameter a Java buffer's memory, the same path that crashed a gradient reset.
            e.getValue().getArray().set(new NDIndex("..."), p.getArray());
        }
    }

    /** Linear warm-up from 10% of the base rate, then /10 at each step iteration. */
    static final class WarmupStepTracker implements Tracker {
        private final float base;
        private final int warmup;
        private final List<Integer> steps;

        WarmupStepTracker(float base, int warmup, List<Integer> steps) {
            this.base = base;
            this.warmup = warmup;
            this.steps = steps;
        }

        @Override
        public float getNewValue(int numUpdate) {
            float v = base;
            for (int s : steps) if (numUpdate >= s) v *= 0.1f;
            if (numUpdate < warmup) v *= 0.1f + 0.9f * numUpdate / warmup;
            return v;
        }
    }
}
