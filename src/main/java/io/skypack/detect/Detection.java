package io.skypack.detect;

/**
 * One detected object.
 *
 * @param box in pixels of the image the detector was given
 * @param category class id (VisDrone ids for the default models)
 * @param score confidence in [0, 1]
 * @param mask instance mask over the whole image, or null when the detector gives none
 * @param proxy index of the winning proxy within its class (multi-proxy classifier), or -1
 */
public record Detection(Box box, int category, double score, MaskRle mask, int proxy) {
    public Detection {
        if (!(score >= 0 && score <= 1)) {
            throw new IllegalArgumentException("score outside [0, 1]: " + score);
        }
    }

    /** A detection without a proxy index (files, baselines, ground truth turned into detections). */
    public Detection(Box box, int category, double score, MaskRle mask) {
        this(box, category, score, mask, -1);
    }
}
