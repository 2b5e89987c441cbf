package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

const (
	statePending = "pending"
	stateRunning = "running"
	stateFailed  = "failed"
)

// claimed is a job a worker holds. attempts, incremented by the claim, is
// the fencing token: every later write names it, so a worker whose lease ran
// out and whose job was claimed again cannot overwrite the new run's state.
type claimed struct {
	id          int64
	kind        string
	args        json.RawMessage
	uniqueKey   sql.NullString
	attempts    int
	maxAttempts int
}

// insertSQL coalesces on the pending-key index: the pending job keeps its
// args and takes the earlier run_at, so repeated events never postpone it.
const insertSQL = `INSERT INTO jobs (kind, args, unique_key, run_at, max_attempts, created_at)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL
	DO UPDATE SET run_at = CASE WHEN excluded.run_at < jobs.run_at THEN excluded.run_at ELSE jobs.run_at END
	RETURNING id`

// insertNextSQL is for periodic jobs: an existing pending one wins untouched.
const insertNextSQL = `INSERT INTO jobs (kind, args, unique_key, run_at, max_attempts, created_at)
	VALUES (?, ?, ?, ?, ?, ?)
	ON CONFLICT (unique_key) WHERE state = 'pending' AND unique_key IS NOT NULL DO NOTHING`

func (q *Queue) insert(ctx context.Context, queryRow func(context.Context, string, ...any) *store.Row, j Job) (int64, error) {
	if j.Kind == "" {
		return 0, errors.New("jobs: enqueue: empty kind")
	}
	args := j.Args
	if len(args) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		return 0, fmt.Errorf("jobs: enqueue %s: args are not valid JSON", j.Kind)
	}
	now := utc(q.now())
	runAt := now
	if !j.RunAt.IsZero() {
		runAt = utc(j.RunAt)
	}
	maxAttempts := j.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = q.opts.MaxAttempts
	}
	var key sql.NullString
	if j.UniqueKey != "" {
		key = sql.NullString{String: j.UniqueKey, Valid: true}
	}
	var id int64
	if err := queryRow(ctx, insertSQL, j.Kind, string(args), key, runAt, maxAttempts, now).Scan(&id); err != nil {
		return 0, fmt.Errorf("jobs: enqueue %s: %w", j.Kind, err)
	}
	return id, nil
}

// claimSQL holds the two claim statements for a set of kinds: the oldest
// due pending job, or else a job whose lease ran out with attempts left. Two
// statements rather than one with OR, so each walks its own partial index in
// order instead of sorting every due row. PostgreSQL skips rows another
// instance is claiming; SQLite has one writer, and the claim runs in an
// immediate transaction so other processes on the same file wait.
type claimSQL struct{ due, expired, any string }

func buildClaimSQL(d store.Dialect, nKinds int) claimSQL {
	lock := ""
	if d == store.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	build := func(where, order string) string {
		return `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?
		WHERE id = (SELECT id FROM jobs WHERE ` + where + ` AND kind IN (` + store.Placeholders(nKinds) + `)
			ORDER BY ` + order + ` LIMIT 1` + lock + `)
		RETURNING id, kind, args, unique_key, attempts, max_attempts`
	}
	kinds := ` AND kind IN (` + store.Placeholders(nKinds) + `)`
	return claimSQL{
		due:     build(`state = 'pending' AND run_at <= ?`, `run_at, id`),
		expired: build(`state = 'running' AND locked_until <= ? AND attempts < max_attempts`, `locked_until, id`),
		any: `SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'pending' AND run_at <= ?` + kinds + `)
			OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running' AND locked_until <= ? AND attempts < max_attempts` + kinds + `)`,
	}
}

