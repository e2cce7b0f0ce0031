package io.skypack.train.data;

import java.nio.file.Path;
import java.util.List;

/**
 * An image with its ground truth.
 *
 * @param id stable image id: {@code <sequence>/<frame, 7 digits>} for VisDrone-VID (e.g. {@code
 *     uav0000013_00000_v/0000001}), the file name without extension for VisDrone-DET; detections
 *     files refer to images by this id
 * @param image path of the image file
 * @param width image width in pixels
 * @param height image height in pixels
 * @param annotations every annotation line, ignored regions (category 0) and "others" included
 */
public record LabeledImage(String id, Path image, int width, int height, List<Annotation> annotations) {
    public LabeledImage {
        annotations = List.copyOf(annotations);
    }
}
