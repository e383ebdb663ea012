package dev.vmareplay.reports;

import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The thread a run's rows are appended on. The replay's engine thread {@link #hand}s work over
 * through a bounded queue and goes on replaying: storage overlaps with the replay, and at most
 * {@link #CAPACITY} pieces of work wait, so memory stays flat however long the trace.
 *
 * <pre>
 *   engine thread            queue (bounded)             storage thread
 *   hand(batch) ──────────▶ [ w  w  w  … ] ──────────▶ work.run()  (appenders)
 *   finish(commit) ───────▶ [ … commit STOP ] ───────▶ commit, exit
 *                 ◀────────────── join ─────────────────┘
 * </pre>
 *
 * The first failure on the storage thread ends it: the work's {@link SQLException} is turned
 * into a {@link StorageException} there, {@code onFailure} (the rollback) runs there, and the
 * engine thread's next {@link #hand} or {@link #finish} throws that exception: a storage error
 * stops the replay as it did when rows were appended on the engine thread.
 */
final class StorageThread {

    /** Work done on the storage thread. */
    @FunctionalInterface
    interface Work {
        void run() throws SQLException;
    }

    /** Pieces of work that may wait: a batch is ~4 096 events' rows, so this is a few MB. */
    static final int CAPACITY = 16;

    private record Item(String what, Work work) { }

    private static final Item STOP = new Item("stop", () -> { });

    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(CAPACITY);
    private final BiFunction<String, SQLException, StorageException> translate;
    private final Runnable onFailure;
    private final Thread thread;
    private volatile Throwable failure;

    /**
     * @param name      the thread's name
     * @param translate turns a failed work's "what" and SQL error into the user's message
     * @param onFailure run on the storage thread after the first failure (rolls the run back)
     */
    StorageThread(String name, BiFunction<String, SQLException, StorageException> translate, Runnable onFailure) {
        this.translate = translate;
        this.onFailure = onFailure;
        this.thread = new Thread(this::loop, name);
        thread.setDaemon(true);   // a replay that dies must not be kept alive by its storage
        thread.start();
    }

    private void loop() {
        try {
            while (true) {
                Item item = queue.take();
                if (item == STOP) return;
                try {
                    item.work().run();
                } catch (SQLException e) {
                    fail(translate.apply(item.what(), e));
                    return;
                } catch (RuntimeException | Error e) {
                    fail(e);
                    return;
                }
            }
        } catch (InterruptedException e) {
            fail(new IllegalStateException("the storage thread was interrupted", e));
        }
    }

    /**
     * Rolls back, then publishes the failure: the engine thread must not touch the connection
     * (as the caller's error handling will) before the rollback is done.
     */
    private void fail(Throwable t) {
        queue.clear();
        try {
            onFailure.run();
        } catch (RuntimeException e) {
            t.addSuppressed(e);
        }
        failure = t;
    }

    /**
     * Queues {@code work} (described by {@code what} in an error message); blocks while the
     * queue is full. Throws the storage thread's failure, if it failed.
     */
    void hand(String what, Work work) {
        put(new Item(what, work));
    }

    /** Queues {@code work} as the last piece, waits until it is done, and throws any failure. */
    void finish(String what, Work work) {
        put(new Item(what, work));
        put(STOP);
        join();
        rethrow();
    }

    /**
     * Drops what is still queued, runs {@code last} on the storage thread (the rollback: the
     * appenders belong to that thread, and rows they still hold must be discarded inside the
     * transaction) and waits for the thread to end. Does nothing when the thread has ended
     * already (after a failure, which rolled back there). Errors of {@code last} are ignored.
     */
    void abort(Work last) {
        if (!thread.isAlive()) return;
        Item item = new Item("the rollback", last);
        try {
            do queue.clear(); while (thread.isAlive() && !queue.offer(item, 10, TimeUnit.MILLISECONDS));
            while (thread.isAlive() && !queue.offer(STOP, 10, TimeUnit.MILLISECONDS)) { }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        join();
    }

    /** True when the storage thread failed (it rolled the run back). */
    boolean failed() {
        return failure != null;
    }

    private void put(Item item) {
        rethrow();
        try {
            while (!queue.offer(item, 50, TimeUnit.MILLISECONDS)) {
                rethrow();
                if (!thread.isAlive()) throw new IllegalStateException("the storage thread has ended");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while handing rows to the storage thread", e);
        }
    }

    private void join() {
        boolean interrupted = false;
        while (true) {
            try {
                thread.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;   // the rows must be settled before anyone touches the connection
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private void rethrow() {
        Throwable t = failure;
        if (t == null) return;
        if (t instanceof RuntimeException r) throw r;
        if (t instanceof Error e) throw e;
        throw new IllegalStateException(t);
    }
}
