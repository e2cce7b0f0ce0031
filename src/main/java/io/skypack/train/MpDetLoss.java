package io.skypack.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.skypack.model.Distributions;
import io.skypack.model.MpDet;
import io.skypack.model.MpDetConfig;
import io.skypack.model.Priors;
import io.skypack.model.Scalars;
import io.skypack.train.loss.DistributionFocalLoss;
import io.skypack.train.loss.GiouLoss;
import io.skypack.train.loss.LossWeights;
import io.skypack.train.loss.MaskLoss;
import io.skypack.train.loss.OtProxyLoss;
import io.skypack.train.loss.QualityFocalLoss;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The MP-Det training objective for one batch (DESIGN.md section 4): ATSS assignment, then
 *
 * <ul>
 *   <li>QFL over all non-ignored locations, target = IoU of the decoded box with its ground truth at
 *       the assigned class, normalised by the number of positives;
 *   <li>GIoU and DFL on positives, weighted by the detached best class score (GFL) and normalised by
 *       the sum of those weights (DFL also by 4 sides);
 *   <li>the mask loss on positives whose object has a mask, normalised by their count;
 *   <li>from {@code otFromEpoch} on, the OT proxy loss per class over positive locations, cost (1 -
 *       cos)/2 between their embeddings and the class's proxies, uniform mass on both sides, averaged
 *       over the classes present.
 * </ul>
 *
 * Every normalisation is guarded against zero positives, so a batch with no objects still trains
 * the background (QFL) and yields finite numbers.
 */
public final class MpDetLoss {
    /** Positives entering the mask loss per batch, at most (sampled), to bound the cost. */
    static final int MAX_MASK_POSITIVES = 256;

    /** The scalar to differentiate and its parts as plain numbers for the progress line. */
    public record Parts(NDArray total, float qfl, float dfl, float giou, float mask, float ot, int positives) {}

    private final MpDetConfig config;
    private final Priors priors;
    private final AtssAssigner assigner = new AtssAssigner();
    private final LossWeights weights;
    private final int otFromEpoch;

    public MpDetLoss(MpDetConfig config, LossWeights weights, int otFromEpoch) {
        this.config = config;
        this.priors = Priors.of(config.inputWidth(), config.inputHeight());
        this.weights = weights;
        this.otFromEpoch = otFromEpoch;
    }

