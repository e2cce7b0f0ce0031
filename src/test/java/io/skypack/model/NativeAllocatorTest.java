package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {
    /** Records each mallopt call and answers as told. */
    private static final class FakeLibc implements NativeAllocator.CLibrary {
        final List<int[]> calls = new ArrayList<>();
        final int answer;

        FakeLibc(int answer) {
            this.answer = answer;
        }

        @Override
        public int mallopt(int param, int value) {
            calls.add(new int[] {param, value});
            return param == NativeAllocator.M_TRIM_THRESHOLD ? 1 : answer;
        }

        @Override
        public String gnu_get_libc_version() {
            return "fake";
        }

        @Override
        public NativeAllocator.MallInfo2 mallinfo2() {
            throw new UnsatisfiedLinkError("not in this fake");
        }

        final List<Long> trims = new ArrayList<>();

        @Override
        public int malloc_trim(long pad) {
            trims.add(pad);
            if (answer < 0) throw new IllegalStateException("libc gone");
            return answer;
        }
    }

    @Test
    void shouldTrimTheWholeHeapOnScheduleAndSurviveAFailedTrim() throws Exception {
        FakeLibc c = new FakeLibc(1);
        NativeAllocator.trim(c).run();
        assertEquals(List.of(0L), c.trims, "pad 0: give back every free page, holes included");
        NativeAllocator.trim(new FakeLibc(-1)).run(); // logged, not thrown
        var s = NativeAllocator.startTrimming(c, java.time.Duration.ofMillis(20))
                .orElseThrow();
        try {
            long end = System.nanoTime() + 5_000_000_000L;
            while (c.trims.size() < 3 && System.nanoTime() < end) Thread.sleep(10);
            assertTrue(c.trims.size() >= 3, "trims: " + c.trims);
        } finally {
            s.shutdownNow();
        }
        assertTrue(NativeAllocator.startTrimming(c, java.time.Duration.ZERO).isEmpty(), "0 means never");
    }

    @Test
    void shouldReadTheTrimIntervalAndNameItsKeyWhenBad() {
        assertEquals(java.time.Duration.ofSeconds(60), NativeAllocator.trimInterval());
        System.setProperty("skypack.malloc.trim.seconds", "-1");
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, NativeAllocator::trimInterval);
            assertTrue(e.getMessage().contains("skypack.malloc.trim.seconds"), e.getMessage());
        } finally {
            System.clearProperty("skypack.malloc.trim.seconds");
        }
    }

    @Test
    void shouldTellTheLaunchersSettingsFromTheUsersOwn() {
        NativeAllocator.Outcome o = NativeAllocator.apply("true", Map.of("GLIBC_TUNABLES", NativeAllocator.TUNABLES));
        assertEquals(
                NativeAllocator.glibc() == null ? NativeAllocator.Outcome.NOT_GLIBC : NativeAllocator.Outcome.LAUNCHER,
                o);
        assertEquals(
                NativeAllocator.Outcome.USER_SET,
                NativeAllocator.apply(
                        "true", Map.of("GLIBC_TUNABLES", NativeAllocator.TUNABLES + ":glibc.malloc.tcache_count=0")));
    }

    @Test
    void shouldSetTheMmapAndTrimThresholdsThroughMallopt() {
        FakeLibc c = new FakeLibc(1);
        assertEquals(NativeAllocator.Outcome.APPLIED, NativeAllocator.set(c, 32 << 20, 256 << 20));
        assertEquals(2, c.calls.size());
        assertEquals(NativeAllocator.M_MMAP_THRESHOLD, c.calls.get(0)[0]);
        assertEquals(32 << 20, c.calls.get(0)[1]);
        assertEquals(NativeAllocator.M_TRIM_THRESHOLD, c.calls.get(1)[0]);
        assertEquals(256 << 20, c.calls.get(1)[1]);
    }

    @Test
    void shouldReportRefusedWhenGlibcAnswersZero() {
        assertEquals(NativeAllocator.Outcome.REFUSED, NativeAllocator.set(new FakeLibc(0), 32 << 20, 256 << 20));
    }

    @Test
    void shouldBeTakenByTheRealGlibc() {
        NativeAllocator.CLibrary c = NativeAllocator.glibc();
        assumeTrue(c != null, "not Linux with glibc");
        assertNotNull(c.gnu_get_libc_version());
        assertEquals(
                NativeAllocator.Outcome.APPLIED,
                NativeAllocator.set(c, NativeAllocator.MMAP_THRESHOLD, NativeAllocator.TRIM_THRESHOLD));
        int released = c.malloc_trim(0);
        assertTrue(released == 0 || released == 1, "malloc_trim answers 0 or 1: " + released);
    }

    @Test
    void shouldGiveTheLauncherAndChildJvmsTheSameTunables() throws Exception {
        assertEquals(
                "glibc.malloc.arena_max=1:glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=268435456",
                NativeAllocator.TUNABLES);
        String launcher = Files.readString(Path.of("skypack"));
        assertTrue(launcher.contains("${GLIBC_TUNABLES:-" + NativeAllocator.TUNABLES + "}"), launcher);
        assertEquals(Map.of("GLIBC_TUNABLES", NativeAllocator.TUNABLES), NativeAllocator.childEnvironment(Map.of()));
        // a child inherits what the parent's environment already says, and gets nothing on top
        assertEquals(Map.of(), NativeAllocator.childEnvironment(Map.of("GLIBC_TUNABLES", NativeAllocator.TUNABLES)));
        assertEquals(Map.of(), NativeAllocator.childEnvironment(Map.of("MALLOC_ARENA_MAX", "4")));
    }

    @Test
    void shouldLeaveThresholdsTheEnvironmentSetsAlone() {
        assertTrue(NativeAllocator.userSet(Map.of("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=1048576")));
        assertTrue(NativeAllocator.userSet(Map.of("GLIBC_TUNABLES", "glibc.cpu.x=1:glibc.malloc.trim_threshold=0")));
        assertTrue(NativeAllocator.userSet(Map.of("MALLOC_MMAP_THRESHOLD_", "1048576")));
        assertTrue(NativeAllocator.userSet(Map.of("MALLOC_TRIM_THRESHOLD_", "0")));
        assertTrue(NativeAllocator.userSet(Map.of("GLIBC_TUNABLES", "glibc.malloc.arena_max=2")));
        assertFalse(NativeAllocator.userSet(Map.of("GLIBC_TUNABLES", "glibc.cpu.hwcaps=-AVX512F")));
        assertFalse(NativeAllocator.userSet(Map.of("MALLOC", "x", "PATH", "/bin")));
        assertEquals(
                NativeAllocator.Outcome.USER_SET, NativeAllocator.apply("true", Map.of("MALLOC_TRIM_THRESHOLD_", "0")));
    }

    @Test
    void shouldStayOffWhenDisabledAndNameTheKeyOfABadValue() {
        assertEquals(NativeAllocator.Outcome.DISABLED, NativeAllocator.apply("false", Map.of()));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> NativeAllocator.apply("yes", Map.of()));
        assertTrue(e.getMessage().contains("skypack.malloc.tune"), e.getMessage());
    }
}
