package io.skypack.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** {@code skypack.devices} and {@code skypack.workers}: which device each detector opens its models on. */
class InferenceDevicesTest {
    private static List<Device> perWorker(InferenceDevices d) {
        return IntStream.range(0, d.workers()).mapToObj(d::deviceOf).toList();
    }

    @Test
    void autoShouldRunOneDetectorOnTheCpuWhenDjlSeesNoGpu() {
        InferenceDevices d = InferenceDevices.resolve("auto", "auto", 0);

        assertEquals(List.of(Device.cpu()), perWorker(d));
    }

    @Test
    void autoShouldRunOneDetectorPerGpuWhenDjlSeesSome() {
        InferenceDevices d = InferenceDevices.resolve("auto", "auto", 3);

        assertEquals(List.of(Device.gpu(0), Device.gpu(1), Device.gpu(2)), perWorker(d));
    }

    @Test
    void moreWorkersThanDevicesShouldShareTheDevicesInTurn() {
        assertEquals(
                List.of(Device.gpu(0), Device.gpu(1), Device.gpu(0), Device.gpu(1), Device.gpu(0)),
                perWorker(InferenceDevices.resolve("gpu", "5", 2)));
        assertEquals(List.of(Device.cpu(), Device.cpu()), perWorker(InferenceDevices.resolve("auto", "2", 0)));
    }

    @Test
    void aListShouldNameTheDevicesInItsOrderOnceEach() {
        assertEquals(
                List.of(Device.gpu(2), Device.gpu(0), Device.cpu()),
                perWorker(InferenceDevices.resolve(" GPU2, gpu0 ,cpu,gpu2", "auto", 4)));
        assertEquals(List.of(Device.cpu()), perWorker(InferenceDevices.resolve("cpu", "auto", 8)));
    }

    @Test
    void aGpuDjlDoesNotSeeShouldBeRefusedWithWhatItSees() {
        IllegalArgumentException none =
                assertThrows(IllegalArgumentException.class, () -> InferenceDevices.resolve("gpu", "auto", 0));
        assertTrue(none.getMessage().startsWith("skypack.devices names gpu, but DJL sees no GPU"), none.getMessage());
        assertTrue(none.getMessage().contains("CPU build"), none.getMessage());

        IllegalArgumentException two =
                assertThrows(IllegalArgumentException.class, () -> InferenceDevices.resolve("gpu0,gpu2", "auto", 2));
        assertTrue(
                two.getMessage().startsWith("skypack.devices names gpu2, but DJL sees 2 GPUs (gpu0-gpu1)"),
                two.getMessage());

        IllegalArgumentException one =
                assertThrows(IllegalArgumentException.class, () -> InferenceDevices.resolve("gpu1", "auto", 1));
        assertTrue(
                one.getMessage().startsWith("skypack.devices names gpu1, but DJL sees 1 GPU (gpu0)"), one.getMessage());
    }

    @Test
    void badValuesShouldNameTheirKey() {
        for (String devices : new String[] {"tpu", "", "gpu-1", "cpu;gpu0", "gpu(0)"}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> InferenceDevices.resolve(devices, "auto", 2));
            assertTrue(e.getMessage().startsWith("skypack.devices must be auto, cpu, gpu or a list"), e.getMessage());
        }
        for (String workers : new String[] {"0", "65", "two", "-1", ""}) {
            IllegalArgumentException e =
                    assertThrows(IllegalArgumentException.class, () -> InferenceDevices.resolve("cpu", workers, 0));
            assertTrue(e.getMessage().startsWith("skypack.workers must be auto"), e.getMessage());
        }
    }

    @Test
    void autoLanesShouldGiveACpuDetectorOneSingleThreadedLanePerCoreOfItsShare() {
        InferenceDevices one = InferenceDevices.resolve("cpu", "auto", 0);
        assertEquals(new InferenceDevices.Lanes(2, 1), one.lanesOf(0, "auto", 2));
        assertEquals(new InferenceDevices.Lanes(8, 2), one.lanesOf(0, "auto", 16));
        assertEquals(InferenceDevices.Lanes.ONE, one.lanesOf(0, "auto", 1));

        InferenceDevices two = InferenceDevices.resolve("cpu", "2", 0);
        assertEquals(InferenceDevices.Lanes.ONE, two.lanesOf(1, "auto", 2));
        assertEquals(new InferenceDevices.Lanes(4, 1), two.lanesOf(1, "AUTO ", 8));
    }

    @Test
    void theCpuDetectorsShouldShareTheCoresAndAGpuDetectorHaveNone() {
        assertEquals(16, InferenceDevices.resolve("cpu", "auto", 0).coresOf(0, 16));
        InferenceDevices two = InferenceDevices.resolve("cpu", "2", 0);
        assertEquals(1, two.coresOf(0, 2));
        assertEquals(4, two.coresOf(1, 8));
        assertEquals(1, InferenceDevices.resolve("cpu", "3", 0).coresOf(2, 2), "at least one core each");
        InferenceDevices mixed = InferenceDevices.resolve("gpu0,cpu", "auto", 1);
        assertEquals(0, mixed.coresOf(0, 16));
        assertEquals(16, mixed.coresOf(1, 16), "the GPU detector takes no share");
    }

    @Test
    void lanesShouldBeOneOnAGpuAndAsAskedOnTheCpu() {
        InferenceDevices mixed = InferenceDevices.resolve("gpu0,cpu", "auto", 1);
        assertEquals(InferenceDevices.Lanes.ONE, mixed.lanesOf(0, "auto", 16));
        assertEquals(InferenceDevices.Lanes.ONE, mixed.lanesOf(0, "4", 16));
        assertEquals(new InferenceDevices.Lanes(8, 2), mixed.lanesOf(1, "auto", 16));
        assertEquals(new InferenceDevices.Lanes(3, 5), mixed.lanesOf(1, "3", 16));
        assertEquals(new InferenceDevices.Lanes(3, 1), mixed.lanesOf(1, "3", 2));
        assertEquals(InferenceDevices.Lanes.ONE, mixed.lanesOf(1, "1", 16));
    }

    @Test
    void lanesThatAreNotAutoOrAWholeNumberShouldBeRefusedNamingTheKey() {
        InferenceDevices cpu = InferenceDevices.resolve("cpu", "auto", 0);
        for (String bad : List.of("0", "-1", "65", "two", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cpu.lanesOf(0, bad, 2));
            assertEquals(
                    "skypack.inference.lanes must be auto or a whole number in [1, 64], got '" + bad + "'",
                    e.getMessage());
        }
    }
}
