package offers

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestExchangeFlow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		l := e.create(t, e.owner, sample("Perceuse", 45.76, 4.83))
		ex, err := e.svc.Propose(ctx, e.member, e.ter, l.ID, "Bonjour, <b>samedi</b> ?\x00")
		if err != nil || ex.Status != ExchangeProposed || ex.Message != "Bonjour, <b>samedi</b> ?" {
			t.Fatalf("propose: %+v %v", ex, err)
		}
		if _, err := e.svc.Review(ctx, e.member, e.ter, ex.ID, 5, ""); keyOf(err) != "err.review_not_done" {
			t.Fatalf("review before done: %v", err)
		}
		if _, err := e.svc.MarkDone(ctx, e.member, e.ter, ex.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("done before accepted: %v", err)
		}
		if ex, err = e.svc.Accept(ctx, e.owner, e.ter, ex.ID); err != nil || ex.Status != ExchangeAccepted || ex.AcceptedAt == nil {
			t.Fatalf("accept: %+v %v", ex, err)
		}
		// Another member's proposal cannot be accepted while the drill is taken.
		other, err := e.svc.Propose(ctx, e.member2, e.ter, l.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Accept(ctx, e.owner, e.ter, other.ID); keyOf(err) != "err.listing_taken" {
			t.Fatalf("second accept: %v", err)
		}
		if ex, err = e.svc.MarkDone(ctx, e.member, e.ter, ex.ID); err != nil || ex.Status != ExchangeAccepted || !ex.RequesterDone {
			t.Fatalf("one side done: %+v %v", ex, err)
		}
		if len(e.payer.paid) != 0 {
			t.Fatal("paid before both sides confirmed")
		}
		// A failing payment leaves the exchange accepted.
		e.payer.fail = true
		if _, err := e.svc.MarkDone(ctx, e.owner, e.ter, ex.ID); err == nil {
			t.Fatal("done despite a failed payment")
		}
		e.payer.fail = false
		if ex, err = e.svc.MarkDone(ctx, e.owner, e.ter, ex.ID); err != nil || ex.Status != ExchangeDone || ex.Payment == nil {
			t.Fatalf("both done: %+v %v", ex, err)
		}
		if got, _ := e.svc.GetExchange(ctx, e.owner, e.ter, ex.ID); got.Payment == nil || got.Payment.TransferID != fmt.Sprintf("t-%d", ex.ID) {
			t.Fatalf("payment not saved: %+v", got)
		}
		// A gift closes when done.
		if got, _ := e.svc.Get(ctx, e.owner, e.ter, l.ID); got.Status != StatusClosed {
			t.Fatalf("gift still %s", got.Status)
		}
		// Reviews: once per side, 1 to 5, about the other side.
		if _, err := e.svc.Review(ctx, e.member, e.ter, ex.ID, 6, ""); fieldKey(err, "rating") != "err.rating_range" {
			t.Fatalf("rating 6: %v", err)
		}
		if _, err := e.svc.Review(ctx, e.member2, e.ter, ex.ID, 5, ""); !errs.Is(err, errs.NotFound) {
			t.Fatalf("outsider review: %v", err)
		}
		r1, err := e.svc.Review(ctx, e.member, e.ter, ex.ID, 5, "Parfait, merci !")
		if err != nil || r1.RevieweeID != e.owner.UserID {
			t.Fatalf("review: %+v %v", r1, err)
		}
		if _, err := e.svc.Review(ctx, e.member, e.ter, ex.ID, 1, "encore"); keyOf(err) != "err.review_exists" {
			t.Fatalf("second review: %v", err)
		}
		reviewed, err := e.svc.MyExchanges(ctx, e.member, e.ter)
		if err != nil || len(reviewed) != 1 || !reviewed[0].ReviewedByMe {
			t.Fatalf("my exchanges after my review: %+v %v", reviewed, err)
		}
		theirs, _ := e.svc.MyExchanges(ctx, e.owner, e.ter)
		for _, x := range theirs {
			if x.ID == ex.ID && x.ReviewedByMe {
				t.Fatalf("the owner has not reviewed yet: %+v", x)
			}
		}
		if _, err := e.svc.Review(ctx, e.owner, e.ter, ex.ID, 4, ""); err != nil {
			t.Fatal(err)
		}
		p, err := e.svc.Profile(ctx, e.anon, e.ter, e.owner.UserID)
		if err != nil || p.ExchangesDone != 1 || p.ReviewCount != 1 || p.AverageRating != 5 || len(p.Reviews) != 1 || p.Reviews[0].ReviewerID != e.member.UserID {
			t.Fatalf("profile: %+v %v", p, err)
		}
		st, _ := e.svc.Stats(ctx, e.anon, e.ter)
		if st.Exchanges[ExchangeDone] != 1 || st.Reviews != 2 || st.ActiveExchangers != 2 {
			t.Fatalf("stats: %+v", st)
		}

		// Declines, cancels and blocks.
		lend := sample("Escabeau", 45.75, 4.84)
		lend.Mode = ModeLend
		e.create(t, e.owner, lend)
		x1, _ := e.svc.Propose(ctx, e.member, e.ter, lend.ID, "")
		if _, err := e.svc.Propose(ctx, e.member, e.ter, lend.ID, ""); keyOf(err) != "err.exchange_exists" {
			t.Fatalf("two open proposals: %v", err)
		}
		if x1, err = e.svc.Decline(ctx, e.owner, e.ter, x1.ID, "déjà prêté"); err != nil || x1.Status != ExchangeDeclined || x1.EndedBy != e.owner.UserID {
			t.Fatalf("decline: %+v %v", x1, err)
		}
		x2, err := e.svc.Propose(ctx, e.member, e.ter, lend.ID, "et maintenant ?")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Accept(ctx, e.owner, e.ter, x2.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.Cancel(ctx, e.member, e.ter, x2.ID, ""); fieldKey(err, "reason") != "err.required" {
			t.Fatalf("cancel without reason: %v", err)
		}
		if x2, err = e.svc.Cancel(ctx, e.member, e.ter, x2.ID, "empêchement"); err != nil || x2.Status != ExchangeCancelled {
			t.Fatalf("cancel: %+v %v", x2, err)
		}
		// The slot is free again.
		x3, _ := e.svc.Propose(ctx, e.member2, e.ter, lend.ID, "")
		if _, err := e.svc.Accept(ctx, e.owner, e.ter, x3.ID); err != nil {
			t.Fatalf("accept after cancel: %v", err)
		}
		e.blocks.pairs[[2]int64{e.owner.UserID, e.moderator.UserID}] = true
		if _, err := e.svc.Propose(ctx, e.moderator, e.ter, lend.ID, ""); keyOf(err) != "err.exchange_blocked" {
			t.Fatalf("blocked: %v", err)
		}
		mine, err := e.svc.MyExchanges(ctx, e.member, e.ter)
		if err != nil || len(mine) != 3 || mine[0].ListingTitle == "" {
			t.Fatalf("my exchanges: %d %v", len(mine), err)
		}
	})
}

