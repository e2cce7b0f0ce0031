package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;

/**
 * Entropy-regularised optimal transport by Sinkhorn iterations (Cuturi, "Sinkhorn Distances", NIPS
 * 2013), run in the log domain (Peyre and Cuturi, "Computational Optimal Transport", section 4.4) so
 * that small epsilons do not underflow {@code exp(-C / epsilon)}.
 *
 * <p>The plan is a constant: it is computed from a detached copy of the cost and returned detached. A
 * loss {@code sum(P * C)} then sends its gradient through C only, and that gradient, P, is exactly the
 * gradient of the entropic OT cost {@code min_P <P, C> - epsilon H(P)} w.r.t. C (envelope theorem), so
 * nothing is lost by not differentiating through the iterations.
 */
public final class Sinkhorn {
    /** The most iterations a caller may ask for (DESIGN.md: at most 100). */
    public static final int MAX_ITERATIONS = 100;

    /** Masses below this are raised to it before the log, so a zero entry of a marginal gives no -inf. */
    static final float MIN_MASS = 1e-30f;

    private static final float MARGINAL_SUM_TOLERANCE = 1e-3f;

    private Sinkhorn() {}

    /**
     * The transport plan P minimising {@code <P, C> - epsilon * H(P)} subject to {@code P 1 = a} and
     * {@code P^T 1 = b}.
     *
     * <p>With potentials u (n) and v (m), in units of epsilon, each iteration sets
     * {@code u_i = log a_i - logsumexp_j(v_j - C_ij / epsilon)} and then
     * {@code v_j = log b_j - logsumexp_i(u_i - C_ij / epsilon)}; {@code P_ij = exp(u_i + v_j - C_ij /
     * epsilon)}. After each iteration the column sums equal b exactly; the loop stops when the row-sum
     * error {@code sum_i |sum_j P_ij - a_i|} is below {@code tol}, or after {@code maxIter} iterations.
     * Checking the error reads one number per iteration from the engine, which is fine: nothing here is
     * part of the training graph.
     *
     * @param cost (n, m) transport cost, in the same units as {@code epsilon}; n, m at least 1
     * @param a (n) source marginal, non-negative, summing to 1
     * @param b (m) target marginal, non-negative, summing to 1
     * @param epsilon entropic regularisation, absolute (in cost units), greater than 0
     * @param maxIter at most this many iterations, 1 to {@value #MAX_ITERATIONS}
     * @param tol stop when the L1 row-marginal error is below this, at least 0
     * @return (n, m) the plan, total mass 1, detached from the graph
     */
    public static NDArray plan(NDArray cost, NDArray a, NDArray b, float epsilon, int maxIter, float tol) {
        Shapes.requireRank(cost, 2, "cost");
        Shapes.requireRank(a, 1, "a");
        Shapes.requireRank(b, 1, "b");
        long n = cost.getShape().get(0);
        long m = cost.getShape().get(1);
        if (n == 0 || m == 0) {
            throw new IllegalArgumentException("cost must not be empty, got shape " + cost.getShape());
        }
        if (a.getShape().get(0) != n || b.getShape().get(0) != m) {
            throw new IllegalArgumentException("marginals a " + a.getShape() + " and b " + b.getShape()
                    + " must match the cost " + cost.getShape());
        }
        if (!(epsilon > 0f)) {
            throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
        }
        if (maxIter < 1 || maxIter > MAX_ITERATIONS) {
            throw new IllegalArgumentException("maxIter must be in [1, " + MAX_ITERATIONS + "], got " + maxIter);
        }
        if (!(tol >= 0f)) {
            throw new IllegalArgumentException("tol must be >= 0, got " + tol);
        }
        NDArray mass = a.stopGradient();
        requireUnitMass(mass, "a");
        requireUnitMass(b, "b");

        NDArray kernel = cost.stopGradient().div(-epsilon); // log of the Gibbs kernel, -C / epsilon
        NDArray logA = mass.maximum(MIN_MASS).log().reshape(n, 1);
        NDArray logB = b.stopGradient().maximum(MIN_MASS).log().reshape(1, m);
        NDArray u = logA.zerosLike();
        NDArray v = logB.zerosLike();
        NDArray plan = null;
        for (int iter = 0; iter < maxIter; iter++) {
            u = logA.sub(logSumExp(kernel.add(v), 1)); // (n, 1)
            v = logB.sub(logSumExp(kernel.add(u), 0)); // (1, m)
            plan = kernel.add(u).add(v).exp();
            float rowError = plan.sum(new int[] {1}).sub(mass).abs().sum().getFloat();
            if (rowError < tol) {
                break;
            }
        }
        return plan.stopGradient();
    }

    /** log(sum(exp(x))) along {@code axis}, keeping the axis; stable by subtracting the maximum. */
    private static NDArray logSumExp(NDArray x, int axis) {
        NDArray max = x.max(new int[] {axis}, true);
        return x.sub(max).exp().sum(new int[] {axis}, true).log().add(max);
    }

    private static void requireUnitMass(NDArray marginal, String name) {
        float total = marginal.sum().getFloat();
        float smallest = marginal.min().getFloat();
        if (!(Math.abs(total - 1f) <= MARGINAL_SUM_TOLERANCE) || smallest < 0f) {
            throw new IllegalArgumentException(
                    name + " must be non-negative and sum to 1, got sum " + total + " and minimum " + smallest);
        }
    }
}
