package io.skypack.app;

import io.skypack.model.NativeAllocator;
import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Memory of a process as the soak reports it: resident set size and its high-water mark from
 * {@code /proc/<pid>/status} (Linux; heap and native memory together, the number an operator's
 * container limit sees), and the Java heap of this JVM. The detect command prints {@link #statsLine()}
 * periodically when asked, so a parent process can read a child's heap from its log.
 */
record ProcessMemory(long rssKb, long hwmKb) {
    private static final String STATS_PREFIX = "stats ";
    private static final Pattern STATS_FIELD = Pattern.compile("([a-z.]+\\.mb)=(-?\\d+)");

    /** VmRSS and VmHWM of process {@code pid}, or empty where there is no {@code /proc} (not Linux, or gone). */
    static Optional<ProcessMemory> of(long pid) {
        List<String> lines;
        try {
            lines = Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        OptionalLong rss = field(lines, "VmRSS:"), hwm = field(lines, "VmHWM:");
        if (rss.isEmpty() || hwm.isEmpty()) return Optional.empty();
        return Optional.of(new ProcessMemory(rss.getAsLong(), hwm.getAsLong()));
    }

    private static OptionalLong field(List<String> lines, String name) {
        for (String l : lines) {
            if (l.startsWith(name)) {
                return OptionalLong.of(
                        Long.parseLong(l.substring(name.length()).trim().split("\\s+")[0]));
            }
        }
        return OptionalLong.empty();
    }

    /**
     * What a JVM says of its own memory in a {@link #statsLine()}, in MB; -1 where it could not tell.
     * Together with the resident set size they split it: the Java heap ({@code heapCommitted}), the
     * JVM's other pools ({@code nonHeap}: metaspace, code cache; {@code direct} buffers), and glibc
     * malloc, where PyTorch's tensors live ({@code mallocUsed} in use, {@code mallocFree} free but still
     * held by the process). The rest of the resident set is thread stacks, libraries and the JVM's own
     * native memory.
     */
    record JvmStats(
            long heapUsedMb,
            long heapCommittedMb,
            long nonHeapMb,
            long directMb,
            long mallocUsedMb,
            long mallocFreeMb) {
        static final JvmStats UNKNOWN = new JvmStats(-1, -1, -1, -1, -1, -1);

        /** The JVM's memory outside the heap: its non-heap pools and direct buffers; -1 when unknown. */
        long nonHeapAndDirectMb() {
            return nonHeapMb < 0 ? -1 : nonHeapMb + Math.max(0, directMb);
        }
    }

    /**
     * One line about this JVM: {@code stats heap.used.mb=U heap.committed.mb=C nonheap.mb=N direct.mb=D
     * malloc.used.mb=M malloc.free.mb=F rss.mb=R hwm.mb=H} (-1 for what this platform cannot tell); {@link
     * #stats(String)} reads it back.
     */
    static String statsLine() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        long direct = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(b -> b.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        Optional<NativeAllocator.Usage> malloc = NativeAllocator.usage();
        Optional<ProcessMemory> self = of(ProcessHandle.current().pid());
        return String.format(
                Locale.ROOT,
                "stats heap.used.mb=%d heap.committed.mb=%d nonheap.mb=%d direct.mb=%d malloc.used.mb=%d"
                        + " malloc.free.mb=%d rss.mb=%d hwm.mb=%d",
                heap.getUsed() >> 20,
                heap.getCommitted() >> 20,
                nonHeap.getCommitted() >> 20,
                direct >> 20,
                malloc.map(m -> m.inUseBytes() >> 20).orElse(-1L),
                malloc.map(m -> m.freeHeldBytes() >> 20).orElse(-1L),
                self.map(m -> m.rssKb() >> 10).orElse(-1L),
                self.map(m -> m.hwmKb() >> 10).orElse(-1L));
    }

    /** The numbers of a {@link #statsLine()} (-1 for one it lacks), or empty when {@code line} is not one. */
    static Optional<JvmStats> stats(String line) {
        if (!line.startsWith(STATS_PREFIX)) return Optional.empty();
        Map<String, Long> v = new HashMap<>();
        Matcher m = STATS_FIELD.matcher(line);
        while (m.find()) v.put(m.group(1), Long.parseLong(m.group(2)));
        if (!v.containsKey("heap.used.mb")) return Optional.empty();
        return Optional.of(new JvmStats(
                v.get("heap.used.mb"),
                v.getOrDefault("heap.committed.mb", -1L),
                v.getOrDefault("nonheap.mb", -1L),
                v.getOrDefault("direct.mb", -1L),
                v.getOrDefault("malloc.used.mb", -1L),
                v.getOrDefault("malloc.free.mb", -1L)));
    }
}