    public Parts compute(NDList out, List<TrainSample> batch, int epoch, NDManager manager) {
        int b = batch.size();
        int n = priors.count(), c = config.numClasses(), bins = config.regMax() + 1;
        NDArray logits = out.get(MpDet.Outputs.LOGITS).reshape(b * n, c);
        NDArray reg = out.get(MpDet.Outputs.REGRESSION).reshape(b * n, 4, bins);
        float[] centers = priors.centers();
        int[] strideOf = priors.strideOf();

        // Assignment (plain Java) -> positive rows, their targets and the valid (non-ignored) rows.
        boolean[] valid = new boolean[b * n];
        List<Integer> posRows = new ArrayList<>();
        List<Integer> posLabel = new ArrayList<>();
        List<float[]> posTarget = new ArrayList<>();
        List<float[]> posMask = new ArrayList<>();
        List<Integer> posImage = new ArrayList<>();
        for (int i = 0; i < b; i++) {
            TrainSample s = batch.get(i);
            int[] labels = new int[s.objects()];
            for (int g = 0; g < labels.length; g++) labels[g] = Math.max(0, s.labels()[g]);
            AtssAssigner.Assignment a = assigner.assign(priors, s.boxes(), labels, s.ignore());
            for (int p = 0; p < n; p++) {
                int gt = a.gtIndex()[p];
                valid[i * n + p] = gt != AtssAssigner.IGNORE;
                if (gt >= 0) {
                    posRows.add(i * n + p);
                    posLabel.add(s.labels()[gt]);
                    posTarget.add(new float[] {
                        s.boxes()[4 * gt], s.boxes()[4 * gt + 1], s.boxes()[4 * gt + 2], s.boxes()[4 * gt + 3]
                    });
                    posMask.add(s.masks()[gt]);
                    posImage.add(i);
                }
            }
        }
        int pos = posRows.size();
        float[] qflTarget = new float[b * n * c];
        NDArray zero = manager.zeros(new Shape());
        NDArray giouLoss = zero, dflLoss = zero, maskLoss = zero, otLoss = zero;
        if (pos > 0) {
            long[] rows = posRows.stream().mapToLong(Integer::longValue).toArray();
            NDArray rowIdx = manager.create(rows);
            NDArray posReg = gatherRows(reg.reshape(b * n, 4 * bins), rowIdx).reshape(pos, 4, bins);
            float[] ctr = new float[2 * pos],
                    str = new float[pos],
                    tgt = new float[4 * pos],
                    sideTarget = new float[4 * pos];
            for (int j = 0; j < pos; j++) {
                int p = posRows.get(j) % n;
                float s = strideOf[p], cx = centers[2 * p], cy = centers[2 * p + 1];
                float[] t = posTarget.get(j);
                ctr[2 * j] = cx;
                ctr[2 * j + 1] = cy;
                str[j] = s;
                System.arraycopy(t, 0, tgt, 4 * j, 4);
                // GFL regresses distances from the location to each side, in strides.
                sideTarget[4 * j] = (cx - t[0]) / s;
                sideTarget[4 * j + 1] = (cy - t[1]) / s;
                sideTarget[4 * j + 2] = (t[2] - cx) / s;
                sideTarget[4 * j + 3] = (t[3] - cy) / s;
            }
            NDArray strideNd = manager.create(str).reshape(pos, 1);
            NDArray dist = Distributions.integral(posReg).mul(strideNd); // (P, 4) pixels
            NDArray cxy = manager.create(ctr).reshape(pos, 2);
            NDArray predBox = NDArrays.concat(new NDList(cxy.sub(dist.get(":, 0:2")), cxy.add(dist.get(":, 2:4"))), 1);
            NDArray targetBox = manager.create(tgt).reshape(pos, 4);
            float[] iou = GiouLoss.iou(predBox.stopGradient(), targetBox).toFloatArray();
            for (int j = 0; j < pos; j++) {
                qflTarget[posRows.get(j) * c + posLabel.get(j)] = Math.max(0f, iou[j]);
            }
            NDArray posLogits = gatherRows(logits, rowIdx);
            NDArray w = posLogits.stopGradient().getNDArrayInternal().sigmoid().max(new int[] {1}); // (P)
            NDArray wSum = w.sum().maximum(1e-6f);
            giouLoss = GiouLoss.loss(predBox, targetBox).mul(w).sum().div(wSum);
            NDArray sides =
                    manager.create(sideTarget).clip(0f, (float) config.regMax() - DistributionFocalLoss.CLAMP_MARGIN);
            dflLoss = DistributionFocalLoss.loss(posReg.reshape(4L * pos, bins), sides)
                    .mul(w.repeat(0, 4).reshape(4L * pos))
                    .sum()
                    .div(wSum.mul(4f));
            if (weights.mask() > 0) { // a coarse model whose masks are never used trains without them
                maskLoss = maskLoss(out, posRows, posImage, posMask, posTarget, n, manager);
            }
            if (epoch >= otFromEpoch && weights.ot() > 0) {
                otLoss = otLoss(out, posRows, posLabel, b, n, manager);
            }
        }
        NDArray validIdx = manager.create(validRows(valid));
        NDArray qfl = Scalars.div(
                QualityFocalLoss.loss(
                        gatherRows(logits, validIdx),
                        gatherRows(manager.create(qflTarget).reshape(b * n, c), validIdx),
                        QualityFocalLoss.DEFAULT_BETA),
                Math.max(1, pos));
        // Scalars, not qfl.mul(w): DJL's multiply by a number loses its constant to the GC before backward.
        NDArray total = Scalars.mul(qfl, weights.qfl())
                .add(Scalars.mul(dflLoss, weights.dfl()))
                .add(Scalars.mul(giouLoss, weights.giou()))
                .add(Scalars.mul(maskLoss, weights.mask()))
                .add(Scalars.mul(otLoss, weights.ot()));
        return new Parts(
                total,
                qfl.getFloat(),
                dflLoss.getFloat(),
                giouLoss.getFloat(),
                maskLoss.getFloat(),
                otLoss.getFloat(),
                pos);
    }

