package io.skypack.registry;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.io.Decoder;
import org.apache.avro.util.Utf8;

/**
 * Avro binary decoding of one record held in a byte array, that trusts no length in it.
 *
 * <p>Avro's own {@code BinaryDecoder} allocates whatever a length prefix claims before reading the
 * bytes, so a hostile 10-byte record claiming a 1 GiB string makes the consumer allocate 1 GiB (or
 * die of it). Here a string, bytes or block length beyond the bytes left ends the read with {@link
 * EOFException} before anything is allocated, and a negative length or a malformed varint with
 * {@link AvroRuntimeException}. An array or map block may not announce more items than bytes are
 * left: every item of a SkyPack contract takes at least one byte (arrays of {@code null} would be
 * refused, and no contract has one).
 *
 * <p>Otherwise it decodes exactly as the <a href="https://avro.apache.org/docs/1.12.0/specification/">
 * Avro specification</a> says (zig-zag varints, little-endian floats, blocked arrays and maps with
 * optional byte sizes). Not thread-safe; one per record.
 */
final class BoundedBinaryDecoder extends Decoder {
    private final byte[] buf;
    private final int limit;
    private int pos;

    BoundedBinaryDecoder(byte[] buf, int offset, int length) {
        this.buf = buf;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Whether every byte was consumed. */
    boolean isEnd() {
        return pos == limit;
    }

    int remaining() {
        return limit - pos;
    }

    @Override
    public void readNull() {}

    @Override
    public boolean readBoolean() throws IOException {
        return next() == 1;
    }

    @Override
    public int readInt() throws IOException {
        int n = 0;
        for (int shift = 0; shift < 35; shift += 7) {
            int b = next();
            n |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (n >>> 1) ^ -(n & 1);
        }
        throw new AvroRuntimeException("Invalid int encoding");
    }

    @Override
    public long readLong() throws IOException {
        long n = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            long b = next();
            n |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return (n >>> 1) ^ -(n & 1);
        }
        throw new AvroRuntimeException("Invalid long encoding");
    }

    @Override
    public float readFloat() throws IOException {
        need(4);
        int bits = (buf[pos] & 0xff)
                | (buf[pos + 1] & 0xff) << 8
                | (buf[pos + 2] & 0xff) << 16
                | (buf[pos + 3] & 0xff) << 24;
        pos += 4;
        return Float.intBitsToFloat(bits);
    }

    @Override
    public double readDouble() throws IOException {
        need(8);
        long bits = 0;
        for (int i = 7; i >= 0; i--) bits = (bits << 8) | (buf[pos + i] & 0xff);
        pos += 8;
        return Double.longBitsToDouble(bits);
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        int length = length();
        Utf8 result = old != null ? old : new Utf8();
        result.setByteLength(length);
        System.arraycopy(buf, pos, result.getBytes(), 0, length);
        pos += length;
        return result;
    }

    @Override
    public String readString() throws IOException {
        int length = length();
        String s = new String(buf, pos, length, StandardCharsets.UTF_8);
        pos += length;
        return s;
    }

    @Override
    public void skipString() throws IOException {
        int length = length(); // not "pos += length()": that would add to pos as it was before the prefix
        pos += length;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        int length = length();
        ByteBuffer result;
        if (old != null && length <= old.capacity()) {
            result = old;
            result.clear();
        } else {
            result = ByteBuffer.allocate(length);
        }
        result.put(buf, pos, length);
        result.flip();
        pos += length;
        return result;
    }

    @Override
    public void skipBytes() throws IOException {
        int length = length(); // not "pos += length()": that would add to pos as it was before the prefix
        pos += length;
    }

    @Override
    public void readFixed(byte[] bytes, int start, int length) throws IOException {
        need(length);
        System.arraycopy(buf, pos, bytes, start, length);
        pos += length;
    }

    @Override
    public void skipFixed(int length) throws IOException {
        need(length);
        pos += length;
    }

    @Override
    public int readEnum() throws IOException {
        return readInt();
    }

    @Override
    public long readArrayStart() throws IOException {
        return blockCount();
    }

    @Override
    public long arrayNext() throws IOException {
        return blockCount();
    }

    @Override
    public long skipArray() throws IOException {
        return skipBlocks();
    }

    @Override
    public long readMapStart() throws IOException {
        return blockCount();
    }

    @Override
    public long mapNext() throws IOException {
        return blockCount();
    }

    @Override
    public long skipMap() throws IOException {
        return skipBlocks();
    }

    @Override
    public int readIndex() throws IOException {
        return readInt();
    }

    // ---------------------------------------------------------------------------------------------

    private int next() throws EOFException {
        if (pos >= limit) throw new EOFException("record ends early");
        return buf[pos++] & 0xff;
    }

    private void need(long n) throws EOFException {
        if (n > limit - pos) {
            throw new EOFException("record ends early: " + n + " bytes announced, " + (limit - pos) + " left");
        }
    }

    /** A string or bytes length, checked against the bytes left before anything is allocated. */
    private int length() throws IOException {
        long n = readLong();
        if (n < 0) throw new AvroRuntimeException("Malformed data: negative length " + n);
        need(n);
        return (int) n;
    }

    /** Items in the next block; a negative count is followed by the block's byte size (ignored). */
    private long blockCount() throws IOException {
        long count = readLong();
        if (count < 0) {
            if (count == Long.MIN_VALUE) throw new AvroRuntimeException("Malformed data: block count " + count);
            count = -count;
            long size = readLong();
            if (size < 0) throw new AvroRuntimeException("Malformed data: negative block size " + size);
            need(size);
        }
        if (count > limit - pos) {
            throw new EOFException(
                    "record ends early: a block of " + count + " items, " + (limit - pos) + " bytes left");
        }
        return count;
    }

    /**
     * Skips blocks that carry their byte size; returns the item count of the first block without one
     * (the caller skips those items and calls again), or 0 at the end.
     */
    private long skipBlocks() throws IOException {
        while (true) {
            long count = readLong();
            if (count >= 0) {
                if (count > limit - pos) {
                    throw new EOFException(
                            "record ends early: a block of " + count + " items, " + (limit - pos) + " bytes left");
                }
                return count;
            }
            if (count == Long.MIN_VALUE) throw new AvroRuntimeException("Malformed data: block count " + count);
            long size = readLong();
            if (size < 0) throw new AvroRuntimeException("Malformed data: negative block size " + size);
            need(size);
            pos += (int) size;
        }
    }
}
