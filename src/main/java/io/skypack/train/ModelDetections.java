package io.skypack.train;

import io.skypack.detect.Detection;
import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.detect.FrameResult;
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

    /** Detections per image id, in image pixels, from any detector (UFP, the baselines), batch by batch. */
    public static Map<String, List<Detection>> run(Detector detector, List<LabeledImage> images, int batch)
            throws IOException, DetectionException {
        Map<String, List<Detection>> out = new LinkedHashMap<>();
        for (int i = 0; i < images.size(); i += batch) {
            List<FrameImage> frames = new ArrayList<>();
            for (int j = i; j < Math.min(images.size(), i + batch); j++) {
                frames.add(new FrameImage(j, read(images.get(j).image())));
            }
            for (FrameResult f : detector.detect(frames).frames()) {
                out.put(images.get(f.index()).id(), f.detections());
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
