package io.skypack.app;

import ai.djl.Device;
import io.skypack.detect.ImageModel;
import io.skypack.detect.InferenceLanes;
import io.skypack.detect.LanedModel;
import io.skypack.model.ModelStats;
import io.skypack.model.MpDetConfig;
import io.skypack.model.MpDetDecoder;
import io.skypack.model.MpDetRunner;
import io.skypack.model.NativeAllocator;
import io.skypack.train.synth.FlightGenerator;
import io.skypack.train.synth.SynthConfig;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code skypack bench model}: the network alone (letterbox, forward, decode) on synthetic frames.
 * Prints parameters and convolution FLOPs per input size, ms/frame per batch size, then runs a long
 * soak and prints resident memory, malloc memory in use and the arrays the model holds at its start and
 * end, to show native memory stays flat.
 */
@Command(
        name = "model",
        mixinStandardHelpOptions = true,
        description = {
            "Model benchmark: parameters and GFLOPs per input size, ms/frame at each batch size, and resident",
            "memory (RSS), malloc memory in use and the arrays the model holds at the start and end of a long",
            "run (--frames), which must stay flat."
        })
final class BenchModelCommand implements Callable<Integer> {
    @Option(names = "--model", description = "coarse, fine or a .mpdet file (default ${DEFAULT-VALUE}).")
    String model = "coarse";

    @Option(names = "--frames", description = "Frames in the memory soak (default ${DEFAULT-VALUE}).")
    int frames = 10_000;

    @Option(names = "--timing-frames", description = "Timed frames per batch size (default ${DEFAULT-VALUE}).")
    int timingFrames = 160;

    @Option(
            names = "--batch",
            split = ",",
            description = "Batch sizes to time; the soak uses the largest (default ${DEFAULT-VALUE}).")
    List<Integer> batches = List.of(1, 4, 8);

    @Option(
            names = "--lanes",
            split = ",",
            description = "Lane counts to time each batch size with: the batch split over this many model copies"
                    + " side by side, one thread each, as skypack.inference.lanes does (default ${DEFAULT-VALUE}).")
    List<Integer> lanes = List.of(1);

    @Option(
            names = "--sizes",
            split = ",",
            description = "Extra input sizes WxH for the FLOP table (default ${DEFAULT-VALUE}).")
    List<String> sizes = List.of("320x192", "640x384", "1280x736");

    @Override
    public Integer call() throws IOException {
        if (frames < 0
                || timingFrames <= 0
                || batches.isEmpty()
                || batches.stream().anyMatch(b -> b <= 0)
                || lanes.isEmpty()
                || lanes.stream().anyMatch(l -> l < 1 || l > InferenceDevices.MAX_WORKERS)) {
            throw new IllegalArgumentException("--frames must be >= 0, --timing-frames and every --batch > 0, every"
                    + " --lanes in [1, " + InferenceDevices.MAX_WORKERS + "]");
        }
        List<BufferedImage> images = frames();
        try (MpDetRunner runner = ModelOption.open(model, MpDetDecoder.Params.DEFAULTS)) {
            MpDetConfig c = runner.config();
            System.out.printf(
                    Locale.ROOT,
                    "model %s (%s), input %dx%d, %d threads, %d synthetic 1280x720 frames%n%n",
                    c.name(),
                    model,
                    c.inputWidth(),
                    c.inputHeight(),
                    Runtime.getRuntime().availableProcessors(),
                    images.size());
            System.out.println("| input | parameters | GFLOPs (conv) |");
            System.out.println("|---|---:|---:|");
            List<String> all = new ArrayList<>();
            all.add(c.inputWidth() + "x" + c.inputHeight());
            for (String s : sizes) if (!all.contains(s)) all.add(s);
            for (String s : all) {
                String[] wh = s.split("x");
                ModelStats st = ModelStats.of(c, Integer.parseInt(wh[0]), Integer.parseInt(wh[1]));
                System.out.printf(Locale.ROOT, "| %s | %,d | %.2f |%n", s, st.parameters(), st.gflops());
            }
            System.out.println();
            System.out.println("| batch | lanes | frames | ms/frame | frames/s |");
            System.out.println("|---:|---:|---:|---:|---:|");
            for (int b : batches) {
                for (int l : lanes) {
                    try (Laned laned = Laned.open(model, runner, l)) {
                        ImageModel m = laned.model();
                        run(m, images, b, 2 * b); // warm-up: allocator and oneDNN kernel caches
                        long t0 = System.nanoTime();
                        int n = run(m, images, b, timingFrames);
                        double ms = (System.nanoTime() - t0) / 1e6 / n;
                        System.out.printf(Locale.ROOT, "| %d | %d | %d | %.1f | %.1f |%n", b, l, n, ms, 1000 / ms);
                    }
                }
            }
            if (frames > 0) {
                int b = batches.stream().mapToInt(Integer::intValue).max().orElseThrow();
                long start = rssKb(), peak = start;
                long mallocStart = mallocInUse();
                int heldStart = runner.heldArrays();
                long t0 = System.nanoTime();
                int done = 0;
                while (done < frames) {
                    done += run(runner, images, b, Math.min(1000, frames - done));
                    peak = Math.max(peak, rssKb());
                    System.err.printf(Locale.ROOT, "\rsoak %d/%d frames, RSS %.0f MB", done, frames, rssKb() / 1024.0);
                }
                System.err.println();
                long mallocEnd = mallocInUse();
                System.out.printf(
                        Locale.ROOT,
                        "%nsoak: %d frames at batch %d in %.0f s; RSS start %.0f MB, end %.0f MB, peak %.0f MB%n",
                        done,
                        b,
                        (System.nanoTime() - t0) / 1e9,
                        start / 1024.0,
                        rssKb() / 1024.0,
                        peak / 1024.0);
                // RSS also moves with the free memory malloc holds; memory in use and the arrays the model
                // holds are what a leak moves.
                if (mallocStart >= 0) {
                    System.out.printf(
                            Locale.ROOT,
                            "malloc in use: start %.0f MB, end %.0f MB, %+.1f KB a frame%n",
                            mallocStart / 1048576.0,
                            mallocEnd / 1048576.0,
                            (mallocEnd - mallocStart) / 1024.0 / done);
                }
                System.out.printf(
                        Locale.ROOT, "arrays the model holds: start %d, end %d%n", heldStart, runner.heldArrays());
            }
        }
        return 0;
    }

