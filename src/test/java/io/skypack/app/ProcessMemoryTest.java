package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The stats line a detector prints for the soak, and reading it back. */
class ProcessMemoryTest {
    @Test
    void aStatsLineShouldSplitThisJvmsMemoryAndReadBackAsItWasWritten() {
        String line = ProcessMemory.statsLine();
        ProcessMemory.JvmStats s = ProcessMemory.stats(line).orElseThrow(() -> new AssertionError(line));

        assertTrue(s.heapUsedMb() >= 0 && s.heapCommittedMb() >= s.heapUsedMb(), line);
        assertTrue(s.nonHeapMb() > 0, "metaspace and code cache are never empty: " + line);
        assertTrue(s.directMb() >= 0, line);
        if (System.getProperty("os.name").toLowerCase().contains("linux")) {
            // glibc 2.33+ here (Debian 12 has 2.36); the JVM itself mallocs, so some is always in use.
            assertTrue(s.mallocUsedMb() > 0, line);
            assertTrue(s.mallocFreeMb() >= 0, line);
        }
    }

    @Test
    void shouldReadTheFieldsByNameAndMarkMissingOnesUnknown() {
        assertEquals(
                Optional.of(new ProcessMemory.JvmStats(120, 256, 80, 3, 900, 150)),
                ProcessMemory.stats("stats heap.used.mb=120 heap.committed.mb=256 nonheap.mb=80 direct.mb=3"
                        + " malloc.used.mb=900 malloc.free.mb=150 rss.mb=1200 hwm.mb=1300"));
        assertEquals(
                Optional.of(new ProcessMemory.JvmStats(120, 256, -1, -1, -1, -1)),
                ProcessMemory.stats("stats heap.used.mb=120 heap.committed.mb=256 rss.mb=1200 hwm.mb=1300"),
                "the older line, without the split");
        assertEquals(Optional.empty(), ProcessMemory.stats("frames in 11/11, out 10"));
        assertEquals(Optional.empty(), ProcessMemory.stats("[main] INFO stats heap.used.mb=1"));
    }
}
