package dev.vmareplay.ingest;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Snapshot markers ({@code lseek(-1, 424242001|424242002, SEEK_SET)}) become events only when
 * asked for, in every trace format; and an mmap of a file opened O_RDONLY says so.
 */
class SnapshotMarkerTest {

    @TempDir
    Path dir;

    private List<Event> events(String text, boolean markers) throws IOException {
        Path f = dir.resolve("t" + System.nanoTime() + ".txt");
        Files.writeString(f, text);
        List<Event> out = new ArrayList<>();
        try (EventSource s = Ingest.open(List.of(f.toString()), TraceFormat.AUTO, IngestOptions.defaults().withMarkers(markers))) {
            Event e;
            while ((e = s.next()) != null) out.add(e);
        }
        return out;
    }

    private static List<Call.Marker> markers(List<Event> es) {
        return es.stream().filter(e -> e.call() instanceof Call.Marker).map(e -> (Call.Marker) e.call()).toList();
    }

    static final String STRACE = """
            300 1795384193.088000 brk(NULL) = 0x5586bf5d4000 <0.000003>
            300 1795384193.088847 lseek(-1, 424242001, SEEK_SET) = -1 EBADF (Bad file descriptor) <0.000004>
            300 1795384193.088900 lseek(3</etc/passwd>, 10, SEEK_SET) = 10 <0.000002>
            301 1795384193.089000 lseek(-1, 424242002, SEEK_SET <unfinished ...>
            300 1795384193.089100 brk(NULL) = 0x5586bf5d4000 <0.000003>
            301 1795384193.089200 <... lseek resumed>) = -1 EBADF (Bad file descriptor) <0.000004>
            """;

    @Test
    void straceMarkersOnlyWhenAskedFor() throws IOException {
        assertThat(markers(events(STRACE, false))).isEmpty();
        List<Event> es = events(STRACE, true);
        assertThat(markers(es)).extracting(Call.Marker::start).containsExactly(true, false);
        Event start = es.stream().filter(e -> e.call() instanceof Call.Marker).findFirst().orElseThrow();
        assertThat(start.pid()).isEqualTo(300);
        assertThat(start.syscall()).isEqualTo("lseek");
        assertThat(es).hasSize(4); // two brk, two markers; the ordinary lseek is not an event
    }

    @Test
    void perfTraceAndPerfScriptMarkers() throws IOException {
        String perfTrace = """
                     0.495 ( 0.001 ms): vmascen/31137 lseek(fd: -1, offset: 424242001, whence: SET)                         = -1 EBADF (Bad file descriptor)
                     0.500 ( 0.001 ms): vmascen/31137 brk()                                                                  = 0x55d0c1a3b000
                     0.600 ( 0.001 ms): vmascen/31137 lseek(fd: -1, offset: 424242002, whence: SET)                         = -1 EBADF (Bad file descriptor)
                """;
        assertThat(markers(events(perfTrace, true))).extracting(Call.Marker::start).containsExactly(true, false);
        assertThat(markers(events(perfTrace, false))).isEmpty();
        String perfScript = """
                         vmascen 31325 [000]  3478.701262:            syscalls:sys_enter_lseek: fd: 0xffffffff, offset: 0x19496b51, whence: 0x00000000
                         vmascen 31325 [000]  3478.701263:             syscalls:sys_exit_lseek: 0xfffffffffffffff7
                         vmascen 31325 [000]  3478.701300:            syscalls:sys_enter_lseek: fd: 0xffffffff, offset: 0x19496b52, whence: 0x00000000
                         vmascen 31325 [000]  3478.701301:             syscalls:sys_exit_lseek: 0xfffffffffffffff7
                """;
        assertThat(markers(events(perfScript, true))).extracting(Call.Marker::start).containsExactly(true, false);
        assertThat(markers(events(perfScript, false))).isEmpty();
    }

    @Test
    void aReadOnlyOpenGivesAReadOnlyFile() throws IOException {
        List<Event> es = events("""
                7 openat(AT_FDCWD, "/usr/lib/locale/gconv.cache", O_RDONLY) = 3</usr/lib/locale/gconv.cache>
                7 mmap(NULL, 27028, PROT_READ, MAP_SHARED, 3</usr/lib/locale/gconv.cache>, 0) = 0x7fae1feef000
                7 openat(AT_FDCWD, "/tmp/data", O_RDWR|O_CLOEXEC) = 4</tmp/data>
                7 mmap(NULL, 4096, PROT_READ, MAP_SHARED, 4</tmp/data>, 0) = 0x7fae1fee0000
                7 mmap(NULL, 4096, PROT_READ, MAP_SHARED, 5</tmp/unseen>, 0) = 0x7fae1fed0000
                """, false);
        assertThat(es).extracting(e -> ((Call.Mmap) e.call()).file().readOnly()).containsExactly(true, false, false);
    }
}
