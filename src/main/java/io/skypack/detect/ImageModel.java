package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A detection network with a fixed input size, as the detectors of this package use it: every image,
 * of any size, is letterboxed to the input, the images run as one batch, and the detections come
 * back in each image's own pixels (masks, where present, over the whole image). {@code
 * io.skypack.model.MpDetRunner} is the real one; this interface keeps {@code detect} free of DJL and
 * lets tests hand in small fakes.
 *
 * <p>Implementations own their native memory and need not be thread-safe: one per worker thread.
 */
public interface ImageModel {
    /** Network input width in pixels. */
    int inputWidth();

    /** Network input height in pixels. */
    int inputHeight();

    /** Detections per image, in input order, each in that image's pixels. */
    List<List<Detection>> detect(List<BufferedImage> images);
}
