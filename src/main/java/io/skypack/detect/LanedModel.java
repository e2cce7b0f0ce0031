package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * One {@link ImageModel} made of a copy per {@link InferenceLanes lane}: a call's images are split into
 * contiguous parts, as even as they go, one per lane, and run side by side; the detections come back
 * in input order, as from one model. A call of one image runs on the caller's thread, on the first
 * copy (then every lane is idle), with the caller's own intra-op threads.
 *
 * <p>The copies and the lanes are borrowed, not owned. Not thread-safe, like the copies.
 */
public final class LanedModel implements ImageModel {
    private final InferenceLanes lanes;
    private final List<ImageModel> copies;

    /**
     * @param copies one model per lane, all with the same input size (copy {@code i} only ever runs on
     *     lane {@code i} or, alone, on the caller's thread)
     */
    public LanedModel(InferenceLanes lanes, List<? extends ImageModel> copies) {
        if (copies.size() != lanes.count()) {
            throw new IllegalArgumentException(copies.size() + " model copies for " + lanes.count() + " lanes");
        }
        for (ImageModel m : copies) {
            if (m.inputWidth() != copies.get(0).inputWidth()
                    || m.inputHeight() != copies.get(0).inputHeight()) {
                throw new IllegalArgumentException("the copies' input sizes differ: " + m.inputWidth() + "x"
                        + m.inputHeight() + " and " + copies.get(0).inputWidth() + "x"
                        + copies.get(0).inputHeight());
            }
        }
        this.lanes = lanes;
        this.copies = List.copyOf(copies);
    }

    @Override
    public int inputWidth() {
        return copies.get(0).inputWidth();
    }

    @Override
    public int inputHeight() {
        return copies.get(0).inputHeight();
    }

    @Override
    public List<List<Detection>> detect(List<BufferedImage> images) {
        int parts = Math.min(copies.size(), images.size());
        if (parts <= 1) return copies.get(0).detect(images);
        List<Callable<List<List<Detection>>>> work = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            List<BufferedImage> part = images.subList(i * images.size() / parts, (i + 1) * images.size() / parts);
            ImageModel copy = copies.get(i);
            work.add(() -> copy.detect(part));
        }
        List<List<Detection>> out = new ArrayList<>(images.size());
        for (List<List<Detection>> r : lanes.runAll(work)) out.addAll(r);
        return out;
    }
}
