package dev.vmareplay.ingest;

/** Strict mode: the first line that could not be parsed (the CLI maps this to exit code 3). */
public class MalformedTraceException extends IngestException {
    private final long line;
    private final String text;
    private final String problem;

    public MalformedTraceException(String file, long line, String text, String problem) {
        super(file, "line " + line + ": " + Printable.of(problem, 200) + ": " + Printable.of(text, 300));
        this.line = line;
        this.text = text;
        this.problem = problem;
    }

    public long line() {
        return line;
    }

    public String text() {
        return text;
    }

    public String problem() {
        return problem;
    }
}
