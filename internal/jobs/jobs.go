// Package jobs is the durable background job queue every module uses for
// reminders, digests and deadlines: jobs are rows in the jobs table, so they
// survive a restart, can be enqueued inside the transaction of the business
// change that causes them, and run once across several instances.
//
// Why not river (DESIGN.md names github.com/riverqueue/river): v0.51.2 was
// tried with riverdatabasesql on PostgreSQL and riversqlite on SQLite over our
// store.DB. Two clients did run 200 jobs once each on both databases, but:
//   - transactional enqueue needs river's own *sql.Tx, which store.Tx keeps
//     private; and on SQLite the caller's transaction holds our single writer
//     connection, so enqueueing through the river client from inside it
//     deadlocks (it did in the trial);
//   - river's unique jobs must treat running jobs as duplicates, so a message
//     arriving while that member's digest is being sent would be dropped; the
//     grouped e-mails need "at most one *pending* job per key";
//   - it cannot run the due jobs synchronously (tests, the CLI), it brings a
//     second migration system beside goose, and riversqlite (marked early by
//     its authors) shares our one SQLite writer with river's leader election,
//     rescuer and row-at-a-time completer (200 jobs: 11 s against 3 s on
//     PostgreSQL).
//
// What follows is one table and one claim statement per job, the same code on
// both databases. Delivery is at least once: a job whose worker dies is run
// again after its lease, so handlers must be idempotent.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
)

// Job is work to run later. Only Kind is required.
type Job struct {
	Kind string
	// Args is the handler's input, stored as given (default {}).
	Args json.RawMessage
	// RunAt is the earliest time the job may run (default now).
	RunAt time.Time
	// UniqueKey, when set, keeps at most one pending job with this key: a
	// second Enqueue returns the pending job's id, keeps its Args and moves
	// its RunAt earlier if the new one is earlier. A job already running does
	// not count, so an event arriving during a run gets its own job (e.g.
	// "notify:user:42" for grouped e-mails).
	UniqueKey string
	// MaxAttempts bounds the runs before the job is marked failed
	// (default Options.MaxAttempts).
	MaxAttempts int
}

// Handler runs one job. An error retries the job with backoff until
// MaxAttempts (wrap it with Permanent to fail at once); a panic counts as an
// error. ctx is cancelled at the job timeout and on a forced stop.
type Handler func(ctx context.Context, args json.RawMessage) error

// Options tune a Queue; zero values take the defaults.
type Options struct {
	Workers     int                             // jobs run at once by this instance (4)
	Poll        time.Duration                   // how often idle workers look for due jobs (1s)
	Lease       time.Duration                   // a claim's lifetime, renewed while the job runs (5m)
	Timeout     time.Duration                   // longest run of one job (10m)
	MaxAttempts int                             // for jobs that set none (10)
	KeepFailed  time.Duration                   // how long failed jobs stay for operators (30 days)
	Backoff     func(attempt int) time.Duration // delay after the nth failed attempt (30s·2ⁿ⁻¹, at most 6h)
}

func (o Options) withDefaults() Options {
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	if o.Timeout <= 0 {
		o.Timeout = 10 * time.Minute
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.KeepFailed <= 0 {
		o.KeepFailed = 30 * 24 * time.Hour
	}
	if o.Backoff == nil {
		o.Backoff = DefaultBackoff
	}
	return o
}

// DefaultBackoff waits 30s after the first failure and doubles each time, up
// to 6h: ten attempts span about four hours, enough to ride out an SMTP outage.
func DefaultBackoff(attempt int) time.Duration {
	const base, ceiling = 30 * time.Second, 6 * time.Hour
	if attempt < 1 {
		attempt = 1
	}
	if attempt > 20 {
		return ceiling
	}
	return min(base<<(attempt-1), ceiling)
}

// Queue enqueues jobs and runs the kinds registered on this instance.
type Queue struct {
	db   *store.DB
	log  *slog.Logger
	now  func() time.Time
	opts Options

	mu       sync.Mutex
	handlers map[string]Handler
	every    map[string]time.Duration
	claimSQL claimSQL // built from the registered kinds, reset by Register
	started  bool
	stopping chan struct{} // closed by Stop: claim nothing more
	done     chan struct{} // closed when the dispatcher has returned
	cancel   context.CancelFunc
	running  sync.WaitGroup

	wake chan struct{}
}

// New returns a queue on db. Register handlers, then Start it (or call RunDue).
func New(db *store.DB, log *slog.Logger, now func() time.Time, opts Options) *Queue {
	return &Queue{
		db: db, log: log, now: now, opts: opts.withDefaults(),
		handlers: map[string]Handler{},
		every:    map[string]time.Duration{},
		wake:     make(chan struct{}, 1),
	}
}

// Register sets the handler of kind. An instance only claims the kinds it
// has registered, so instances of different versions can share a database.
// It panics after Start or on a duplicate kind: both are wiring mistakes.
func (q *Queue) Register(kind string, h Handler) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		panic("jobs: Register(" + kind + ") after Start")
	}
	if kind == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	if _, dup := q.handlers[kind]; dup {
		panic("jobs: kind " + kind + " registered twice")
	}
	q.handlers[kind] = h
	q.claimSQL = claimSQL{}
}

