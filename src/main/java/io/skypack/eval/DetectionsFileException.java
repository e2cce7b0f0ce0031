package io.skypack.eval;

import java.io.IOException;
import java.nio.file.Path;

/** A detections file that cannot be read; the message names the file, the line and the problem. */
public final class DetectionsFileException extends IOException {
    private final transient Path file;
    private final int line;

    DetectionsFileException(Path file, int line, String problem) {
        super(file + ":" + line + ": " + problem);
        this.file = file;
        this.line = line;
    }

    public Path file() {
        return file;
    }

    /** 1-based line where the offending detection starts. */
    public int line() {
        return line;
    }
}
