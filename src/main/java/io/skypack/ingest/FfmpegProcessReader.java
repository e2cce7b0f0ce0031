package io.skypack.ingest;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads video through an {@code ffmpeg} program (5.1 or newer) run as a child process:
 *
 * <pre>
 * ffmpeg -hide_banner -nostdin -nostats [-KEY VALUE ...] [-f FORMAT] -i INPUT -map 0:v:0 -an -sn -dn
 *        -vf [select=...,]showinfo -fps_mode passthrough -f image2pipe -c:v mjpeg -q:v 3 -pix_fmt yuvj420p -
 * </pre>
 *
 * Its standard output, concatenated JPEGs, is split by {@link JpegSplitter}; its standard error is read
 * by a second thread, which keeps the last lines for error messages and takes each frame's presentation
 * time from the {@code showinfo} filter's line for that frame ({@code pts_time:}). showinfo logs a frame
 * before the encoder writes it, so its line is on the way by the time the frame's JPEG is complete.
 *
 * <p>Closing ends the process (terminate, then kill after two seconds). Memory: one JPEG, the pipe
 * buffers, and the presentation times of the few frames between the filter and the pipe.
 */
final class FfmpegProcessReader implements VideoReader {
    private static final Pattern SHOWINFO = Pattern.compile("\\bn:\\s*\\d+\\s+pts:\\s*-?\\d+\\s+pts_time:(\\S+)");
    private static final int TAIL_LINES = 12;

    private final String input;
    private final Instant start; // null: live, capture time = wall clock
    private final Process process;
    private final JpegSplitter splitter;
    private final Thread stderrReader;
    private final Deque<String> tail = new ArrayDeque<>();
    private final BlockingQueue<Double> presentationTimes = new LinkedBlockingQueue<>();
    private final Duration stallTimeout;
    private volatile boolean interrupted;
    private boolean closed;
    private boolean ended;
    private long index;
    private double firstTime = Double.NaN;

    private FfmpegProcessReader(String input, VideoOptions options, Instant start, Process process) {
        this.input = input;
        this.start = start;
        this.process = process;
        this.stallTimeout = options.stallTimeout();
        this.splitter = new JpegSplitter(process.getInputStream(), options.maxFrameBytes());
        this.stderrReader = new Thread(this::readStderr, "skypack-ffmpeg-stderr");
        stderrReader.setDaemon(true);
        stderrReader.start();
    }

    static VideoReader open(String input, VideoOptions options, Instant start) throws IOException {
        Path program = options.ffmpeg().orElseThrow();
        List<String> command = command(program.toString(), input, options, start != null);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.PIPE)
                    .start();
        } catch (IOException e) {
            throw new IOException("cannot run the ffmpeg program " + program + ": " + e.getMessage(), e);
        }
        process.getOutputStream().close(); // -nostdin as well: ffmpeg never waits for a key
        return new FfmpegProcessReader(input, options, start, process);
    }

    /** The ffmpeg command line; presentation times are logged (showinfo) only for recordings. */
    static List<String> command(String program, String input, VideoOptions options, boolean recording) {
        List<String> c = new ArrayList<>(List.of(program, "-hide_banner", "-nostdin", "-nostats"));
        c.addAll(List.of("-loglevel", recording ? "info" : "warning"));
        options.inputOptions().forEach((k, v) -> {
            c.add("-" + k);
            c.add(v);
        });
        options.format().ifPresent(f -> c.addAll(List.of("-f", f)));
        c.addAll(List.of("-i", input, "-map", "0:v:0", "-an", "-sn", "-dn"));
        List<String> filters = new ArrayList<>();
        if (options.maxFps() > 0) {
            // The same rule as LibavVideoReader: the first frame of each 1/maxFps bucket of video time.
            String n = String.format(Locale.ROOT, "%s", options.maxFps());
            filters.add(
                    "select='isnan(prev_selected_t)+not(eq(floor(t*" + n + ")\\,floor(prev_selected_t*" + n + ")))'");
        }
        if (recording) filters.add("showinfo");
        if (!filters.isEmpty()) c.addAll(List.of("-vf", String.join(",", filters)));
        c.addAll(List.of("-fps_mode", "passthrough", "-f", "image2pipe", "-c:v", "mjpeg"));
        c.addAll(List.of("-q:v", String.valueOf(options.jpegQuality()), "-pix_fmt", "yuvj420p", "-"));
        return c;
    }

    private void readStderr() {
        try (BufferedReader r =
                new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                Matcher m = SHOWINFO.matcher(line);
                if (m.find()) {
                    try {
                        presentationTimes.add(Double.parseDouble(m.group(1)));
                    } catch (NumberFormatException e) {
                        presentationTimes.add(Double.NaN);
                    }
                    continue;
                }
                if (line.contains("Parsed_showinfo") || line.isBlank()) continue;
                synchronized (tail) {
                    tail.addLast(line.strip());
                    if (tail.size() > TAIL_LINES) tail.removeFirst();
                }
            }
        } catch (IOException e) {
            // the process ended or was ended; its exit code tells the rest
        }
    }

    @Override
    public VideoFrame next() throws IOException {
        if (closed) throw new IllegalStateException("reader of " + input + " is closed");
        if (ended || interrupted) return null;
        JpegSplitter.Image image;
        try {
            image = splitter.next();
        } catch (IOException e) {
            if (interrupted) return null;
            throw new IOException(input + ": " + e.getMessage() + stderrTail(), e);
        }
        if (image == null) {
            ended = true;
            if (interrupted) return null;
            int code = exitCode();
            if (code != 0) {
                throw new IOException("ffmpeg failed on " + input + " (exit code " + code + ")" + stderrTail());
            }
            return null;
        }
        Instant capture;
        if (start == null) {
            capture = Instant.now();
        } else {
            double t = presentationTime();
            if (Double.isNaN(firstTime)) firstTime = t;
            capture = start.plus(Duration.ofNanos(Math.round((t - firstTime) * 1e9)));
        }
        return new VideoFrame(index++, capture, image.width(), image.height(), image.bytes());
    }

    /** This frame's showinfo time; logged before the frame was encoded, so it is here or about to be. */
    private double presentationTime() throws IOException {
        try {
            Double t = presentationTimes.poll(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
            if (t == null || t.isNaN()) {
                throw new IOException("ffmpeg gave no presentation time (showinfo) for frame " + index + " of " + input
                        + stderrTail());
            }
            return t;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private int exitCode() throws IOException {
        try {
            if (!process.waitFor(stallTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("ffmpeg closed its output on " + input + " but did not exit" + stderrTail());
            }
            stderrReader.join(1000); // its last lines
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private String stderrTail() {
        synchronized (tail) {
            return tail.isEmpty() ? "" : " (ffmpeg: " + String.join(" | ", tail) + ")";
        }
    }

    /** Bytes of the output that were no complete JPEG (see {@link JpegSplitter}). */
    long discardedBytes() {
        return splitter.skippedBytes() + splitter.truncatedBytes();
    }

    @Override
    public void interrupt() {
        interrupted = true;
        process.destroy(); // its output ends, so a blocked next() returns
    }

    @Override
    public void close() throws IOException {
        if (closed) return;
        closed = true;
        interrupted = true;
        process.destroy();
        try {
            if (!process.waitFor(2, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        } finally {
            process.getInputStream().close();
            process.getErrorStream().close();
        }
    }
}