// Every makes kind periodic: Start (and RunDue) make sure one job of kind is
// pending, and each run, successful or finally failed, enqueues the next one
// interval later. Register the handler too. It panics after Start.
func (q *Queue) Every(kind string, interval time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.started {
		panic("jobs: Every(" + kind + ") after Start")
	}
	if interval <= 0 {
		panic("jobs: Every(" + kind + ") needs a positive interval")
	}
	q.every[kind] = interval
}

func periodicKey(kind string) string { return "every:" + kind }

// Enqueue stores j and returns its id (the pending job's id when UniqueKey
// coalesced it).
func (q *Queue) Enqueue(ctx context.Context, j Job) (int64, error) {
	id, err := q.insert(ctx, q.db.QueryRowW, j)
	if err == nil {
		q.signal()
	}
	return id, err
}

// EnqueueTx stores j in the caller's transaction, so the job exists if and
// only if the business change commits.
func (q *Queue) EnqueueTx(ctx context.Context, tx *store.Tx, j Job) (int64, error) {
	id, err := q.insert(ctx, tx.QueryRow, j)
	if err == nil {
		// The row is invisible until the caller commits, which store.Tx
		// does not let us observe: wake a worker now and twice more as the
		// commit lands, rather than leave the job to the next poll.
		q.signal()
		time.AfterFunc(50*time.Millisecond, q.signal)
		time.AfterFunc(500*time.Millisecond, q.signal)
	}
	return id, err
}

func (q *Queue) signal() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Stats counts jobs by state, for /metrics. Running includes jobs whose
// worker died and whose lease has not yet been reclaimed.
func (q *Queue) Stats(ctx context.Context) (pending, running, failed int, err error) {
	rows, err := q.db.Query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return 0, 0, 0, fmt.Errorf("jobs: stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var state string
		var n int
		if err := rows.Scan(&state, &n); err != nil {
			return 0, 0, 0, fmt.Errorf("jobs: stats: %w", err)
		}
		switch state {
		case statePending:
			pending = n
		case stateRunning:
			running = n
		case stateFailed:
			failed = n
		}
	}
	if err := rows.Err(); err != nil {
		return 0, 0, 0, fmt.Errorf("jobs: stats: %w", err)
	}
	return pending, running, failed, nil
}

// Permanent marks a handler error as not worth retrying (bad arguments, a
// deleted target): the job is marked failed at once.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return "permanent: " + e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Info describes the job a handler is running.
type Info struct {
	ID          int64
	Kind        string
	Attempt     int // 1 on the first run
	MaxAttempts int
}

type infoKey struct{}

// InfoFrom returns the running job's Info from a handler's ctx.
func InfoFrom(ctx context.Context) (Info, bool) {
	i, ok := ctx.Value(infoKey{}).(Info)
	return i, ok
}

// claimQuery lists the registered kinds in a stable order, with the claim
// statements for them.
func (q *Queue) claimQuery() (claimSQL, []string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	kinds := make([]string, 0, len(q.handlers))
	for k := range q.handlers {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	if q.claimSQL.due == "" && len(kinds) > 0 {
		q.claimSQL = buildClaimSQL(q.db.Dialect(), len(kinds))
	}
	return q.claimSQL, kinds
}

func (q *Queue) handler(kind string) (Handler, time.Duration) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.handlers[kind], q.every[kind]
}

// utc is how every time goes to the database: UTC (SQLite compares the
// stored text) and microseconds (PostgreSQL's precision), so a value read
// back equals the one written.
func utc(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
