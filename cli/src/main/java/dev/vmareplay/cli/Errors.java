package dev.vmareplay.cli;

import picocli.CommandLine;

import java.io.PrintWriter;

/**
 * Turns failures into one clear line on stderr and the documented exit code, never a stack
 * trace (set VMAREPLAY_DEBUG=1 to see one).
 */
final class Errors {

    static final int OK = 0;
    static final int MISMATCH = 1;
    static final int USAGE = 2;
    static final int BAD_INPUT = 3;
    static final int STORAGE = 4;

    private Errors() { }

    /** Why a file could not be written or read, in words (the JDK's messages are often just the path). */
    static String reason(Throwable e) {
        Throwable t = e;
        while (t instanceof java.io.UncheckedIOException && t.getCause() != null) t = t.getCause();
        if (t instanceof java.nio.file.NoSuchFileException) return "no such file or directory";
        if (t instanceof java.nio.file.AccessDeniedException) return "permission denied";
        if (t instanceof java.nio.file.FileAlreadyExistsException f) return "a file is in the way: " + f.getFile();
        if (t instanceof java.nio.file.NotDirectoryException) return "not a directory";
        if (t instanceof java.nio.file.FileSystemException f && f.getReason() != null) return f.getReason();
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** Bad input data: unreadable file, malformed trace or snapshot. Exit code 3. */
    static final class InputException extends RuntimeException {
        InputException(String message, Throwable cause) {
            super(message, cause);
        }

        InputException(String message) {
            super(message);
        }
    }

    /** The results database could not be written or read. Exit code 4. */
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

    static final class Handler implements CommandLine.IExecutionExceptionHandler {
        @Override
        public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
            PrintWriter err = cl.getErr();
            int code;
            String message = ex.getMessage();
            if (ex instanceof InputException) {
                code = BAD_INPUT;
            } else if (ex instanceof StorageFailure) {
                code = STORAGE;
            } else if (ex instanceof UsageException) {
                code = USAGE;
            } else if (ex instanceof java.io.UncheckedIOException || ex instanceof java.io.IOException) {
                code = BAD_INPUT;
            } else {
                code = BAD_INPUT;
                message = "internal error: " + ex;
            }
            err.println("vmareplay " + cl.getCommandName() + ": " + message);
            if (System.getenv("VMAREPLAY_DEBUG") != null) ex.printStackTrace(err);
            err.flush();
            return code;
        }
    }

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
