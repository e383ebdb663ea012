package dev.vmareplay.reports;

import java.util.List;

/**
 * The DuckDB schema: DESIGN.md's storage contract, plus extra columns and views. Table and
 * column names are a contract that users' queries rely on: add, never rename.
 * Addresses and lengths are UBIGINT; times are nanoseconds (BIGINT) unless named otherwise.
 * Note that {@code end} is an SQL keyword: write {@code "end"} in queries.
 */
public final class Schema {
    private Schema() { }

    /** Bumped when the schema changes; a file with a newer version is refused. */
    public static final int VERSION = 3;

    /** vm.max_map_count's default: the VMA count at which mmap starts failing with ENOMEM. */
    public static final int MAX_MAP_COUNT = 65530;

    /** Every table, in the order they are created (also the order they are exported). */
    public static final List<String> TABLES = List.of(
            "runs", "processes", "events", "merge_events", "vma_timeline", "final_vmas",
            "divergences", "latency", "parse_coverage", "parse_examples", "vma_lifecycle", "peak_vmas");

    /** Tables that are not per run (no run_id): the model's, refreshed whenever a run is written. */
    public static final List<String> MODEL_TABLES = List.of("reader_observables");

    /** Every view. */
    public static final List<String> VIEWS = List.of(
            "case_counts", "refusal_reasons", "vma_peaks", "final_vma_history", "divergence_causes", "split_sites",
            "reader_hazards");

