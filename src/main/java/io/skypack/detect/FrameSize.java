package io.skypack.detect;

/** The size of a video frame in pixels. */
public record FrameSize(int width, int height) {
    public FrameSize {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive: " + width + "x" + height);
        }
    }
}
