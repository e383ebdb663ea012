package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Event;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

final class TestSupport {
    private TestSupport() {}

    record Result(List<Event> events, IngestStats stats) {}

    static Path resource(String name) {
        try {
            var url = TestSupport.class.getClassLoader().getResource(name);
            if (url == null) throw new IllegalArgumentException("no test resource " + name);
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static Result read(List<String> files, TraceFormat format, IngestOptions options) throws IOException {
        List<Event> out = new ArrayList<>();
        try (EventSource s = Ingest.open(files, format, options)) {
            Event e;
            while ((e = s.next()) != null) out.add(e);
            return new Result(out, s.stats());
        }
    }

    static Result read(Path file) throws IOException {
        return read(List.of(file.toString()), TraceFormat.AUTO, IngestOptions.defaults());
    }

    static Path write(Path dir, String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    static Result parse(Path dir, String text) throws IOException {
        return read(write(dir, "trace.txt", text));
    }

    static Result parse(Path dir, String text, TraceFormat f) throws IOException {
        return read(List.of(write(dir, "trace.txt", text).toString()), f, IngestOptions.defaults());
    }
}
