package io.skypack.app;

import io.skypack.embedded.ExitWithParent;
import io.skypack.model.NativeAllocator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code skypack detect} in a child JVM, for the fault tests and {@code skypack soak}: the same main
 * class and configuration as the command line, on this JVM's classpath, so the parent can kill it with
 * SIGKILL (which an in-process Kafka Streams instance cannot be) and measure its memory alone. Its
 * stdout and stderr go to one log file. {@link ExitWithParent} ends it when the parent JVM dies, and
 * {@link #close()} kills it if it is still running.
 */
final class DetectorProcess implements AutoCloseable {
    private static final Pattern STATE = Pattern.compile("streams (\\w+) -> (\\w+)");

    private final Process process;
    private final Path log;
    private final long startedNanos = System.nanoTime();
    /** How far {@link #newLines()} has read the log. */
    private long logPosition;

    private String partialLine = "";

    private DetectorProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /**
     * Starts {@code skypack detect ARGS} with its output in {@code log} (replaced).
     *
     * @param args the detect command's options, e.g. {@code --bootstrap-servers}, {@code --set K=V}
     */
    /**
     * The options of {@code skypack detect} for a child JVM that is killed and started again on this
     * broker and registry: the same state folder for every run, as a restarted process on the same host
     * has, and a short group session, so a killed member's tasks move on in seconds rather than the
     * default 45.
     *
     * @param settings {@code KEY=VALUE} over the profile, each passed as {@code --set}
     */
    static List<String> restartableArgs(
            String bootstrapServers, String registryUrl, String profile, Path stateDir, List<String> settings) {
        List<String> args = new ArrayList<>(List.of(
                "--bootstrap-servers",
                bootstrapServers,
                "--registry",
                registryUrl,
                "--profile",
                profile,
                "--set",
                "state.dir=" + stateDir.toAbsolutePath(),
                "--set",
                "session.timeout.ms=6000",
                "--set",
                "heartbeat.interval.ms=1500"));
        for (String kv : settings) args.addAll(List.of("--set", kv));
        return args;
    }

    static DetectorProcess start(Path log, List<String> args) throws IOException {
        return run(log, List.of(), Map.of(), "detect", args);
    }

    /**
     * Starts {@code skypack COMMAND ARGS} (any subcommand) with its output in {@code log} (replaced).
     *
     * @param jvmOptions more options of the child JVM, e.g. log levels
     * @param env more environment variables, e.g. {@code SKYPACK_*} settings; as they may hold secrets,
     *     they are not written to the log (the command line is)
     */
    static DetectorProcess run(
            Path log, List<String> jvmOptions, Map<String, String> env, String subcommand, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx1g");
        // Two cores shared with the broker, the registry and the test: no parallel GC or C2 threads.
        command.add("-XX:+UseSerialGC");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:-UsePerfData");
        // What the launcher and the Maven test JVM set: DJL never downloads, one native thread each.
        command.add("-Dai.djl.offline=true");
        for (String p : List.of("ai.djl.pytorch.num_threads", "ai.djl.pytorch.num_interop_threads")) {
            String v = System.getProperty(p);
            if (v != null) command.add("-D" + p + "=" + v);
        }
        // Kafka Streams' own lines (rebalances, restoration, task errors) for the diagnosis of a failure.
        command.add("-Dorg.slf4j.simpleLogger.log.org.apache.kafka.streams=info");
        command.add("-Dorg.slf4j.simpleLogger.showDateTime=true");
        command.add("-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS");
        command.add("-Dskypack.debug=true");
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(ExitWithParent.class.getName());
        command.add(Long.toString(ProcessHandle.current().pid()));
        command.add(Main.class.getName());
        command.add(subcommand);
        command.addAll(args);
        Files.createDirectories(log.toAbsolutePath().getParent());
        Files.writeString(log, String.join(" ", command) + "\n\n");
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(NativeAllocator.childEnvironment(System.getenv()));
        builder.environment().putAll(env);
        Process process = builder.redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .start();
        return new DetectorProcess(process, log);
    }

    long pid() {
        return process.pid();
    }

    /** VmRSS and VmHWM of the child, or empty without {@code /proc} or once it has exited. */
    Optional<ProcessMemory> memory() {
        return ProcessMemory.of(pid());
    }

    /** The complete lines the child has written to its log since the last call. */
    List<String> newLines() {
        List<String> out = new ArrayList<>();
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(log.toFile(), "r")) {
            long length = f.length();
            if (length <= logPosition) return out;
            byte[] bytes = new byte[(int) Math.min(length - logPosition, 16 << 20)];
            f.seek(logPosition);
            f.readFully(bytes);
            logPosition += bytes.length;
            String text = partialLine + new String(bytes, StandardCharsets.UTF_8);
            int end = text.lastIndexOf('\n');
            partialLine = text.substring(end + 1);
            if (end >= 0) out.addAll(text.substring(0, end).lines().toList());
        } catch (IOException e) {
            // the log is ours and only grows; an unreadable one shows up in tail() too
        }
        return out;
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Path log() {
        return log;
    }

    Duration age() {
        return Duration.ofNanos(System.nanoTime() - startedNanos);
    }

    /** SIGKILL: no shutdown hook, no close, no commit; returns once the process is gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("detector pid " + pid() + " survived SIGKILL for 30 s");
        }
    }

    /** SIGTERM, as Ctrl-C or a container stop: returns the exit code, or empty if it did not exit in time. */
    Optional<Integer> terminate(Duration timeout) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return Optional.empty();
        return Optional.of(process.exitValue());
    }

    /** Waits for the process to exit by itself: its exit code, or empty if it still runs after {@code timeout}. */
    Optional<Integer> await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) return Optional.empty();
        return Optional.of(process.exitValue());
    }

    /** Everything the process wrote so far (after the command line at the top of the log). */
    String output() {
        return String.join("\n", lines());
    }

    /** The last Kafka Streams state the command printed ({@code CREATED} before the first change). */
    String lastState() {
        String state = "CREATED";
        for (String line : lines()) {
            Matcher m = STATE.matcher(line);
            if (m.find()) state = m.group(2);
        }
        return state;
    }

    /** Lines of the log that contain {@code text}. */
    long count(String text) {
        return lines().stream().filter(l -> l.contains(text)).count();
    }

    /** The lines of the log that contain {@code text}. */
    List<String> lines(String text) {
        return lines().stream().filter(l -> l.contains(text)).toList();
    }

    /** The log's last lines, for a failure message. */
    String tail(int n) {
        List<String> lines = lines();
        return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }

    private List<String> lines() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8)
                    .lines()
                    .toList();
        } catch (IOException e) {
            return List.of("(log " + log + " unreadable: " + e + ")");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
