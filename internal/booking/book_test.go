package booking

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestConcurrentBookingsNeverOverbook: 100 members book the same slot of a
// drill with 3 copies at once; exactly 3 get it, 97 hear "no longer available".
func TestConcurrentBookingsNeverOverbook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.drill(t, 3, Rules{})
		members := make([]access.Actor, 100)
		for i := range members {
			members[i] = e.member(t)
		}
		start, end := local(2026, 3, 21, 10, 0), local(2026, 3, 22, 18, 0)
		var wg sync.WaitGroup
		results := make([]error, len(members))
		gate := make(chan struct{})
		for i, m := range members {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				_, results[i] = e.book(m, r, start, end, 1)
			}()
		}
		close(gate)
		wg.Wait()
		ok, conflicts := 0, 0
		for _, err := range results {
			switch {
			case err == nil:
				ok++
			case errs.Is(err, errs.Conflict) && keyOf(err) == "err.booking.unavailable":
				conflicts++
			default:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 3 || conflicts != 97 {
			t.Fatalf("got %d bookings and %d conflicts, want 3 and 97", ok, conflicts)
		}
		slots, err := NewSQLStore(db).Holding(context.Background(), e.ter.ID, r.ID, start, end, 0)
		if err != nil || peak(slots, start, end) != 3 {
			t.Fatalf("peak in the database = %d (%v), want 3", peak(slots, start, end), err)
		}
	})
}

// TestPeakNotSum: two loans that follow each other leave room for one across both.
func TestPeakNotSum(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		r := e.drill(t, 2, Rules{})
		a, b := e.member(t), e.member(t)
		e.mustBook(t, a, r, local(2026, 3, 20, 9, 0), local(2026, 3, 20, 12, 0), 1)
		e.mustBook(t, a, r, local(2026, 3, 20, 12, 0), local(2026, 3, 20, 15, 0), 1)
		e.mustBook(t, b, r, local(2026, 3, 20, 9, 0), local(2026, 3, 20, 15, 0), 1)
		if _, err := e.book(b, r, local(2026, 3, 20, 11, 0), local(2026, 3, 20, 13, 0), 1); keyOf(err) != "err.booking.unavailable" {
			t.Fatalf("third over the peak: %v", err)
		}
		// The peak inside the request, not at its start, counts.
		if _, err := e.book(b, r, local(2026, 3, 20, 8, 0), local(2026, 3, 20, 10, 0), 1); keyOf(err) != "err.booking.unavailable" {
			t.Fatalf("peak after the start: %v", err)
		}
		e.mustBook(t, b, r, local(2026, 3, 20, 8, 0), local(2026, 3, 20, 9, 0), 1)
		// Back-to-back intervals do not overlap.
		e.mustBook(t, b, r, local(2026, 3, 20, 15, 0), local(2026, 3, 20, 16, 0), 2)
	})
}

func TestBookValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		rules := Rules{
			Hours:          map[string][]string{"mon": {"09:00-12:00", "14:00-18:00"}, "tue": {"09:00-18:00"}, "wed": {"09:00-18:00"}, "thu": {"09:00-18:00"}, "fri": {"09:00-18:00"}, "sat": {"10:00-16:00"}},
			Closures:       []Closure{{From: "2026-04-06", To: "2026-04-06", Note: "Lundi de Pâques"}},
			MinMinutes:     60,
			MaxMinutes:     7 * 24 * 60,
			MaxAdvanceDays: 60,
			LeadMinutes:    120,
		}
		r := e.drill(t, 1, rules)
		m := e.member(t)
		parisTools := &Resource{OrganisationID: e.otherOrg.ID, Kind: KindItem, Name: "Scie", Quantity: 1}
		if err := e.svc.CreateResource(ctx, e.outsider, e.other, parisTools); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name       string
			start, end time.Time
			q          int
			res        *Resource
			actor      access.Actor
			kind       errs.Kind
			key        string
		}{
			{"end before start", local(2026, 3, 17, 15, 0), local(2026, 3, 17, 10, 0), 1, r, m, errs.Invalid, "err.booking.end_before_start"},
			{"empty interval", local(2026, 3, 17, 15, 0), local(2026, 3, 17, 15, 0), 1, r, m, errs.Invalid, "err.booking.end_before_start"},
			{"in the past", local(2026, 3, 13, 10, 0), local(2026, 3, 13, 12, 0), 1, r, m, errs.Invalid, "err.booking.in_the_past"},
			{"lead time", local(2026, 3, 14, 11, 0), local(2026, 3, 14, 15, 0), 1, r, m, errs.Invalid, "err.booking.lead_time"},
			{"too far ahead", local(2026, 6, 2, 10, 0), local(2026, 6, 2, 12, 0), 1, r, m, errs.Invalid, "err.booking.too_far_ahead"},
			{"too short", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 10, 30), 1, r, m, errs.Invalid, "err.booking.too_short"},
			{"too long", local(2026, 3, 17, 10, 0), local(2026, 3, 25, 10, 0), 1, r, m, errs.Invalid, "err.booking.too_long"},
			{"start before opening", local(2026, 3, 17, 8, 0), local(2026, 3, 17, 12, 0), 1, r, m, errs.Invalid, "err.booking.outside_hours"},
			{"return at lunch", local(2026, 3, 16, 10, 0), local(2026, 3, 16, 13, 0), 1, r, m, errs.Invalid, "err.booking.outside_hours"},
			{"sunday", local(2026, 3, 15, 10, 0), local(2026, 3, 16, 10, 0), 1, r, m, errs.Invalid, "err.booking.outside_hours"},
			{"closure", local(2026, 4, 6, 10, 0), local(2026, 4, 7, 10, 0), 1, r, m, errs.Invalid, "err.booking.closed"},
			{"more than the copies", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 2, r, m, errs.Invalid, "err.booking.quantity_available"},
			{"another territory's resource", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 1, parisTools, m, errs.NotFound, "err.booking.resource_not_found"},
			{"anonymous", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 1, r, e.anon, errs.Unauthenticated, "err.login_required"},
			{"not a member", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0), 1, r, e.outsider, errs.Forbidden, "err.role_required"},
			{"ok: return at 18:00 closing", local(2026, 3, 17, 10, 0), local(2026, 3, 17, 18, 0), 1, r, m, -1, ""},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, err := e.book(tc.actor, tc.res, tc.start, tc.end, tc.q)
				if tc.kind == -1 {
					if err != nil {
						t.Fatalf("want success, got %v", err)
					}
					return
				}
				if !errs.Is(err, tc.kind) || keyOf(err) != tc.key {
					t.Fatalf("got %v (%s), want %v %s", err, keyOf(err), tc.kind, tc.key)
				}
			})
		}
	})
}

