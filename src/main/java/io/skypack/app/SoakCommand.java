package io.skypack.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code skypack soak}: a replay (or live feed) faster than inference, with faults, through the whole
 * pipeline on this machine; the accounting of every frame and the detector's memory at the end. See
 * {@link SoakRun} for what happens and docs/reliability-soak.md for measured runs.
 */
@Command(
        name = "soak",
        mixinStandardHelpOptions = true,
        description = {
            "Overload and fault soak on this machine: in-process Kafka and schema registry, skypack detect in a",
            "child JVM, small synthetic frames sent for --minutes at --overload times the measured inference speed,",
            "faults injected at seeded moments; then the backlog drains and every frame's outcome is counted from",
            "the committed output. Prints frames in, out, dead-lettered, skipped, duplicates, gaps, peak heap and",
            "resident memory of the detector, and the consumer lag. Exit code 1 on a duplicate, a gap, an",
            "unbalanced account (in != out + dead-lettered + skipped), a detector crash or a replay skip."
        })
final class SoakCommand implements Callable<Integer> {
    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--minutes", description = "How long frames are sent, minutes (default ${DEFAULT-VALUE}).")
    double minutes = 3;

    @Option(names = "--profile", description = "replay or live (default ${DEFAULT-VALUE}).")
    String profile = "replay";

    @Option(
            names = "--overload",
            description = "Input rate as a multiple of the measured inference speed (default ${DEFAULT-VALUE}).")
    double overload = 10;

    @Option(names = "--rate", description = "Input frames per second instead of --overload (0: use --overload).")
    double rate;

    @Option(
            names = "--faults",
            split = ",",
            description = "kill, broker, corrupt or none, comma-separated (default ${DEFAULT-VALUE}).")
    List<String> faults = List.of("kill", "corrupt");

    @Option(names = "--kills", description = "SIGKILLs of the detector with --faults kill (default ${DEFAULT-VALUE}).")
    int kills = 2;

    @Option(names = "--seed", description = "Seed of frames and fault moments (default ${DEFAULT-VALUE}).")
    long seed = 6006;

    @Option(
            names = "--drain-timeout",
            description = "Longest wait for the backlog after the input, seconds (0: automatic, default).")
    long drainTimeoutSeconds;

    @Option(names = "--work", description = "Folder for the flight, state and logs (default ${DEFAULT-VALUE}).")
    Path work = Path.of("skypack-soak");

    @Option(names = "--out", description = "Also write the report, with every sample, as JSON here.")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        if (!(minutes > 0)) throw new IllegalArgumentException("--minutes must be > 0: " + minutes);
        SoakRun.Settings settings = new SoakRun.Settings(
                Duration.ofMillis((long) (minutes * 60_000)),
                profile,
                overload,
                rate,
                SoakRun.parseFaults(faults),
                kills,
                seed,
                work,
                Duration.ofSeconds(drainTimeoutSeconds));
        SoakRun.Report r = SoakRun.run(settings, o);
        o.print(table(r));
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out.toFile(), r);
            o.println("report: " + out.toAbsolutePath());
        }
        List<String> failures = r.failures();
        o.println(failures.isEmpty() ? "soak passed" : "soak FAILED: " + String.join("; ", failures));
        o.flush();
        return failures.isEmpty() ? 0 : 1;
    }

    static String table(SoakRun.Report r) {
        var t = r.tally();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(
                Locale.ROOT,
                "%nsoak, %s profile: input %.1f frames/s for %.0f s (%.1fx the measured inference speed of %.2f"
                        + " frames/s); drain %.0f s%s%n",
                r.profile(),
                r.inputFps(),
                r.inputSeconds(),
                r.inferenceFps() > 0 ? r.inputFps() / r.inferenceFps() : 0,
                r.inferenceFps(),
                r.drainSeconds(),
                r.drained() ? "" : " (NOT drained)"));
        sb.append("| frames in | out | dead-lettered | skipped | duplicates | gaps | peak heap MB | peak RSS MB"
                + " | RSS after warm-up / at end MB | max lag | faults |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        sb.append(String.format(
                Locale.ROOT,
                "| %d | %d | %d | %d | %d | %d | %d | %d | %d / %d | %d | %d injected |%n",
                t.in(),
                t.out(),
                t.deadLettered(),
                t.skipped(),
                t.duplicates(),
                t.gaps(),
                r.peakHeapMb(),
                r.peakRssMb(),
                r.rssAfterWarmUpMb(),
                r.rssAtEndMb(),
                r.maxLag(),
                r.faults().size()));
        for (String f : r.faults()) sb.append("  fault: ").append(f).append('\n');
        if (t.unexpected() > 0 || r.sendFailures() > 0 || r.unexpectedExits() > 0) {
            sb.append(String.format(
                    Locale.ROOT,
                    "  results for frames never sent %d, send failures %d, detector crashes %d%n",
                    t.unexpected(),
                    r.sendFailures(),
                    r.unexpectedExits()));
        }
        return sb.toString();
    }
}