// TestConcurrentAccept: 100 members propose on one single drill, then the
// owner accepts all 100 proposals at once. Exactly one wins; the others get
// Conflict "err.listing_taken". A listing of 3 objects lets 3 win.
func TestConcurrentAccept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		const n = 100
		for id := 9; id < 9+n; id++ {
			if _, err := db.Exec(ctx, `INSERT INTO users (email, password_hash, created_at) VALUES (?, 'x', ?)`,
				fmt.Sprintf("r%d@example.org", id), e.clock.now()); err != nil {
				t.Fatal(err)
			}
		}
		for _, quantity := range []int{1, 3} {
			t.Run(fmt.Sprintf("quantity %d", quantity), func(t *testing.T) {
				l := sample(fmt.Sprintf("Perceuse %d", quantity), 45.76, 4.83)
				l.Mode, l.Quantity = ModeLend, quantity
				e.create(t, e.owner, l)
				var proposals []*Exchange
				for i := range n {
					ex, err := e.svc.Propose(ctx, e.as(int64(9+i)), e.ter, l.ID, "")
					if err != nil {
						t.Fatal(err)
					}
					proposals = append(proposals, ex)
				}
				var wg sync.WaitGroup
				var mu sync.Mutex
				won, taken := 0, 0
				start := make(chan struct{})
				for _, ex := range proposals {
					wg.Add(1)
					go func() {
						defer wg.Done()
						<-start
						_, err := e.svc.Accept(ctx, e.owner, e.ter, ex.ID)
						mu.Lock()
						defer mu.Unlock()
						switch {
						case err == nil:
							won++
						case errs.Is(err, errs.Conflict) && keyOf(err) == "err.listing_taken":
							taken++
						default:
							t.Errorf("accept: %v", err)
						}
					}()
				}
				close(start)
				wg.Wait()
				if won != quantity || taken != n-quantity {
					t.Fatalf("%d won, %d taken; want %d and %d", won, taken, quantity, n-quantity)
				}
				exs, _ := e.svc.ListingExchanges(ctx, e.owner, e.ter, l.ID)
				accepted := 0
				for _, ex := range exs {
					if ex.Status == ExchangeAccepted {
						accepted++
					}
				}
				if accepted != quantity {
					t.Fatalf("%d accepted in the database", accepted)
				}
			})
		}
		// The partial unique index holds on its own, without the service.
		t.Run("index", func(t *testing.T) {
			l := e.create(t, e.owner, sample("Ponceuse", 45.76, 4.83))
			a, _ := e.svc.Propose(ctx, e.member, e.ter, l.ID, "")
			b, _ := e.svc.Propose(ctx, e.member2, e.ter, l.ID, "")
			st := NewSQLStore(db)
			for i, ex := range []*Exchange{a, b} {
				ex.Status, ex.single = ExchangeAccepted, true
				err := st.UpdateExchange(ctx, ex, ExchangeProposed)
				if (i == 0) != (err == nil) || (i == 1 && !store.IsUniqueViolation(err)) {
					t.Fatalf("raw accept %d: %v", i, err)
				}
			}
		})
	})
}
