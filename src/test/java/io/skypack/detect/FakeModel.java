package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * A hand-written {@link ImageModel}: a fixed input size, answers from a script by image number
 * (counted over all calls, from 0), and a record of every image and call it was given.
 */
final class FakeModel implements ImageModel {
    private final int width;
    private final int height;
    private final IntFunction<List<Detection>> answer;
    final List<BufferedImage> seen = new ArrayList<>();
    final List<Integer> callSizes = new ArrayList<>();

    FakeModel(int width, int height, IntFunction<List<Detection>> answer) {
        this.width = width;
        this.height = height;
        this.answer = answer;
    }

    /** Image i gets {@code answers.get(i)}, images beyond the list get nothing. */
    static FakeModel answering(int width, int height, List<List<Detection>> answers) {
        return new FakeModel(width, height, i -> i < answers.size() ? answers.get(i) : List.of());
    }

    @Override
    public int inputWidth() {
        return width;
    }

    @Override
    public int inputHeight() {
        return height;
    }

    @Override
    public List<List<Detection>> detect(List<BufferedImage> images) {
        callSizes.add(images.size());
        List<List<Detection>> out = new ArrayList<>();
        for (BufferedImage img : images) {
            out.add(answer.apply(seen.size()));
            seen.add(img);
        }
        return out;
    }
}
