package store

import (
	"database/sql"
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Translate turns a driver error into an errs kind, so services can tell a
// duplicate from a broken database in both dialects. sql.ErrNoRows is left
// alone: callers know which thing was not found (see NotFound).
func (db *DB) Translate(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if _, ok := errs.As(err); ok {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return errs.Wrap(errs.Conflict, "err.duplicate", err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errs.Wrap(errs.Invalid, "err.reference", err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL:
			return errs.Wrap(errs.Invalid, "err.invalid_input", err)
		}
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return errs.Wrap(errs.Conflict, "err.duplicate", err)
		case "23503":
			return errs.Wrap(errs.Invalid, "err.reference", err)
		case "23514", "23502", "22P02", "22003":
			return errs.Wrap(errs.Invalid, "err.invalid_input", err)
		}
	}
	return err
}

// isRetryable reports a PostgreSQL serialization failure or deadlock, after
// which the whole transaction may simply run again.
func isRetryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// IsUniqueViolation reports a duplicate key in either dialect.
func IsUniqueViolation(err error) bool {
	e, ok := errs.As(err)
	return ok && e.Kind == errs.Conflict && e.Key == "err.duplicate"
}
