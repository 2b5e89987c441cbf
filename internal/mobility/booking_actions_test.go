package mobility

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestBookingActions: what MyTrips lists for each side of an ordinary
// booking, in each status, before and after the departure, is what the
// service then does: an action listed is taken, the others are refused
// with the booking unchanged, and a member outside the booking may do
// nothing.
func TestBookingActions(t *testing.T) {
	type side struct {
		want []BookingAction
		take BookingAction // one of want, taken at the end
	}
	cases := []struct {
		status    BookingStatus
		departed  bool
		reviewed  bool // the side asking already reviewed it
		driver    side
		passenger side
	}{
		{BookingPending, false, false, side{[]BookingAction{ActAccept, ActRefuse, ActCancel}, ActAccept}, side{[]BookingAction{ActCancel}, ActCancel}},
		{BookingPending, false, false, side{[]BookingAction{ActAccept, ActRefuse, ActCancel}, ActRefuse}, side{[]BookingAction{ActCancel}, ""}},
		{BookingAccepted, false, false, side{[]BookingAction{ActCancel}, ActCancel}, side{[]BookingAction{ActCancel}, ActCancel}},
		{BookingRefused, false, false, side{}, side{}},
		{BookingCancelled, false, false, side{}, side{}},
		{BookingPending, true, false, side{}, side{}},
		{BookingAccepted, true, false, side{[]BookingAction{ActReview}, ActReview}, side{[]BookingAction{ActPay, ActReview}, ActReview}},
		{BookingAccepted, true, true, side{}, side{[]BookingAction{ActPay}, ActPay}},
		{BookingRefused, true, false, side{}, side{}},
		{BookingCancelled, true, false, side{}, side{}},
	}
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		accounts, _ := e.withLedger(db)
		grant := func(a access.Actor) access.Actor {
			if err := accounts.Grant(ctx, access.SystemActor(), e.ter.ID, a.Email, access.Member); err != nil {
				t.Fatal(err)
			}
			return a
		}
		grant(e.driver)
		stranger := grant(e.member(t))
		for i, c := range cases {
			for _, asDriver := range []bool{true, false} {
				name := fmt.Sprintf("%d-%s-departed:%v-reviewed:%v-driver:%v", i, c.status, c.departed, c.reviewed, asDriver)
				t.Run(name, func(t *testing.T) {
					passenger := grant(e.member(t))
					tr := defaultTrip(e)
					tr.AutoAccept = false
					tr.Contribution = Contribution{Kind: ContributionUnits, Currency: "TIME", Amount: 1}
					e.publish(t, tr)
					b, err := e.svc.Book(ctx, passenger, e.ter, BookRequest{TripID: tr.ID, Seats: 1})
					if err != nil {
						t.Fatal(err)
					}
					switch c.status {
					case BookingAccepted:
						_, err = e.svc.Accept(ctx, e.driver, e.ter, b.ID)
					case BookingRefused:
						_, err = e.svc.Refuse(ctx, e.driver, e.ter, b.ID, "")
					case BookingCancelled:
						_, err = e.svc.CancelBooking(ctx, passenger, e.ter, b.ID, "")
					}
					if err != nil {
						t.Fatal(err)
					}
					who, s := passenger, c.passenger
					if asDriver {
						who, s = e.driver, c.driver
					}
					if c.departed {
						e.clock.set(tr.Departure.Add(time.Hour))
					}
					if c.reviewed {
						if _, err := e.svc.Review(ctx, who, e.ter, b.ID, 4, ""); err != nil {
							t.Fatal(err)
						}
					}
					got := listed(t, e, who, b.ID, asDriver)
					if !slices.Equal(got.Actions, s.want) && !(len(got.Actions) == 0 && len(s.want) == 0) {
						t.Fatalf("actions %v, want %v", got.Actions, s.want)
					}
					if got.Reviewed != c.reviewed {
						t.Fatalf("reviewed %v, want %v", got.Reviewed, c.reviewed)
					}
					sameAsListed(t, got, func() (*Booking, error) { return e.svc.Booking(ctx, who, e.ter, b.ID) })
					for _, a := range BookingActions() {
						if err := act(e, stranger, b.ID, a); err == nil {
							t.Fatalf("a stranger took %s", a)
						}
						if slices.Contains(s.want, a) {
							continue
						}
						if err := act(e, who, b.ID, a); err == nil {
							t.Fatalf("%s is not offered but was taken", a)
						}
					}
					if after := listed(t, e, who, b.ID, asDriver); after.Status != c.status || after.PaidEntry != 0 {
						t.Fatalf("refused actions changed the booking: %+v", after)
					}
					if s.take == ActReview {
						if err := act(e, who, b.ID, s.take); err != nil {
							t.Fatalf("%s is offered but refused: %v", s.take, err)
						}
					} else if s.take != "" {
						changed, err := e.svc.ActOnBooking(ctx, who, e.ter, b.ID, s.take, "")
						if err != nil {
							t.Fatalf("%s is offered but refused: %v", s.take, err)
						}
						sameAsListed(t, listed(t, e, who, b.ID, asDriver), func() (*Booking, error) { return changed, nil })
					}
					if s.take != "" {
						if after := listed(t, e, who, b.ID, asDriver); slices.Contains(after.Actions, s.take) {
							t.Fatalf("after %s, still offered: %v", s.take, after.Actions)
						}
					}
				})
			}
		}
	})
}

// listed returns booking id as MyTrips lists it to who.
func listed(t *testing.T, e *env, who access.Actor, id int64, asDriver bool) *Booking {
	t.Helper()
	m, err := e.svc.MyTrips(context.Background(), who, e.ter)
	if err != nil {
		t.Fatal(err)
	}
	list := m.AsPassenger
	if asDriver {
		list = m.AsDriver
	}
	for _, b := range list {
		if b.ID == id {
			return b
		}
	}
	t.Fatalf("booking %d not in my trips", id)
	return nil
}

// sameAsListed fails unless the booking one returns offers who the same
// actions and review state as the list.
func sameAsListed(t *testing.T, want *Booking, one func() (*Booking, error)) {
	t.Helper()
	got, err := one()
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != want.ID || got.Reviewed != want.Reviewed || !slices.Equal(got.Actions, want.Actions) {
		t.Fatalf("booking %d alone: actions %v, reviewed %v; listed: actions %v, reviewed %v",
			got.ID, got.Actions, got.Reviewed, want.Actions, want.Reviewed)
	}
}

// act takes action a through the service's own methods.
func act(e *env, who access.Actor, id int64, a BookingAction) error {
	ctx := context.Background()
	if a == ActReview {
		_, err := e.svc.Review(ctx, who, e.ter, id, 5, "")
		return err
	}
	_, err := e.svc.ActOnBooking(ctx, who, e.ter, id, a, "")
	return err
}
