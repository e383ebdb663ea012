package dev.vmareplay.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code vmareplay} command line. One class per subcommand, as the JDK's jfr tool does;
 * bad command lines (exit 2) are kept apart from bad input data (exit 3), storage errors
 * (exit 4) and verify mismatches (exit 1).
 */
@Command(name = "vmareplay",
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        description = {
                "Replays strace/perf traces of mmap-family syscalls through a model of the",
                "Linux 6.18 VMA merge/split engine (mm/vma.c) and reports which merges and",
                "splits happened, in a DuckDB file and an HTML report.",
                ""},
        subcommands = {
                RecordCommand.class,
                ReplayCommand.class,
                VerifyCommand.class,
                IngestCommand.class,
                QueryCommand.class,
                ReportCommand.class,
                ExportCommand.class,
                SynthCommand.class,
                ReadersCommand.class,
                CompletionCommand.class,
                CommandLine.HelpCommand.class
        },
        footerHeading = "%nExit codes:%n",
        footer = {
                "  0  success",
                "  1  verify: the modelled layout differs from the expected snapshot",
                "  2  bad usage (unknown option, missing argument)",
                "  3  unreadable or malformed input (a malformed trace line only with --strict)",
                "  4  storage error (database locked, unwritable, full disk)",
                " 70  internal error: a bug in vmareplay (the message says so and shows the stack trace)",
                "",
                "Start with:  vmareplay replay samples/traces/new_both/strace-tt-T-y/trace.cut.txt"})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code. */
    public static int run(String... args) {
        return execute(commandLine(CommandLine.defaultFactory()), args);
    }

    /** Runs the command line with its output going to the given writers (tests call this). */
    public static int run(java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        return run(CommandLine.defaultFactory(), out, err, args);
    }

    /**
     * As {@link #run(java.io.PrintWriter, java.io.PrintWriter, String...)}, with the commands and
     * their mixins made by {@code factory} (a test injects a failing component through it).
     */
    static int run(CommandLine.IFactory factory, java.io.PrintWriter out, java.io.PrintWriter err, String... args) {
        CommandLine cl = commandLine(factory);
        cl.setOut(out);
        cl.setErr(err);
        int code = execute(cl, args);
        out.flush();
        err.flush();
        return code;
    }

    /** picocli hands every Exception to {@link Errors.Handler}; an Error (assertion, stack overflow) is mapped here. */
    private static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (Error e) {
            String command = cl.getParseResult() != null && cl.getParseResult().subcommand() != null
                    ? cl.getParseResult().subcommand().commandSpec().name() : "";
            return Errors.report(e, command, cl.getErr());
        }
    }

    static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new Main(), factory);
        cl.setExecutionExceptionHandler(new Errors.Handler());
        cl.setParameterExceptionHandler(new Errors.UsageHandler());
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        // record -- ls -la: everything after the first positional is the recorded command's
        cl.getSubcommands().get("record").setStopAtPositional(true);
        return cl;
    }

    @Override
    public void run() {
        // no subcommand: show what there is
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