    /**
     * {@code runner} alone, or split over {@code lanes} copies of {@code model} as a CPU detector's lanes
     * split it ({@link DetectorRuntime#LANE_CHUNK} images a chunk, the cores shared out among the
     * lanes); closing closes the extra copies and the lanes, not {@code runner}.
     */
    private record Laned(ImageModel model, List<AutoCloseable> owned) implements AutoCloseable {
        static Laned open(String model, MpDetRunner runner, int lanes) throws IOException {
            if (lanes == 1) return new Laned(runner, List.of());
            List<AutoCloseable> owned = new ArrayList<>();
            List<MpDetRunner> copies = new ArrayList<>(List.of(runner));
            for (int i = 1; i < lanes; i++) {
                MpDetRunner copy = ModelOption.open(model, MpDetDecoder.Params.DEFAULTS, runner.device());
                copies.add(copy);
                owned.add(copy);
            }
            InferenceDevices cpu = new InferenceDevices(List.of(Device.cpu()), 1);
            InferenceLanes l = DetectorRuntime.openLanes(
                    0,
                    cpu.lanesOf(0, String.valueOf(lanes), Runtime.getRuntime().availableProcessors()));
            owned.add(l);
            return new Laned(new LanedModel(l, copies, DetectorRuntime.LANE_CHUNK), owned);
        }

        @Override
        public void close() {
            for (AutoCloseable c : owned) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IllegalStateException("closing a model copy failed: " + e.getMessage(), e);
                }
            }
        }
    }

    /** Runs at least {@code count} frames in batches of {@code batch}; returns the frames run. */
    private static int run(ImageModel runner, List<BufferedImage> images, int batch, int count) {
        int done = 0;
        while (done < count) {
            List<BufferedImage> part = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) part.add(images.get((done + i) % images.size()));
            runner.detect(part);
            done += batch;
        }
        return done;
    }

    /** Sixteen frames of one held-out synthetic flight, kept decoded so only the model is timed. */
    private static List<BufferedImage> frames() {
        SynthConfig d = SynthConfig.defaults();
        SynthConfig cfg = new SynthConfig(
                d.width(),
                d.height(),
                16,
                1,
                d.fps(),
                d.minAltitude(),
                d.maxAltitude(),
                d.density(),
                d.lighting(),
                d.motionBlur(),
                d.jpegQuality(),
                777);
        FlightGenerator g = new FlightGenerator(cfg, 0);
        List<BufferedImage> out = new ArrayList<>();
        while (g.hasNext()) out.add(g.next().image());
        return out;
    }

    /** glibc's malloc memory in use in bytes, -1 where {@code mallinfo2} is not available. */
    private static long mallocInUse() {
        return NativeAllocator.usage().map(NativeAllocator.Usage::inUseBytes).orElse(-1L);
    }

    /** Resident set size of this process in kB (Linux), 0 where /proc is not available. */
    static long rssKb() {
        return ProcessMemory.of(ProcessHandle.current().pid())
                .map(ProcessMemory::rssKb)
                .orElse(0L);
    }
}
