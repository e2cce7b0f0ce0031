package io.skypack.detect;

import java.awt.image.BufferedImage;

/**
 * One frame handed to a {@link Detector}.
 *
 * @param index identifies the frame within its batch (a flight's frame number, or a position); the
 *     result for it carries the same index
 * @param image the pixels; not modified
 */
public record FrameImage(int index, BufferedImage image) {
    public FrameImage {
        if (image == null) {
            throw new IllegalArgumentException("frame " + index + " has no image");
        }
    }

    public FrameSize size() {
        return new FrameSize(image.getWidth(), image.getHeight());
    }
}
