/**
 * Training losses of the MP-Det head and its mask branch (DESIGN.md section 4, "MP-Det head" and "Masks").
 *
 * <p>Every loss is a pure, stateless function on DJL {@link ai.djl.ndarray.NDArray}s built only from
 * NDArray operations, so the trainer can call it inside a {@link ai.djl.training.GradientCollector} and
 * the gradient reaches the inputs. All arrays are float32. Intermediate arrays are attached to the
 * manager of the first input; the caller owns that manager and frees it (one scope per batch).
 * Multiplying, dividing, clamping or raising a differentiable array by a constant goes through
 * {@link io.skypack.model.Scalars}, never DJL's {@code x.mul(2f)}: that constant's memory can be freed by
 * the garbage collector before the backward pass reads it.
 *
 * <p>Reductions are sums: the trainer divides by the number of positives (guarded against zero) and
 * applies the weights of {@link io.skypack.train.loss.LossWeights}.
 */
package io.skypack.train.loss;
