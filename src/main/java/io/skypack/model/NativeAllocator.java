package io.skypack.model;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Structure;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * glibc malloc settings for PyTorch's CPU tensors, so that a detector runs as fast on the pipeline's
 * stream thread as on the thread that warmed it, and batches of 8 as fast per frame as they can.
 *
 * <p>Why: glibc serves an allocation over its mmap threshold with a fresh {@code mmap} and gives it back
 * to the kernel on free, so every use of that buffer page-faults its memory in again. The threshold
 * starts at 128 KB and rises as large blocks are freed, by a process-wide history that depends on which
 * thread freed what first; threads other than the first also get arenas of their own, whose 64 MB heaps
 * are given back sooner. Our activations at 768x448 are 1 to 45 MB. Measured on the 2-core CPU machine
 * with glibc's defaults ({@code skypack bench pipeline --frames 32 --batch 8}, 8 runs): the same detector
 * on the same frames spent 244 to 413 ms a frame on the pipeline's stream thread against 214 to 248 ms on
 * the main thread that had warmed it, its threads using 14% more CPU time for the same work. With
 * {@link #TUNABLES} set at start: 225 to 228 against 204 to 209 ms. On 64 frames the pipeline at batch 8
 * went from 2.54-2.55 to 3.25-3.42 frames/s (two runs each, alternated). Setting only the trim threshold
 * (which freezes mmap at 128 KB) made both 45% slower.
 *
 * <p>Two ways in. The arena limit only works from the process's start, so the {@code skypack} launcher
 * and {@code DetectorProcess} put {@link #TUNABLES} in {@code GLIBC_TUNABLES} ({@link #childEnvironment}).
 * A JVM started any other way (a test, {@code java -jar}) gets the two thresholds from {@link #tune()}
 * through {@code mallopt}, before the first model loads.
 *
 * <p>What it costs: freed memory stays in the process instead of going back to the kernel (up to 256 MB at
 * the top of the heap, and the holes inside it until the next trim: see {@link #trimInterval()}), and every thread allocates from one arena behind one lock (PyTorch takes a few large blocks
 * per layer; measured, the pipeline got faster, not slower). It stays off where the environment already sets a glibc malloc tunable or
 * {@code skypack.malloc.tune=false}. Linux with glibc only.
 */
public final class NativeAllocator {
    private static final Logger LOG = LoggerFactory.getLogger(NativeAllocator.class);

    /** glibc's {@code mallopt} parameters (malloc.h). */
    static final int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    /** Allocations up to this size come from the heap, not from a fresh mmap. */
    public static final int MMAP_THRESHOLD = 64 << 20;

    /** Free memory at the top of a heap beyond which glibc gives it back to the kernel. */
    public static final int TRIM_THRESHOLD = 256 << 20;

    /**
     * {@code GLIBC_TUNABLES} for a process started by SkyPack: one arena and the two thresholds. The
     * {@code skypack} launcher sets the same string (a test keeps the two equal).
     */
    public static final String TUNABLES = "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=" + MMAP_THRESHOLD
            + ":glibc.malloc.trim_threshold=" + TRIM_THRESHOLD;

    /** What {@link #tune()} did. */
    public enum Outcome {
        /** Both thresholds are set. */
        APPLIED,
        /** The launcher (or {@code DetectorProcess}) started this JVM with {@link #TUNABLES}. */
        LAUNCHER,
        /** {@code skypack.malloc.tune=false}. */
        DISABLED,
        /** The environment already sets a threshold; the user's choice stands. */
        USER_SET,
        /** Not Linux with glibc (e.g. musl, macOS, Windows): nothing to tune. */
        NOT_GLIBC,
        /** glibc refused a value. */
        REFUSED
    }

    interface CLibrary extends Library {
        int mallopt(int param, int value);

        /** Gives free memory back to the kernel, heap holes included; 1 when some was released. */
        int malloc_trim(long pad);

        String gnu_get_libc_version();

        /** glibc 2.33 and later: the allocator's own account, over all arenas. */
        MallInfo2 mallinfo2();
    }

    /** {@code struct mallinfo2} (malloc.h): every field a {@code size_t}, 64 bits on the platforms we run. */
    @Structure.FieldOrder({
        "arena",
        "ordblks",
        "smblks",
        "hblks",
        "hblkhd",
        "usmblks",
        "fsmblks",
        "uordblks",
        "fordblks",
        "keepcost"
    })
    public static class MallInfo2 extends Structure implements Structure.ByValue {
        /** Bytes taken from the system for the arenas (not counting mmapped chunks). */
        public long arena;

        public long ordblks, smblks, hblks;
        /** Bytes in chunks mmapped on their own (over the mmap threshold). */
        public long hblkhd;

        public long usmblks, fsmblks;
        /** Bytes in use in the arenas. */
        public long uordblks;
        /** Bytes free in the arenas: held by the process, reusable, not given back. */
        public long fordblks;

        public long keepcost;
    }

    /**
     * What glibc's malloc holds, as it counts it: {@code inUse} (arena chunks in use plus mmapped chunks),
     * {@code freeHeld} (free chunks inside the arenas: resident unless trimmed). Native memory of this
     * process that is neither (thread stacks, the JVM's own mappings, code) is not in it.
     */
    public record Usage(long inUseBytes, long freeHeldBytes) {}

    private static volatile CLibrary usageLibrary;

    /** glibc's account of its memory now; empty where it is not glibc 2.33 or later. */
    public static Optional<Usage> usage() {
        CLibrary c = usageLibrary;
        if (c == null) {
            c = glibc();
            if (c == null) return Optional.empty();
            usageLibrary = c;
        }
        try {
            MallInfo2 m = c.mallinfo2();
            return Optional.of(new Usage(m.uordblks + m.hblkhd, m.fordblks));
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Outcome outcome;

    private NativeAllocator() {}

    /** Sets the thresholds the first time it is called; later calls return the first outcome. */
    public static synchronized Outcome tune() {
        if (outcome == null) {
            outcome = apply(tuneProperty(), System.getenv());
        }
        return outcome;
    }

    /** {@code skypack.malloc.tune}, "true" when unset. */
    private static String tuneProperty() {
        return System.getProperty("skypack.malloc.tune", "true");
    }

    /** Whether {@code skypack.malloc.tune} turns the tuning off. */
    private static boolean disabled(String property) {
        return property.trim().equalsIgnoreCase("false");
    }

    static Outcome apply(String property, Map<String, String> env) {
        if (disabled(property)) return Outcome.DISABLED;
        if (!property.trim().equalsIgnoreCase("true")) {
            throw new IllegalArgumentException("skypack.malloc.tune must be true or false, got '" + property + "'");
        }
        CLibrary c = glibc();
        if (TUNABLES.equals(env.get("GLIBC_TUNABLES"))) {
            LOG.info("glibc malloc as the launcher sets it: GLIBC_TUNABLES={}", TUNABLES);
            if (c != null) startTrimming(c, trimInterval());
            return c == null ? Outcome.NOT_GLIBC : Outcome.LAUNCHER;
        }
        if (userSet(env)) {
            LOG.info(
                    "glibc malloc as the environment sets it: GLIBC_TUNABLES={}",
                    env.getOrDefault("GLIBC_TUNABLES", ""));
            return Outcome.USER_SET;
        }
        if (c == null) return Outcome.NOT_GLIBC;
        Outcome o = set(c, MMAP_THRESHOLD, TRIM_THRESHOLD);
        if (o == Outcome.APPLIED) {
            startTrimming(c, trimInterval());
            LOG.info(
                    "glibc {} malloc: mmap threshold {} MB, trim threshold {} MB (skypack.malloc.tune=false leaves"
                            + " glibc's defaults)",
                    c.gnu_get_libc_version(),
                    MMAP_THRESHOLD >> 20,
                    TRIM_THRESHOLD >> 20);
        } else {
            LOG.warn(
                    "glibc refused malloc thresholds {} / {} bytes; left as they were", MMAP_THRESHOLD, TRIM_THRESHOLD);
        }
        return o;
    }

    /**
     * How often free memory goes back to the kernel ({@code skypack.malloc.trim.seconds}, default 60; 0 never).
     * With the high thresholds glibc gives back only the top of a heap, so the holes that PyTorch's
     * blocks of varying size leave behind stay resident: in a 40-minute replay soak at 2 frames/s the
     * detector's RSS crept from 1,175 to 1,537 MB, and a {@code malloc_trim} then released 863 MB of it.
     * A trim a minute costs one page-faulting of the working set a minute.
     */
    static Duration trimInterval() {
        String v = System.getProperty("skypack.malloc.trim.seconds", "60").trim();
        try {
            long seconds = Long.parseLong(v);
            if (seconds >= 0) return Duration.ofSeconds(seconds);
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("skypack.malloc.trim.seconds must be a whole number >= 0, got '" + v + "'");
    }

    /** A daemon thread that calls {@code malloc_trim(0)} every {@code interval}; none for a zero interval. */
    static Optional<ScheduledExecutorService> startTrimming(CLibrary c, Duration interval) {
        if (interval.isZero()) return Optional.empty();
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "skypack-malloc-trim");
            t.setDaemon(true);
            return t;
        });
        s.scheduleWithFixedDelay(trim(c), interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return Optional.of(s);
    }

    /** One trim; a failure is logged, never thrown, so the schedule goes on. */
    static Runnable trim(CLibrary c) {
        return () -> {
            try {
                long t0 = System.nanoTime();
                int released = c.malloc_trim(0);
                LOG.debug(
                        "malloc_trim: {} in {} ms",
                        released == 1 ? "released memory" : "nothing to release",
                        (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException | UnsatisfiedLinkError e) {
                LOG.warn("malloc_trim failed: {}", e.toString());
            }
        };
    }

    /** Calls {@code mallopt} for both thresholds; glibc answers 1 when it takes a value. */
    static Outcome set(CLibrary c, int mmapThreshold, int trimThreshold) {
        boolean ok = c.mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1;
        ok &= c.mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1;
        return ok ? Outcome.APPLIED : Outcome.REFUSED;
    }

    /**
     * Whether the environment already sets glibc's malloc (the launcher's {@link #TUNABLES} included), the
     * way glibc itself reads it at start.
     */
    static boolean userSet(Map<String, String> env) {
        return env.getOrDefault("GLIBC_TUNABLES", "").contains("glibc.malloc.")
                || env.keySet().stream().anyMatch(k -> k.startsWith("MALLOC_"));
    }

    /**
     * What a child JVM that runs models needs in its environment: {@link #TUNABLES}, unless the
     * parent's environment (which the child inherits) already sets glibc's malloc or tuning is off.
     */
    public static Map<String, String> childEnvironment(Map<String, String> parentEnv) {
        if (userSet(parentEnv) || disabled(tuneProperty())) {
            return Map.of();
        }
        return Map.of("GLIBC_TUNABLES", TUNABLES);
    }

    /** The C library when it is glibc, else null. */
    static CLibrary glibc() {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) return null;
        try {
            CLibrary c = Native.load("c", CLibrary.class);
            c.gnu_get_libc_version(); // musl has mallopt as a no-op stub but no gnu_get_libc_version
            return c;
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            return null;
        }
    }
}
