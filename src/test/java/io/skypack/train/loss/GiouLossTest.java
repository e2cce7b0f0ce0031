package io.skypack.train.loss;

import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GiouLossTest extends NDManagerTest {

    private NDArray boxes(float... xyxy) {
        return manager.create(xyxy, new Shape(xyxy.length / 4, 4));
    }

    @Test
    void shouldBeZeroForIdenticalBoxes() {
        NDArray b = boxes(3f, 4f, 10f, 12f, 0f, 0f, 1f, 1f);

        Gradients.assertClose(new float[] {0f, 0f}, GiouLoss.loss(b, b).toFloatArray(), 1e-5f);
    }

    @Test
    void shouldMatchHandValues() {
        NDArray pred = boxes(
                0f, 0f, 1f, 1f, // disjoint from (2,0,3,1): IoU 0, |C| = 3, union 2, GIoU = -1/3, loss 4/3
                0f, 0f, 2f, 2f, // vs (1,1,3,3): inter 1, union 7, |C| = 9, GIoU = 1/7 - 2/9 = -5/63, loss 68/63
                0f, 0f, 2f, 2f); // vs (1,0,3,2): inter 2, union 6, |C| = 6, GIoU = 1/3, loss 2/3
        NDArray target = boxes(2f, 0f, 3f, 1f, 1f, 1f, 3f, 3f, 1f, 0f, 3f, 2f);

        Gradients.assertClose(
                new float[] {4f / 3f, 68f / 63f, 2f / 3f},
                GiouLoss.loss(pred, target).toFloatArray(),
                1e-5f);
        Gradients.assertClose(
                new float[] {0f, 1f / 7f, 1f / 3f}, GiouLoss.iou(pred, target).toFloatArray(), 1e-5f);
    }

    @Test
    void shouldStayFiniteForEmptyBoxes() {
        NDArray point = boxes(1f, 1f, 1f, 1f);

        float[] loss = GiouLoss.loss(point, point).toFloatArray();

        Gradients.assertFinite(loss);
        Gradients.assertFinite(Gradients.autograd(
                point, p -> GiouLoss.loss(p, point.duplicate()).sum()));
    }

    @Test
    void shouldHaveTheFiniteDifferenceGradient() {
        // Overlapping and disjoint pairs, coordinates away from ties so every min/max is smooth here.
        float[] p = {0.1f, 0.2f, 2.3f, 2.1f, 0f, 0f, 1f, 1.2f};
        Shape shape = new Shape(2, 4);
        NDArray target = boxes(1.2f, 0.9f, 3.1f, 3.4f, 2f, 0.3f, 3.5f, 1.5f);

        float[] auto = Gradients.autograd(
                manager.create(p, shape), b -> GiouLoss.loss(b, target).sum());
        float[] numeric = Gradients.finiteDifference(
                manager, p, shape, b -> GiouLoss.loss(b, target).sum(), 1e-2f);

        Gradients.assertClose(numeric, auto, 2e-3f);
    }

    @Test
    void shouldRejectBoxesWithoutFourCoordinates() {
        assertThrows(
                IllegalArgumentException.class,
                () -> GiouLoss.loss(manager.zeros(new Shape(2, 3)), manager.zeros(new Shape(2, 3))));
    }
}
