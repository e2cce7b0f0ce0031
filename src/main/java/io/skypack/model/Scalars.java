package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.function.BinaryOperator;

/**
 * Arithmetic with a constant that is safe on the autograd path. Use these, not DJL's {@code x.mul(2f)},
 * {@code x.div(2f)}, {@code x.maximum(0f)} or {@code x.pow(2f)}, wherever a gradient flows through {@code
 * x} (DJL's {@code minimum}, {@code mod} and the reversed ops with a number have the same flaw).
 *
 * <p>DJL's PyTorch engine does {@code x.mul(2f)} as: put 2 in a direct {@code ByteBuffer}, wrap it as a
 * 0-d tensor ({@code torch::from_blob}, memory owned by the JVM), multiply, close that tensor. Autograd
 * saves the 0-d tensor for the backward pass (d(x c)/dx = c), but after the close nothing in Java holds
 * the buffer: a garbage collection between forward and backward frees it, and the backward pass
 * multiplies by whatever is there now (1e30, NaN, 1e-9). Here the constant is a tensor that PyTorch
 * allocates ({@code torch::full}), so the saved tensor keeps its own memory alive.
 *
 * <p>{@code add} and {@code sub} of a number are safe (their backward saves no operand), and so is any
 * op on arrays without a gradient (inputs, targets, detached values).
 */
public final class Scalars {
    private Scalars() {}

    /** {@code x * c}. */
    public static NDArray mul(NDArray x, float c) {
        return withConstant(x, c, NDArray::mul);
    }

    /** {@code x / c}. */
    public static NDArray div(NDArray x, float c) {
        return withConstant(x, c, NDArray::div);
    }

    /** {@code max(x, c)} element-wise. */
    public static NDArray maximum(NDArray x, float c) {
        return withConstant(x, c, NDArray::maximum);
    }

    /** {@code x ^ c} element-wise. */
    public static NDArray pow(NDArray x, float c) {
        return withConstant(x, c, NDArray::pow);
    }

    private static NDArray withConstant(NDArray x, float c, BinaryOperator<NDArray> op) {
        // Closing the handle is fine: autograd's saved copy shares the storage, which PyTorch owns.
        try (NDArray constant = x.getManager().full(new Shape(), c, x.getDataType())) {
            return op.apply(x, constant);
        }
    }
}
