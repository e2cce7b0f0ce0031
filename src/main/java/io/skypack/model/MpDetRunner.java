package io.skypack.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import io.skypack.detect.Detection;
import io.skypack.detect.ImageModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Batched inference with one MP-Det model: images of any size are letterboxed to the model's input,
 * run as one batch, decoded, and returned in each image's own pixels. Every batch runs in its own
 * {@link NDManager} scope, so native memory is released batch by batch. Not thread-safe: one runner
 * per worker thread (DJL's one-predictor-per-thread rule).
 */
public final class MpDetRunner implements ImageModel, AutoCloseable {
    /** Default models bundled in the jar, by name. */
    public static final String COARSE = "skypack-coarse-v1";

    public static final String FINE = "skypack-fine-v2";

    private final NDManager manager;
    private final MpDet net;
    private final MpDetConfig config;
    private final MpDetDecoder.Params params;
    private final MpDetDecoder decoder;
    private final ParameterStore store;
    /** The batch's input pixels, which PyTorch reads in place (see {@link ReusedDirectBuffer}). */
    private final ReusedDirectBuffer input = new ReusedDirectBuffer();

    private MpDetRunner(NDManager manager, MpDet net, MpDetConfig config, MpDetDecoder.Params params) {
        this.manager = manager;
        this.net = net;
        this.config = config;
        this.params = params;
        this.decoder = new MpDetDecoder(config, params);
        this.store = new ParameterStore(manager, false);
    }

    /**
     * The same weights run at another input size (positive multiples of 32; the network is fully
     * convolutional). The returned runner takes over this one's native memory: close it, not this one.
     */
    public MpDetRunner atInput(int width, int height) {
        return new MpDetRunner(manager, net, config.withInput(width, height), params);
    }

    /** A model file, on DJL's default device (the first GPU DJL sees, else the CPU). */
    public static MpDetRunner open(Path modelFile, MpDetDecoder.Params params) throws IOException {
        return open(modelFile, params, null);
    }

    /**
     * A model file, its weights and every batch it runs on {@code device} ({@code null}: DJL's
     * default device).
     */
    public static MpDetRunner open(Path modelFile, MpDetDecoder.Params params, Device device) throws IOException {
        try (InputStream in = Files.newInputStream(modelFile)) {
            return load(in, modelFile.toString(), params, device);
        }
    }

    /** A model bundled in the jar ({@link #COARSE} or {@link #FINE}), on DJL's default device. */
    public static MpDetRunner openBundled(String name, MpDetDecoder.Params params) throws IOException {
        return openBundled(name, params, null);
    }

    /** A model bundled in the jar, on {@code device} ({@code null}: DJL's default device). */
    public static MpDetRunner openBundled(String name, MpDetDecoder.Params params, Device device) throws IOException {
        String res = "/io/skypack/model/" + name + ".mpdet";
        try (InputStream in = MpDetRunner.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IOException("no bundled model " + name + " (" + res + "); train it with `skypack train`");
            }
            return load(in, res, params, device);
        }
    }

    /** Loads into a manager of its own on {@code device}, released again if the file is refused. */
    private static MpDetRunner load(InputStream in, String source, MpDetDecoder.Params params, Device device)
            throws IOException {
        NativeAllocator.tune();
        NDManager m = NDManager.newBaseManager(device);
        try {
            MpDet net = ModelFile.load(in, source, m);
            return new MpDetRunner(m, net, net.config(), params);
        } catch (IOException | RuntimeException e) {
            m.close();
            throw e;
        }
    }

    public MpDetConfig config() {
        return config;
    }

    /** The device holding the weights, where every batch runs. */
    public Device device() {
        return manager.getDevice();
    }

    @Override
    public int inputWidth() {
        return config.inputWidth();
    }

    @Override
    public int inputHeight() {
        return config.inputHeight();
    }

    /**
     * Native arrays this runner holds between batches: the weights, and anything a batch wrongly left
     * behind. Constant from batch to batch; a rise is a leak ({@code bench model}'s soak prints it).
     */
    public int heldArrays() {
        return manager.getManagedArrays().size();
    }

    /** Detections per image, in that image's pixels. */
    @Override
    public List<List<Detection>> detect(List<BufferedImage> images) {
        MpDetConfig c = config;
        List<InputWindow> windows = new ArrayList<>();
        int plane = c.inputWidth() * c.inputHeight();
        ByteBuffer pixelBytes = input.take((long) images.size() * 3 * plane * Float.BYTES);
        FloatBuffer pixels = pixelBytes.asFloatBuffer();
        for (int i = 0; i < images.size(); i++) {
            BufferedImage img = images.get(i);
            InputWindow w = InputWindow.letterbox(img.getWidth(), img.getHeight(), c.inputWidth(), c.inputHeight());
            windows.add(w);
            InputImages.toChw(
                    InputImages.render(img, w, c.inputWidth(), c.inputHeight()), false, 1f, pixels, i * 3 * plane);
        }
        try (NDManager scope = manager.newSubManager()) {
            // x reads pixelBytes in place; the scope closes it before the next call refills them
            NDArray x = scope.create(
                    pixelBytes, new Shape(images.size(), 3, c.inputHeight(), c.inputWidth()), DataType.FLOAT32);
            NDList out = net.forward(store, new NDList(x), false);
            return decoder.decode(out, windows);
        }
    }

    /** Bytes of the reused input buffer: the largest batch this runner has run, never more. */
    long inputBufferBytes() {
        return input.capacity();
    }

    @Override
    public void close() {
        manager.close();
    }
}
