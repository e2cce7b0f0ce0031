package io.skypack.app;

import ai.djl.Device;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import java.io.IOException;
import java.nio.file.Path;

/** A {@code --model} value: {@code coarse} or {@code fine} (bundled in the jar) or a .mpdet path. */
final class ModelOption {
    private ModelOption() {}

    /** The model on DJL's default device. */
    static MpDetRunner open(String model, MpDetDecoder.Params params) throws IOException {
        return open(model, params, null);
    }

    /** The model on {@code device} ({@code null}: DJL's default device). */
    static MpDetRunner open(String model, MpDetDecoder.Params params, Device device) throws IOException {
        return switch (model) {
            case "coarse" -> MpDetRunner.openBundled(MpDetRunner.COARSE, params, device);
            case "fine" -> MpDetRunner.openBundled(MpDetRunner.FINE, params, device);
            default -> MpDetRunner.open(Path.of(model), params, device);
        };
    }
}
