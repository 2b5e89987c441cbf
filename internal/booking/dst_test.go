package booking

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestDaylightSaving: in Europe/Paris clocks go from 02:00 to 03:00 on 29
// March 2026 and from 03:00 back to 02:00 on 25 October 2026. A booking
// from 01:00 to 04:00 local on either night keeps its local times, counts
// as three hours for the rules (two or four really pass), and opening
// hours apply in local time on both sides of the change.
func TestDaylightSaving(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		loc := e.ter.Location()
		car := &Resource{OrganisationID: e.townHall.ID, Kind: KindVehicle, Name: "Zoé", Station: "Gare Part-Dieu", Quantity: 1,
			Rules: Rules{MaxMinutes: 180, MaxAdvanceDays: 400}}
		if err := e.svc.CreateResource(ctx, e.mayor, e.ter, car); err != nil {
			t.Fatal(err)
		}
		m := e.member(t)
		for _, tc := range []struct {
			name string
			day  time.Time
			real time.Duration
		}{
			{"spring forward", local(2026, 3, 29, 0, 0), 2 * time.Hour},
			{"fall back", local(2026, 10, 25, 0, 0), 4 * time.Hour},
		} {
			t.Run(tc.name, func(t *testing.T) {
				y, mo, d := tc.day.Date()
				start, err := ParseLocal(tc.day.Format("2006-01-02")+"T01:00", loc)
				if err != nil {
					t.Fatal(err)
				}
				end, err := ParseLocal(tc.day.Format("2006-01-02")+"T04:00", loc)
				if err != nil {
					t.Fatal(err)
				}
				res := e.mustBook(t, m, car, start, end, 1)
				got, err := e.svc.Get(ctx, m, e.ter, res.ID)
				if err != nil {
					t.Fatal(err)
				}
				ls, le := got.Start.In(loc), got.End.In(loc)
				if ls.Hour() != 1 || le.Hour() != 4 || ls.Day() != d || le.Day() != d || ls.Month() != mo || ls.Year() != y {
					t.Fatalf("stored %v-%v, want 01:00-04:00 local on %v", ls, le, tc.day)
				}
				if real := got.End.Sub(got.Start); real != tc.real {
					t.Fatalf("real duration %v, want %v", real, tc.real)
				}
				if w := WallDuration(got.Start, got.End, loc); w != 3*time.Hour {
					t.Fatalf("local duration %v, want 3h", w)
				}
				// The slot is taken over its whole real span, including the
				// hour that exists twice (or at 03:00 just after the jump).
				if _, err := e.book(m, car, local(y, mo, d, 3, 30), local(y, mo, d, 5, 0), 1); keyOf(err) != "err.booking.unavailable" {
					t.Fatalf("overlap after the change: %v", err)
				}
				e.mustBook(t, m, car, end, end.Add(time.Hour), 1)
			})
		}
		if _, err := ParseLocal("2026-03-29T02:30", loc); keyOf(err) != "err.booking.time_nonexistent" {
			t.Fatalf("02:30 on the spring night does not exist: %v", err)
		}
		if got, err := ParseLocal("2026-10-25T02:30", loc); err != nil || got.Format(time.RFC3339) != "2026-10-25T00:30:00Z" {
			t.Fatalf("02:30 on the autumn night is the first one: %v %v", got, err)
		}

		// Opening hours 09:00-18:00 are local, before and after the change.
		room := &Resource{OrganisationID: e.townHall.ID, Kind: KindRoom, Name: "Salle du conseil", Quantity: 1, Capacity: 40,
			Rules: Rules{Hours: map[string][]string{"sat": {"09:00-18:00"}, "sun": {"09:00-18:00"}}, MaxAdvanceDays: 400}}
		if err := e.svc.CreateResource(ctx, e.mayor, e.ter, room); err != nil {
			t.Fatal(err)
		}
		for _, day := range []int{28, 29} { // Saturday in winter time, Sunday in summer time
			e.mustBook(t, m, room, local(2026, 3, day, 9, 0), local(2026, 3, day, 18, 0), 1)
			if _, err := e.book(m, room, local(2026, 3, day, 8, 0), local(2026, 3, day, 9, 0), 1); keyOf(err) != "err.booking.outside_hours" {
				t.Fatalf("08:00 local on the %d: %v", day, err)
			}
		}
		// A week's loan across the change is a week for the rules.
		drill := e.drill(t, 1, Rules{MaxMinutes: 7 * 24 * 60, MaxAdvanceDays: 400})
		e.mustBook(t, m, drill, local(2026, 3, 25, 10, 0), local(2026, 4, 1, 10, 0), 1)
	})
}
