package dev.vmareplay.reports;

/**
 * A user's SQL could not be run (syntax error, unknown table or column, type error). The
 * message is DuckDB's own, which points at the offending token. Distinct from
 * {@link StorageException}: the database is fine, the query is not.
 */
public class QueryException extends RuntimeException {
    public QueryException(String message, Throwable cause) {
        super(message, cause);
    }
}
