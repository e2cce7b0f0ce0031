package io.skypack.app;

import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import java.io.IOException;
import java.nio.file.Path;

/** A {@code --model} value: {@code coarse} or {@code fine} (bundled in the jar) or a .mpdet path. */
final class ModelOption {
    private ModelOption() {}

    static MpDetRunner open(String model, MpDetDecoder.Params params) throws IOException {
        return switch (model) {
            case "coarse" -> MpDetRunner.openBundled(MpDetRunner.COARSE, params);
            case "fine" -> MpDetRunner.openBundled(MpDetRunner.FINE, params);
            default -> MpDetRunner.open(Path.of(model), params);
        };
    }
}
