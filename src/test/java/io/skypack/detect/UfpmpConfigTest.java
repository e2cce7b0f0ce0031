package io.skypack.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class UfpmpConfigTest {
    @Test
    void shouldRoundTheCanvasBudgetDownSoPixelsPerFrameStayWithinItAtEveryBatchSize() {
        UfpmpConfig c = UfpmpConfig.DEFAULT.withCanvasesPerFrame(2.5);
        assertEquals(2, c.maxCanvases(1));
        assertEquals(5, c.maxCanvases(2));
        assertEquals(20, c.maxCanvases(8));
        assertEquals(1, UfpmpConfig.DEFAULT.withCanvasesPerFrame(0.3).maxCanvases(1), "never below one canvas");
        assertEquals(Integer.MAX_VALUE, c.withCanvasesPerFrame(0).maxCanvases(8), "0 is no budget");
        assertThrows(IllegalArgumentException.class, () -> c.withCanvasesPerFrame(-1));
        assertThrows(IllegalArgumentException.class, () -> c.withCanvasesPerFrame(Double.NaN));
    }

    @Test
    void theBudgetShouldBePerFrameByDefaultAndRequired() {
        assertEquals(UfpmpConfig.CanvasBudget.FRAME, UfpmpConfig.DEFAULT.canvasBudget());
        assertEquals(
                UfpmpConfig.CanvasBudget.BATCH,
                UfpmpConfig.DEFAULT
                        .withCanvasBudget(UfpmpConfig.CanvasBudget.BATCH)
                        .withMaxBatch(4)
                        .canvasBudget(),
                "kept by the other with-methods");
        assertThrows(IllegalArgumentException.class, () -> UfpmpConfig.DEFAULT.withCanvasBudget(null));
    }
}
