package io.skypack.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Tiny MP-Det networks for tests, and random-weight model files of them for tests that need a real network but no training. */
public final class RandomModels {
    private RandomModels() {}

    /**
     * The tiny network the tests train and run: two classes (car 4, bus 9) with two proxies each,
     * narrow layers, the given input size (multiples of 32).
     */
    public static MpDetConfig tiny(String name, int width, int height) {
        return new MpDetConfig(
                name,
                width,
                height,
                List.of(4, 9),
                List.of(2, 2),
                16,
                7,
                List.of(8, 16, 32),
                List.of(8, 16, 16, 32, 32),
                32,
                1,
                4,
                10f,
                false);
    }

    /** Writes {@code dir/name.mpdet}: the {@link #tiny} network with random weights. */
    public static Path write(Path dir, String name, int width, int height, long seed) throws IOException {
        MpDetConfig cfg = tiny(name, width, height);
        Path file = dir.resolve(name + ".mpdet");
        try (NDManager m = NDManager.newBaseManager()) {
            MpDet net = new MpDet(cfg, seed);
            net.initialize(m, DataType.FLOAT32, new Shape(1, 3, height, width));
            ModelFile.save(net, file);
        }
        return file;
    }
}
