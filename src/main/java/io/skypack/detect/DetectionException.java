package io.skypack.detect;

/**
 * A {@link Detector} could not process a batch, typically because a model failed (native error, out
 * of memory). The whole batch fails together: no frame of it has a result.
 */
public final class DetectionException extends Exception {
    public DetectionException(String message, Throwable cause) {
        super(message, cause);
    }
}
