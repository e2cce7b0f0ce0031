package io.skypack.model;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;

/**
 * PyTorch's intra-op threads for the calling thread. The bundled CPU build runs its operators with
 * OpenMP (libgomp), whose thread count is a per-thread setting; ATen sets it on a thread's first
 * operator from a process-wide value, the last one any thread set. So a thread that wants its own count
 * initialises first and sets after, and whoever changes the process-wide value puts it back.
 */
public final class TorchThreads {
    private TorchThreads() {}

    /** The calling thread's intra-op threads (initialising them from the process-wide value first). */
    public static int ofThisThread() {
        loadEngine();
        return JniUtils.getNumThreads();
    }

    /**
     * Sets the calling thread's intra-op threads to {@code n}. This also becomes the count that threads
     * which have not run an operator yet start with.
     */
    public static void setForThisThread(int n) {
        if (n < 1) throw new IllegalArgumentException("intra-op threads must be >= 1: " + n);
        loadEngine();
        JniUtils.getNumThreads();
        JniUtils.setNumThreads(n);
    }

    /** The native library is loaded with the engine. */
    private static void loadEngine() {
        Engine.getEngine("PyTorch");
    }
}
