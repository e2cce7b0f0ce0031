package io.skypack.app;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code skypack bench}: benchmarks that print a table; each subcommand says what it measures. */
@Command(
        name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks that print a table (run on a quiet machine; compare rows of one run).",
        subcommands = {
            BenchModelCommand.class,
            BenchConditionsCommand.class,
            BenchDetectCommand.class,
            BenchPipelineCommand.class,
            CommandLine.HelpCommand.class
        })
final class BenchCommand implements Callable<Integer> {
    @Override
    public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }
}
