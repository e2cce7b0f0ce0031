package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import io.skypack.detect.MaskRle;
import io.skypack.detect.Nms;
import java.nio.ByteBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Turns MP-Det outputs into detections in source-image pixels: score threshold, pre-NMS top-k,
 * integral box decoding times stride, class-wise NMS, top-k, then masks assembled as
 * sigmoid(prototypes x coefficients), cropped to the box and thresholded, and the winning proxy per
 * detection. Not thread-safe (it reuses a buffer): one per model runner.
 */
public final class MpDetDecoder {

    /**
     * @param scoreThreshold minimum class score kept before NMS
     * @param preNmsTopK candidates per image entering NMS
     * @param nmsIou IoU above which a lower-scored box of the same class is suppressed
     * @param maxDetections detections kept per image after NMS
     * @param maskThreshold mask probability threshold
     * @param masks whether to assemble masks at all
     */
    public record Params(
            double scoreThreshold,
            int preNmsTopK,
            double nmsIou,
            int maxDetections,
            double maskThreshold,
            boolean masks) {
        public static final Params DEFAULTS = new Params(0.05, 1000, 0.6, 500, 0.5, true);
    }

    private final MpDetConfig config;
    private final Priors priors;
    private final Params params;
    /** The mask branch's gather index, which PyTorch reads in place (see {@link ReusedDirectBuffer}). */
    private final ReusedDirectBuffer gatherIndex = new ReusedDirectBuffer();

    public MpDetDecoder(MpDetConfig config, Params params) {
        this.config = config;
        this.priors = Priors.of(config.inputWidth(), config.inputHeight());
        this.params = params;
    }

