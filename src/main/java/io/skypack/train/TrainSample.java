package io.skypack.train;

/**
 * One network input and its targets, all in input pixels.
 *
 * @param imageId the source image
 * @param chw RGB in [0, 1], channel-major (3 x height x width)
 * @param width input width
 * @param height input height
 * @param boxes 4 per object: x1, y1, x2, y2
 * @param labels class index per object (model order), or -1 for ignored objects
 * @param ignore per object: matches with it are neither positive nor negative
 * @param masks per object, (height / 4) x (width / 4) row-major in {0, 1}; null for ignored ones
 */
public record TrainSample(
        String imageId,
        float[] chw,
        int width,
        int height,
        float[] boxes,
        int[] labels,
        boolean[] ignore,
        float[][] masks) {

    public int objects() {
        return labels.length;
    }
}
