package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * The instance-mask loss of YOLACT (Bolya et al., "YOLACT: Real-time Instance Segmentation", ICCV 2019,
 * section 3.3 "Cropping masks" and "Losses"; the reference code's {@code lincomb_mask_loss}): per-pixel
 * binary cross-entropy, counted only inside the ground-truth box and normalised by the box's area, so
 * small objects weigh as much as large ones.
 *
 * <p>Coordinates are mask pixels: pixel (r, c) covers [c, c + 1) x [r, r + 1) and lies inside a box when
 * its centre (c + 0.5, r + 0.5) satisfies {@code x1 <= c + 0.5 < x2} and {@code y1 <= r + 0.5 < y2}. For
 * integer boxes that is YOLACT's {@code x1 <= c < x2}.
 */
public final class MaskLoss {
    private MaskLoss() {}

    /**
     * The summed cropped, area-normalised BCE over instances.
     *
     * <p>Per instance m: {@code sum_(r,c) inside_m(r,c) * BCE(x_mrc, y_mrc) / max(1, (x2 - x1)(y2 - y1))}
     * with {@code BCE(x, y) = softplus(x) - x * y}, the stable form of {@code -(y log s + (1 - y) log(1 - s))},
     * s = sigmoid(x). The YOLACT weight (6.125, {@link LossWeights#mask()}) and the division by the number
     * of positives are the trainer's.
     *
     * @param maskLogits (M, h, w) assembled mask logits, before the sigmoid
     * @param targetMasks (M, h, w) ground-truth masks in {0, 1} at the same resolution; a constant
     * @param boxes (M, 4) ground-truth boxes x1, y1, x2, y2 in mask pixels; a constant
     * @return scalar, the sum over the M instances (0 when M = 0)
     */
    public static NDArray loss(NDArray maskLogits, NDArray targetMasks, NDArray boxes) {
        Shapes.requireRank(maskLogits, 3, "maskLogits");
        Shapes.requireSameShape(maskLogits, targetMasks, "maskLogits", "targetMasks");
        Shapes.requireBoxes(boxes, "boxes");
        long m = maskLogits.getShape().get(0);
        if (boxes.getShape().get(0) != m) {
            throw new IllegalArgumentException(
                    "boxes " + boxes.getShape() + " must have one row per mask " + maskLogits.getShape());
        }
        NDArray y = targetMasks.stopGradient();
        NDArray b = boxes.stopGradient();
        NDArray bce = Activation.softPlus(maskLogits).sub(maskLogits.mul(y)); // BCE with logits
        NDArray inside = crop(
                maskLogits.getManager(),
                b,
                maskLogits.getShape().get(1),
                maskLogits.getShape().get(2));
        NDArray perInstance = bce.mul(inside).sum(new int[] {1, 2}); // (M)
        NDArray x1 = b.get(":, 0"), y1 = b.get(":, 1"), x2 = b.get(":, 2"), y2 = b.get(":, 3");
        // Normalised by box area, at least one pixel (YOLACT divides by gt box width * height).
        NDArray area = x2.sub(x1).maximum(0f).mul(y2.sub(y1).maximum(0f)).maximum(1f);
        return perInstance.div(area).sum();
    }

    /** (M, h, w) float mask, 1 where the pixel centre lies inside the instance's box, else 0. */
    private static NDArray crop(NDManager manager, NDArray boxes, long h, long w) {
        long m = boxes.getShape().get(0);
        NDArray cols = manager.arange(0.5f, w, 1f, DataType.FLOAT32).reshape(1, 1, w);
        NDArray rows = manager.arange(0.5f, h, 1f, DataType.FLOAT32).reshape(1, h, 1);
        NDArray x1 = boxes.get(":, 0").reshape(m, 1, 1);
        NDArray y1 = boxes.get(":, 1").reshape(m, 1, 1);
        NDArray x2 = boxes.get(":, 2").reshape(m, 1, 1);
        NDArray y2 = boxes.get(":, 3").reshape(m, 1, 1);
        NDArray inX = cols.gte(x1).logicalAnd(cols.lt(x2)); // (M, 1, w)
        NDArray inY = rows.gte(y1).logicalAnd(rows.lt(y2)); // (M, h, 1)
        return inY.logicalAnd(inX).toType(DataType.FLOAT32, false);
    }
}