// claim returns the next due job, or nil when none is due.
func (q *Queue) claim(ctx context.Context) (*claimed, error) {
	query, kinds := q.claimQuery()
	if len(kinds) == 0 {
		return nil, nil
	}
	// The clock is read once the write lock is held: on SQLite a claim may
	// wait for another process's transaction, and a lease counted from
	// before the wait could already be over when the claim commits.
	claimArgs := func() []any {
		now := utc(q.now())
		args := make([]any, 0, len(kinds)+2)
		args = append(args, now.Add(q.opts.Lease), now)
		for _, k := range kinds {
			args = append(args, k)
		}
		return args
	}
	if q.db.Dialect() == store.SQLite {
		// Idle polls only read: SQLite has one writer, shared with every
		// request, and a claim would take it each poll for nothing.
		args := claimArgs()
		readArgs := make([]any, 0, 2*len(args))
		readArgs = append(readArgs, args[1:]...)
		readArgs = append(readArgs, args[1:]...)
		var due bool
		if err := q.db.QueryRow(ctx, query.any, readArgs...).Scan(&due); err != nil {
			return nil, fmt.Errorf("jobs: look for due jobs: %w", err)
		}
		if !due {
			return nil, nil
		}
	}
	var c claimed
	var raw string
	err := q.db.InTx(ctx, func(tx *store.Tx) error {
		args := claimArgs()
		err := tx.QueryRow(ctx, query.due, args...).Scan(&c.id, &c.kind, &raw, &c.uniqueKey, &c.attempts, &c.maxAttempts)
		if errors.Is(err, sql.ErrNoRows) {
			err = tx.QueryRow(ctx, query.expired, args...).Scan(&c.id, &c.kind, &raw, &c.uniqueKey, &c.attempts, &c.maxAttempts)
		}
		return err
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	c.args = json.RawMessage(raw)
	return &c, nil
}

// sweep marks failed the jobs whose lease ran out on their last attempt (a
// job that kills its worker must not be claimed forever) and forgets failed
// jobs older than Options.KeepFailed.
func (q *Queue) sweep(ctx context.Context) error {
	now := utc(q.now())
	_, err := q.db.Exec(ctx, `UPDATE jobs SET state = 'failed', locked_until = NULL, finished_at = ?,
		last_error = 'lease expired on the last attempt: the worker stopped or the job ran too long'
		WHERE state = 'running' AND locked_until <= ? AND attempts >= max_attempts`, now, now)
	if err != nil {
		return fmt.Errorf("jobs: fail expired leases: %w", err)
	}
	if _, err := q.db.Exec(ctx, `DELETE FROM jobs WHERE state = 'failed' AND finished_at < ?`, now.Add(-q.opts.KeepFailed)); err != nil {
		return fmt.Errorf("jobs: prune failed jobs: %w", err)
	}
	return nil
}

// extend renews the lease of a job still running.
func (q *Queue) extend(ctx context.Context, c *claimed) error {
	_, err := q.db.Exec(ctx, `UPDATE jobs SET locked_until = ? WHERE id = ? AND attempts = ? AND state = 'running'`,
		utc(q.now()).Add(q.opts.Lease), c.id, c.attempts)
	return err
}

// errLeaseLost reports that another worker took the job over; its outcome
// belongs to that worker now.
var errLeaseLost = errors.New("jobs: lease lost: the job was claimed again")

// succeed deletes the job; a periodic one schedules its next run in the same
// transaction, so exactly one stays pending.
func (q *Queue) succeed(ctx context.Context, c *claimed, interval time.Duration) error {
	return q.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM jobs WHERE id = ? AND attempts = ? AND state = 'running'`, c.id, c.attempts)
		if err := fenced(res, err); err != nil {
			return err
		}
		return q.scheduleNext(ctx, tx, c, interval)
	})
}

// fail keeps the job as failed with its last error.
func (q *Queue) fail(ctx context.Context, c *claimed, interval time.Duration, cause error) error {
	now := utc(q.now())
	return q.db.InTx(ctx, func(tx *store.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE jobs SET state = 'failed', locked_until = NULL, finished_at = ?, last_error = ?
			WHERE id = ? AND attempts = ? AND state = 'running'`, now, errorText(cause), c.id, c.attempts)
		if err := fenced(res, err); err != nil {
			return err
		}
		return q.scheduleNext(ctx, tx, c, interval)
	})
}

// reschedule puts the job back to pending at runAt. refund gives the attempt
// back (the run was cut short by shutdown, not by the job). If a pending job
// with the same key appeared meanwhile, it will do this one's work: this one
// is dropped rather than break the one-pending-per-key rule.
func (q *Queue) reschedule(ctx context.Context, c *claimed, runAt time.Time, cause error, refund bool) error {
	attempts := c.attempts
	if refund {
		attempts--
	}
	err := q.rescheduleOnce(ctx, c, runAt, cause, attempts)
	if store.IsUniqueViolation(err) {
		// A pending job with the key was inserted between our check and our
		// update (PostgreSQL, another instance): the second pass drops ours.
		err = q.rescheduleOnce(ctx, c, runAt, cause, attempts)
	}
	return err
}

func (q *Queue) rescheduleOnce(ctx context.Context, c *claimed, runAt time.Time, cause error, attempts int) error {
	return q.db.InTx(ctx, func(tx *store.Tx) error {
		if c.uniqueKey.Valid {
			var n int
			err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM jobs WHERE unique_key = ? AND state = 'pending'`, c.uniqueKey.String).Scan(&n)
			if err != nil {
				return err
			}
			if n > 0 {
				res, err := tx.Exec(ctx, `DELETE FROM jobs WHERE id = ? AND attempts = ? AND state = 'running'`, c.id, c.attempts)
				return fenced(res, err)
			}
		}
		res, err := tx.Exec(ctx, `UPDATE jobs SET state = 'pending', locked_until = NULL, run_at = ?, attempts = ?, last_error = ?
			WHERE id = ? AND attempts = ? AND state = 'running'`, utc(runAt), attempts, errorText(cause), c.id, c.attempts)
		return fenced(res, err)
	})
}

func (q *Queue) scheduleNext(ctx context.Context, tx *store.Tx, c *claimed, interval time.Duration) error {
	if interval <= 0 {
		return nil
	}
	now := utc(q.now())
	_, err := tx.Exec(ctx, insertNextSQL, c.kind, "{}", periodicKey(c.kind), now.Add(interval), q.opts.MaxAttempts, now)
	return err
}

// ensurePeriodic makes sure each periodic kind has a pending job, due now if
// none was there.
func (q *Queue) ensurePeriodic(ctx context.Context) error {
	q.mu.Lock()
	every := make(map[string]time.Duration, len(q.every))
	for k, v := range q.every {
		every[k] = v
	}
	q.mu.Unlock()
	now := utc(q.now())
	for kind := range every {
		if _, err := q.db.Exec(ctx, insertNextSQL, kind, "{}", periodicKey(kind), now, q.opts.MaxAttempts, now); err != nil {
			return fmt.Errorf("jobs: schedule periodic %s: %w", kind, err)
		}
	}
	return nil
}

func fenced(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return errLeaseLost
	}
	return nil
}

// errorText bounds what is kept of an error: enough to diagnose, not a log.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 2000 {
		s = s[:2000] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
