package dev.vmareplay.replay;

import dev.vmareplay.ingest.EventSource;
import dev.vmareplay.ingest.event.Call;
import dev.vmareplay.ingest.event.Event;
import dev.vmareplay.replay.engine.FaultPolicy;
import dev.vmareplay.replay.engine.Mm;
import dev.vmareplay.replay.engine.Vma;
import dev.vmareplay.replay.engine.VmaEvent;
import dev.vmareplay.replay.engine.VmaIds;
import dev.vmareplay.replay.maps.MapsEntry;
import dev.vmareplay.replay.maps.MapsParser;
import dev.vmareplay.replay.outcome.Divergence;
import dev.vmareplay.replay.outcome.DivergenceCause;
import dev.vmareplay.replay.outcome.OutcomeBatch;
import dev.vmareplay.replay.outcome.OutcomeListener;
import dev.vmareplay.replay.outcome.ProcessInfo;
import dev.vmareplay.replay.outcome.RunSummary;
import dev.vmareplay.replay.outcome.SnapshotPoint;
import dev.vmareplay.replay.outcome.VmaLayout;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The replay driver: routes each event to the address space of the task that made it, and
 * keeps tasks and address spaces the way the kernel does.
 *
 * <pre>
 *  task (tid) ──► process (tgid) ──► address space (mm_id, one engine {@link Mm})
 *    threads (CLONE_THREAD|CLONE_VM) share their process's address space
 *    vfork children share the parent's until they execve or exit
 *    fork / clone without CLONE_VM: a copy ({@link Mm#fork})
 *    execve: a fresh address space (seeded from a snapshot when one is given for that pid)
 *    exit of the last task: the address space ends; its final layout is reported
 * </pre>
 *
 * Everything streams: the driver holds live tasks and address spaces, never the trace. What
 * it sees goes to an {@link OutcomeListener}: events, engine changes (mapped from the engine's
 * {@link VmaEvent} to the outcome's case kinds), timeline points and VMA lives gathered in an
 * {@link OutcomeBatch}, delivered every {@value #BATCH_EVENTS} events and before every other
 * callback, so the listener sees everything in trace order.
 */
public final class Replayer {

    private final ReplayOptions options;
    private final OutcomeListener listener;
    /** The families of address spaces this replay models and reports (all of them unless split). */
    private final ReplayPart part;
    /** The batch being filled; {@link #deliver} hands it to the listener. */
    private final OutcomeBatch.Builder out = new OutcomeBatch.Builder();
    /** Events per batch: big enough for bulk storage, small enough for memory to stay flat. */
    static final int BATCH_EVENTS = 4096;
    private final Map<Integer, Task> tasks = new HashMap<>();
    private final Map<Integer, List<MapsEntry>> finalLayouts = new LinkedHashMap<>();
    private final LatencyRecorder latency = new LatencyRecorder();
    private final FileIdentities files = new FileIdentities();
    /** START markers seen per pid: which image of the process a snapshot belongs to. */
    private final Map<Integer, Integer> markerImages = new HashMap<>();
    private long nextMmId = 1;
    private boolean firstProcessSeen;
    private int firstPid = -1;
    private FaultPolicy faultPolicy;
    private long events, divergences, vmaEvents;
    /** Distinct processes: an execve gives a process a new address space, not a new pid. */
    private final java.util.Set<Integer> pids = new java.util.HashSet<>();

    /** Events of tasks whose creating clone has not returned yet, by tid (bounded). */
    private final Map<Integer, List<Event>> held = new HashMap<>();
    private int heldEvents;
    private static final int MAX_HELD = 100_000;
    /** False once the trace showed the kernel has no CONFIG_ANON_VMA_NAME. */
    private boolean anonVmaNames = true;

    /** The traced kernel lacks CONFIG_ANON_VMA_NAME: every address space, live and future, says EINVAL to anon names. */
    void kernelWithoutAnonVmaNames() {
        anonVmaNames = false;
        for (Task t : tasks.values()) if (t.space.owned) t.space.mm.setAnonVmaNameSupported(false);
    }

    /**
     * A new model of an address space, configured like the traced kernel as far as the trace
     * told, numbering its VMAs with {@code ids} (a new family's, or those of the model it replaces).
     */
    private Mm newMm(AddressSpace space, VmaIds ids) {
        Mm mm = new Mm(options.kernel(), faultPolicy, observerFor(space), ids);
        mm.setAnonVmaNameSupported(anonVmaNames);
        return mm;
    }

    /** Live address spaces by the kernel's mm identity (the mmap lock lines). */
    private final Map<Long, AddressSpace> kernelMms = new HashMap<>();
    /** Tasks that exited (until a clone creates that tid again): their "+++ exited" line, and lines perf prints late, are not a new task. */
    private final java.util.Set<Integer> exited = new java.util.HashSet<>();

    /** The event being replayed: engine observers attribute what they see to it. */
    private Event current;
    private Task currentTask;
    private final List<VmaEvent> caused = new ArrayList<>();

    public Replayer(ReplayOptions options, OutcomeListener listener) {
        this(options, listener, ReplayPart.WHOLE);
    }

    /**
     * A replay of one part of the trace: the families of address spaces {@code part} owns are
     * modelled and reported, the others only followed (see {@link ReplayPart}).
     */
    public Replayer(ReplayOptions options, OutcomeListener listener, ReplayPart part) {
        this.options = options;
        this.listener = listener;
        this.part = part;
        this.faultPolicy = options.faultPolicy() != null ? options.faultPolicy() : FaultPolicy.WRITE_BEFORE_PROTECT;
    }

    /** Replays every event of the source; returns the final layout of every process by pid. */
    public Map<Integer, List<MapsEntry>> run(EventSource source) throws IOException {
        Event e;
        while ((e = source.next()) != null) {
            replay(e);
        }
        releaseHeld();
        finishAll();
        if (source.stats().lostEvents() > 0 && part.ownsUnattached()) {
            divergence(-1, 0, DivergenceCause.LOST_EVENTS, source.stats().lostEvents() + " events lost by perf: the trace is incomplete");
        }
        deliver();
        latency.emit(listener);
        listener.finish(new RunSummary(events, divergences, vmaEvents, pids.size()), source.stats());
        return finalLayouts;
    }

    /**
     * Replays one event. A task whose creating clone has not returned yet (strace prints a new
     * child's first calls before its parent's {@code <... clone resumed>}) is held back until the
     * clone comes, so that its events land in the address space the clone gives it.
     */
    public void replay(Event e) {
        int tid = e.tid();
        if (!tasks.containsKey(tid) && firstProcessSeen) {
            if (e.call() instanceof Call.Exit && exited.contains(tid)) {
                // strace prints exit_group and then "+++ exited +++": the task is already gone
                unattached(e);
                return;
            }
            if (heldEvents < MAX_HELD) {
                held.computeIfAbsent(tid, k -> new ArrayList<>()).add(e);
                heldEvents++;
                return;
            }
            releaseHeld(); // waited long enough: those tasks were created before the trace
        }
        apply(e);
        if (e.call() instanceof Call.Clone && e.succeeded() && e.ret() > 0) {
            List<Event> waiting = held.remove((int) e.ret());
            if (waiting != null) {
                heldEvents -= waiting.size();
                for (Event w : waiting) apply(w);
            }
        }
    }

    /** Replays held events of tasks whose clone never came: they get address spaces of their own. */
    private void releaseHeld() {
        List<Event> all = new ArrayList<>();
        held.values().forEach(all::addAll);
        held.clear();
        heldEvents = 0;
        all.sort((a, b) -> Long.compare(a.seq(), b.seq()));
        for (Event w : all) apply(w);
    }

    private void apply(Event e) {
        if (out.eventCount() >= BATCH_EVENTS) deliver();
        current = e;
        caused.clear();
        if (e.call() instanceof Call.Exit && !tasks.containsKey(e.tid())) {
            unattached(e);
            return;
        }
        if (e.call() instanceof Call.Clone && e.retKnown() && e.ret() == 0 && !tasks.containsKey(e.tid())) {
            // the child's half of a clone/vfork (perf trace: "... [continued]: vfork()) = 0"),
            // which perf can print even after the child exited: it creates nothing by itself
            unattached(e);
            return;
        }
        if (!tasks.containsKey(e.tid()) && exited.contains(e.tid())) {
            // perf trace flushes some lines late, after the task's exit: they change nothing now
            if (unattached(e)) {
                divergence(e.seq(), e.pid(), DivergenceCause.LATE_EVENT, e.syscall() + " of task " + e.tid() + " printed after it exited: ignored");
            }
            return;
        }
        Task t = taskOf(e);
        currentTask = t;
        AddressSpace space = t.space;
        // a family another part models is only followed: its tasks, and what it tells the others
        boolean own = space.owned;
        int before = own ? space.mm.mapCount() : 0;
        long bytesBefore = own ? space.mm.mappedBytes() : 0;
        if (own) {
            events++;
            out.event(e, space.id);
            if (e.durationNs() != Event.NO_TIME) latency.record("syscall", e.syscall(), e.durationNs());
        }

        Call c = e.call();
        if (c instanceof Call.Clone clone) {
            onClone(t, e, clone);
        } else if (c instanceof Call.Execve exec) {
            onExec(t, e, exec);
        } else if (c instanceof Call.Exit exit) {
            onExit(t, exit);
        } else if (c instanceof Call.Marker m) {
            onMarker(t, e, m);
        } else if (c instanceof Call.PageFault f) {
            if (own) space.mm.fault(f.addr(), f.access() != Call.PageFault.Access.READ);
        } else if (c instanceof Call.MmapLock lock) {
            onMmapLock(t, e, lock);
        } else if (own) {
            long t0 = System.nanoTime();
            new CallApplier(space, this).apply(e);
            latency.record("engine", e.syscall(), System.nanoTime() - t0);
            if (options.checkInvariants()) space.mm.checkInvariants();
        } else {
            followCall(e);
        }
        if (own) {
            if (e.durationNs() != Event.NO_TIME) {
                String syscall = e.syscall();
                for (VmaEvent v : caused) latency.recordCase(syscall, EngineOutcomes.kind(v.kind()), e.durationNs());
            }
            space.lives.settle(e.seq(), e.syscall());
        }
        AddressSpace now = t.space; // execve replaced it (with one of a family another part may own)
        if (!now.owned) return;
        if (now.mm.mapCount() > now.peakCount) now.atNewPeak(e.seq());
        if (now != space || now.mm.mapCount() != before || now.mm.mappedBytes() != bytesBefore) {
            out.timeline(now.id, e.seq(), e.tsNs(), now.mm.mapCount(), now.mm.mappedBytes());
        }
    }

    /** An event of no address space: part 0 reports it. Returns whether this part did. */
    private boolean unattached(Event e) {
        if (!part.ownsUnattached()) return false;
        events++;
        out.event(e, -1);
        return true;
    }

    /**
     * A call in an address space of a family another part models: only what it tells the whole
     * run is taken from it (the file identities a mapping creates, a kernel without anon names),
     * exactly as {@link CallApplier} takes it, so that every part sees the same.
     */
    private void followCall(Event e) {
        if (!e.retKnown()) return;
        Call c = e.call();
        if (c instanceof Call.SetVmaName m) {
            if (anonVmaNames && CallApplier.showsNoAnonVmaNames(e, m)) kernelWithoutAnonVmaNames();
        } else if (c instanceof Call.Mmap m && e.succeeded()) {
            CallApplier.mappedFile(m, files);
        }
    }

    /**
     * Hands the rows gathered so far to the listener as one batch (nothing when there are
     * none). The replay calls it itself; a caller feeding {@link #replay} one event at a time
     * calls it to see the rows of the events so far.
     */
    public void deliver() {
        if (!out.isEmpty()) listener.onBatch(out.build());
    }

    // ---- tasks and address spaces ------------------------------------------------------

    private Task taskOf(Event e) {
        Task t = tasks.get(e.tid());
        if (t != null) return t;
        // A task we have not seen created: the first process of the trace, or one whose
        // clone the trace does not show. It gets an address space of its own.
        int tgid = e.pid() > 0 ? e.pid() : e.tid();
        Task leader = tasks.get(tgid);
        if (leader != null && tgid != e.tid()) {
            t = new Task(e.tid(), tgid, leader.space);
            leader.space.users++;
        } else {
            boolean first = !firstProcessSeen;
            if (first) firstPid = tgid;
            AddressSpace space = newSpace(tgid, 0, null);
            t = new Task(e.tid(), tgid, space);
            if (!first && space.owned) {
                divergence(e.seq(), tgid, DivergenceCause.UNKNOWN_TASK,
                        "task " + e.tid() + " appears without a clone in the trace: given an address space of its own");
            }
            seed(space, tgid, first);
        }
        tasks.put(e.tid(), t);
        return t;
    }

    private AddressSpace newSpace(int pid, int parentPid, String exe) {
        return newSpace(pid, parentPid, exe, null);
    }

    /** A new address space: a fork's copy of {@code forkedFrom}'s (same family), or a fresh one (a new family). */
    private AddressSpace newSpace(int pid, int parentPid, String exe, AddressSpace forkedFrom) {
        long id = nextMmId++;
        long family = forkedFrom != null ? forkedFrom.family : id;
        AddressSpace space = new AddressSpace(id, pid, exe, family, part.owns(family));
        pids.add(pid);
        firstProcessSeen = true;
        if (!space.owned) return space;
        space.lives = new VmaLives(id, out);
        if (forkedFrom != null) {
            space.mm = forkedFrom.mm.fork();
            space.mm.setObserver(observerFor(space));
            long seq = current != null ? current.seq() : -1;
            for (Vma v : space.mm.vmas()) space.lives.born(v, seq, "fork");
        } else {
            space.mm = newMm(space, new VmaIds());
        }
        deliver();
        listener.onProcess(new ProcessInfo(pid, id, parentPid, exe));
        return space;
    }

    private void seed(AddressSpace space, int pid, boolean firstProcess) {
        Path seed = options.seedByPid().get(pid);
        if (seed == null && firstProcess) seed = options.seedFirst();
        if (seed == null) return;
        try {
            List<MapsEntry> entries = MapsParser.parse(seed);
            if (space.owned) {
                SeedLoader.load(space.mm, entries, files);
                space.lives.seeded();
            } else {
                SeedLoader.identifyFiles(entries, files);
            }
            space.seeded = true;
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read seed snapshot " + seed + ": " + ex.getMessage(), ex);
        }
    }

    /**
     * A snapshot marker. START: the process re-seeds its address space from the snapshot taken
     * there (what the trace showed of this image so far no longer matters). END: the modelled
     * layout is reported, to be compared with the snapshot taken there.
     */
    private void onMarker(Task t, Event e, Call.Marker m) {
        SnapshotDir dir = options.snapshots();
        if (dir == null) return;
        int pid = t.tgid;
        AddressSpace space = t.space;
        int image;
        Path snapshot;
        if (m.start()) {
            image = markerImages.merge(pid, 1, Integer::sum);
            snapshot = dir.find(pid, image, SnapshotDir.Kind.START);
            if (snapshot != null) reseed(space, snapshot, e.seq());
        } else {
            image = markerImages.getOrDefault(pid, 0);
            snapshot = dir.find(pid, image, SnapshotDir.Kind.END);
            EntryOnlyMremap.unresolved(this, space, e.seq()); // before the layout is compared: say what it lacks
        }
        if (!space.owned) return;
        deliver();
        listener.onSnapshotPoint(new SnapshotPoint(e.seq(), pid, m.start(), image, snapshot, FinalLayout.layouts(space.mm)));
    }

    /** Replaces the address space's model by one built from the snapshot (the brk is kept when it has no [heap]). */
    private void reseed(AddressSpace space, Path snapshot, long seq) {
        if (!space.owned) {
            try {
                SeedLoader.identifyFiles(MapsParser.parse(snapshot), files);
            } catch (IOException ex) {
                throw new UncheckedIOException("cannot read snapshot " + snapshot + ": " + ex.getMessage(), ex);
            }
            space.seeded = true;
            return;
        }
        Mm old = space.mm;
        space.lives.close(seq, "snapshot"); // the model's VMAs give way to the kernel's
        space.entryOnlyMremap = null; // the snapshot shows where it went
        Mm mm = newMm(space, old.ids()); // the same address space: its VMA ids go on
        Event saved = current;
        current = null; // seeding is not caused by an event
        try {
            SeedLoader.load(mm, MapsParser.parse(snapshot), files);
            space.lives.seeded();
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot read snapshot " + snapshot + ": " + ex.getMessage(), ex);
        } finally {
            current = saved;
            caused.clear();
        }
        if (mm.startBrk() == 0 && old.startBrk() != 0) mm.setBrkArea(old.startBrk(), old.brkValue());
        space.mm = mm;
        space.seeded = true;
    }

    /**
     * An mmap write-lock acquisition: checks the model's process tree against the kernel's
     * address-space identity. Threads (and a vfork child until it execs) share their mm; fork and
     * exec make new ones. Inside fork (dup_mmap locks the child's new mm too) and exec (the old
     * and the new mm) a task takes another mm's lock by design: those are not checked.
     */
    private void onMmapLock(Task t, Event e, Call.MmapLock lock) {
        String during = lock.during();
        if (during != null && (during.startsWith("exec") || during.startsWith("clone") || during.equals("fork")
                || during.equals("vfork"))) {
            return;
        }
        AddressSpace space = t.space;
        long mm = lock.mm();
        if (space.kernelMm == 0) {
            AddressSpace owner = kernelMms.get(mm);
            if (owner != null && owner != space && !owner.finished) {
                if (space.owned) divergence(e.seq(), t.tgid, DivergenceCause.MM_IDENTITY, "task " + t.tid + " took the mmap lock of mm 0x" + Long.toHexString(mm)
                        + ", which the model gives to pid " + owner.pid + "'s address space: the kernel shares it, the model does not");
                return;
            }
            space.kernelMm = mm;
            kernelMms.put(mm, space);
        } else if (space.kernelMm != mm && space.owned) {
            divergence(e.seq(), t.tgid, DivergenceCause.MM_IDENTITY, "task " + t.tid + " took the mmap lock of mm 0x" + Long.toHexString(mm)
                    + ", but its address space in the model is mm 0x" + Long.toHexString(space.kernelMm));
        }
    }

    private void onClone(Task parent, Event e, Call.Clone clone) {
        if (!e.succeeded() || e.ret() <= 0) return;
        int child = (int) e.ret();
        exited.remove(child);
        Task existing = tasks.get(child);
        if (existing != null && existing.execd) {
            // the child exec'd before the parent's clone/vfork line was printed (perf trace
            // prints a vfork when the parent resumes, after the child's execve): its own
            // address space since then is the right one; the clone changes nothing any more
            return;
        }
        if (existing != null) {
            // the child's first events were printed before the parent's clone returned: it was
            // given an address space of its own; put it where the clone says it belongs
            release(existing);
        }
        Task t;
        if (clone.isThread()) {
            t = new Task(child, parent.tgid, parent.space);
            parent.space.users++;
        } else if (clone.sharesVm()) {
            // vfork, or CLONE_VM without CLONE_THREAD: a new process sharing the address space
            t = new Task(child, child, parent.space);
            parent.space.users++;
            pids.add(child);
            if (parent.space.owned) {
                deliver();
                listener.onProcess(new ProcessInfo(child, parent.space.id, parent.tgid, parent.space.exe));
            }
        } else {
            AddressSpace space = newSpace(child, parent.tgid, parent.space.exe, parent.space);
            t = new Task(child, child, space);
            if (space.owned) out.timeline(space.id, e.seq(), e.tsNs(), space.mm.mapCount(), space.mm.mappedBytes());
        }
        tasks.put(child, t);
    }

    private void onExec(Task t, Event e, Call.Execve exec) {
        if (!e.succeeded()) return;
        // de_thread(): every other thread of the process is gone
        for (Task other : new ArrayList<>(tasks.values())) {
            if (other.tgid == t.tgid && other != t) {
                tasks.remove(other.tid);
                release(other);
            }
        }
        release(t);
        AddressSpace space = newSpace(t.tgid, 0, exec.path());
        space.execd = true;
        t.space = space;
        t.execd = true;
        seed(space, t.tgid, false);
    }

    private void onExit(Task t, Call.Exit exit) {
        if (exit.group()) {
            for (Task other : new ArrayList<>(tasks.values())) {
                if (other.tgid == t.tgid) {
                    tasks.remove(other.tid);
                    exited.add(other.tid);
                    release(other);
                }
            }
        } else {
            tasks.remove(t.tid);
            exited.add(t.tid);
            release(t);
        }
    }

    /** A task stops using its address space; the last user ends it. */
    private void release(Task t) {
        AddressSpace s = t.space;
        if (--s.users == 0) {
            if (s.owned) s.lives.close(current != null ? current.seq() : -1, current != null && current.call() instanceof Call.Execve ? "execve" : "exit");
            finish(s);
        }
    }

    private void finishAll() {
        List<AddressSpace> live = new ArrayList<>();
        for (Task t : tasks.values()) if (!live.contains(t.space)) live.add(t.space);
        live.sort((a, b) -> Long.compare(a.id, b.id));
        for (AddressSpace s : live) {
            if (s.owned) s.lives.close(-1, null);
            finish(s);
        }
        tasks.clear();
    }

    private void finish(AddressSpace s) {
        if (s.finished) return;
        s.finished = true;
        EntryOnlyMremap.unresolved(this, s, current != null ? current.seq() : -1);
        if (s.kernelMm != 0) kernelMms.remove(s.kernelMm, s); // the kernel reuses the value for a later process
        if (!s.owned) return;
        deliver();
        listener.onFinalLayout(s.id, FinalLayout.layouts(s.mm));
        if (s.peak != null) listener.onPeakLayout(s.id, s.peakSeq, s.peak.layouts());
        finalLayouts.put(s.pid, FinalLayout.of(s.mm));
    }

    // ---- what the call applier and the engine report -----------------------------------

    private dev.vmareplay.replay.engine.VmaObserver observerFor(AddressSpace space) {
        return new dev.vmareplay.replay.engine.VmaObserver() {
            @Override
            public void on(VmaEvent v) {
                vmaEvents++;
                caused.add(v);
                Event e = current;
                if (e == null) return;
                space.lives.event(v, e.seq(), e.syscall());
                out.change(e.seq(), currentTask == null ? space.pid : currentTask.tgid, space.id, e.syscall(),
                        EngineOutcomes.kind(v.kind()), EngineOutcomes.reason(v.reason()), v.start(), v.end(),
                        v.legacyCase(), v.assumed(), v.vma());
            }

            @Override
            public void linked(Vma v) {
                space.lives.linked(v);
            }

            @Override
            public void unlinked(Vma v) {
                space.lives.unlinked(v);
            }
        };
    }

    void divergence(long seq, int pid, DivergenceCause cause, String detail) {
        divergences++;
        deliver();
        listener.onDivergence(new Divergence(seq, pid, cause, detail));
    }

    /** The pid of the trace's first process (the one an unqualified --seed-maps seeds), -1 before any event. */
    public int firstPid() {
        return firstPid;
    }

    FileIdentities files() {
        return files;
    }

    FaultPolicy faultPolicy() {
        return faultPolicy;
    }

    /** A traced task: its thread id, its process (thread-group id) and its address space. */
    static final class Task {
        final int tid;
        final int tgid;
        AddressSpace space;
        /** exec'd since the trace first showed it */
        boolean execd;

        Task(int tid, int tgid, AddressSpace space) {
            this.tid = tid;
            this.tgid = tgid;
            this.space = space;
        }
    }

    /**
     * One address space (the kernel's mm_struct): the engine's model plus bookkeeping. An
     * address space of a family another part models has no model ({@code mm} and {@code lives}
     * null): only its tasks are followed.
     */
    static final class AddressSpace {
        final long id;
        final int pid;
        final String exe;
        /** The id of the fresh address space this one was forked from, directly or not (its own when fresh). */
        final long family;
        /** Modelled and reported by this replay ({@link ReplayPart}). */
        final boolean owned;
        Mm mm;
        VmaLives lives;
        int users = 1;
        boolean seeded;
        /** Created by an execve in the trace: the kernel mapped the executable, the loader, the
         *  stack and the vdso without any syscall showing it. */
        boolean execd;
        boolean finished;
        /** An mremap perf printed without its result that moved, waiting for the call that names where. */
        EntryOnlyMremap.Waiting entryOnlyMremap;
        /** The kernel's identity of this address space (its mm_struct's address), from the mmap lock lines; 0 before one. */
        long kernelMm;

        /** The highest VMA count seen, and the layout kept for it (see onPeakVma). */
        int peakCount;
        /** Taken at the last kept peak, null before the first (rendered only at the end: {@link FinalLayout.Capture}). */
        FinalLayout.Capture peak;
        long peakSeq = -1;

        AddressSpace(long id, int pid, String exe, long family, boolean owned) {
            this.id = id;
            this.pid = pid;
            this.exe = exe;
            this.family = family;
            this.owned = owned;
        }

        /** Exact below this many VMAs; above it a new layout is kept only every 2 % of growth. */
        static final int EXACT_PEAK_BELOW = 4096;

        void atNewPeak(long seq) {
            peakCount = mm.mapCount();
            if (peak == null) peak = new FinalLayout.Capture();
            else if (peakCount >= EXACT_PEAK_BELOW && peakCount < peak.size() * 1.02) return;
            peak.take(mm);
            peakSeq = seq;
        }
    }
}