    /** One list of detections per batch item, mapped through that item's window. */
    public List<List<Detection>> decode(NDList outputs, List<InputWindow> windows) {
        NDArray scores = outputs.get(MpDet.Outputs.LOGITS).getNDArrayInternal().sigmoid();
        Shape s = scores.getShape();
        int batch = (int) s.get(0), n = (int) s.get(1), c = (int) s.get(2);
        int bins = config.regMax() + 1;
        NDArray dist =
                Distributions.integral(outputs.get(MpDet.Outputs.REGRESSION).reshape(batch, n, 4, bins));
        float[] allScores = scores.toFloatArray();
        float[] allDist = dist.toFloatArray(); // (B, N, 4) in strides
        float[] sims = outputs.get(MpDet.Outputs.PROXY_SIMILARITIES).toFloatArray();
        int totalK = config.totalProxies();
        float[] centers = priors.centers();
        int[] strideOf = priors.strideOf();
        List<List<Detection>> out = new ArrayList<>();
        for (int b = 0; b < batch; b++) {
            // Candidates above threshold, best first, at most preNmsTopK.
            List<int[]> cand = new ArrayList<>();
            List<Float> candScore = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                for (int k = 0; k < c; k++) {
                    float v = allScores[(b * n + i) * c + k];
                    if (v >= params.scoreThreshold()) {
                        cand.add(new int[] {i, k});
                        candScore.add(v);
                    }
                }
            }
            Integer[] order = new Integer[cand.size()];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (x, y) -> Float.compare(candScore.get(y), candScore.get(x)));
            int m = Math.min(order.length, params.preNmsTopK());
            float[] boxes = new float[4 * m];
            float[] sc = new float[m];
            int[] cls = new int[m];
            int[] loc = new int[m];
            for (int j = 0; j < m; j++) {
                int[] ik = cand.get(order[j]);
                int i = ik[0];
                float stride = strideOf[i];
                float cx = centers[2 * i], cy = centers[2 * i + 1];
                int d = (b * n + i) * 4;
                boxes[4 * j] = Math.max(0, cx - allDist[d] * stride);
                boxes[4 * j + 1] = Math.max(0, cy - allDist[d + 1] * stride);
                boxes[4 * j + 2] = Math.min(config.inputWidth(), cx + allDist[d + 2] * stride);
                boxes[4 * j + 3] = Math.min(config.inputHeight(), cy + allDist[d + 3] * stride);
                sc[j] = candScore.get(order[j]);
                cls[j] = ik[1];
                loc[j] = i;
            }
            int[] keep = Nms.keep(boxes, sc, cls, params.nmsIou(), params.maxDetections());
            out.add(toDetections(outputs, b, keep, boxes, sc, cls, loc, sims, n, totalK, windows.get(b)));
        }
        return out;
    }

    private List<Detection> toDetections(
            NDList outputs,
            int b,
            int[] keep,
            float[] boxes,
            float[] sc,
            int[] cls,
            int[] loc,
            float[] sims,
            int n,
            int totalK,
            InputWindow w) {
        List<Detection> dets = new ArrayList<>(keep.length);
        float[] maskProbs = null;
        int mh = config.inputHeight() / 4, mw = config.inputWidth() / 4;
        if (params.masks() && keep.length > 0) {
            NDArray coef = outputs.get(MpDet.Outputs.COEFFICIENTS).get(b); // (N, k)
            int k = config.prototypes();
            ByteBuffer idxBytes = gatherIndex.take((long) keep.length * k * Long.BYTES);
            LongBuffer idx = idxBytes.asLongBuffer();
            for (int j = 0; j < keep.length; j++) {
                for (int p = 0; p < k; p++) idx.put(loc[keep[j]]);
            }
            NDArray picked; // (M, k)
            try (NDArray rows = coef.getManager().create(idxBytes, new Shape(keep.length, k), DataType.INT64)) {
                // torch.gather along locations: row j takes location loc[keep[j]].
                picked = coef.gather(rows, 0);
            }
            NDArray protos = outputs.get(MpDet.Outputs.PROTOTYPES).get(b).reshape(config.prototypes(), -1);
            maskProbs = picked.matMul(protos).getNDArrayInternal().sigmoid().toFloatArray(); // (M, mh*mw)
        }
        for (int j = 0; j < keep.length; j++) {
            int q = keep[j];
            Box inInput = new Box(
                    boxes[4 * q],
                    boxes[4 * q + 1],
                    Math.max(boxes[4 * q], boxes[4 * q + 2]),
                    Math.max(boxes[4 * q + 1], boxes[4 * q + 3]));
            Box inSource = new Box(
                            w.toSourceX(inInput.x1()),
                            w.toSourceY(inInput.y1()),
                            w.toSourceX(inInput.x2()),
                            w.toSourceY(inInput.y2()))
                    .clip(w.sourceWidth(), w.sourceHeight());
            int c = cls[q];
            int off = config.proxyOffset(c), k = config.proxies().get(c);
            int best = 0;
            for (int p = 1; p < k; p++) {
                if (sims[(b * n + loc[q]) * totalK + off + p] > sims[(b * n + loc[q]) * totalK + off + best]) best = p;
            }
            MaskRle mask = maskProbs == null ? null : mask(maskProbs, j * mh * mw, mh, mw, inInput, inSource, w);
            dets.add(new Detection(inSource, config.classIds().get(c), Math.min(1.0, sc[q]), mask, best));
        }
        return dets;
    }

    /** The mask of one detection in source pixels: bilinear probability >= threshold, inside the box. */
    private MaskRle mask(float[] probs, int base, int mh, int mw, Box inInput, Box inSource, InputWindow w) {
        int x0 = (int) Math.floor(inSource.x1()), y0 = (int) Math.floor(inSource.y1());
        int x1 = (int) Math.ceil(inSource.x2()), y1 = (int) Math.ceil(inSource.y2());
        double thr = params.maskThreshold();
        return MaskRle.encodeWindow(w.sourceHeight(), w.sourceWidth(), x0, y0, x1, y1, (x, y) -> {
            double u = w.toInputX(x + 0.5), v = w.toInputY(y + 0.5);
            if (u < inInput.x1() || u > inInput.x2() || v < inInput.y1() || v > inInput.y2()) return false;
            return bilinear(probs, base, mh, mw, u / 4 - 0.5, v / 4 - 0.5) >= thr;
        });
    }

    private static double bilinear(float[] p, int base, int h, int w, double x, double y) {
        x = Math.max(0, Math.min(w - 1, x));
        y = Math.max(0, Math.min(h - 1, y));
        int ix = (int) x, iy = (int) y;
        int jx = Math.min(w - 1, ix + 1), jy = Math.min(h - 1, iy + 1);
        double tx = x - ix, ty = y - iy;
        double a = p[base + iy * w + ix], bb = p[base + iy * w + jx];
        double c = p[base + jy * w + ix], d = p[base + jy * w + jx];
        return (a * (1 - tx) + bb * tx) * (1 - ty) + (c * (1 - tx) + d * tx) * ty;
    }
}
