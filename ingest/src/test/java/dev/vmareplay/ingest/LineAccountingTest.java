package dev.vmareplay.ingest;

import dev.vmareplay.ingest.IngestStats.LineClass;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Every input line lands in exactly one class: the cases fuzzing found counted twice (minimised
 * from ParserFuzzTestInputs/strace/crash-ee6cf15f...), and the CSV errors that escaped.
 */
class LineAccountingTest {

    static IngestStats read(String text, TraceFormat f, IngestOptions o) throws IOException {
        try (EventSource s = Ingest.open("t", new ByteArrayInputStream(text.getBytes(StandardCharsets.ISO_8859_1)), f, o)) {
            while (s.next() != null) { }
            return s.stats();
        }
    }

    static Map<LineClass, Long> counts(String text, TraceFormat f) throws IOException {
        IngestStats st = read(text, f, IngestOptions.defaults());
        assertThat(st.totalLines()).as("every line counted once").isEqualTo(text.lines().count());
        return st.counts();
    }

    @Test
    void aResumedLineThatIsUnfinishedAgainIsCountedOnce() throws IOException {
        assertThat(counts("""
                1234 11:00:00.000001 mmap(NULL, 8194, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                1234 11:00:00.000005 <... mmap resumed>-1, 0 <unfinished ...>
                """, TraceFormat.STRACE)).containsEntry(LineClass.PAIRED, 1L).containsEntry(LineClass.ORPHANED, 1L);
    }

    @Test
    void aLineCountedThenFoundMalformedIsOnlyMalformed() throws IOException {
        assertThat(counts("""
                1234 11:00:00.000001 mmap(NULL, 8192, PROT_READ|PROT_BOGUS, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000
                1234 11:00:00.000002 munmap(0x7f0000000000, 8192) = 0
                """, TraceFormat.STRACE)).containsEntry(LineClass.MALFORMED, 1L).containsEntry(LineClass.PARSED, 1L);
    }

    @Test
    void unfinishedCallsThatNeverResumeAreOrphanedNotPaired() throws IOException {
        assertThat(counts("""
                1234 11:00:00.000001 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                1234 11:00:00.000002 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>
                """, TraceFormat.STRACE)).containsEntry(LineClass.ORPHANED, 2L).containsEntry(LineClass.PAIRED, 0L);
    }

    @Test
    void aPerfScriptExitWithABadReturnValueLeavesItsEnterOrphaned() throws IOException {
        assertThat(counts("""
                 vmascen  1234 [001]  3146.735022:           syscalls:sys_enter_munmap: addr: 0x7f0000000000, len: 0x00001000
                 vmascen  1234 [001]  3146.735023:            syscalls:sys_exit_munmap: 0xzz
                """, TraceFormat.PERF_SCRIPT)).containsEntry(LineClass.MALFORMED, 1L).containsEntry(LineClass.ORPHANED, 1L);
    }

    @Test
    void brokenCsvQuotingIsAMalformedLineWithItsNumberNotAnError() throws IOException {
        String csv = "seq,ts_ns,pid,tid,syscall,addr,len,ret\n1,1,1,1,munmap,4096,4096,0\n2,2,1,1,munmap,x,4096,0\n\"3,\"unterminated\n";
        IngestStats st = read(csv, TraceFormat.CSV, IngestOptions.defaults());
        assertThat(st.get(LineClass.PARSED)).isEqualTo(1);
        assertThat(st.get(LineClass.MALFORMED)).isEqualTo(2);
        assertThat(st.examples()).extracting(IngestStats.Example::toString).satisfiesExactly(
                a -> assertThat(a).isEqualTo("t:3: bad number in column addr: 'x': 2,2,1,1,munmap,x,4096,0"),
                b -> assertThat(b).startsWith("t:4: broken CSV quoting (rest of the file skipped): "));
        assertThatThrownBy(() -> read(csv, TraceFormat.CSV, IngestOptions.strictMode()))
                .isInstanceOf(MalformedTraceException.class).hasMessage("t: line 3: bad number in column addr: 'x': 2,2,1,1,munmap,x,4096,0");
    }
}
