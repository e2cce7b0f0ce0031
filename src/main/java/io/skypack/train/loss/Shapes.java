package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;

/** Shape checks that read no data, so they cost nothing inside a training step. */
final class Shapes {
    private Shapes() {}

    static void requireRank(NDArray a, int rank, String name) {
        if (a.getShape().dimension() != rank) {
            throw new IllegalArgumentException(name + " must have rank " + rank + ", got shape " + a.getShape());
        }
    }

    static void requireSameShape(NDArray a, NDArray b, String nameA, String nameB) {
        if (!a.getShape().equals(b.getShape())) {
            throw new IllegalArgumentException(
                    nameA + " " + a.getShape() + " and " + nameB + " " + b.getShape() + " must have the same shape");
        }
    }

    static void requireBoxes(NDArray boxes, String name) {
        requireRank(boxes, 2, name);
        if (boxes.getShape().get(1) != 4) {
            throw new IllegalArgumentException(name + " must be (M, 4) x1,y1,x2,y2, got shape " + boxes.getShape());
        }
    }
}
