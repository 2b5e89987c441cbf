package mobility

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestLockTripExcludes: transactions that lock the same trip never
// overlap, on either database (PostgreSQL by the row lock, SQLite by its
// one writer); a lock outside a transaction is refused, a trip not there
// locks nothing.
func TestLockTripExcludes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := e.publish(t, defaultTrip(e))
		st := e.svc.store
		if err := st.LockTrip(ctx, e.ter.ID, tr.ID); err == nil {
			t.Fatal("a lock outside a transaction was taken")
		}
		var inside, most atomic.Int32
		var wg sync.WaitGroup
		errc := make(chan error, 8)
		for range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errc <- st.WithTx(ctx, func(tx Store) error {
					if err := tx.LockTrip(ctx, e.ter.ID, tr.ID); err != nil {
						return err
					}
					n := inside.Add(1)
					defer inside.Add(-1)
					for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
					}
					time.Sleep(5 * time.Millisecond)
					return nil
				})
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Fatal(err)
			}
		}
		if most.Load() != 1 {
			t.Fatalf("%d transactions held the trip at once", most.Load())
		}
		if err := st.WithTx(ctx, func(tx Store) error { return tx.LockTrip(ctx, e.ter.ID, tr.ID+1000) }); err != nil {
			t.Fatalf("a trip not there: %v", err)
		}
	})
}

// TestStandingBookAndCancelRaceExtension: while two horizon jobs add
// departures, passengers book every week on an automatically accepting
// trip and others stop theirs: every departure to come ends up booked for
// each new standing booking and for none of the stopped ones, and no
// departure holds more seats than offered, on either database.
func TestStandingBookAndCancelRaceExtension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.withOptions(Options{Horizon: 14 * 24 * time.Hour})
		ctx := context.Background()
		tr := e.commute(t, 8, true)
		type held struct {
			who access.Actor
			id  int64
		}
		var stop []held
		for range 4 {
			p := e.member(t)
			res, err := e.svc.BookStanding(ctx, p, e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsBoth)
			if err != nil {
				t.Fatal(err)
			}
			stop = append(stop, held{p, res.Standing.ID})
		}
		riders := []access.Actor{e.member(t), e.member(t), e.member(t), e.member(t)}
		e.clock.set(e.clock.now().Add(7 * 24 * time.Hour))
		var wg sync.WaitGroup
		errc := make(chan error, 10)
		run := func(fn func() error) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := fn(); err != nil {
					errc <- err
				}
			}()
		}
		for i := range 4 {
			run(func() error {
				_, err := e.svc.BookStanding(ctx, riders[i], e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsBoth)
				return err
			})
			run(func() error {
				_, err := e.svc.CancelStanding(ctx, stop[i].who, e.ter, stop[i].id, "")
				return err
			})
		}
		for range 2 {
			run(func() error { _, err := e.svc.ExtendHorizon(ctx); return err })
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		if occs := e.everyDepartureHolds(t, tr, len(riders)); len(occs) < 15 {
			t.Fatalf("%d departures to come: the horizon was not extended", len(occs))
		}
	})
}
