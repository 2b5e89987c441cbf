package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// eachTwoHandles runs fn on both dialects with two separate connections to
// one database, as two instances (or processes) of sharingcity would have.
func eachTwoHandles(t *testing.T, fn func(t *testing.T, a, b *store.DB)) {
	open := func(t *testing.T, dsn string) *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		return db
	}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "two.db")
		a := open(t, path)
		fn(t, a, open(t, path))
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := storetest.PostgresURL(t)
		a := open(t, dsn)
		fn(t, a, open(t, dsn))
	})
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestTwoInstancesRunEachJobOnce(t *testing.T) {
	eachTwoHandles(t, func(t *testing.T, dbA, dbB *store.DB) {
		ctx := context.Background()
		const n = 200
		var mu sync.Mutex
		runs := map[int]int{}
		var total atomic.Int32
		handler := func(_ context.Context, args json.RawMessage) error {
			var a struct{ N int }
			if err := json.Unmarshal(args, &a); err != nil {
				return err
			}
			mu.Lock()
			runs[a.N]++
			mu.Unlock()
			total.Add(1)
			return nil
		}
		opts := Options{Workers: 4, Poll: 10 * time.Millisecond}
		var queues []*Queue
		for _, db := range []*store.DB{dbA, dbB} {
			q := New(db, quietLog(), time.Now, opts)
			q.Register("count", handler)
			queues = append(queues, q)
		}
		// Half enqueued before start, half while both run, from both sides.
		enqueue := func(from, to int) {
			var wg sync.WaitGroup
			for i := from; i < to; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if _, err := queues[i%2].Enqueue(ctx, Job{Kind: "count", Args: json.RawMessage(fmt.Sprintf(`{"N":%d}`, i))}); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		}
		enqueue(0, n/2)
		for _, q := range queues {
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
		}
		enqueue(n/2, n)
		waitFor(t, "200 jobs", func() bool { return total.Load() >= n })
		for _, q := range queues {
			if err := q.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if total.Load() != n || len(runs) != n {
			t.Fatalf("%d runs of %d distinct jobs, want %d", total.Load(), len(runs), n)
		}
		for i, c := range runs {
			if c != 1 {
				t.Errorf("job %d ran %d times", i, c)
			}
		}
		mustStats(t, queues[0], 0, 0, 0)
	})
}

func TestStopWaitsForRunningJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := New(db, quietLog(), time.Now, Options{Workers: 2, Poll: 10 * time.Millisecond})
		started := make(chan struct{})
		release := make(chan struct{})
		var finished atomic.Bool
		q.Register("slow", func(context.Context, json.RawMessage) error {
			close(started)
			<-release
			finished.Store(true)
			return nil
		})
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		id := mustEnqueue(t, q, Job{Kind: "slow"})
		<-started
		stopped := make(chan error, 1)
		go func() { stopped <- q.Stop(ctx) }()
		select {
		case err := <-stopped:
			t.Fatalf("Stop returned (%v) while a job was running", err)
		case <-time.After(100 * time.Millisecond):
		}
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if !finished.Load() {
			t.Fatal("Stop returned before the job finished")
		}
		if _, ok := jobRow(t, db, id); ok {
			t.Fatal("the finished job was not recorded as done")
		}
	})
}

func TestForcedStopGivesJobsBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := New(db, quietLog(), time.Now, Options{Poll: 10 * time.Millisecond})
		started := make(chan struct{})
		q.Register("stubborn", func(ctx context.Context, _ json.RawMessage) error {
			close(started)
			<-ctx.Done()
			return ctx.Err()
		})
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		id := mustEnqueue(t, q, Job{Kind: "stubborn"})
		<-started
		sctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		if err := q.Stop(sctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Stop = %v, want the deadline", err)
		}
		r, ok := jobRow(t, db, id)
		if !ok || r.state != statePending || r.attempts != 0 {
			t.Fatalf("interrupted job: %+v (exists %v), want pending with its attempt refunded", r, ok)
		}
		if err := q.Stop(ctx); err != nil {
			t.Fatalf("second Stop: %v", err)
		}
	})
}

