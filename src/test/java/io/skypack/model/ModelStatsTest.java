package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ModelStatsTest {
    private static final MpDetConfig CONFIG = MpDetConfig.small("t", 64, 64, 2, false);

    @Test
    void parametersDoNotDependOnInputSizeAndMatchTheModelFile() {
        ModelStats a = ModelStats.of(CONFIG, 64, 64), b = ModelStats.of(CONFIG, 128, 96);
        assertEquals(a.parameters(), b.parameters());
        // 1.18 M: the figure the model file's size (4.7 MB of float32) was checked against.
        assertEquals(1.18e6, a.parameters(), 0.01e6);
    }

    @Test
    void convolutionCostScalesWithThePixelCount() {
        ModelStats small = ModelStats.of(CONFIG, 64, 64), big = ModelStats.of(CONFIG, 128, 128);
        // Every convolution's output area grows 4x (all sizes divide by 32), so the MACs grow 4x.
        assertEquals(4.0, (double) big.convMacs() / small.convMacs(), 1e-9);
    }

    @Test
    void aHeadConvolutionIsCountedOncePerFpnLevel() {
        MpDetConfig c = CONFIG;
        MpDetConfig deeper = new MpDetConfig(
                c.name(),
                64,
                64,
                c.classIds(),
                c.proxies(),
                c.embedDim(),
                c.regMax(),
                c.strides(),
                c.backboneWidths(),
                c.fpnChannels(),
                c.towerConvs() + 1,
                c.prototypes(),
                c.gamma(),
                c.adl());
        long extra = ModelStats.of(deeper, 64, 64).convMacs()
                - ModelStats.of(c, 64, 64).convMacs();
        // One more 3x3 64->64 conv in each of the two towers, run on every location of the three
        // levels (8x8 + 4x4 + 2x2 = 84 at 64x64): 2 * 84 * 64 * 64 * 9 = 6,193,152 MACs.
        assertEquals(6_193_152L, extra);
    }
}
