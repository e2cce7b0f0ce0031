package io.skypack.train.synth;

import io.skypack.train.data.Annotation;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One generated frame with its exact ground truth.
 *
 * @param frameIndex 1-based, as in VisDrone-VID file names
 * @param image the rendered RGB frame (before JPEG compression)
 * @param annotations VisDrone-VID ground truth: objects with full-frame instance masks of their
 *     visible pixels, and ignored regions (category 0, no mask) for objects too occluded, too
 *     truncated or too small to label
 * @param telemetry where the camera was
 */
public record SyntheticFrame(int frameIndex, BufferedImage image, List<Annotation> annotations, Telemetry telemetry) {

    /**
     * Camera state at capture time.
     *
     * @param timeMillis milliseconds since the start of the flight
     * @param altitude metres above ground
     * @param gsd ground sampling distance, metres per pixel
     * @param latitude degrees (synthetic, near the flight's origin)
     * @param longitude degrees
     * @param heading camera yaw in degrees clockwise from north, [0, 360)
     */
    public record Telemetry(
            long timeMillis, double altitude, double gsd, double latitude, double longitude, double heading) {}
}