func TestEnqueueWakesWorkers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := New(db, quietLog(), time.Now, Options{Poll: time.Hour})
		done := make(chan struct{}, 2)
		q.Register("ping", func(context.Context, json.RawMessage) error { done <- struct{}{}; return nil })
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		time.Sleep(20 * time.Millisecond) // let the dispatcher go idle
		mustEnqueue(t, q, Job{Kind: "ping"})
		err := db.InTx(ctx, func(tx *store.Tx) error {
			_, err := q.EnqueueTx(ctx, tx, Job{Kind: "ping"})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("an enqueued job waited for the poll interval")
			}
		}
	})
}

func TestJobsSurviveRestart(t *testing.T) {
	eachTwoHandles(t, func(t *testing.T, before, after *store.DB) {
		ctx := context.Background()
		clk := newClock()
		q := New(before, quietLog(), clk.Now, Options{})
		q.Register("remind", nopHandler)
		id := mustEnqueue(t, q, Job{Kind: "remind", RunAt: clk.Now().Add(time.Hour)})
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		if err := q.Stop(ctx); err != nil {
			t.Fatal(err)
		}
		if err := before.Close(); err != nil {
			t.Fatal(err)
		}
		clk.Add(time.Hour)
		var got int64
		q2 := New(after, quietLog(), clk.Now, Options{})
		q2.Register("remind", func(ctx context.Context, _ json.RawMessage) error {
			i, _ := InfoFrom(ctx)
			got = i.ID
			return nil
		})
		mustRunDue(t, q2, 1)
		if got != id {
			t.Fatalf("ran job %d, want %d", got, id)
		}
	})
}

func TestStartTwice(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		q := New(db, quietLog(), time.Now, Options{})
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer q.Stop(ctx)
		if err := q.Start(ctx); err == nil {
			t.Fatal("second Start must fail")
		}
		orphan := New(db, quietLog(), time.Now, Options{})
		orphan.Every("nobody", time.Hour)
		if err := orphan.Start(ctx); err == nil {
			t.Fatal("Start must refuse a periodic kind without a handler")
		}
		defer func() {
			if recover() == nil {
				t.Fatal("Register after Start must panic")
			}
		}()
		q.Register("late", nopHandler)
	})
}

func TestLeaseRenewedWhileRunning(t *testing.T) {
	eachTwoHandles(t, func(t *testing.T, dbA, dbB *store.DB) {
		ctx := context.Background()
		var runs atomic.Int32
		// A lease long enough that a renewal every third of it arrives
		// in time on a loaded machine (300 ms failed at load 20).
		opts := Options{Lease: time.Second, Poll: 20 * time.Millisecond}
		var queues []*Queue
		for _, db := range []*store.DB{dbA, dbB} {
			q := New(db, testLog(t), time.Now, opts)
			q.Register("long", func(context.Context, json.RawMessage) error {
				runs.Add(1)
				time.Sleep(2500 * time.Millisecond) // more than two leases
				return nil
			})
			if err := q.Start(ctx); err != nil {
				t.Fatal(err)
			}
			queues = append(queues, q)
		}
		id := mustEnqueue(t, queues[0], Job{Kind: "long"})
		waitFor(t, "the job to finish", func() bool { _, ok := jobRow(t, dbA, id); return !ok })
		for _, q := range queues {
			if err := q.Stop(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if runs.Load() != 1 {
			t.Fatalf("a job running longer than its lease ran %d times", runs.Load())
		}
	})
}

func TestTimeoutCountsAsFailure(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		q := New(db, quietLog(), time.Now, Options{Timeout: 20 * time.Millisecond})
		q.Register("hang", func(ctx context.Context, _ json.RawMessage) error {
			<-ctx.Done()
			return ctx.Err()
		})
		id := mustEnqueue(t, q, Job{Kind: "hang"})
		mustRunDue(t, q, 1)
		if r, _ := jobRow(t, db, id); r.state != statePending || r.attempts != 1 || r.lastError != context.DeadlineExceeded.Error() {
			t.Fatalf("timed-out job: %+v", r)
		}
	})
}
