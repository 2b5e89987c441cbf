package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// clock is the injected time: tests move it by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// testLog shows the queue's log, debug included, when a test fails.
func testLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(testWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

type row struct {
	state     string
	attempts  int
	runAt     time.Time
	lastError string
}

func jobRow(t *testing.T, db *store.DB, id int64) (row, bool) {
	t.Helper()
	var r row
	err := db.QueryRow(context.Background(), `SELECT state, attempts, run_at, last_error FROM jobs WHERE id = ?`, id).
		Scan(&r.state, &r.attempts, &r.runAt, &r.lastError)
	if err != nil {
		if strings.Contains(err.Error(), "no rows") {
			return row{}, false
		}
		t.Fatalf("job %d: %v", id, err)
	}
	return r, true
}

func mustEnqueue(t *testing.T, q *Queue, j Job) int64 {
	t.Helper()
	id, err := q.Enqueue(context.Background(), j)
	if err != nil {
		t.Fatalf("enqueue %+v: %v", j, err)
	}
	return id
}

func mustRunDue(t *testing.T, q *Queue, want int) {
	t.Helper()
	n, err := q.RunDue(context.Background())
	if err != nil {
		t.Fatalf("run due: %v", err)
	}
	if n != want {
		t.Fatalf("ran %d jobs, want %d", n, want)
	}
}

func mustStats(t *testing.T, q *Queue, pending, running, failed int) {
	t.Helper()
	p, r, f, err := q.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p != pending || r != running || f != failed {
		t.Fatalf("stats pending/running/failed = %d/%d/%d, want %d/%d/%d", p, r, f, pending, running, failed)
	}
}

func TestEnqueueAndRun(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		var got []string
		var info Info
		q.Register("greet", func(ctx context.Context, args json.RawMessage) error {
			var a struct{ Name string }
			if err := json.Unmarshal(args, &a); err != nil {
				return err
			}
			got = append(got, a.Name)
			info, _ = InfoFrom(ctx)
			return nil
		})
		id := mustEnqueue(t, q, Job{Kind: "greet", Args: json.RawMessage(`{"Name":"Zoé"}`)})
		mustStats(t, q, 1, 0, 0)
		mustRunDue(t, q, 1)
		if len(got) != 1 || got[0] != "Zoé" {
			t.Fatalf("handler saw %v", got)
		}
		if info != (Info{ID: id, Kind: "greet", Attempt: 1, MaxAttempts: 10}) {
			t.Fatalf("info = %+v", info)
		}
		if _, ok := jobRow(t, db, id); ok {
			t.Fatal("a successful job is deleted")
		}
		mustStats(t, q, 0, 0, 0)
		mustRunDue(t, q, 0)
	})
}

func TestEnqueueInvalid(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := New(db, quietLog(), time.Now, Options{})
		for _, tc := range []struct {
			name string
			job  Job
		}{
			{"no kind", Job{}},
			{"bad json", Job{Kind: "x", Args: json.RawMessage(`{"a":`)}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				if _, err := q.Enqueue(context.Background(), tc.job); err == nil {
					t.Fatal("want an error")
				}
			})
		}
	})
}

func TestRunAtNotEarly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		var ran atomic.Int32
		q.Register("later", func(context.Context, json.RawMessage) error { ran.Add(1); return nil })
		mustEnqueue(t, q, Job{Kind: "later", RunAt: clk.Now().Add(time.Hour)})
		mustRunDue(t, q, 0)
		clk.Add(59*time.Minute + 59*time.Second)
		mustRunDue(t, q, 0)
		clk.Add(time.Second)
		mustRunDue(t, q, 1)
		if ran.Load() != 1 {
			t.Fatalf("ran %d", ran.Load())
		}
	})
}

func TestRetryWithBackoffThenFailed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		var calls int
		q.Register("flaky", func(context.Context, json.RawMessage) error {
			calls++
			return errors.New("smtp: connection refused")
		})
		id := mustEnqueue(t, q, Job{Kind: "flaky", MaxAttempts: 3})
		for attempt := 1; attempt <= 2; attempt++ {
			mustRunDue(t, q, 1)
			r, _ := jobRow(t, db, id)
			wantAt := clk.Now().Add(DefaultBackoff(attempt))
			if r.state != statePending || r.attempts != attempt || !r.runAt.Equal(wantAt) || r.lastError != "smtp: connection refused" {
				t.Fatalf("after attempt %d: %+v, want pending at %v", attempt, r, wantAt)
			}
			clk.Add(DefaultBackoff(attempt) - time.Second)
			mustRunDue(t, q, 0) // not before the backoff
			clk.Add(time.Second)
		}
		mustRunDue(t, q, 1)
		r, _ := jobRow(t, db, id)
		if r.state != stateFailed || r.attempts != 3 || calls != 3 {
			t.Fatalf("after the last attempt: %+v, %d calls", r, calls)
		}
		mustStats(t, q, 0, 0, 1)
		clk.Add(24 * time.Hour)
		mustRunDue(t, q, 0)
		mustStats(t, q, 0, 0, 1)
		clk.Add(30 * 24 * time.Hour) // Options.KeepFailed
		mustRunDue(t, q, 0)
		mustStats(t, q, 0, 0, 0)
	})
}

