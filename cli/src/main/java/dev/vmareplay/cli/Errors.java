package dev.vmareplay.cli;

import dev.vmareplay.cli.record.RecordProblem;
import dev.vmareplay.reports.QueryException;
import dev.vmareplay.reports.StorageException;
import picocli.CommandLine;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The one place failures become exit codes (DESIGN.md, "Command line"). Commands throw; this
 * maps what they throw:
 *
 * <pre>
 *   0  success
 *   1  verify mismatch                       (returned by verify, never thrown)
 *   2  bad usage                             picocli's ParameterException, UsageException,
 *                                            QueryException, RecordProblem(usage)
 *   3  unreadable or malformed input         InputException, any IOException (IngestException,
 *                                            MalformedTraceException, ...), UncheckedIOException,
 *                                            RecordProblem(not usage)
 *   4  storage                               StorageFailure, StorageException
 *  70  internal error (EX_SOFTWARE)          anything else: a bug, told as one, with its stack trace
 * </pre>
 *
 * Expected failures are one line naming the file (VMAREPLAY_DEBUG=1 adds the stack trace); an
 * internal error always prints the stack trace, since it is a bug to report, not a user mistake.
 */
final class Errors {

    static final int OK = 0;
    static final int MISMATCH = 1;
    static final int USAGE = 2;
    static final int BAD_INPUT = 3;
    static final int STORAGE = 4;
    /** sysexits.h EX_SOFTWARE: an internal software error. */
    static final int INTERNAL = 70;

    private Errors() { }

    /** Why a file could not be written or read, in words (the JDK's messages are often just the path). */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t instanceof UncheckedIOException && t.getCause() != null) t = t.getCause();
        if (t instanceof java.nio.file.NoSuchFileException) return "no such file or directory";
        if (t instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (t instanceof java.nio.file.FileAlreadyExistsException f) return "a file is in the way: " + f.getFile();
        if (t instanceof java.nio.file.NotDirectoryException) return "not a directory";
        if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Bad input data found by the command itself (e.g. a missing --seed-maps file). Exit code 3. */
    static final class InputException extends RuntimeException {
        InputException(String message, Throwable cause) {
            super(message, cause);
        }

        InputException(String message) {
            super(message);
        }
    }

    /** A file the command writes could not be written. Exit code 4. */
    static final class StorageFailure extends RuntimeException {
        StorageFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A bad command line discovered after parsing (e.g. a file that is a directory). Exit code 2. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message);
        }
    }

    /** The documented exit code of an expected failure, or {@link #INTERNAL} for anything else. */
    static int exitCode(Throwable ex) {
        if (ex instanceof UsageException || ex instanceof QueryException) return USAGE;
        if (ex instanceof RecordProblem p) return p.usage() ? USAGE : BAD_INPUT;
        if (ex instanceof StorageFailure || ex instanceof StorageException) return STORAGE;
        if (ex instanceof InputException || ex instanceof IOException) return BAD_INPUT;
        if (ex instanceof UncheckedIOException u && u.getCause() != null) return BAD_INPUT;
        return INTERNAL;
    }

    /** The one line for an expected failure: the exception's own message, which names the file. */
    static String message(Throwable ex) {
        Throwable t = ex;
        if (t instanceof UncheckedIOException u && u.getCause() != null
                && (u.getMessage() == null || u.getMessage().equals(u.getCause().toString()))) {
            t = u.getCause();
        }
        if (t instanceof java.nio.file.FileSystemException f && f.getFile() != null) return f.getFile() + ": " + reason(f);
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.toString() : m;
    }

    /** Prints the failure and returns its exit code. */
    static int report(Throwable ex, String command, PrintWriter err) {
        int code = exitCode(ex);
        if (code == INTERNAL) {
            err.println("vmareplay " + command + ": internal error: " + ex);
            err.println("This is a bug in vmareplay, not a problem with the input; please report it with this stack trace:");
            ex.printStackTrace(err);
        } else {
            err.println("vmareplay " + command + ": " + message(ex));
            if (System.getenv("VMAREPLAY_DEBUG") != null) ex.printStackTrace(err);
        }
        err.flush();
        return code;
    }

    /** Maps what a command's {@code call()} throws (picocli hands every Exception here). */
    static final class Handler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
            return report(ex, cl.getCommandName(), cl.getErr());
        }
    }

    /** A command line picocli could not parse, or an option value its converters refused: exit 2. */
    static final class UsageHandler implements CommandLine.IParameterExceptionHandler {
        @Override
        public int handleParseException(CommandLine.ParameterException ex, String[] args) {
            CommandLine cl = ex.getCommandLine();
            PrintWriter err = cl.getErr();
            err.println("vmareplay: " + ex.getMessage());
            CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
            err.println("Try 'vmareplay " + (cl.getParent() == null ? "" : cl.getCommandName() + " ") + "--help' for more information.");
            err.flush();
            return USAGE;
        }
    }
}
