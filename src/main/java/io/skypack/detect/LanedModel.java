package io.skypack.detect;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One {@link ImageModel} made of a copy per {@link InferenceLanes lane}. A call's images are cut into
 * chunks of {@code min(maxPerCall, ceil(n / lanes))} in input order; the lanes take the next chunk as
 * they come free, each through its own copy, so a lane slowed by another tenant of its core takes fewer
 * chunks instead of holding up the call. The detections come back in input order, as from one model.
 * A call of one image runs on the caller's thread, on the first copy (every lane is idle then), with
 * the caller's own intra-op threads.
 *
 * <p>Give it a pass's images whole (a detector's {@code maxBatch} no smaller than the pass): it does the
 * chunking, and one call per pass has the fewest points where a lane waits for the others.
 *
 * <p>The copies and the lanes are borrowed, not owned. Not thread-safe, like the copies.
 */
public final class LanedModel implements ImageModel {
    private final InferenceLanes lanes;
    private final List<ImageModel> copies;
    private final int maxPerCall;

    /**
     * @param copies one model per lane, all with the same input size (copy {@code i} only ever runs on
     *     lane {@code i} or, alone, on the caller's thread)
     * @param maxPerCall most images in one network call of a copy, {@code >= 1}
     */
    public LanedModel(InferenceLanes lanes, List<? extends ImageModel> copies, int maxPerCall) {
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
        Inference.checkMaxBatch(maxPerCall);
        this.lanes = lanes;
        this.copies = List.copyOf(copies);
        this.maxPerCall = maxPerCall;
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
        int n = images.size();
        if (n <= 1) return copies.get(0).detect(images);
        int size = Math.min(maxPerCall, (n + copies.size() - 1) / copies.size());
        int chunks = (n + size - 1) / size;
        AtomicReferenceArray<List<List<Detection>>> results = new AtomicReferenceArray<>(chunks);
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean failed = new AtomicBoolean();
        List<Callable<Void>> work = new ArrayList<>();
        for (int i = 0; i < Math.min(copies.size(), chunks); i++) {
            ImageModel copy = copies.get(i);
            work.add(() -> {
                for (int c = next.getAndIncrement(); c < chunks && !failed.get(); c = next.getAndIncrement()) {
                    List<BufferedImage> chunk = images.subList(c * size, Math.min(n, (c + 1) * size));
                    try {
                        List<List<Detection>> dets = copy.detect(chunk);
                        if (dets.size() != chunk.size()) {
                            throw new IllegalStateException(
                                    "a model copy gave " + dets.size() + " results for " + chunk.size() + " images");
                        }
                        results.set(c, dets);
                    } catch (RuntimeException | Error e) {
                        failed.set(true); // the other lanes stop taking chunks
                        throw e;
                    }
                }
                return null;
            });
        }
        lanes.runAll(work);
        List<List<Detection>> out = new ArrayList<>(n);
        for (int c = 0; c < chunks; c++) out.addAll(results.get(c));
        return out;
    }
}