func TestDefaultBackoff(t *testing.T) {
	for _, tc := range []struct {
		attempt int
		want    time.Duration
	}{{0, 30 * time.Second}, {1, 30 * time.Second}, {2, time.Minute}, {5, 8 * time.Minute}, {10, 256 * time.Minute}, {11, 6 * time.Hour}, {64, 6 * time.Hour}} {
		if got := DefaultBackoff(tc.attempt); got != tc.want {
			t.Errorf("DefaultBackoff(%d) = %v, want %v", tc.attempt, got, tc.want)
		}
	}
}

func TestPermanentAndPanicFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		q.Register("bad-args", func(context.Context, json.RawMessage) error {
			return Permanent(errors.New("no such member"))
		})
		q.Register("boom", func(context.Context, json.RawMessage) error { panic("nil map") })
		bad := mustEnqueue(t, q, Job{Kind: "bad-args"})
		boom := mustEnqueue(t, q, Job{Kind: "boom", MaxAttempts: 2})
		mustRunDue(t, q, 2)
		if r, _ := jobRow(t, db, bad); r.state != stateFailed || r.attempts != 1 || !strings.Contains(r.lastError, "no such member") {
			t.Fatalf("permanent error: %+v", r)
		}
		if r, _ := jobRow(t, db, boom); r.state != statePending || r.attempts != 1 || !strings.Contains(r.lastError, "panic: nil map") {
			t.Fatalf("panic: %+v", r)
		}
		clk.Add(time.Hour)
		mustRunDue(t, q, 1)
		if r, _ := jobRow(t, db, boom); r.state != stateFailed || r.attempts != 2 {
			t.Fatalf("panic twice: %+v", r)
		}
	})
}

func TestLeaseExpiryRerunsCrashedJob(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		opts := Options{Lease: time.Minute}
		crashed := New(db, quietLog(), clk.Now, opts)
		crashed.Register("mail", func(context.Context, json.RawMessage) error { return nil })
		q := New(db, quietLog(), clk.Now, opts)
		var attempts []int
		q.Register("mail", func(ctx context.Context, _ json.RawMessage) error {
			i, _ := InfoFrom(ctx)
			attempts = append(attempts, i.Attempt)
			return nil
		})
		id := mustEnqueue(t, q, Job{Kind: "mail", MaxAttempts: 2})
		c, err := crashed.claim(context.Background()) // and never reports back
		if err != nil || c == nil || c.id != id {
			t.Fatalf("claim = %+v, %v", c, err)
		}
		mustStats(t, q, 0, 1, 0)
		mustRunDue(t, q, 0) // leased
		clk.Add(time.Minute)
		mustRunDue(t, q, 1)
		if len(attempts) != 1 || attempts[0] != 2 {
			t.Fatalf("attempts seen %v", attempts)
		}
		// The crashed worker coming back must not touch the job's new fate.
		if err := crashed.succeed(context.Background(), c, 0); !errors.Is(err, errLeaseLost) {
			t.Fatalf("late success from the crashed worker: %v", err)
		}

		// A job whose last attempt crashed is failed, not claimed forever.
		id = mustEnqueue(t, q, Job{Kind: "mail", MaxAttempts: 1})
		if c, err := crashed.claim(context.Background()); err != nil || c.id != id {
			t.Fatalf("claim = %+v, %v", c, err)
		}
		clk.Add(2 * time.Minute)
		mustRunDue(t, q, 0)
		if r, _ := jobRow(t, db, id); r.state != stateFailed || !strings.Contains(r.lastError, "lease expired") {
			t.Fatalf("crash on the last attempt: %+v", r)
		}
	})
}

func TestEnqueueTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := New(db, quietLog(), time.Now, Options{})
		var ran atomic.Int32
		q.Register("after-commit", func(context.Context, json.RawMessage) error { ran.Add(1); return nil })
		rollback := errors.New("business rule refused")
		err := db.InTx(ctx, func(tx *store.Tx) error {
			if _, err := q.EnqueueTx(ctx, tx, Job{Kind: "after-commit"}); err != nil {
				return err
			}
			return rollback
		})
		if !errors.Is(err, rollback) {
			t.Fatal(err)
		}
		mustStats(t, q, 0, 0, 0)
		var id int64
		err = db.InTx(ctx, func(tx *store.Tx) (err error) {
			id, err = q.EnqueueTx(ctx, tx, Job{Kind: "after-commit", UniqueKey: "k"})
			return err
		})
		if err != nil || id == 0 {
			t.Fatalf("commit: id %d, %v", id, err)
		}
		mustRunDue(t, q, 1)
		if ran.Load() != 1 {
			t.Fatalf("ran %d", ran.Load())
		}
	})
}

