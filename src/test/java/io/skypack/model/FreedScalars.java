package io.skypack.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * For tests that must see what a garbage collection does to the native memory of live tensors: collects,
 * waits for the direct buffers' cleaners, then takes back freed small blocks and fills them with a value
 * no test expects, so a tensor that still points into one of them reads garbage rather than, by luck, its
 * old value.
 */
public final class FreedScalars {
    private FreedScalars() {}

    /**
     * Collects garbage and reuses the freed small native blocks; keep the returned filler reachable until
     * the check is done.
     */
    public static List<ByteBuffer> collectAndOverwrite() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        List<ByteBuffer> filler = new ArrayList<>();
        for (int i = 0; i < 4096; i++) {
            filler.add(
                    ByteBuffer.allocateDirect(4).order(ByteOrder.nativeOrder()).putFloat(0, 1e30f));
        }
        return filler;
    }
}
