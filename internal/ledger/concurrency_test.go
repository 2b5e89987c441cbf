package ledger

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestConcurrentTransfers races 100 goroutines paying each other between
// the same three accounts, many of them beyond their limits: no balance
// passes a limit, TIME sums to zero, and Verify finds nothing.
func TestConcurrentTransfers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		members := []access.Actor{e.a, e.b, e.c}
		// Tight limits (-45 min) so that many transfers hit them.
		lower := int64(-45)
		for _, m := range members {
			acc, err := e.svc.MyAccount(ctx, m, e.ter, TimeCode)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.SetLimits(ctx, e.admin, e.ter, acc.ID, &lower, nil); err != nil {
				t.Fatal(err)
			}
		}
		var ok, refused atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := 0; g < 100; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				<-start
				// Two thirds of the goroutines pay "forward", one third
				// back: the flows do not cancel and limits are hit.
				from, to := members[g%3], members[(g+1)%3]
				if g%3 == 2 {
					from, to = members[(g+1)%3], members[g%3]
				}
				for i := 0; i < 5; i++ {
					_, err := e.svc.Transfer(ctx, from, e.ter, TransferInput{To: ref(to), Currency: TimeCode, Amount: int64(7 + g%5)})
					switch {
					case err == nil:
						ok.Add(1)
					case errs.KindOf(err) == errs.Conflict:
						refused.Add(1)
					default:
						t.Errorf("transfer: %v", err)
					}
				}
			}(g)
		}
		close(start)
		wg.Wait()
		var sum int64
		for _, m := range members {
			acc, err := e.svc.MyAccount(ctx, m, e.ter, TimeCode)
			if err != nil {
				t.Fatal(err)
			}
			if acc.Balance < *acc.Lower {
				t.Fatalf("account %d at %d, below its limit %d", acc.ID, acc.Balance, *acc.Lower)
			}
			sum += acc.Balance
		}
		if sum != 0 {
			t.Fatalf("TIME sums to %d", sum)
		}
		res := e.verify(t)
		if refused.Load() == 0 {
			t.Fatal("no transfer reached a limit: the test does not test them")
		}
		if ok.Load() == 0 || res.Counts.Postings != 2*ok.Load() {
			t.Fatalf("%d transfers, %d postings", ok.Load(), res.Counts.Postings)
		}
		t.Logf("%s: %d transfers, %d refused at a limit", db.Dialect(), ok.Load(), refused.Load())
	})
}

// TestConcurrentDrain empties one account from 100 goroutines at once:
// exactly as many succeed as the limit allows.
func TestConcurrentDrain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		var ok atomic.Int64
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := 0; g < 100; g++ {
			wg.Add(1)
			go func(g int) {
				defer wg.Done()
				<-start
				to := e.b
				if g%2 == 0 {
					to = e.c
				}
				// 10 h limit, 30 min each: exactly 20 pass.
				if _, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(to), Currency: TimeCode, Amount: 30}); err == nil {
					ok.Add(1)
				} else if errs.KindOf(err) != errs.Conflict {
					t.Errorf("transfer: %v", err)
				}
			}(g)
		}
		close(start)
		wg.Wait()
		if ok.Load() != 20 {
			t.Fatalf("%d transfers passed, want 20", ok.Load())
		}
		if got := e.balance(t, e.a, TimeCode); got != -600 {
			t.Fatalf("balance %d", got)
		}
		e.verify(t)
	})
}

// TestConcurrentIdempotency sends the same request 100 times at once:
// the units move once and every answer names the same transfer.
func TestConcurrentIdempotency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, m := range []access.Actor{e.a, e.b} {
			if _, err := e.svc.MyAccount(ctx, m, e.ter, TimeCode); err != nil {
				t.Fatal(err)
			}
		}
		ids := make(chan int64, 100)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for g := 0; g < 100; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				tr, err := e.svc.Transfer(ctx, e.a, e.ter, TransferInput{To: ref(e.b), Currency: TimeCode, Amount: 15, IdemKey: "same"})
				if err != nil {
					t.Errorf("transfer: %v", err)
					return
				}
				ids <- tr.ID
			}()
		}
		close(start)
		wg.Wait()
		close(ids)
		seen := map[int64]int{}
		for id := range ids {
			seen[id]++
		}
		if len(seen) != 1 {
			t.Fatalf("transfers %v", seen)
		}
		if got := e.balance(t, e.b, TimeCode); got != 15 {
			t.Fatalf("balance %d: %s", got, fmt.Sprint(seen))
		}
		e.verify(t)
	})
}
