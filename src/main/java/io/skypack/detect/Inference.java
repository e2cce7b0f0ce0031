package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What every detector of this package does around its models: batch checks and chunked model calls. */
final class Inference {
    private Inference() {}

    /** Refuses a batch whose frame indices repeat: results, regions and chips are keyed by them. */
    static void checkFrames(List<FrameImage> frames) {
        Set<Integer> seen = new HashSet<>();
        for (FrameImage f : frames) {
            if (!seen.add(f.index())) {
                throw new IllegalArgumentException("frame index " + f.index() + " appears twice in one batch");
            }
        }
    }

    /**
     * Runs {@code images} through {@code model} in calls of at most {@code maxBatch} images; one list
     * of detections per image, in order. No call is made for no images. A model failure fails the
     * whole batch as one {@link DetectionException}.
     *
     * @param role names the model in the error ("coarse", "fine")
     */
    static List<List<Detection>> run(ImageModel model, String role, List<BufferedImage> images, int maxBatch)
            throws DetectionException {
        List<List<Detection>> out = new ArrayList<>(images.size());
        for (int i = 0, end; i < images.size(); i = end) {
            end = (int) Math.min(images.size(), (long) i + maxBatch); // maxBatch may be Integer.MAX_VALUE
            List<BufferedImage> part = images.subList(i, end);
            List<List<Detection>> dets;
            try {
                dets = model.detect(part);
            } catch (RuntimeException e) {
                throw new DetectionException(
                        role + " model failed on a batch of " + part.size() + " images: " + e.getMessage(), e);
            }
            if (dets.size() != part.size()) {
                throw new DetectionException(
                        role + " model gave " + dets.size() + " results for " + part.size() + " images", null);
            }
            out.addAll(dets);
        }
        return out;
    }

    /** The frames' images, in order. */
    static List<BufferedImage> images(List<FrameImage> frames) {
        return frames.stream().map(FrameImage::image).toList();
    }

    static void checkMaxBatch(int maxBatch) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1: " + maxBatch);
        }
    }
}
