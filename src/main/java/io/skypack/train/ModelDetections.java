package io.skypack.train;

import io.skypack.detect.Detection;
import io.skypack.model.MpDetRunner;
import io.skypack.train.data.LabeledImage;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Runs a model over a dataset's images, in batches, for the evaluator. */
public final class ModelDetections {
    private ModelDetections() {}

    /** Detections per image id, in image pixels. */
    public static Map<String, List<Detection>> run(MpDetRunner runner, List<LabeledImage> images, int batch)
            throws IOException {
        Map<String, List<Detection>> out = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i += batch) {
            List<LabeledImage> part = images.subList(i, Math.min(images.size(), i + batch));
            List<BufferedImage> pixels = new ArrayList<>();
            for (LabeledImage img : part) pixels.add(read(img.image()));
            List<List<Detection>> dets = runner.detect(pixels);
            for (int j = 0; j < part.size(); j++) {
                out.put(part.get(j).id(), dets.get(j));
            }
        }
        return out;
    }

    /** Decodes an image file; a file ImageIO cannot read is an {@link IOException} naming it. */
    public static BufferedImage read(Path file) throws IOException {
        BufferedImage b = ImageIO.read(file.toFile());
        if (b == null) throw new IOException(file + ": not a readable image");
        return b;
    }
}