    private NDArray maskLoss(
            NDList out,
            List<Integer> posRows,
            List<Integer> posImage,
            List<float[]> posMask,
            List<float[]> posTarget,
            int n,
            NDManager manager) {
        int mh = config.inputHeight() / 4, mw = config.inputWidth() / 4, k = config.prototypes();
        List<Integer> usable = new ArrayList<>();
        for (int j = 0; j < posRows.size(); j++) {
            if (posMask.get(j) != null) usable.add(j);
        }
        if (usable.isEmpty()) return manager.zeros(new Shape());
        if (usable.size() > MAX_MASK_POSITIVES) {
            // Deterministic thinning: every m-th positive, so the choice does not depend on a clock.
            List<Integer> thin = new ArrayList<>();
            double step = (double) usable.size() / MAX_MASK_POSITIVES;
            for (int t = 0; t < MAX_MASK_POSITIVES; t++) thin.add(usable.get((int) (t * step)));
            usable = thin;
        }
        // Grouped by image, so each image's positives take one (m_i, k) x (k, HW) product with that image's
        // prototypes; gathering a copy of the prototype maps per positive cost more than the rest of the step.
        usable.sort(Comparator.comparingInt(posImage::get));
        int m = usable.size();
        NDArray coef = out.get(MpDet.Outputs.COEFFICIENTS).reshape(-1, k);
        NDArray protos = out.get(MpDet.Outputs.PROTOTYPES).reshape(-1, k, (long) mh * mw); // (B, k, HW)
        float[] targets = new float[m * mh * mw];
        float[] boxes = new float[4 * m];
        NDList perImage = new NDList();
        for (int t = 0; t < m; ) {
            int image = posImage.get(usable.get(t));
            int end = t;
            while (end < m && posImage.get(usable.get(end)) == image) end++;
            long[] rows = new long[end - t];
            for (int u = t; u < end; u++) {
                int j = usable.get(u);
                rows[u - t] = posRows.get(j);
                System.arraycopy(posMask.get(j), 0, targets, u * mh * mw, mh * mw);
                float[] box = posTarget.get(j);
                for (int q = 0; q < 4; q++) boxes[4 * u + q] = box[q] / 4f;
            }
            perImage.add(gatherRows(coef, manager.create(rows)).matMul(protos.get(image)));
            t = end;
        }
        NDArray maskLogits =
                (perImage.size() == 1 ? perImage.singletonOrThrow() : NDArrays.concat(perImage, 0)).reshape(m, mh, mw);
        return Scalars.div(
                MaskLoss.loss(
                        maskLogits,
                        manager.create(targets).reshape(m, mh, mw),
                        manager.create(boxes).reshape(m, 4)),
                m);
    }

    private NDArray otLoss(NDList out, List<Integer> posRows, List<Integer> posLabel, int b, int n, NDManager manager) {
        int totalK = config.totalProxies();
        NDArray sims = out.get(MpDet.Outputs.PROXY_SIMILARITIES).reshape((long) b * n, totalK);
        NDArray sum = manager.zeros(new Shape());
        int classes = 0;
        for (int c = 0; c < config.numClasses(); c++) {
            List<Long> rows = new ArrayList<>();
            for (int j = 0; j < posRows.size(); j++) {
                if (posLabel.get(j) == c) rows.add((long) posRows.get(j));
            }
            int k = config.proxies().get(c);
            if (rows.isEmpty() || k < 2) continue; // one proxy: the plan is trivial, nothing to spread
            int off = config.proxyOffset(c);
            NDArray s = gatherRows(
                            sims,
                            manager.create(
                                    rows.stream().mapToLong(Long::longValue).toArray()))
                    .get(new NDIndex(":, {}:{}", off, off + k));
            NDArray prior = manager.full(new Shape(k), 1f / k);
            sum = sum.add(OtProxyLoss.fromCosines(s, prior, OtProxyLoss.DEFAULT_EPSILON));
            classes++;
        }
        return classes == 0 ? sum : Scalars.div(sum, classes);
    }

    private static long[] validRows(boolean[] valid) {
        int count = 0;
        for (boolean v : valid) if (v) count++;
        long[] rows = new long[count];
        int j = 0;
        for (int i = 0; i < valid.length; i++) if (valid[i]) rows[j++] = i;
        return rows;
    }

    /** Rows of a 2-D array by index, differentiable (torch.gather along axis 0). */
    static NDArray gatherRows(NDArray x, NDArray rows) {
        long cols = x.getShape().get(1);
        NDArray idx = rows.toType(DataType.INT64, false).reshape(-1, 1).repeat(1, cols);
        return x.gather(idx, 0);
    }
}
