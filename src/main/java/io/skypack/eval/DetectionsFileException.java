package io.skypack.eval;

import io.skypack.train.data.DatasetFormatException;
import java.nio.file.Path;

/**
 * A detections file that cannot be read; the message names the file, the line where the offending
 * detection starts, and the problem ({@code <file>:<line>: <problem>}).
 */
public final class DetectionsFileException extends DatasetFormatException {
    DetectionsFileException(Path file, int line, String problem) {
        super(file, line, problem);
    }
}
