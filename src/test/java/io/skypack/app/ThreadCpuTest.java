package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ThreadCpuTest {
    @Test
    void shouldReadUserPlusSystemTicksPastANameWithSpacesAndParentheses() {
        String stat = "4711 (C2 Compiler (x)) S 1 4711 4711 0 -1 4194368 25876 0 0 0 817 19 0 0 20 0 40 0";
        ThreadCpu.Entry e = ThreadCpu.parse(stat).orElseThrow();
        assertEquals("C2 Compiler (x)", e.name());
        assertEquals(836, e.ticks());
        assertTrue(ThreadCpu.parse("4711 (cut").isEmpty());
        assertTrue(ThreadCpu.parse("4711 (short) S 1 2").isEmpty());
    }

    @Test
    void shouldSumByNameAndCountNewThreadsFromZero() {
        ThreadCpu before =
                new ThreadCpu(Map.of(1L, new ThreadCpu.Entry("java", 100), 2L, new ThreadCpu.Entry("gc", 5)));
        ThreadCpu after = new ThreadCpu(Map.of(
                1L, new ThreadCpu.Entry("java", 350),
                2L, new ThreadCpu.Entry("gc", 5),
                3L, new ThreadCpu.Entry("java", 50), // an OpenMP worker named after its parent, born since
                4L, new ThreadCpu.Entry("stream", 20)));
        Map<String, Double> cpu = after.since(before);
        assertEquals(3.0, cpu.get("java"), 1e-9);
        assertEquals(0.2, cpu.get("stream"), 1e-9);
        assertEquals(null, cpu.get("gc"), "no time spent, no entry");
    }

    @Test
    void shouldSeeThisThreadsOwnCpuTimeGrow() {
        assumeTrue(Files.isDirectory(Path.of("/proc/self/task")), "Linux only");
        ThreadCpu before = ThreadCpu.now();
        long end = System.nanoTime() + 300_000_000L;
        double x = 0;
        while (System.nanoTime() < end) x += Math.sqrt(x + 1);
        double spent = ThreadCpu.now().since(before).values().stream()
                .mapToDouble(Double::doubleValue)
                .sum();
        assertTrue(spent >= 0.15, "300 ms of spinning shows as CPU time: " + spent + " s (" + x + ")");
    }
}
