package io.skypack.ingest;

import io.skypack.schema.Frame;
import io.skypack.schema.ImageEncoding;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Objects;

/**
 * One frame read from a video: its JPEG bytes, the size in pixels, when it was captured and its index
 * (the count of frames the reader produced before it).
 *
 * @param captureTime recording start plus the frame's presentation time for a recording, the wall clock
 *     when the frame was read for a live feed
 */
public record VideoFrame(long index, Instant captureTime, int width, int height, byte[] jpeg) {
    public VideoFrame {
        Objects.requireNonNull(captureTime, "captureTime");
        Objects.requireNonNull(jpeg, "jpeg");
    }

    /** The frame as it goes onto the frames topic. */
    public Frame toFrame(String flightId) {
        return Frame.newBuilder()
                .setFlightId(flightId)
                .setFrameIndex(index)
                .setCaptureTime(captureTime)
                .setWidth(width)
                .setHeight(height)
                .setEncoding(ImageEncoding.JPEG)
                .setImage(ByteBuffer.wrap(jpeg))
                .setImageRef(null)
                .setTelemetry(null)
                .build();
    }
}