func TestWhoMayBook(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		verified := e.drill(t, 1, Rules{Who: WhoVerified})
		orgOnly := e.drill(t, 1, Rules{Who: WhoOrg})
		m := e.member(t)
		unverified := m
		unverified.Verified = false
		s, end := local(2026, 3, 17, 10, 0), local(2026, 3, 17, 12, 0)
		if _, err := e.book(unverified, verified, s, end, 1); keyOf(err) != "err.booking.verified_only" {
			t.Fatalf("unverified: %v", err)
		}
		e.mustBook(t, m, verified, s, end, 1)
		if _, err := e.book(m, orgOnly, s, end, 1); keyOf(err) != "err.booking.org_members_only" {
			t.Fatalf("outside the org: %v", err)
		}
		e.mustBook(t, e.clerk, orgOnly, s, end, 1)
	})
}

func TestResourceAdministration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		m := e.member(t)
		for _, tc := range []struct {
			name  string
			actor access.Actor
			org   int64
			kind  errs.Kind
		}{
			{"org admin", e.librarian, e.library.ID, -1},
			{"territory moderator", e.moderator, e.library.ID, -1},
			{"org staff (not admin)", e.clerk, e.library.ID, errs.Forbidden},
			{"member", m, e.library.ID, errs.Forbidden},
			{"anonymous", e.anon, e.library.ID, errs.Unauthenticated},
			{"another territory's organisation", e.librarian, e.otherOrg.ID, errs.Invalid},
		} {
			t.Run(tc.name, func(t *testing.T) {
				r := &Resource{OrganisationID: tc.org, Kind: KindItem, Name: "Ponceuse", Quantity: 2}
				err := e.svc.CreateResource(ctx, tc.actor, e.ter, r)
				if tc.kind == -1 && err != nil || tc.kind != -1 && !errs.Is(err, tc.kind) {
					t.Fatalf("got %v, want %v", err, tc.kind)
				}
			})
		}
		bad := &Resource{OrganisationID: e.library.ID, Kind: "spaceship", Name: "", Quantity: -1,
			Rules: Rules{Hours: map[string][]string{"mon": {"18:00-09:00"}}, Who: "friends"}}
		err := e.svc.CreateResource(ctx, e.librarian, e.ter, bad)
		fields := map[string]bool{}
		if ee, ok := errs.As(err); ok {
			for _, f := range ee.Fields {
				fields[f.Field] = true
			}
		}
		for _, f := range []string{"kind", "name", "quantity", "rules.hours", "rules.who"} {
			if !fields[f] {
				t.Errorf("no error on %s: %v", f, err)
			}
		}
		vehicle := &Resource{OrganisationID: e.townHall.ID, Kind: KindVehicle, Name: "Zoé", Quantity: 1}
		if err := e.svc.CreateResource(ctx, e.mayor, e.ter, vehicle); keyOf(err) != "err.booking.station_required" {
			t.Fatalf("vehicle without a station: %v", err)
		}
	})
}
