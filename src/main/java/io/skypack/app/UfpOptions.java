package io.skypack.app;

import ai.djl.Device;
import io.skypack.detect.UfpmpConfig;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import java.io.IOException;
import picocli.CommandLine.Option;

/** The UFP detector's models and knobs, shared by the commands that run it ({@code bench detect}, {@code detect-images}). */
final class UfpOptions {
    @Option(
            names = "--coarse",
            description = "Coarse model: coarse (bundled) or a .mpdet file (default ${DEFAULT-VALUE}).")
    String coarse = "coarse";

    @Option(names = "--fine", description = "Fine model: fine (bundled) or a .mpdet file (default ${DEFAULT-VALUE}).")
    String fine = "fine";

    /** The coarse pass's input: half of 1280x720, letterboxed; 0.25 Mpx, so UFP stays under half of slicing's pixels. */
    static final String COARSE_INPUT = "640x384";

    @Option(
            names = "--coarse-input",
            description = "Input size of the coarse pass, WxH in multiples of 32, or 'model' for the size in the"
                    + " model file (default ${DEFAULT-VALUE}).")
    String coarseInput = COARSE_INPUT;

    @Option(
            names = "--candidate-score",
            description = "Coarse detections from this score are fine-pass candidates (default ${DEFAULT-VALUE}).")
    double candidateScore = UfpmpConfig.DEFAULT.candidateScore();

    @Option(
            names = "--keep-coarse",
            description = "Keep confident large coarse detections the fine pass did not find (score 0.5, 96^2 px).")
    boolean keepCoarse;

    @Option(
            names = "--canvases-per-frame",
            description = "Canvas budget per frame; zoom is lowered, largest chips first, to stay within it;"
                    + " 0 for none (default ${DEFAULT-VALUE}).")
    double canvasesPerFrame = UfpmpConfig.CANVASES_PER_FRAME;

    @Option(
            names = "--canvas-budget",
            description = "frame: each frame's zoom is lowered as if it were alone, and the frames of a batch share"
                    + " canvases at those zooms; batch: the batch shares one budget, so crowded frames borrow zoom"
                    + " from sparse ones (default ${DEFAULT-VALUE}).")
    String canvasBudget = "frame";

    /** The fine model decodes detections from this score ({@link #fineParams}); not an option: evaluation needs 0.05. */
    double fineScore = MpDetDecoder.Params.DEFAULTS.scoreThreshold();

    /** The detector's config for these options, with at most {@code maxBatch} images per network call. */
    UfpmpConfig config(int maxBatch) {
        if (!(candidateScore >= 0 && candidateScore <= 1)) {
            throw new IllegalArgumentException("--candidate-score is " + candidateScore + ", must be in [0, 1]");
        }
        if (!(canvasesPerFrame >= 0) || Double.isInfinite(canvasesPerFrame)) {
            throw new IllegalArgumentException("--canvases-per-frame is " + canvasesPerFrame + ", must be >= 0");
        }
        return UfpmpConfig.DEFAULT
                .withCandidateScore(candidateScore)
                .withKeepCoarse(keepCoarse)
                .withCanvasesPerFrame(canvasesPerFrame)
                .withCanvasBudget(canvasBudget("--canvas-budget", canvasBudget))
                .withMaxBatch(maxBatch);
    }

    /** {@code frame} or {@code batch}, any case; {@code what} names the setting in the error. */
    static UfpmpConfig.CanvasBudget canvasBudget(String what, String name) {
        for (UfpmpConfig.CanvasBudget b : UfpmpConfig.CanvasBudget.values()) {
            if (b.name().equalsIgnoreCase(name.trim())) return b;
        }
        throw new IllegalArgumentException(what + " is '" + name + "', must be frame or batch");
    }

    /**
     * The coarse model, its decoder threshold no higher than the candidate score. Its masks are only
     * assembled when coarse detections can be kept: candidates need boxes alone, and masks for up to
     * 500 candidates per frame cost more than the coarse network itself.
     */
    MpDetRunner openCoarse() throws IOException {
        return openCoarse(null);
    }

    /** As {@link #openCoarse()}, on {@code device} ({@code null}: DJL's default device). */
    MpDetRunner openCoarse(Device device) throws IOException {
        MpDetDecoder.Params d = MpDetDecoder.Params.DEFAULTS;
        MpDetDecoder.Params params = new MpDetDecoder.Params(
                Math.min(d.scoreThreshold(), candidateScore),
                d.preNmsTopK(),
                d.nmsIou(),
                d.maxDetections(),
                d.maskThreshold(),
                keepCoarse);
        MpDetRunner runner = ModelOption.open(coarse, params, device);
        if (coarseInput.equals("model")) return runner;
        try {
            int[] size = size(coarseInput);
            return runner.atInput(size[0], size[1]);
        } catch (RuntimeException e) {
            runner.close();
            throw e;
        }
    }

    /** {@code WxH} as {width, height}, both positive multiples of 32. */
    static int[] size(String wxh) {
        String[] parts = wxh.trim().split("x");
        try {
            if (parts.length == 2) {
                int w = Integer.parseInt(parts[0].trim()), h = Integer.parseInt(parts[1].trim());
                if (w > 0 && h > 0 && w % 32 == 0 && h % 32 == 0) return new int[] {w, h};
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("coarse input '" + wxh
                + "' must be WIDTHxHEIGHT in positive multiples of 32 (e.g. 640x384) or 'model'");
    }

    MpDetRunner openFine() throws IOException {
        return openFine(null);
    }

    MpDetRunner openFine(Device device) throws IOException {
        return ModelOption.open(fine, fineParams(fineScore), device);
    }

    /**
     * The fine model's decoder with detections from {@code minScore} (no lower than the default's 0.05). A
     * consumer that drops detections under some score anyway can decode from that score and get the same
     * detections above it for less: every step after the network (Fast NMS, mapping back, per-class NMS) only
     * lets a detection suppress lower-scoring ones, so those under the score change nothing above it, while
     * each one decoded costs its mask. {@link UfpmpConfig.KeepCoarse} is the exception: a fine detection of
     * any score blocks a coarse one, so a detector that keeps coarse detections should decode from 0.05.
     */
    static MpDetDecoder.Params fineParams(double minScore) {
        MpDetDecoder.Params d = MpDetDecoder.Params.DEFAULTS;
        return new MpDetDecoder.Params(
                Math.max(d.scoreThreshold(), minScore),
                d.preNmsTopK(),
                d.nmsIou(),
                d.maxDetections(),
                d.maskThreshold(),
                d.masks());
    }
}
