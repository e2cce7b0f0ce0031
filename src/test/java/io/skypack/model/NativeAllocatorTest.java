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
