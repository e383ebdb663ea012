package dev.vmareplay.ingest.parse;

/** A line-level parse failure (cheap: no stack trace); the parser counts the line MALFORMED. */
public final class ParseError extends RuntimeException {
    public ParseError(String problem) {
        super(problem, null, false, false);
    }
}
