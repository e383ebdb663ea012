package dev.vmareplay.cli;

import picocli.CommandLine;

import java.util.ArrayList;
import java.util.Locale;

/** Option values that are enum constants, written as users type them: lower case, '-' for '_'. */
final class OptionValue {

    private OptionValue() { }

    static String name(Enum<?> e) {
        return e.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** A value a converter refuses: picocli reports it as a usage error (exit 2) with the valid ones. */
    static CommandLine.TypeConversionException notOneOf(String value, Iterable<String> valid) {
        return new CommandLine.TypeConversionException("'" + value + "' is not one of " + String.join(", ", valid));
    }

    /** The names of an enum's constants, as picocli completion candidates (and for help texts). */
    static class Names extends ArrayList<String> {
        Names(Enum<?>[] values) {
            for (Enum<?> v : values) add(name(v));
        }
    }
}
