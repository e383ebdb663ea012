package dev.vmareplay.cli;

import dev.vmareplay.replay.readers.Diagrams;
import dev.vmareplay.replay.readers.Exploration;
import dev.vmareplay.replay.readers.Reader;
import dev.vmareplay.replay.readers.ReaderCase;
import dev.vmareplay.replay.readers.WriterCase;
import dev.vmareplay.replay.readers.WriterCases;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code vmareplay readers}: what a lockless /proc/PID/maps reader may see, per case. */
@Command(name = "readers", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        header = "Show what a lockless /proc/PID/maps reader may see while each merge or split runs.",
        description = {
                "For each writer case (the merges and splits of mm/vma.c, munmap, mremap), prints the",
                "writer's steps as the 6.18 kernel takes them, the seed thread's claim, and every outcome",
                "the exhaustive check finds for the 6.17+ lockless reader (fs/proc/task_mmu.c,",
                "lock_next_vma()), each with one shortest interleaving that shows it.",
                ""},
        footer = {"", "Examples:", "  vmareplay readers --case existing_left_partial", "  vmareplay readers --case split"})
final class ReadersCommand implements Callable<Integer> {

    @Option(names = "--case", paramLabel = "KIND",
            description = "A case (existing_both, split_new_above, mremap_move_down, ...) or a merge_events kind"
                    + " (split, expand, remove, mremap_move); default: every case.")
    String kase;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<WriterCase> cases = new ArrayList<>();
        for (ReaderCase c : ReaderCase.values()) {
            if (kase == null || c.storageName().equals(kase.toLowerCase(Locale.ROOT))
                    || kase.equalsIgnoreCase(c.kind())) {
                cases.add(WriterCases.of(c));
            }
        }
        if (cases.isEmpty()) {
            List<String> names = new ArrayList<>();
            for (ReaderCase c : ReaderCase.values()) {
                names.add(c.storageName());
            }
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "unknown case '" + kase + "'; one of: " + String.join(", ", names)
                            + " (or a kind: split, expand, remove, mremap_move)");
        }
        PrintWriter out = spec.commandLine().getOut();
        for (WriterCase c : cases) {
            out.println(Diagrams.caseReport(c, Exploration.check(c, Reader.Iteration.REWALK),
                    Exploration.check(c, Reader.Iteration.SLOT)));
        }
        return Errors.OK;
    }
}
