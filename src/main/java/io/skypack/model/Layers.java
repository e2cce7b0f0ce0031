package io.skypack.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/** Small building blocks shared by the backbone, FPN, head and ProtoNet. */
final class Layers {
    private Layers() {}

    /**
     * The value of {@code p} for one forward pass over {@code input}, as a view that belongs to the
     * input's manager. DJL puts an op's result in its first operand's manager, so an op on a parameter's
     * own array (a reshape, a norm) leaves its result in the weights' manager, which lives as long as the
     * model: 30 arrays a pass once did, a native leak of about 11 KB a frame in the pipeline. Ops on the
     * view leave theirs with the batch.
     */
    static NDArray value(ParameterStore ps, Parameter p, NDArray input, boolean training) {
        NDArray weights = ps.getValue(p, input.getDevice(), training);
        NDArray view = weights.reshape(weights.getShape());
        view.attach(input.getManager());
        return view;
    }

    /** A square convolution with "same" padding for odd kernels. */
    static Conv2d conv(int filters, int kernel, int stride, boolean bias) {
        return Conv2d.builder()
                .setKernelShape(new Shape(kernel, kernel))
                .optStride(new Shape(stride, stride))
                .optPadding(new Shape(kernel / 2, kernel / 2))
                .setFilters(filters)
                .optBias(bias)
                .build();
    }

    static SequentialBlock convBnRelu(int filters, int kernel, int stride) {
        return new SequentialBlock()
                .add(conv(filters, kernel, stride, false))
                .add(BatchNorm.builder().build())
                .add(Activation.reluBlock());
    }

    /** Head towers use group normalisation (GFL): independent of the batch size, which is small here. */
    static SequentialBlock convGnRelu(int filters, int groups) {
        return new SequentialBlock()
                .add(conv(filters, 3, 1, false))
                .add(new GroupNorm(groups))
                .add(Activation.reluBlock());
    }

    static SequentialBlock convRelu(int filters, int kernel) {
        return new SequentialBlock().add(conv(filters, kernel, 1, true)).add(Activation.reluBlock());
    }

    /** Nearest-neighbour 2x upsampling of (B, C, H, W). */
    static NDArray upsample2(NDArray x) {
        return x.repeat(2, 2).repeat(3, 2);
    }

    /** (B, C, H, W) to (B, H*W, C): row-major locations, matching {@link Priors}. */
    static NDArray flattenLocations(NDArray x) {
        Shape s = x.getShape();
        return x.transpose(0, 2, 3, 1).reshape(s.get(0), s.get(2) * s.get(3), s.get(1));
    }

    /** Initialises children one after another, each on the previous one's output shape. */
    static Shape[] initSequential(NDManager manager, DataType type, Shape[] shapes, Block... blocks) {
        for (Block b : blocks) {
            b.initialize(manager, type, shapes);
            shapes = b.getOutputShapes(shapes);
        }
        return shapes;
    }

    /**
     * Group normalisation (Wu and He, 2018): statistics over groups of channels and all positions,
     * then a per-channel scale and shift. DJL has no GroupNorm block.
     */
    static final class GroupNorm extends AbstractBlock {
        private final int groups;
        private final Parameter gamma;
        private final Parameter beta;

        GroupNorm(int groups) {
            this.groups = groups;
            gamma = addParameter(Parameter.builder()
                    .setName("gamma")
                    .setType(Parameter.Type.GAMMA)
                    .build());
            beta = addParameter(Parameter.builder()
                    .setName("beta")
                    .setType(Parameter.Type.BETA)
                    .build());
        }

        @Override
        protected void prepare(Shape[] inputShapes) {
            long c = inputShapes[0].get(1);
            if (c % groups != 0) {
                throw new IllegalArgumentException(c + " channels do not split into " + groups + " groups");
            }
            gamma.setShape(new Shape(c));
            beta.setShape(new Shape(c));
        }

        @Override
        protected NDList forwardInternal(
                ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
            NDArray x = inputs.singletonOrThrow();
            Shape s = x.getShape();
            long c = s.get(1);
            NDArray g = x.reshape(s.get(0), groups, -1);
            NDArray centred = g.sub(g.mean(new int[] {2}, true));
            NDArray var = centred.square().mean(new int[] {2}, true);
            NDArray norm = centred.div(var.add(1e-5f).sqrt()).reshape(s);
            NDArray w = value(ps, gamma, x, training).reshape(1, c, 1, 1);
            NDArray b = value(ps, beta, x, training).reshape(1, c, 1, 1);
            return new NDList(norm.mul(w).add(b));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return inputShapes;
        }
    }
}
