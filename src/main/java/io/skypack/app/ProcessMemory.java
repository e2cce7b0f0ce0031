package io.skypack.app;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
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
    private static final Pattern STATS = Pattern.compile("^stats heap\\.used\\.mb=(\\d+) heap\\.committed\\.mb=(\\d+)");

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
     * One line about this JVM: {@code stats heap.used.mb=U heap.committed.mb=C rss.mb=R hwm.mb=H} (R and H
     * -1 without {@code /proc}); {@link #heapUsedMb(String)} reads it back.
     */
    static String statsLine() {
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        Optional<ProcessMemory> self = of(ProcessHandle.current().pid());
        return String.format(
                Locale.ROOT,
                "stats heap.used.mb=%d heap.committed.mb=%d rss.mb=%d hwm.mb=%d",
                heap.getUsed() >> 20,
                heap.getCommitted() >> 20,
                self.map(m -> m.rssKb() >> 10).orElse(-1L),
                self.map(m -> m.hwmKb() >> 10).orElse(-1L));
    }

    /** The heap in use of a {@link #statsLine()}, or empty when {@code line} is not one. */
    static OptionalLong heapUsedMb(String line) {
        Matcher m = STATS.matcher(line);
        return m.find() ? OptionalLong.of(Long.parseLong(m.group(1))) : OptionalLong.empty();
    }
}
