package mobility

import (
	"context"
	"log/slog"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// countedUsers counts the lookups of the real account service.
type countedUsers struct {
	*account.Service
	calls atomic.Int32
}

func (c *countedUsers) UsersByID(ctx context.Context, ids []int64) (map[int64]*account.User, error) {
	c.calls.Add(1)
	return c.Service.UsersByID(ctx, ids)
}

// TestMyTripsNames: "my trips" names the other side of every booking and
// standing booking from one read of the members, whatever their number:
// the name they show, else their e-mail address, else "#id".
func TestMyTripsNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		users := &countedUsers{Service: account.NewService(db, nil, slog.New(slog.DiscardHandler), e.clock.now, account.Options{})}
		e.withOptions(Options{Horizon: 7 * 24 * time.Hour, Users: users})
		tr := e.commute(t, 8, true)
		one := e.publish(t, defaultTrip(e))
		var riders []int64
		first := e.member(t)
		for i := range 6 {
			p := first
			if i > 0 {
				p = e.member(t)
			}
			riders = append(riders, p.UserID)
			if i%2 == 0 {
				if _, err := e.svc.Book(ctx, p, e.ter, BookRequest{TripID: one.ID, Seats: 1}); err != nil {
					t.Fatal(err)
				}
			} else if _, err := e.svc.BookStanding(ctx, p, e.ter, BookRequest{TripID: tr.ID, Seats: 1}, nil, LegsOut); err != nil {
				t.Fatal(err)
			}
		}
		// One rider shows no name: their address stands for it.
		if _, err := db.Exec(ctx, `UPDATE users SET display_name = '' WHERE id = ?`, riders[1]); err != nil {
			t.Fatal(err)
		}
		m, err := e.svc.MyTrips(ctx, e.driver, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		if n := users.calls.Load(); n != 1 {
			t.Fatalf("%d reads of the members, want 1", n)
		}
		if len(m.AsDriver) < 3 || len(m.StandingAsDriver) != 3 {
			t.Fatalf("%d bookings, %d standing bookings", len(m.AsDriver), len(m.StandingAsDriver))
		}
		for i, id := range riders {
			want := "Membre " + strconv.Itoa(i+2) // the driver is member 1
			if i == 1 {
				want = "u3@example.org"
			}
			if m.Names[id] != want {
				t.Errorf("rider %d: %q, want %q", id, m.Names[id], want)
			}
		}
		// A passenger's list names the driver.
		pm, err := e.svc.MyTrips(ctx, first, e.ter)
		if err != nil || len(pm.AsPassenger) != 1 || pm.Names[e.driver.UserID] != "Membre 1" {
			t.Fatalf("passenger's list: %+v %v", pm, err)
		}
		// Without the account service, members go by number.
		e.withOptions(Options{Horizon: 7 * 24 * time.Hour})
		if m, err = e.svc.MyTrips(ctx, e.driver, e.ter); err != nil || m.Names[riders[0]] != "#"+strconv.FormatInt(riders[0], 10) {
			t.Fatalf("without Users: %v %v", m.Names, err)
		}
	})
}