    static final List<String> DDL = List.of(
            """
            CREATE TABLE IF NOT EXISTS schema_version (
              version    INTEGER NOT NULL,
              applied_at TIMESTAMP NOT NULL)""",
            """
            CREATE TABLE IF NOT EXISTS runs (
              run_id            BIGINT PRIMARY KEY,
              started_at        TIMESTAMP NOT NULL,
              finished_at       TIMESTAMP,
              tool_version      VARCHAR,
              kernel            VARCHAR,
              inputs            VARCHAR[],
              options           VARCHAR,
              events            BIGINT,
              divergences       BIGINT,
              vma_events        BIGINT,
              processes         BIGINT,
              input_format      VARCHAR,
              bytes_read        BIGINT,
              lost_events       BIGINT,
              fd_table_complete BOOLEAN,
              error             VARCHAR)""",
            // schema 3 (the fleet job, issue 17): a trace that could not be replayed is a run with its error
            "ALTER TABLE runs ADD COLUMN IF NOT EXISTS error VARCHAR",
            """
            CREATE TABLE IF NOT EXISTS processes (
              run_id     BIGINT NOT NULL,
              pid        INTEGER,
              mm_id      BIGINT,
              parent_pid INTEGER,
              exe        VARCHAR)""",
            """
            CREATE TABLE IF NOT EXISTS events (
              run_id      BIGINT NOT NULL,
              seq         BIGINT NOT NULL,
              ts_ns       BIGINT,
              pid         INTEGER,
              tid         INTEGER,
              mm_id       BIGINT,
              syscall     VARCHAR,
              addr        UBIGINT,
              len         UBIGINT,
              prot        INTEGER,
              flags       BIGINT,
              fd          INTEGER,
              "offset"    UBIGINT,
              file        VARCHAR,
              args        VARCHAR,
              ret         UBIGINT,
              ret_known   BOOLEAN,
              errno       INTEGER,
              duration_ns BIGINT,
              source      VARCHAR,
              line        BIGINT,
              stack       VARCHAR,
              call_site   VARCHAR)""",
            // schema 2 (strace -k stacks): files written by schema 1 get the columns here
            "ALTER TABLE events ADD COLUMN IF NOT EXISTS stack VARCHAR",
            "ALTER TABLE events ADD COLUMN IF NOT EXISTS call_site VARCHAR",
            """
            CREATE TABLE IF NOT EXISTS vma_lifecycle (
              run_id      BIGINT NOT NULL,
              mm_id       BIGINT,
              vma_id      BIGINT NOT NULL,
              start       UBIGINT,
              "end"       UBIGINT,
              created_seq BIGINT,
              created_by  VARCHAR,
              parent_vma  BIGINT,
              splits      INTEGER,
              merges      INTEGER,
              removed_seq BIGINT,
              removed_by  VARCHAR,
              merged_into BIGINT)""",
            """
            CREATE TABLE IF NOT EXISTS merge_events (
              run_id      BIGINT NOT NULL,
              seq         BIGINT NOT NULL,
              pid         INTEGER,
              mm_id       BIGINT,
              syscall     VARCHAR,
              kind        VARCHAR NOT NULL,
              reason      VARCHAR,
              start       UBIGINT,
              "end"       UBIGINT,
              legacy_case TINYINT,
              assumed     BOOLEAN)""",
            """
            CREATE TABLE IF NOT EXISTS vma_timeline (
              run_id       BIGINT NOT NULL,
              mm_id        BIGINT NOT NULL,
              seq          BIGINT NOT NULL,
              ts_ns        BIGINT,
              vma_count    INTEGER,
              mapped_bytes UBIGINT)""",
            """
            CREATE TABLE IF NOT EXISTS final_vmas (
              run_id BIGINT NOT NULL,
              mm_id  BIGINT NOT NULL,
              start  UBIGINT,
              "end"  UBIGINT,
              flags  BIGINT,
              perms  VARCHAR,
              pgoff  UBIGINT,
              file   VARCHAR,
              dev    VARCHAR,
              inode  BIGINT)""",
            """
            CREATE TABLE IF NOT EXISTS peak_vmas (
              run_id BIGINT NOT NULL,
              mm_id  BIGINT NOT NULL,
              seq    BIGINT,
              start  UBIGINT,
              "end"  UBIGINT,
              flags  BIGINT,
              perms  VARCHAR,
              pgoff  UBIGINT,
              file   VARCHAR)""",
            """
            CREATE TABLE IF NOT EXISTS divergences (
              run_id BIGINT NOT NULL,
              seq    BIGINT,
              pid    INTEGER,
              cause  VARCHAR,
              detail VARCHAR)""",
            """
            CREATE TABLE IF NOT EXISTS latency (
              run_id    BIGINT NOT NULL,
              scope     VARCHAR NOT NULL,
              name      VARCHAR NOT NULL,
              count     BIGINT,
              min_ns    BIGINT,
              mean_ns   DOUBLE,
              p50_ns    BIGINT,
              p90_ns    BIGINT,
              p99_ns    BIGINT,
              p999_ns   BIGINT,
              max_ns    BIGINT,
              histogram BLOB)""",
            """
            CREATE TABLE IF NOT EXISTS parse_coverage (
              run_id BIGINT NOT NULL,
              class  VARCHAR NOT NULL,
              n      BIGINT)""",
            """
            CREATE TABLE IF NOT EXISTS parse_examples (
              run_id  BIGINT NOT NULL,
              file    VARCHAR,
              line    BIGINT,
              text    VARCHAR,
              problem VARCHAR)""",
            // ---- views: the common questions ----
            """
            CREATE OR REPLACE VIEW case_counts AS
            SELECT run_id, kind,
                   CASE WHEN kind LIKE 'new\\_%' ESCAPE '\\' THEN 'new range'
                        WHEN kind LIKE 'existing\\_%' ESCAPE '\\' THEN 'existing range'
                        ELSE kind END AS case_group,
                   count(*) AS n
            FROM merge_events GROUP BY run_id, kind""",
            """
            CREATE OR REPLACE VIEW refusal_reasons AS
            SELECT run_id, syscall, reason, count(*) AS n, count(*) FILTER (WHERE assumed) AS assumed
            FROM merge_events WHERE kind = 'refused' GROUP BY run_id, syscall, reason""",
            """
            CREATE OR REPLACE VIEW vma_peaks AS
            WITH p AS (
              SELECT run_id, mm_id,
                     max(vma_count) AS peak_vma_count,
                     arg_max(seq, vma_count) AS peak_seq,
                     arg_max(ts_ns, vma_count) AS peak_ts_ns,
                     max(mapped_bytes) AS peak_mapped_bytes,
                     count(*) AS changes
              FROM vma_timeline GROUP BY run_id, mm_id)
            SELECT p.run_id, p.mm_id,
                   (SELECT min(q.pid) FROM processes q WHERE q.run_id = p.run_id AND q.mm_id = p.mm_id) AS pid,
                   (SELECT any_value(q.exe) FROM processes q WHERE q.run_id = p.run_id AND q.mm_id = p.mm_id) AS exe,
                   p.peak_vma_count, p.peak_seq, p.peak_ts_ns, p.peak_mapped_bytes, p.changes,
                   round(100.0 * p.peak_vma_count / 65530, 2) AS pct_of_max_map_count
            FROM p""",
            """
            CREATE OR REPLACE VIEW final_vma_history AS
            SELECT f.run_id, f.mm_id, f.start, f."end", f.perms, f.file,
                   min(m.seq) AS first_seq,
                   max(m.seq) AS last_seq,
                   count(m.seq) AS engine_events,
                   count(m.seq) FILTER (WHERE m.kind LIKE 'new\\_%' ESCAPE '\\') AS new_range_merges,
                   count(m.seq) FILTER (WHERE m.kind LIKE 'existing\\_%' ESCAPE '\\') AS existing_range_merges,
                   count(m.seq) FILTER (WHERE m.kind = 'split') AS splits,
                   count(m.seq) FILTER (WHERE m.kind = 'expand') AS expands,
                   count(m.seq) FILTER (WHERE m.kind = 'shrink') AS shrinks,
                   count(m.seq) FILTER (WHERE m.kind = 'refused') AS refusals
            FROM final_vmas f
            LEFT JOIN merge_events m
              ON m.run_id = f.run_id AND m.mm_id = f.mm_id AND m.start < f."end" AND f.start < m."end"
            GROUP BY f.run_id, f.mm_id, f.start, f."end", f.perms, f.file""",
            """
            CREATE OR REPLACE VIEW split_sites AS
            SELECT m.run_id, e.call_site AS site, m.syscall, count(*) AS splits
            FROM merge_events m JOIN events e ON e.run_id = m.run_id AND e.seq = m.seq
            WHERE m.kind = 'split' AND e.call_site IS NOT NULL
            GROUP BY ALL""",
            // ---- what a lockless /proc/PID/maps reader could see (issue 16) ----
            // The model's table (dev.vmareplay.replay.readers, `vmareplay readers`): per merge_events
            // kind, the observables the exhaustive check finds under each maple-tree iteration. It is
            // the model's, not the run's: refreshed whenever a run is written. ReaderObservablesTest
            // (cli) pins it to the model.
            """
            CREATE TABLE IF NOT EXISTS reader_observables (
              kind        VARCHAR NOT NULL,
              reader_case VARCHAR NOT NULL,
              iteration   VARCHAR NOT NULL,
              observable  VARCHAR NOT NULL)""",
            "DELETE FROM reader_observables",
            """
            INSERT INTO reader_observables VALUES
            ('existing_both', 'existing_both', 'rewalk', 'duplicate'),
            ('existing_both', 'existing_both', 'rewalk', 'retry'),
            ('existing_both', 'existing_both', 'rewalk', 'mmap_lock_wait'),
            ('existing_both', 'existing_both', 'rewalk', 'transient_gap'),
            ('existing_both', 'existing_both', 'rewalk', 'violation'),
            ('existing_both', 'existing_both', 'slot', 'duplicate'),
            ('existing_both', 'existing_both', 'slot', 'retry'),
            ('existing_both', 'existing_both', 'slot', 'mmap_lock_wait'),
            ('existing_both', 'existing_both', 'slot', 'transient_gap'),
            ('existing_both', 'existing_both', 'slot', 'violation'),
            ('existing_left_full', 'existing_left_full', 'rewalk', 'duplicate'),
            ('existing_left_full', 'existing_left_full', 'rewalk', 'retry'),
            ('existing_left_full', 'existing_left_full', 'rewalk', 'mmap_lock_wait'),
            ('existing_left_full', 'existing_left_full', 'rewalk', 'transient_gap'),
            ('existing_left_full', 'existing_left_full', 'rewalk', 'violation'),
            ('existing_left_full', 'existing_left_full', 'slot', 'duplicate'),
            ('existing_left_full', 'existing_left_full', 'slot', 'retry'),
            ('existing_left_full', 'existing_left_full', 'slot', 'mmap_lock_wait'),
            ('existing_left_full', 'existing_left_full', 'slot', 'transient_gap'),
            ('existing_left_full', 'existing_left_full', 'slot', 'violation'),
            ('existing_left_partial', 'existing_left_partial', 'rewalk', 'duplicate'),
            ('existing_left_partial', 'existing_left_partial', 'rewalk', 'retry'),
            ('existing_left_partial', 'existing_left_partial', 'rewalk', 'mmap_lock_wait'),
            ('existing_left_partial', 'existing_left_partial', 'rewalk', 'transient_gap'),
            ('existing_left_partial', 'existing_left_partial', 'rewalk', 'violation'),
            ('existing_left_partial', 'existing_left_partial', 'slot', 'duplicate'),
            ('existing_left_partial', 'existing_left_partial', 'slot', 'retry'),
            ('existing_left_partial', 'existing_left_partial', 'slot', 'mmap_lock_wait'),
            ('existing_left_partial', 'existing_left_partial', 'slot', 'transient_gap'),
            ('existing_left_partial', 'existing_left_partial', 'slot', 'violation'),
            ('existing_right_full', 'existing_right_full', 'rewalk', 'duplicate'),
            ('existing_right_full', 'existing_right_full', 'rewalk', 'retry'),
            ('existing_right_full', 'existing_right_full', 'rewalk', 'mmap_lock_wait'),
            ('existing_right_full', 'existing_right_full', 'rewalk', 'transient_gap'),
            ('existing_right_full', 'existing_right_full', 'rewalk', 'violation'),
            ('existing_right_full', 'existing_right_full', 'slot', 'duplicate'),
            ('existing_right_full', 'existing_right_full', 'slot', 'retry'),
            ('existing_right_full', 'existing_right_full', 'slot', 'mmap_lock_wait'),
            ('existing_right_full', 'existing_right_full', 'slot', 'transient_gap'),
            ('existing_right_full', 'existing_right_full', 'slot', 'violation'),
            ('existing_right_partial', 'existing_right_partial', 'rewalk', 'duplicate'),
            ('existing_right_partial', 'existing_right_partial', 'rewalk', 'retry'),
            ('existing_right_partial', 'existing_right_partial', 'rewalk', 'mmap_lock_wait'),
            ('existing_right_partial', 'existing_right_partial', 'rewalk', 'transient_gap'),
            ('existing_right_partial', 'existing_right_partial', 'rewalk', 'violation'),
            ('existing_right_partial', 'existing_right_partial', 'slot', 'duplicate'),
            ('existing_right_partial', 'existing_right_partial', 'slot', 'retry'),
            ('existing_right_partial', 'existing_right_partial', 'slot', 'mmap_lock_wait'),
            ('new_both', 'new_both', 'rewalk', 'duplicate'),
            ('new_both', 'new_both', 'rewalk', 'retry'),
            ('new_both', 'new_both', 'rewalk', 'mmap_lock_wait'),
            ('new_both', 'new_both', 'rewalk', 'transient_gap'),
            ('new_both', 'new_both', 'rewalk', 'real_gap'),
            ('new_both', 'new_both', 'rewalk', 'violation'),
            ('new_both', 'new_both', 'slot', 'duplicate'),
            ('new_both', 'new_both', 'slot', 'retry'),
            ('new_both', 'new_both', 'slot', 'mmap_lock_wait'),
            ('new_both', 'new_both', 'slot', 'transient_gap'),
            ('new_both', 'new_both', 'slot', 'real_gap'),
            ('new_both', 'new_both', 'slot', 'violation'),
            ('new_left', 'new_left', 'rewalk', 'duplicate'),
            ('new_left', 'new_left', 'rewalk', 'retry'),
            ('new_left', 'new_left', 'rewalk', 'mmap_lock_wait'),
            ('new_left', 'new_left', 'slot', 'duplicate'),
            ('new_left', 'new_left', 'slot', 'retry'),
            ('new_left', 'new_left', 'slot', 'mmap_lock_wait'),
            ('new_right', 'new_right', 'rewalk', 'mmap_lock_wait'),
            ('new_right', 'new_right', 'slot', 'mmap_lock_wait'),
            ('new_none', 'new_none', 'rewalk', 'retry'),
            ('new_none', 'new_none', 'rewalk', 'mmap_lock_wait'),
            ('new_none', 'new_none', 'slot', 'retry'),
            ('new_none', 'new_none', 'slot', 'mmap_lock_wait'),
            ('expand', 'expand_brk', 'rewalk', 'duplicate'),
            ('expand', 'expand_brk', 'rewalk', 'retry'),
            ('expand', 'expand_brk', 'rewalk', 'mmap_lock_wait'),
            ('expand', 'expand_brk', 'slot', 'duplicate'),
            ('expand', 'expand_brk', 'slot', 'retry'),
            ('expand', 'expand_brk', 'slot', 'mmap_lock_wait'),
            ('split', 'split_new_below', 'rewalk', 'retry'),
            ('split', 'split_new_below', 'rewalk', 'mmap_lock_wait'),
            ('split', 'split_new_below', 'rewalk', 'transient_gap'),
            ('split', 'split_new_below', 'slot', 'retry'),
            ('split', 'split_new_below', 'slot', 'mmap_lock_wait'),
            ('split', 'split_new_below', 'slot', 'transient_gap'),
            ('split', 'split_new_above', 'rewalk', 'retry'),
            ('split', 'split_new_above', 'rewalk', 'mmap_lock_wait'),
            ('split', 'split_new_above', 'rewalk', 'transient_gap'),
            ('split', 'split_new_above', 'rewalk', 'violation'),
            ('split', 'split_new_above', 'slot', 'retry'),
            ('split', 'split_new_above', 'slot', 'mmap_lock_wait'),
            ('shrink', 'shrink', 'rewalk', 'retry'),
            ('shrink', 'shrink', 'rewalk', 'mmap_lock_wait'),
            ('shrink', 'shrink', 'slot', 'retry'),
            ('shrink', 'shrink', 'slot', 'mmap_lock_wait'),
            ('remove', 'munmap', 'rewalk', 'retry'),
            ('remove', 'munmap', 'rewalk', 'mmap_lock_wait'),
            ('remove', 'munmap', 'slot', 'retry'),
            ('remove', 'munmap', 'slot', 'mmap_lock_wait'),
            ('mremap_move', 'mremap_move_down', 'rewalk', 'retry'),
            ('mremap_move', 'mremap_move_down', 'rewalk', 'mmap_lock_wait'),
            ('mremap_move', 'mremap_move_down', 'rewalk', 'real_gap'),
            ('mremap_move', 'mremap_move_down', 'rewalk', 'moved_missed'),
            ('mremap_move', 'mremap_move_down', 'slot', 'retry'),
            ('mremap_move', 'mremap_move_down', 'slot', 'mmap_lock_wait'),
            ('mremap_move', 'mremap_move_down', 'slot', 'real_gap'),
            ('mremap_move', 'mremap_move_down', 'slot', 'moved_missed'),
            ('mremap_move', 'mremap_move_up', 'rewalk', 'retry'),
            ('mremap_move', 'mremap_move_up', 'rewalk', 'mmap_lock_wait'),
            ('mremap_move', 'mremap_move_up', 'rewalk', 'moved_twice'),
            ('mremap_move', 'mremap_move_up', 'slot', 'retry'),
            ('mremap_move', 'mremap_move_up', 'slot', 'mmap_lock_wait'),
            ('mremap_move', 'mremap_move_up', 'slot', 'moved_twice')""",
            // per run, address space, kind and observable: how many operations could have shown a
            // concurrent reader that observable (a model of the reader, not a measured race). An
            // mremap move is its source's removal in the same event as the copy's new-range merge.
            """
            CREATE OR REPLACE VIEW reader_hazards AS
            WITH ops AS (
              SELECT m.run_id, m.mm_id, m.seq,
                     CASE WHEN m.syscall = 'mremap' AND m.kind = 'remove' AND EXISTS (
                            SELECT 1 FROM merge_events c
                            WHERE c.run_id = m.run_id AND c.seq = m.seq AND c.kind LIKE 'new\\_%' ESCAPE '\\')
                          THEN 'mremap_move' ELSE m.kind END AS kind
              FROM merge_events m WHERE m.kind <> 'refused'),
            o AS (SELECT DISTINCT kind, observable FROM reader_observables),
            s(observable, sentence) AS (VALUES
                ('duplicate', 'could show a VMA (or part of one) twice'),
                ('retry', 'could make a concurrent `cat /proc/PID/maps` retry'),
                ('mmap_lock_wait', 'could make a concurrent `cat /proc/PID/maps` wait for the mmap_lock'),
                ('transient_gap', 'could make a concurrent reader meet a gap that is in neither layout'),
                ('real_gap', 'could show a real gap of one layout next to VMAs of the other'),
                ('moved_twice', 'could show a moved mapping at both addresses'),
                ('moved_missed', 'could show a moved mapping at neither address'),
                ('violation', 'could show a gap where both layouts have a VMA (in the model; see README)'))
            SELECT ops.run_id, ops.mm_id, ops.kind, o.observable, count(*) AS operations, any_value(s.sentence) AS sentence
            FROM ops JOIN o ON o.kind = ops.kind JOIN s ON s.observable = o.observable
            GROUP BY ops.run_id, ops.mm_id, ops.kind, o.observable""",
            """
            CREATE OR REPLACE VIEW divergence_causes AS
            SELECT run_id, cause, count(*) AS n, min(seq) AS first_seq
            FROM divergences GROUP BY run_id, cause""",
            // every engine event that touched an address, with the trace line behind it:
            // SELECT * FROM vma_history(3, 140737354125312)
            """
            CREATE OR REPLACE MACRO vma_history(rid, address) AS TABLE
            SELECT m.seq, m.pid, m.mm_id, m.syscall, m.kind, m.reason,
                   '0x' || lower(to_hex(m.start)) AS start_hex, '0x' || lower(to_hex(m."end")) AS end_hex,
                   m.legacy_case, m.assumed, e.ts_ns, e.args, e.source, e.line
            FROM merge_events m
            LEFT JOIN events e ON e.run_id = m.run_id AND e.seq = m.seq
            WHERE m.run_id = rid AND m.start <= address::UBIGINT AND address::UBIGINT < m."end"
            ORDER BY m.seq""");
}
