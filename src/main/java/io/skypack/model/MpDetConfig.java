package io.skypack.model;

import java.util.List;

/**
 * The shape of an MP-Det network and how it reads its input.
 *
 * @param name model id reported with every detection (e.g. {@code skypack-coarse-v1})
 * @param inputWidth network input width in pixels, a multiple of 32
 * @param inputHeight network input height in pixels, a multiple of 32
 * @param classIds dataset category id of each class index (VisDrone ids for the default models)
 * @param proxies K_c, proxies per class, same order as {@code classIds}
 * @param embedDim dimension of the per-location embedding the proxies live in
 * @param regMax box sides are distributions over regMax + 1 bins of one stride each (GFL)
 * @param strides FPN strides, finest first
 * @param backboneWidths channels of the stem and the four backbone stages
 * @param fpnChannels channels of the FPN and the head towers
 * @param towerConvs convolutions in each head tower
 * @param prototypes k, mask prototypes (YOLACT)
 * @param gamma the classifier's scale: logit = gamma x soft-max-weighted proxy similarity
 * @param adl attention-based dropout in the backbone during training
 */
public record MpDetConfig(
        String name,
        int inputWidth,
        int inputHeight,
        List<Integer> classIds,
        List<Integer> proxies,
        int embedDim,
        int regMax,
        List<Integer> strides,
        List<Integer> backboneWidths,
        int fpnChannels,
        int towerConvs,
        int prototypes,
        float gamma,
        boolean adl) {

    public MpDetConfig {
        classIds = List.copyOf(classIds);
        proxies = List.copyOf(proxies);
        strides = List.copyOf(strides);
        backboneWidths = List.copyOf(backboneWidths);
        if (inputWidth % 32 != 0 || inputHeight % 32 != 0 || inputWidth <= 0 || inputHeight <= 0) {
            throw new IllegalArgumentException(
                    "input size " + inputWidth + "x" + inputHeight + " must be positive multiples of 32");
        }
        if (classIds.isEmpty() || classIds.size() != proxies.size()) {
            throw new IllegalArgumentException(classIds.size() + " classes but " + proxies.size() + " proxy counts");
        }
        if (proxies.stream().anyMatch(k -> k < 1)) {
            throw new IllegalArgumentException("every class needs at least one proxy: " + proxies);
        }
        if (!strides.equals(List.of(8, 16, 32))) {
            throw new IllegalArgumentException("strides must be [8, 16, 32] (the backbone's C3..C5), got " + strides);
        }
        if (backboneWidths.size() != 5) {
            throw new IllegalArgumentException(
                    "backboneWidths needs 5 entries (stem + 4 stages), got " + backboneWidths);
        }
        if (fpnChannels % 8 != 0) {
            throw new IllegalArgumentException("fpnChannels must be a multiple of 8 (group norm), got " + fpnChannels);
        }
    }

    /** The default small CPU model for the seven synthetic classes with {@code k} proxies each. */
    public static MpDetConfig small(String name, int width, int height, int k, boolean adl) {
        return new MpDetConfig(
                name,
                width,
                height,
                List.of(1, 3, 4, 5, 6, 9, 10),
                List.of(k, k, k, k, k, k, k),
                32,
                7,
                List.of(8, 16, 32),
                List.of(16, 32, 64, 96, 128),
                64,
                2,
                8,
                10f,
                adl);
    }

    /** The same network at another input size (multiples of 32). */
    public MpDetConfig withInput(int width, int height) {
        return new MpDetConfig(
                name,
                width,
                height,
                classIds,
                proxies,
                embedDim,
                regMax,
                strides,
                backboneWidths,
                fpnChannels,
                towerConvs,
                prototypes,
                gamma,
                adl);
    }

    public int numClasses() {
        return classIds.size();
    }

    public int totalProxies() {
        return proxies.stream().mapToInt(Integer::intValue).sum();
    }

    /** Index of the first proxy of class index {@code c} in the proxy matrix. */
    public int proxyOffset(int c) {
        int off = 0;
        for (int i = 0; i < c; i++) off += proxies.get(i);
        return off;
    }

    /** Class index of a dataset category id, or -1 when the model does not know it. */
    public int classIndex(int categoryId) {
        return classIds.indexOf(categoryId);
    }
}
