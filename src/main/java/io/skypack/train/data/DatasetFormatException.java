package io.skypack.train.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file or folder that does not follow the VisDrone layout or line format (or our mask
 * extension). The message reads {@code <file>:<line>: <problem>}, or {@code <file>: <problem>} when
 * the problem is not on one line (a missing partner file, an unreadable image), so editors and
 * terminals can jump to it.
 */
public class DatasetFormatException extends IOException {
    private final transient Path file;
    private final int line;
    private final String problem;

    /**
     * @param file the offending file or folder
     * @param line 1-based line number, or 0 when the problem is not on one line
     * @param problem what is wrong, in words
     */
    public DatasetFormatException(Path file, int line, String problem) {
        super(line > 0 ? file + ":" + line + ": " + problem : file + ": " + problem);
        this.file = file;
        this.line = line;
        this.problem = problem;
    }

    /** A problem with a whole file or folder. */
    public DatasetFormatException(Path file, String problem) {
        this(file, 0, problem);
    }

    public Path file() {
        return file;
    }

    /** 1-based line number, or 0 when the problem is not on one line. */
    public int line() {
        return line;
    }

    /** What is wrong, without file and line. */
    public String problem() {
        return problem;
    }
}
