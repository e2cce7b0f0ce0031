package io.skypack.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.skypack.detect.Box;
import io.skypack.detect.Detection;
import java.util.List;
import org.junit.jupiter.api.Test;

class MpDetDecoderTest {

    @Test
    void shouldDecodeOneConfidentLocationIntoABoxMaskClassAndProxyInSourcePixels() {
        MpDetConfig cfg = new MpDetConfig(
                "t",
                64,
                64,
                List.of(4, 9),
                List.of(2, 2),
                8,
                7,
                List.of(8, 16, 32),
                List.of(8, 8, 8, 8, 8),
                8,
                1,
                4,
                10f,
                false);
        int n = 64 + 16 + 4, bins = 8;
        float[] logits = new float[n * 2];
        java.util.Arrays.fill(logits, -10f);
        int loc = 9; // stride 8, x = 1, y = 1: centre (12, 12)
        logits[loc * 2 + 1] = 5f; // class index 1 = bus (9), score sigmoid(5) = 0.9933
        float[] reg = new float[n * 4 * bins];
        for (int i = 0; i < n * 4; i++) reg[i * bins + 2] = 50f; // every side: 2 bins = 16 px at stride 8
        float[] sims = new float[n * 4];
        sims[loc * 4 + 2] = 0.1f;
        sims[loc * 4 + 3] = 0.9f; // the bus's second proxy wins
        try (NDManager m = NDManager.newBaseManager()) {
            NDList out = new NDList(
                    m.create(logits, new Shape(1, n, 2)),
                    m.create(reg, new Shape(1, n, 4 * bins)),
                    m.zeros(new Shape(1, n, 8)),
                    m.zeros(new Shape(1, n, 4)), // coefficients 0: mask probability 0.5 everywhere
                    m.create(sims, new Shape(1, n, 4)),
                    m.zeros(new Shape(1, 4, 16, 16)));
            InputWindow w = InputWindow.letterbox(128, 128, 64, 64); // source is twice the input
            List<Detection> dets = new MpDetDecoder(cfg, MpDetDecoder.Params.DEFAULTS)
                    .decode(out, List.of(w))
                    .get(0);
            assertEquals(1, dets.size());
            Detection d = dets.get(0);
            assertEquals(9, d.category());
            assertEquals(1 / (1 + Math.exp(-5)), d.score(), 1e-5);
            assertEquals(1, d.proxy());
            // Input box (12-16, 12-16, 12+16, 12+16) clipped at 0 -> (0, 0, 28, 28), times 2 in the source.
            Box b = d.box();
            assertEquals(0, b.x1(), 1e-3);
            assertEquals(0, b.y1(), 1e-3);
            assertEquals(56, b.x2(), 1e-3);
            assertEquals(56, b.y2(), 1e-3);
            assertEquals(56 * 56, d.mask().area(), "probability 0.5 meets the 0.5 threshold inside the box");
            assertEquals(new Box(0, 0, 56, 56), d.mask().boundingBox());
        }
    }
}
