package dev.vmareplay.ingest.parse;

import dev.vmareplay.ingest.IngestOptions;

import java.io.InputStream;

public final class CsvEventReader extends LineParser {
    public CsvEventReader(String file, InputStream in, IngestOptions options) {
        super(file, in, options, "csv");
    }

    @Override
    protected void parseLine(byte[] b, int s, int e) {
        throw new ParseError("not implemented yet");
    }
}
