package io.skypack.model;

import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One file per trained model ({@code .mpdet}): a header line, the {@link MpDetConfig} as JSON, then
 * the network's parameters in DJL's block format. Self-describing, so a model loads from a path or
 * from the jar with no other file.
 */
public final class ModelFile {
    private static final String MAGIC = "SKYPACK-MPDET 1";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ModelFile() {}

    public static void save(MpDet net, Path file) throws IOException {
        save(net, net.config(), file);
    }

    /**
     * Saves the network's parameters under {@code header}, which may differ from the network's own
     * config only in the input size (the network is fully convolutional).
     */
    public static void save(MpDet net, MpDetConfig header, Path file) throws IOException {
        if (!header.equals(net.config().withInput(header.inputWidth(), header.inputHeight()))) {
            throw new IllegalArgumentException("a model file's header may change only the input size: " + header
                    + " does not describe " + net.config());
        }
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(tmp)))) {
            out.write((MAGIC + "\n").getBytes(StandardCharsets.US_ASCII));
            byte[] cfg = JSON.writeValueAsBytes(header);
            out.writeInt(cfg.length);
            out.write(cfg);
            net.saveParameters(out);
        }
        // Atomic replace: a crash mid-write never leaves a half model under the real name.
        Files.move(
                tmp,
                file,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static MpDet load(Path file, NDManager manager) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return load(in, file.toString(), manager);
        }
    }

    /** Reads a model; {@code source} names it in error messages. */
    public static MpDet load(InputStream raw, String source, NDManager manager) throws IOException {
        DataInputStream in = new DataInputStream(new BufferedInputStream(raw));
        byte[] magic = new byte[MAGIC.length() + 1];
        in.readFully(magic);
        if (!new String(magic, StandardCharsets.US_ASCII).equals(MAGIC + "\n")) {
            throw new IOException(source + ": not a SkyPack model file (expected header '" + MAGIC + "')");
        }
        int len = in.readInt();
        if (len <= 0 || len > 1 << 20) {
            throw new IOException(source + ": corrupt model header (config length " + len + ")");
        }
        byte[] cfg = new byte[len];
        in.readFully(cfg);
        MpDetConfig config = JSON.readValue(cfg, MpDetConfig.class);
        MpDet net = new MpDet(config, 0);
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 3, config.inputHeight(), config.inputWidth()));
        try {
            net.loadParameters(manager, in);
        } catch (MalformedModelException e) {
            throw new IOException(
                    source + ": parameters do not match the model described in its header: " + e.getMessage(), e);
        }
        return net;
    }
}
