package io.skypack.stream;

import io.skypack.registry.AvroDeserializationException;
import io.skypack.registry.SchemaRegistryException;
import io.skypack.schema.Frame;
import io.skypack.schema.RejectReason;
import io.skypack.schema.RejectedFrame;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Arrays;
import java.util.function.Supplier;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;

/**
 * The first stage of the topology (DESIGN.md section 2, "decode and validate"): raw bytes from
 * {@code uav.frames} in; a valid {@link Frame}, keyed by flight id, to the child {@link #VALID}, or a
 * {@link RejectedFrame} with its reason, the source coordinates and the original bytes to the child
 * {@link #REJECTED} (the dead-letter topic). Every input record produces exactly one of the two, so
 * {@code in = valid + rejected} holds record by record and a bad frame never stops the next one.
 * The one exception is a registry that cannot be reached: that says nothing about the record, so it
 * is not dead-lettered; the task fails instead and the record is read again (see {@link #process}).
 *
 * <p>A dead letter must itself fit on the dead-letter topic, which a record as large as the broker
 * accepts plus the dead letter's own fields would not: it keeps at most {@link #DEAD_LETTER_KEY_BYTES}
 * of the original key and the image limit plus {@link #DEAD_LETTER_VALUE_SLACK} of the original value
 * (its message says when they were cut), and no flight id longer than {@link
 * FrameValidator#MAX_FLIGHT_ID_CHARS}; so the dead-letter topic needs no larger records than valid
 * frames do.
 *
 * <p>The value is read here rather than by the source's serde on purpose: a serde failure would go to
 * the deserialization exception handler, which can only log and skip (or stop), not produce a
 * dead-letter record with the bytes. The validated {@link Frame} goes on with its image still encoded,
 * so the micro-batcher's changelogged buffer stores compact bytes; the decoded image waits in {@link
 * DecodedImages} for the inference step, which decodes again only when it is gone (the validator has
 * shown that succeeds).
 */
public final class FrameDecoder implements Processor<byte[], byte[], String, SpecificRecord> {
    public static final String VALID = "frame-batcher";
    public static final String REJECTED = "rejected-frames-sink";

    /** Bytes of the original key a dead letter keeps. */
    static final int DEAD_LETTER_KEY_BYTES = 64 * 1024;
    /** Bytes of the original value a dead letter keeps beyond the image limit (a frame's other fields). */
    static final int DEAD_LETTER_VALUE_SLACK = 64 * 1024;
    /** Characters of the explanation a dead letter keeps. */
    static final int DEAD_LETTER_MESSAGE_CHARS = 2_000;

    private final Deserializer<Frame> deserializer;
    private final FrameValidator validator;
    private final DecodedImages decoded;
    private final Supplier<Instant> clock;
    private ProcessorContext<String, SpecificRecord> context;

    public FrameDecoder(
            Deserializer<Frame> deserializer,
            FrameValidator validator,
            DecodedImages decoded,
            Supplier<Instant> clock) {
        this.deserializer = deserializer;
        this.validator = validator;
        this.decoded = decoded;
        this.clock = clock;
    }

    @Override
    public void init(ProcessorContext<String, SpecificRecord> context) {
        this.context = context;
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        if (record.value() == null || record.value().length == 0) {
            reject(record, null, RejectReason.TRUNCATED_RECORD, "empty record value");
            return;
        }
        Frame frame;
        try {
            frame = deserializer.deserialize(topic, record.value());
        } catch (AvroDeserializationException e) {
            reject(record, null, e.reason(), e.getMessage());
            return;
        } catch (SchemaRegistryException e) {
            // The registry could not be asked (down, unreachable, overloaded) even after the client's
            // retries: nothing is known about the record, so it must not be dead-lettered. Failing the
            // task aborts its transaction; the application replaces the stream thread, which reads the
            // record again from the last committed offset (DetectorRuntime).
            throw new StreamsException(
                    "schema registry unavailable while reading " + where() + "; the task fails and the record is"
                            + " read again: " + e.getMessage(),
                    e);
        } catch (RuntimeException e) {
            // Anything else from the decoder (Avro's own exceptions for impossible data) is still bad
            // input, not a reason to stop the stream thread.
            reject(record, null, RejectReason.CORRUPT_RECORD, String.valueOf(e.getMessage()));
            return;
        }
        FrameValidator.Result result = validator.validate(frame);
        String flight = frame.getFlightId() == null ? null : frame.getFlightId().toString();
        // An overlong flight id is itself the reason for the rejection: not copied into the dead letter.
        if (flight != null && flight.length() > FrameValidator.MAX_FLIGHT_ID_CHARS) flight = null;
        if (!result.accepted()) {
            reject(record, flight, result.reason(), result.message());
            return;
        }
        decoded.put(frame, context.recordMetadata().map(RecordMetadata::offset).orElse(-1L), result.image());
        context.forward(new Record<String, SpecificRecord>(flight, frame, record.timestamp(), record.headers()), VALID);
    }

    private String where() {
        return context.recordMetadata()
                .map(m -> m.topic() + "-" + m.partition() + "@" + m.offset())
                .orElse("a record");
    }

    private void reject(Record<byte[], byte[]> record, String flight, RejectReason reason, String message) {
        RecordMetadata meta = context.recordMetadata().orElse(null);
        String text = message == null ? reason.name() : message;
        if (text.length() > DEAD_LETTER_MESSAGE_CHARS) text = text.substring(0, DEAD_LETTER_MESSAGE_CHARS) + "...";
        byte[] key = record.key(), value = record.value();
        long valueLimit = validator.maxImageBytes() + DEAD_LETTER_VALUE_SLACK;
        if (key != null && key.length > DEAD_LETTER_KEY_BYTES) {
            text += " [original key cut to " + DEAD_LETTER_KEY_BYTES + " of " + key.length + " bytes]";
            key = Arrays.copyOf(key, DEAD_LETTER_KEY_BYTES);
        }
        if (value != null && value.length > valueLimit) {
            text += " [original value cut to " + valueLimit + " of " + value.length + " bytes]";
            value = Arrays.copyOf(value, (int) valueLimit);
        }
        RejectedFrame rejected = RejectedFrame.newBuilder()
                .setReasonCode(reason)
                .setMessage(text)
                .setSourceTopic(meta == null ? "" : meta.topic())
                .setSourcePartition(meta == null ? -1 : meta.partition())
                .setSourceOffset(meta == null ? -1 : meta.offset())
                .setFlightId(flight)
                .setOriginalKey(key == null ? null : ByteBuffer.wrap(key))
                .setOriginalValue(value == null ? null : ByteBuffer.wrap(value))
                .setRejectedAt(clock.get())
                .build();
        context.forward(
                new Record<String, SpecificRecord>(flight, rejected, record.timestamp(), record.headers()), REJECTED);
    }
}