func TestUniqueKeyCoalesces(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		var runs atomic.Int32
		q.Register("notify", func(context.Context, json.RawMessage) error { runs.Add(1); return nil })
		t0 := clk.Now()
		first := mustEnqueue(t, q, Job{Kind: "notify", Args: json.RawMessage(`{"user":42}`), UniqueKey: "notify:user:42", RunAt: t0.Add(15 * time.Minute)})
		again := mustEnqueue(t, q, Job{Kind: "notify", Args: json.RawMessage(`{"user":42,"n":2}`), UniqueKey: "notify:user:42", RunAt: t0.Add(20 * time.Minute)})
		sooner := mustEnqueue(t, q, Job{Kind: "notify", UniqueKey: "notify:user:42", RunAt: t0.Add(5 * time.Minute)})
		other := mustEnqueue(t, q, Job{Kind: "notify", UniqueKey: "notify:user:7", RunAt: t0.Add(15 * time.Minute)})
		if again != first || sooner != first || other == first {
			t.Fatalf("ids %d %d %d %d", first, again, sooner, other)
		}
		if r, _ := jobRow(t, db, first); !r.runAt.Equal(t0.Add(5 * time.Minute)) {
			t.Fatalf("coalesced run_at %v: later events must not postpone, earlier ones bring forward", r.runAt)
		}
		var args string
		if err := db.QueryRow(ctx, `SELECT args FROM jobs WHERE id = ?`, first).Scan(&args); err != nil || args != `{"user":42}` {
			t.Fatalf("args %q, %v", args, err)
		}
		mustStats(t, q, 2, 0, 0)

		// While the job runs, a new event gets a new pending job.
		clk.Add(5 * time.Minute)
		c, err := q.claim(ctx)
		if err != nil || c.id != first {
			t.Fatalf("claim %+v %v", c, err)
		}
		during := mustEnqueue(t, q, Job{Kind: "notify", UniqueKey: "notify:user:42", RunAt: clk.Now().Add(15 * time.Minute)})
		if during == first {
			t.Fatal("an event during the run was swallowed by the running job")
		}
		// If the running one then fails, the pending one will do its work.
		if err := q.reschedule(ctx, c, clk.Now().Add(time.Minute), errors.New("x"), false); err != nil {
			t.Fatal(err)
		}
		if _, ok := jobRow(t, db, first); ok {
			t.Fatal("a retry must not make two pending jobs with one key")
		}
		mustStats(t, q, 2, 0, 0)
	})
}

func TestEvery(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		clk := newClock()
		q := New(db, quietLog(), clk.Now, Options{})
		var runs atomic.Int32
		fail := false
		q.Register("expire", func(context.Context, json.RawMessage) error {
			runs.Add(1)
			if fail {
				return Permanent(errors.New("down"))
			}
			return nil
		})
		q.Every("expire", 24*time.Hour)
		mustRunDue(t, q, 1) // due at once the first time
		mustStats(t, q, 1, 0, 0)
		mustRunDue(t, q, 0)
		clk.Add(24 * time.Hour)
		fail = true
		mustRunDue(t, q, 1)
		mustStats(t, q, 1, 0, 1) // a failed run still schedules the next
		clk.Add(24 * time.Hour)
		fail = false
		mustRunDue(t, q, 1)
		// A restart with a pending run keeps it where it is.
		q2 := New(db, quietLog(), clk.Now, Options{})
		q2.Register("expire", func(context.Context, json.RawMessage) error { runs.Add(1); return nil })
		q2.Every("expire", 24*time.Hour)
		mustRunDue(t, q2, 0)
		mustStats(t, q, 1, 0, 1)
		if runs.Load() != 3 {
			t.Fatalf("runs %d", runs.Load())
		}
	})
}

func TestRegisterMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		fn   func(q *Queue)
	}{
		{"duplicate", func(q *Queue) { q.Register("a", nopHandler); q.Register("a", nopHandler) }},
		{"empty kind", func(q *Queue) { q.Register("", nopHandler) }},
		{"nil handler", func(q *Queue) { q.Register("a", nil) }},
		{"zero interval", func(q *Queue) { q.Every("a", 0) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("want a panic")
				}
			}()
			tc.fn(New(nil, quietLog(), time.Now, Options{}))
		})
	}
}

func nopHandler(context.Context, json.RawMessage) error { return nil }
