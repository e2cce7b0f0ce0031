package io.skypack.app;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Where the detectors run: {@code skypack.devices} names the devices, {@code skypack.workers} how many
 * detectors there are, and detector {@code w} opens its models on device {@code w mod devices}. One
 * detector per device is the default ({@code workers=auto}); more detectors than devices share them in
 * turn (two detectors on one large GPU, or on a CPU with cores to spare).
 *
 * <p>{@code devices}: {@code auto} (every GPU DJL sees, else the CPU), {@code cpu}, {@code gpu} (every
 * GPU, and an error when there is none), or a comma-separated list such as {@code gpu0,gpu2}. A GPU that
 * DJL does not see is refused at start, with the number it does see: the bundled PyTorch library is
 * the CPU build, so a GPU run needs a CUDA build of libtorch (README, "GPUs").
 */
record InferenceDevices(List<Device> devices, int workers) {
    static final String AUTO = "auto";
    static final int MAX_WORKERS = 64;

    InferenceDevices {
        if (devices.isEmpty()) throw new IllegalArgumentException("no inference device");
        if (workers < 1 || workers > MAX_WORKERS) {
            throw new IllegalArgumentException("workers must be in [1, " + MAX_WORKERS + "], got " + workers);
        }
        devices = List.copyOf(devices);
    }

    /**
     * @param devices the {@code skypack.devices} value
     * @param workers the {@code skypack.workers} value: {@code auto} (one per device) or a whole number
     * @param gpuCount how many GPUs DJL's engine sees
     * @throws IllegalArgumentException naming the key, for a value it cannot use
     */
    static InferenceDevices resolve(String devices, String workers, int gpuCount) {
        List<Device> list = parseDevices(devices.trim().toLowerCase(Locale.ROOT), gpuCount);
        return new InferenceDevices(list, parseWorkers(workers.trim().toLowerCase(Locale.ROOT), list.size()));
    }

    /** Most lanes {@code auto} gives a CPU detector; more cores go to each lane's intra-op threads. */
    static final int MAX_AUTO_LANES = 8;

    /**
     * How detector {@code worker} splits its batches' model calls ({@code skypack.inference.lanes}, {@link
     * io.skypack.detect.InferenceLanes}): on a GPU one lane, as before; on the CPU, the cores are shared
     * out among the CPU detectors, and each detector's share among its lanes, each lane with that many
     * PyTorch intra-op threads.
     *
     * @param spec {@code auto} (on the CPU, one single-threaded lane per core of the detector's share, at
     *     most {@link #MAX_AUTO_LANES}) or a whole number of lanes in [1, 64]
     * @param cores the CPU cores this process may use
     * @throws IllegalArgumentException naming the key, for a value it cannot use
     */
    Lanes lanesOf(int worker, String spec, int cores) {
        int asked = autoOrCount(spec.trim().toLowerCase(Locale.ROOT), "inference.lanes", "");
        if (deviceOf(worker).isGpu()) return Lanes.ONE;
        int share = coresOf(worker, cores);
        int count = asked > 0 ? asked : Math.min(share, MAX_AUTO_LANES);
        return count == 1 ? Lanes.ONE : new Lanes(count, Math.max(1, share / count));
    }

    /**
     * The CPU cores detector {@code worker} may keep busy: {@code cores} shared out evenly among the CPU
     * detectors (at least 1); 0 for a GPU detector.
     */
    int coresOf(int worker, int cores) {
        if (deviceOf(worker).isGpu()) return 0;
        int cpuWorkers = 0;
        for (int w = 0; w < workers; w++) {
            if (!deviceOf(w).isGpu()) cpuWorkers++;
        }
        return Math.max(1, cores / cpuWorkers);
    }

    /**
     * @param count lanes of one detector
     * @param threadsEach PyTorch intra-op threads of each lane; 0 for one lane, which runs on the
     *     detector's own thread with the engine's threads, untouched
     */
    record Lanes(int count, int threadsEach) {
        static final Lanes ONE = new Lanes(1, 0);
    }

    /** The device of detector {@code worker} (0-based). */
    Device deviceOf(int worker) {
        return devices.get(worker % devices.size());
    }

    private static List<Device> parseDevices(String spec, int gpuCount) {
        if (spec.equals(AUTO)) return gpuCount > 0 ? gpus(gpuCount) : List.of(Device.cpu());
        Set<Device> out = new LinkedHashSet<>();
        for (String token : spec.split(",")) {
            String t = token.trim();
            if (t.equals("cpu")) {
                out.add(Device.cpu());
            } else if (t.equals("gpu")) {
                if (gpuCount == 0) throw noSuchGpu(t, gpuCount);
                out.addAll(gpus(gpuCount));
            } else if (t.matches("gpu\\d{1,3}")) {
                int id = Integer.parseInt(t.substring(3));
                if (id >= gpuCount) throw noSuchGpu(t, gpuCount);
                out.add(Device.gpu(id));
            } else {
                throw new IllegalArgumentException(PipelineConfig.PREFIX + "devices must be auto, cpu, gpu or a list"
                        + " such as gpu0,gpu1; got '" + spec + "' ('" + t + "' is none of these)");
            }
        }
        return new ArrayList<>(out);
    }

    private static IllegalArgumentException noSuchGpu(String token, int gpuCount) {
        String sees =
                switch (gpuCount) {
                    case 0 -> "no GPU";
                    case 1 -> "1 GPU (gpu0)";
                    default -> gpuCount + " GPUs (gpu0-gpu" + (gpuCount - 1) + ")";
                };
        return new IllegalArgumentException(PipelineConfig.PREFIX + "devices names " + token + ", but DJL sees " + sees
                + "; the bundled PyTorch library is the CPU build (README, \"GPUs\", says how to run on a GPU)");
    }

    private static List<Device> gpus(int count) {
        List<Device> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(Device.gpu(i));
        return out;
    }

    private static int parseWorkers(String spec, int devices) {
        int n = autoOrCount(spec, "workers", " (one detector per device)");
        return n == 0 ? devices : n;
    }

    /**
     * 0 for {@code auto}, else the whole number in [1, {@link #MAX_WORKERS}] that {@code spec} is.
     *
     * @throws IllegalArgumentException naming {@code key} (and what auto means), for anything else
     */
    private static int autoOrCount(String spec, String key, String autoMeans) {
        if (spec.equals(AUTO)) return 0;
        try {
            int n = Integer.parseInt(spec);
            if (n >= 1 && n <= MAX_WORKERS) return n;
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(PipelineConfig.PREFIX + key + " must be auto" + autoMeans
                + " or a whole number in [1, " + MAX_WORKERS + "], got '" + spec + "'");
    }
}
