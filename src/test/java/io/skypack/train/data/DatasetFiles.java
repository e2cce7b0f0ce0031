package io.skypack.train.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;

/** Writes tiny VisDrone-layout datasets for tests. */
final class DatasetFiles {
    private DatasetFiles() {}

    /** A black JPEG of the given size, creating parent folders. */
    static Path jpeg(Path file, int width, int height) {
        try {
            Files.createDirectories(file.getParent());
            BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            if (!ImageIO.write(img, "jpg", file.toFile())) {
                throw new IllegalStateException("no JPEG writer");
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes {@code content} byte for byte (UTF-8), creating parent folders. */
    static Path text(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            return Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Frame {@code frame} of sequence {@code seq} in a VID root. */
    static Path frame(Path root, String seq, int frame, int width, int height) {
        return jpeg(root.resolve("sequences").resolve(seq).resolve(String.format("%07d.jpg", frame)), width, height);
    }
}
