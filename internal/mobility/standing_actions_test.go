package mobility

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestStandingActionsMatrix: who may do what to a standing booking, in
// each status.
func TestStandingActionsMatrix(t *testing.T) {
	const driver, passenger, stranger = 1, 2, 3
	for _, c := range []struct {
		status BookingStatus
		want   map[int64][]StandingAction
	}{
		{BookingPending, map[int64][]StandingAction{driver: {StandingAccept, StandingRefuse, StandingCancel}, passenger: {StandingCancel}}},
		{BookingAccepted, map[int64][]StandingAction{driver: {StandingCancel}, passenger: {StandingCancel}}},
		{BookingRefused, nil},
		{BookingCancelled, nil},
	} {
		for _, who := range []int64{driver, passenger, stranger, 0} {
			t.Run(fmt.Sprintf("%s/%d", c.status, who), func(t *testing.T) {
				st := &Standing{DriverID: driver, PassengerID: passenger, Status: c.status}
				fillActions(who, st)
				want := c.want[who]
				if want == nil {
					want = []StandingAction{}
				}
				if !slices.Equal(st.Actions, want) {
					t.Fatalf("actions %v, want %v", st.Actions, want)
				}
				if err := st.may(who, "delete"); !errs.Is(err, errs.NotFound) {
					t.Fatalf("an unknown action: %v", err)
				}
			})
		}
	}
}

// TestStandingActionsAgree: the actions the service lists for each side,
// in each status, are the ones it then takes; the others it refuses,
// with the status unchanged.
func TestStandingActionsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.withOptions(Options{Horizon: 7 * 24 * time.Hour})
		ctx := context.Background()
		tr := e.commute(t, 3, false)
		for _, status := range []BookingStatus{BookingPending, BookingAccepted, BookingRefused, BookingCancelled} {
			for _, asDriver := range []bool{true, false} {
				p := e.member(t)
				res, err := e.svc.BookStanding(ctx, p, e.ter, BookRequest{TripID: tr.ID, Seats: 1}, Days{time.Tuesday}, LegsOut)
				if err != nil {
					t.Fatal(err)
				}
				id := res.Standing.ID
				switch status {
				case BookingAccepted:
					_, err = e.svc.AcceptStanding(ctx, e.driver, e.ter, id)
				case BookingRefused:
					_, err = e.svc.RefuseStanding(ctx, e.driver, e.ter, id, "")
				case BookingCancelled:
					_, err = e.svc.CancelStanding(ctx, p, e.ter, id, "")
				}
				if err != nil {
					t.Fatal(err)
				}
				who := p
				if asDriver {
					who = e.driver
				}
				st, err := e.svc.StandingBooking(ctx, who, e.ter, id)
				if err != nil || st.Status != status {
					t.Fatalf("%s: %+v %v", status, st, err)
				}
				allowed := st.Actions
				for _, a := range StandingActions() {
					if slices.Contains(allowed, a) {
						continue
					}
					if _, err := e.svc.ActOnStanding(ctx, who, e.ter, id, a, ""); err == nil {
						t.Fatalf("%s, driver %v: %s is not offered but was taken", status, asDriver, a)
					}
				}
				if len(allowed) > 0 {
					// The last one offered (cancel, else refuse) is taken.
					a := allowed[len(allowed)-1]
					res, err := e.svc.ActOnStanding(ctx, who, e.ter, id, a, "")
					if err != nil {
						t.Fatalf("%s, driver %v: %s is offered but refused: %v", status, asDriver, a, err)
					}
					if res.Standing.Actions == nil || slices.Contains(res.Standing.Actions, a) {
						t.Fatalf("after %s: actions %v", a, res.Standing.Actions)
					}
				}
			}
		}
	})
}
