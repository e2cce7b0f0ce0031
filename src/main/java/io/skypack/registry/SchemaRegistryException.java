package io.skypack.registry;

/**
 * A schema registry request that failed: the registry answered with an error, or could not be
 * reached even after the configured retries.
 *
 * <p>{@link #httpStatus()} is the HTTP status of the last answer ({@link #NO_RESPONSE} when there was
 * none) and {@link #errorCode()} the registry's {@code error_code} ({@link #NO_ERROR_CODE} when the
 * body had none, e.g. a proxy's error page). The message never contains credentials.
 */
public class SchemaRegistryException extends RuntimeException {

    /** {@link #httpStatus()} when no HTTP answer arrived (connection refused, timeout). */
    public static final int NO_RESPONSE = -1;
    /** {@link #errorCode()} when the answer carried no Confluent error code. */
    public static final int NO_ERROR_CODE = -1;

    // Confluent Schema Registry error codes, also used by Apicurio's ccompat API, Karapace and Redpanda.
    public static final int SUBJECT_NOT_FOUND = 40401;
    public static final int VERSION_NOT_FOUND = 40402;
    public static final int SCHEMA_NOT_FOUND = 40403;
    public static final int INCOMPATIBLE_SCHEMA = 409;
    public static final int INVALID_SCHEMA = 42201;

    private final int httpStatus;
    private final int errorCode;

    public SchemaRegistryException(int httpStatus, int errorCode, String message, Throwable cause) {
        super(message, cause);
        this.httpStatus = httpStatus;
        this.errorCode = errorCode;
    }

    public SchemaRegistryException(int httpStatus, int errorCode, String message) {
        this(httpStatus, errorCode, message, null);
    }

    /** HTTP status of the registry's answer, or {@link #NO_RESPONSE}. */
    public int httpStatus() {
        return httpStatus;
    }

    /** Confluent {@code error_code} of the answer (e.g. 40401), or {@link #NO_ERROR_CODE}. */
    public int errorCode() {
        return errorCode;
    }

    /** The registry knows no schema with the requested id (or the schema is not under the subject). */
    public boolean isSchemaNotFound() {
        return errorCode == SCHEMA_NOT_FOUND;
    }

    /** The registry knows no such subject. */
    public boolean isSubjectNotFound() {
        return errorCode == SUBJECT_NOT_FOUND;
    }

    /** The schema breaks the subject's compatibility rule. */
    public boolean isIncompatible() {
        return httpStatus == 409;
    }

    /** Whether trying again later may succeed: no answer, a timeout, HTTP 429 or HTTP 5xx. */
    public boolean isRetriable() {
        return retriable(httpStatus);
    }

    static boolean retriable(int httpStatus) {
        return httpStatus == NO_RESPONSE || httpStatus == 408 || httpStatus == 429 || httpStatus >= 500;
    }
}
