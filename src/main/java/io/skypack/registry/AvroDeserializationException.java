package io.skypack.registry;

import io.skypack.schema.RejectReason;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Bytes that cannot be read as a record: a property of the record itself, so the stream layer sends
 * it to the dead-letter topic with {@link #reason()} as the {@code RejectedFrame} reason code.
 *
 * <p>A registry that cannot be reached is not a property of the record and is never reported this
 * way: it surfaces as {@link SchemaRegistryException}, and the record is retried, not rejected.
 */
public class AvroDeserializationException extends SerializationException {
    private final RejectReason reason;
    private final int schemaId;

    public AvroDeserializationException(RejectReason reason, int schemaId, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.schemaId = schemaId;
    }

    /** Why the record was rejected, in the code of {@code RejectedFrame.reasonCode}. */
    public RejectReason reason() {
        return reason;
    }

    /** The schema id from the record's header, or -1 when the header could not be read. */
    public int schemaId() {
        return schemaId;
    }
}
