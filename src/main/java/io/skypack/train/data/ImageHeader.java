package io.skypack.train.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Image size read from the file header only; the pixels are never decoded. */
record ImageHeader(int width, int height) {

    static ImageHeader read(Path image) throws IOException {
        try (ImageInputStream in = ImageIO.createImageInputStream(image.toFile())) {
            if (in == null) {
                throw new DatasetFormatException(image, "cannot open image");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new DatasetFormatException(image, "not an image ImageIO can read");
            }
            ImageReader reader = readers.next();
            try {
                // seekForwardOnly + ignoreMetadata: the reader stops after the header.
                reader.setInput(in, true, true);
                return new ImageHeader(reader.getWidth(0), reader.getHeight(0));
            } catch (IOException | RuntimeException e) {
                DatasetFormatException bad = new DatasetFormatException(image, "unreadable image header: " + e);
                bad.initCause(e);
                throw bad;
            } finally {
                reader.dispose();
            }
        }
    }
}
