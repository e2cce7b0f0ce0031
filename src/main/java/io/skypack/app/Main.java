package io.skypack.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code skypack} executable: parses the command line and hands over to one subcommand. */
@Command(
        name = "skypack",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Small-object detection with instance masks on drone video, over Kafka.",
        subcommands = {
            DemoCommand.class,
            DetectCommand.class,
            ReplayCommand.class,
            LiveCommand.class,
            SynthCommand.class,
            EvalCommand.class,
            SimulateDetectionsCommand.class,
            TrainCommand.class,
            BenchCommand.class,
            SoakCommand.class,
            DetectImagesCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The full command tree; tests run commands through this too. */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((ex, line, parseResult) -> {
            // A user error (bad file, bad option value) is one clear line, not a stack trace.
            line.getErr().println("skypack " + line.getCommandName() + ": " + ex.getMessage());
            if (Boolean.getBoolean("skypack.debug")) {
                ex.printStackTrace(line.getErr());
            }
            return 2;
        });
        return cli;
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"skypack " + (v == null ? "development build" : v)};
        }
    }
}
