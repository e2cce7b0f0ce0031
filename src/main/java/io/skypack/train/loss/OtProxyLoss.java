package io.skypack.train.loss;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.skypack.model.Scalars;
import io.skypack.model.Vectors;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The optimal-transport proxy loss of the MP-Det classifier (DESIGN.md section 4, "MP-Det head"): the
 * embeddings of a class's positive locations are transported onto that class's proxies, and the
 * transport cost pulls each embedding towards the proxies it is assigned to while the proxy prior keeps
 * every proxy in use.
 *
 * <p>Cost {@code C_ik = (1 - cos(f_i, p_k)) / 2} in [0, 1]; marginals uniform {@code 1/n} on the
 * embeddings and the proxy prior on the proxies; plan P from {@link Sinkhorn} (a constant); loss
 * {@code sum_ik P_ik C_ik} in [0, 1]. Epsilon is absolute, in cost units: the cost is bounded by
 * construction, so it is not rescaled by the cost's range.
 */
public final class OtProxyLoss {
    /** DESIGN.md: Sinkhorn with epsilon 0.1. */
    public static final float DEFAULT_EPSILON = 0.1f;

    /** DESIGN.md: at most 100 iterations. */
    public static final int MAX_ITERATIONS = Sinkhorn.MAX_ITERATIONS;

    /** L1 row-marginal error at which Sinkhorn stops early; far below what changes the loss. */
    public static final float TOLERANCE = 1e-4f;

    private OtProxyLoss() {}

    /**
     * The OT loss of one class.
     *
     * @param embeddings (n, D) embeddings of the class's positive locations; n may be 0
     * @param proxies (K, D) the class's proxies; both are L2-normalised here
     * @param proxyPrior (K) mass of each proxy, non-negative, summing to 1; a constant
     * @param epsilon Sinkhorn regularisation in cost units (cost is in [0, 1]); {@link #DEFAULT_EPSILON}
     * @return scalar {@code sum(P * C)}; differentiable w.r.t. embeddings and proxies through C. With no
     *     positives (n = 0) a 0 that is still attached to the graph (its gradient is 0, not NaN)
     */
    public static NDArray loss(NDArray embeddings, NDArray proxies, NDArray proxyPrior, float epsilon) {
        Shapes.requireRank(embeddings, 2, "embeddings");
        Shapes.requireRank(proxies, 2, "proxies");
        Shapes.requireRank(proxyPrior, 1, "proxyPrior");
        long n = embeddings.getShape().get(0);
        long k = proxies.getShape().get(0);
        if (embeddings.getShape().get(1) != proxies.getShape().get(1)) {
            throw new IllegalArgumentException("embeddings " + embeddings.getShape() + " and proxies "
                    + proxies.getShape() + " must have the same dimension D");
        }
        if (k == 0 || proxyPrior.getShape().get(0) != k) {
            throw new IllegalArgumentException("need at least one proxy and one prior entry per proxy, got proxies "
                    + proxies.getShape() + " and proxyPrior " + proxyPrior.getShape());
        }
        if (n == 0) {
            // Zero positives: a zero that keeps both inputs in the graph (DESIGN.md: guard every normalisation).
            return Scalars.mul(embeddings.sum().add(proxies.sum()), 0f);
        }
        NDArray cosine =
                Vectors.unitNorm(embeddings).matMul(Vectors.unitNorm(proxies).transpose()); // (n, K)
        return fromCosines(cosine, proxyPrior, epsilon);
    }

    /**
     * The OT loss of one class from cosines already computed (the head's proxy similarities): cost
     * (1 - cos)/2, uniform mass on the n rows, the prior on the K columns, {@code sum(P * C)}.
     *
     * @param cosine (n, K) cosines between the class's positive embeddings and its proxies, n >= 1
     * @param proxyPrior (K) mass of each proxy, summing to 1; a constant
     * @param epsilon Sinkhorn regularisation in cost units
     * @return scalar, differentiable through the cost only
     */
    public static NDArray fromCosines(NDArray cosine, NDArray proxyPrior, float epsilon) {
        long n = cosine.getShape().get(0);
        NDArray cost = Scalars.div(cosine.neg().add(1f), 2f); // (1 - cos) / 2, DESIGN.md section 4
        NDArray uniform = cosine.getManager().full(new Shape(n), 1f / n);
        NDArray plan = Sinkhorn.plan(cost, uniform, proxyPrior, epsilon, MAX_ITERATIONS, TOLERANCE);
        return plan.mul(cost).sum();
    }

    /**
     * The OT loss averaged over the classes that have at least one positive (DESIGN.md: "sum P*C
     * averaged over classes"). Classes without positives are left out of the mean rather than counted as
     * 0, so the loss does not shrink as more classes are absent from a batch; with no positives at all the
     * result is a graph-attached 0.
     *
     * <p>The labels are read into Java to decide which classes to visit; they are targets, not part of
     * the graph.
     *
     * @param embeddings (N, D) embeddings of all positive locations of the batch
     * @param labels (N) integer class of each positive, in [0, proxies.size())
     * @param proxies per class c, its (K_c, D) proxies
     * @param priors per class c, its (K_c) proxy prior
     * @param epsilon Sinkhorn regularisation in cost units
     * @return scalar mean over present classes of {@link #loss}
     */
    public static NDArray meanOverClasses(
            NDArray embeddings, NDArray labels, List<NDArray> proxies, List<NDArray> priors, float epsilon) {
        Shapes.requireRank(embeddings, 2, "embeddings");
        Shapes.requireRank(labels, 1, "labels");
        if (labels.getShape().get(0) != embeddings.getShape().get(0)) {
            throw new IllegalArgumentException(
                    "labels " + labels.getShape() + " must have one entry per embedding " + embeddings.getShape());
        }
        if (proxies.size() != priors.size()) {
            throw new IllegalArgumentException(
                    "one prior per class: " + proxies.size() + " proxy sets, " + priors.size() + " priors");
        }
        int[] classes = labels.toType(DataType.INT32, false).toIntArray();
        Map<Integer, List<Long>> rowsOfClass = new TreeMap<>();
        for (int row = 0; row < classes.length; row++) {
            int c = classes[row];
            if (c < 0 || c >= proxies.size()) {
                throw new IllegalArgumentException("label " + c + " outside [0, " + proxies.size() + ")");
            }
            rowsOfClass.computeIfAbsent(c, k -> new ArrayList<>()).add((long) row);
        }
        NDArray total = Scalars.mul(embeddings.sum(), 0f);
        for (Map.Entry<Integer, List<Long>> entry : rowsOfClass.entrySet()) {
            long[] rows = entry.getValue().stream().mapToLong(Long::longValue).toArray();
            // Gathering rows with an integer index array keeps the gradient (the class-mean test checks it).
            NDArray members = embeddings.get(embeddings.getManager().create(rows));
            int c = entry.getKey();
            total = total.add(loss(members, proxies.get(c), priors.get(c), epsilon));
        }
        return rowsOfClass.isEmpty() ? total : Scalars.div(total, rowsOfClass.size());
    }
}
