package io.skypack.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * CPU time of every thread of this process, Java and native (PyTorch's OpenMP workers, the JVM's GC),
 * from {@code /proc/self/task/<tid>/stat} (Linux). {@code bench pipeline} takes one before and one after
 * a row and reports how many cores were busy, and with {@code --threads} which threads used them.
 *
 * @param threads by thread id: name and CPU ticks so far
 */
record ThreadCpu(Map<Long, Entry> threads) {
    /** One thread: its name as the kernel has it (15 characters at most) and its user + system ticks. */
    record Entry(String name, long ticks) {}

    /** Clock ticks per second of {@code utime}/{@code stime} ({@code USER_HZ}: 100 on Linux). */
    static final double TICKS_PER_SECOND = 100.0;

    /** Every thread's time now; empty where there is no {@code /proc}. */
    static ThreadCpu now() {
        Map<Long, Entry> out = new HashMap<>();
        try (Stream<Path> tasks = Files.list(Path.of("/proc/self/task"))) {
            tasks.forEach(t -> {
                try {
                    parse(Files.readString(t.resolve("stat")))
                            .ifPresent(
                                    e -> out.put(Long.parseLong(t.getFileName().toString()), e));
                } catch (IOException | RuntimeException gone) {
                    // the thread ended between the listing and the read: it is left out of this snapshot
                }
            });
        } catch (IOException | RuntimeException noProc) {
            return new ThreadCpu(Map.of());
        }
        return new ThreadCpu(out);
    }

    /**
     * One {@code stat} line: {@code tid (name) state ppid ...}, utime and stime being fields 14 and 15.
     * The name may hold spaces and parentheses, so the fields are counted from the last ')'.
     */
    static Optional<Entry> parse(String stat) {
        int open = stat.indexOf('('), close = stat.lastIndexOf(')');
        if (open < 0 || close < open || close + 2 > stat.length()) return Optional.empty();
        String[] rest = stat.substring(close + 2).trim().split("\\s+");
        if (rest.length < 13) return Optional.empty(); // rest[0] is field 3, so field n is rest[n - 3]
        return Optional.of(
                new Entry(stat.substring(open + 1, close), Long.parseLong(rest[11]) + Long.parseLong(rest[12])));
    }

    /** CPU seconds by thread name since {@code before}; threads born since then count from zero. */
    Map<String, Double> since(ThreadCpu before) {
        Map<String, Double> out = new HashMap<>();
        threads.forEach((tid, e) -> {
            Entry b = before.threads.get(tid);
            long base = b != null && b.name().equals(e.name()) ? b.ticks() : 0;
            if (e.ticks() > base) out.merge(e.name(), (e.ticks() - base) / TICKS_PER_SECOND, Double::sum);
        });
        return out;
    }
}
