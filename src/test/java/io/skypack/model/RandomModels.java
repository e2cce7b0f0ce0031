package io.skypack.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Tiny randomly initialised MP-Det models saved as model files, for tests that need a real network but no training. */
public final class RandomModels {
    private RandomModels() {}

    /** Writes {@code dir/name.mpdet}: three classes (pedestrian, car, bus), narrow layers, the given input size. */
    public static Path write(Path dir, String name, int width, int height, long seed) throws IOException {
        MpDetConfig cfg = new MpDetConfig(
                name,
                width,
                height,
                List.of(1, 4, 9),
                List.of(2, 2, 2),
                16,
                7,
                List.of(8, 16, 32),
                List.of(8, 16, 16, 32, 32),
                32,
                1,
                4,
                10f,
                false);
        Path file = dir.resolve(name + ".mpdet");
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = new MpDet(cfg, seed);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, height, width));
            ModelFile.save(net, file);
        }
        return file;
    }
}
