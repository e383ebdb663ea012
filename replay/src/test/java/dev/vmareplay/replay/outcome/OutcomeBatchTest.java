package dev.vmareplay.replay.outcome;

import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.ingest.event.Source;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The batch's columns, its record views, and unpacking it back into stream order. */
class OutcomeBatchTest {

    private static Event event(long seq, List<String> stack) {
        return new Event(seq, 1_000 + seq, 100, 100, new Call.Munmap(0x1000, 0x1000), 0, 0, true, 500,
                new Source("t", seq + 1), stack);
    }

    @Test
    void recordViewsReadWhatTheColumnsHold() {
        OutcomeBatch.Builder b = new OutcomeBatch.Builder();
        Event e = event(7, List.of());
        b.event(e, 3);
        b.change(7, 100, 3, "munmap", CaseKind.REFUSED, RefusalReason.ANON_VMA, 0x1000, 0x2000, 0, true, 0);
        b.change(7, 100, 3, "munmap", CaseKind.REMOVE, null, 0x1000, 0x2000, 0, false, 42);
        b.timeline(3, 7, 1_007, 5, 0x5000);
        OutcomeBatch batch = b.build();

        assertThat(batch.eventCount()).isEqualTo(1);
        assertThat(batch.event(0)).isSameAs(e);
        assertThat(batch.eventMm(0)).isEqualTo(3);
        assertThat(batch.eventCallSite(0)).isNull();
        assertThat(batch.changeCount()).isEqualTo(2);
        assertThat(batch.change(0)).isEqualTo(new Change(7, 100, 3, "munmap", CaseKind.REFUSED, RefusalReason.ANON_VMA,
                0x1000, 0x2000, 0, true, 0));
        assertThat(batch.change(1).reason()).isNull();
        assertThat(batch.changeKinds()[1]).isEqualTo(CaseKind.REMOVE);
        assertThat(batch.changeVmaIds()[1]).isEqualTo(42);
        assertThat(batch.timeline(0)).isEqualTo(new TimelinePoint(3, 7, 1_007, 5, 0x5000));
        assertThat(batch.lifeCount()).isZero();
        assertThatThrownBy(() -> batch.change(2)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void aDeliveredBatchIsNotTouchedByTheNextOne() {
        OutcomeBatch.Builder b = new OutcomeBatch.Builder();
        for (int i = 0; i < 1000; i++) b.event(event(i, List.of()), 1);   // grows past its first arrays
        OutcomeBatch first = b.build();
        assertThat(b.isEmpty()).isTrue();
        b.event(event(5000, List.of()), 2);
        OutcomeBatch second = b.build();

        assertThat(first.eventCount()).isEqualTo(1000);
        assertThat(first.event(999).seq()).isEqualTo(999);
        assertThat(first.eventMm(0)).isEqualTo(1);
        assertThat(second.eventCount()).isEqualTo(1);
        assertThat(second.event(0).seq()).isEqualTo(5000);
        assertThat(first.events()).isNotSameAs(second.events());
    }

    @Test
    void theCallSiteIsTheFirstFrameOutsideTheCLibraryAndTheLoader() {
        OutcomeBatch.Builder b = new OutcomeBatch.Builder();
        b.event(event(1, List.of(" > /usr/lib/x86_64-linux-gnu/libc.so.6(mmap64+0x26) [0x11c8f6]",
                " > /usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2(_dl_map_object+0x3c) [0x5f1c]",
                " > /usr/bin/app(main+0x12) [0x1234]")), 1);
        b.event(event(2, List.of(" > /usr/lib/x86_64-linux-gnu/libc.so.6(mmap64+0x26) [0x11c8f6]")), 1);
        OutcomeBatch batch = b.build();
        assertThat(batch.eventCallSite(0)).isEqualTo("/usr/bin/app(main+0x12) [0x1234]");
        assertThat(batch.eventCallSite(1)).isEqualTo("/usr/lib/x86_64-linux-gnu/libc.so.6(mmap64+0x26) [0x11c8f6]");
    }

    @Test
    void recordsUnpackInTheOrderTheRowsWereAdded() {
        OutcomeBatch.Builder b = new OutcomeBatch.Builder();
        b.event(event(1, List.of()), 1);
        b.life(new VmaLife(1, 9, 0x1000, 0x2000, 0, "mmap", 0, 0, 0, 1, "munmap", 0));
        b.change(1, 100, 1, "munmap", CaseKind.REMOVE, null, 0x1000, 0x2000, 0, false, 9);
        b.timeline(1, 1, 1_001, 0, 0);
        b.event(event(2, List.of()), 1);
        b.change(2, 100, 1, "munmap", CaseKind.REFUSED, RefusalReason.FLAGS, 0x1000, 0x2000, 0, false, 0);
        List<String> seen = new ArrayList<>();
        new OutcomeRecords() {
            @Override protected void onEvent(Event e, long mmId) { seen.add("event " + e.seq()); }
            @Override protected void onChange(Change c) { seen.add(c.kind().storageName() + " " + c.seq()); }
            @Override protected void onTimeline(TimelinePoint p) { seen.add("timeline " + p.seq()); }
            @Override protected void onVmaLife(VmaLife l) { seen.add("life " + l.vmaId()); }
        }.onBatch(b.build());
        assertThat(seen).containsExactly("event 1", "life 9", "remove 1", "timeline 1", "event 2", "refused 2");
    }

    @Test
    void teeHandsEveryCallToEachListenerInOrder() {
        List<String> seen = new ArrayList<>();
        OutcomeListener a = new OutcomeListener() {
            @Override public void onProcess(ProcessInfo p) { seen.add("a " + p.pid()); }
            @Override public void onDivergence(Divergence d) { seen.add("a " + d.cause()); }
        };
        OutcomeListener b = new ForwardingOutcomeListener(new OutcomeListener() {
            @Override public void onProcess(ProcessInfo p) { seen.add("b " + p.pid()); }
            @Override public void onDivergence(Divergence d) { seen.add("b " + d.cause()); }
        });
        OutcomeListener both = OutcomeListener.tee(a, b);
        both.onProcess(new ProcessInfo(100, 1, 0, null));
        both.onDivergence(new Divergence(3, 100, DivergenceCause.LATE_EVENT, "x"));
        assertThat(seen).containsExactly("a 100", "b 100", "a late-event", "b late-event");
    }

    @Test
    void storageNamesAreSnakeCase() {
        assertThat(CaseKind.EXISTING_LEFT_PARTIAL.storageName()).isEqualTo("existing_left_partial");
        assertThat(RefusalReason.ANON_VMA.storageName()).isEqualTo("anon_vma");
    }
}
