package io.skypack.app;

import io.skypack.detect.DetectionException;
import io.skypack.detect.Detector;
import io.skypack.detect.FrameImage;
import io.skypack.train.synth.FlightGenerator;
import io.skypack.train.synth.SynthConfig;
import io.skypack.train.synth.SyntheticFrame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a new detector on synthetic frames before it serves real ones. A detector's first batches are
 * slow: PyTorch's allocator and oneDNN's kernels are set up per tensor shape, and the JVM still
 * interprets the packing and mask code. Measured on the 2-core CPU machine with the bundled models: a
 * first batch of 8 frames took 2.97 s against 2.37 s once warm, and at batch size 1 the first two
 * frames took 0.73 and 0.50 s against 0.37 s. A live feed would pay that on its first frames (and skip
 * them as stale), and a short replay's throughput would carry it.
 *
 * <p>The frames come from the project's own generator (a fixed seed, 1280x720, scenes with objects), so
 * the coarse pass finds foreground and the fine pass, the packer and the masks all run as they will.
 */
final class DetectorWarmUp {
    /** Seed of the warm-up scenes; any fixed seed with objects in view will do. */
    private static final long SEED = 4242;

    private final List<FrameImage> frames;
    private final int objects;
    private final int rounds;

    private DetectorWarmUp(List<FrameImage> frames, int objects, int rounds) {
        this.frames = frames;
        this.objects = objects;
        this.rounds = rounds;
    }

    /**
     * @param batchSize frames per warm-up batch: the largest batch the pipeline will run
     * @param rounds how many times the batch runs; 0 for no warm-up (nothing is rendered)
     */
    static DetectorWarmUp of(int batchSize, int rounds) {
        if (batchSize < 1) throw new IllegalArgumentException("warm-up batch size must be >= 1, got " + batchSize);
        if (rounds < 0) throw new IllegalArgumentException("warm-up rounds must be >= 0, got " + rounds);
        List<FrameImage> frames = new ArrayList<>();
        int objects = 0;
        if (rounds > 0) {
            SynthConfig c = SynthConfig.defaults();
            SynthConfig scene =
                    new SynthConfig(c.width(), c.height(), batchSize, 1, 2.0, 40, 110, 1.5, 1.0, 0, 0.92, SEED);
            FlightGenerator generator = new FlightGenerator(scene, 0);
            for (int i = 0; i < batchSize; i++) {
                SyntheticFrame f = generator.next();
                frames.add(new FrameImage(i, f.image()));
                objects += f.annotations().size();
            }
        }
        return new DetectorWarmUp(List.copyOf(frames), objects, rounds);
    }

    int rounds() {
        return rounds;
    }

    int batchSize() {
        return frames.size();
    }

    /** Objects in view over the warm-up batch. */
    int objects() {
        return objects;
    }

    /**
     * Runs the detector's warm-up batches.
     *
     * @return how long they took
     * @throws IllegalStateException when the detector fails on them: a detector that cannot run
     *     synthetic frames will not run real ones, and saying so at start-up beats dead-lettering every
     *     frame of a flight
     */
    Duration warm(Detector detector) {
        long t0 = System.nanoTime();
        for (int r = 0; r < rounds; r++) {
            try {
                detector.detect(frames);
            } catch (DetectionException | RuntimeException e) {
                throw new IllegalStateException(
                        "the detector failed on its warm-up batch of " + frames.size() + " synthetic frames: " + e, e);
            }
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }
}
