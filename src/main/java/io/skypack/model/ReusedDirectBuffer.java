package io.skypack.model;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A native-order direct buffer reused from call to call, grown to the largest request and never shrunk,
 * for data handed to PyTorch. {@code NDManager.create} of a Java array allocates a direct buffer per
 * call and PyTorch reads it in place; that memory is freed only when the GC collects the buffer's Java
 * object, so each one that reached the old generation first stayed allocated until an old-generation
 * collection, and a replay's native memory crept up. Not thread-safe: one per model runner (or trainer).
 */
public final class ReusedDirectBuffer {
    private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

    /**
     * The buffer at position 0 with exactly {@code bytes} remaining. An array made from it reads it in
     * place: close (or stop using) that array before the next {@code take}, which may overwrite it.
     */
    public ByteBuffer take(long bytes) {
        int size = Math.toIntExact(bytes);
        if (buffer.capacity() < size) buffer = ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder());
        buffer.clear().limit(size);
        return buffer;
    }

    /** Bytes held: the largest {@link #take} so far. */
    public long capacity() {
        return buffer.capacity();
    }
}
