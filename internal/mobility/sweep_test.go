package mobility

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// Reminders go once to the driver and the accepted passengers; after the
// trip a contribution in minutes of the time bank moves once through the
// ledger; the indicators count the month.
func TestSweepRemindsPaysAndCounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		accounts, outbox := e.withLedger(db)
		members := func(as ...access.Actor) {
			for _, a := range as {
				if err := accounts.Grant(ctx, access.SystemActor(), e.ter.ID, a.Email, access.Member); err != nil {
					t.Fatal(err)
				}
			}
		}
		rider := e.member(t)
		members(e.driver, rider)
		tr := defaultTrip(e) // in 48 h, accepts automatically
		tr.Contribution = Contribution{Kind: ContributionUnits, Currency: "TIME", Amount: 20}
		e.publish(t, tr)
		b, err := e.svc.Book(ctx, rider, e.ter, BookRequest{TripID: tr.ID, Seats: 2})
		if err != nil || b.UnitsDue != 40 {
			t.Fatalf("book: %+v %v", b, err)
		}
		sweep := func() (int, int) {
			r, p, err := e.svc.Sweep(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return r, p
		}
		if r, p := sweep(); r != 0 || p != 0 {
			t.Fatalf("two days before: %d reminders, %d paid", r, p)
		}
		e.clock.set(e.clock.now().Add(30 * time.Hour)) // 18 h before
		if r, _ := sweep(); r != 2 {
			t.Fatalf("%d reminders, want 2 (driver and passenger)", r)
		}
		if r, _ := sweep(); r != 0 {
			t.Fatalf("reminded again: %d", r)
		}
		msgs, err := outbox.List(ctx, rider.Email, 10)
		if err != nil || len(msgs) != 1 || !strings.Contains(msgs[0].Subject, "covoiturage") {
			t.Fatalf("passenger's mail: %+v %v", msgs, err)
		}
		e.clock.set(e.clock.now().Add(21 * time.Hour)) // 3 h after the departure
		if _, p := sweep(); p != 1 {
			t.Fatalf("%d paid, want 1", p)
		}
		if _, p := sweep(); p != 0 {
			t.Fatalf("paid again: %d", p)
		}
		got, err := e.svc.Booking(ctx, rider, e.ter, b.ID)
		if err != nil || got.PaidEntry <= 0 {
			t.Fatalf("booking after payment: %+v %v", got, err)
		}
		// Paying again by hand moves nothing more: the same entry.
		again, err := e.svc.PayContribution(ctx, rider, e.ter, b.ID)
		if err != nil || again.PaidEntry != got.PaidEntry {
			t.Fatalf("paying again: %+v %v", again, err)
		}
		if _, err := e.svc.PayContribution(ctx, e.driver, e.ter, b.ID); keyOf(err) != "err.mobility.not_yours" {
			t.Fatalf("the driver pays: %v", err)
		}
		// Beyond the passenger's credit limit (-10 h): refused, recorded,
		// and paying by hand answers the ledger's reason.
		big := defaultTrip(e)
		big.Contribution = Contribution{Kind: ContributionUnits, Currency: "TIME", Amount: 400}
		e.publish(t, big)
		bb, err := e.svc.Book(ctx, rider, e.ter, BookRequest{TripID: big.ID, Seats: 2})
		if err != nil {
			t.Fatal(err)
		}
		e.clock.set(e.clock.now().Add(51 * time.Hour))
		if _, p := sweep(); p != 0 {
			t.Fatalf("a payment beyond the limit went through: %d", p)
		}
		if got, _ := e.svc.Booking(ctx, rider, e.ter, bb.ID); got.PaidEntry != -1 {
			t.Fatalf("refusal not recorded: %+v", got)
		}
		if _, err := e.svc.PayContribution(ctx, rider, e.ter, bb.ID); !errs.Is(err, errs.Conflict) {
			t.Fatalf("paying by hand beyond the limit: %v", err)
		}
		from := e.clock.now().AddDate(0, -1, 0)
		ind, err := e.svc.Indicators(ctx, e.ter.ID, 0, from, e.clock.now())
		if err != nil || len(ind.Months) != 1 || ind.Months[0].Trips != 2 || ind.Months[0].Seats != 4 || ind.Months[0].CO2Kg <= 0 {
			t.Fatalf("indicators: %+v %v", ind, err)
		}
	})
}
