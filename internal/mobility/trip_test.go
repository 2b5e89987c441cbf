package mobility

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestPublishValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		past := e.clock.now().Add(-time.Hour)
		cases := []struct {
			name string
			edit func(tr *Trip)
			key  string
		}{
			{"ok", func(tr *Trip) {}, ""},
			{"destination equals origin", func(tr *Trip) { tr.To = tr.From }, "err.mobility.same_place"},
			{"departure in the past", func(tr *Trip) { tr.Departure = &past }, "err.mobility.departure_past"},
			{"zero seats", func(tr *Trip) { tr.Seats = 0 }, "err.mobility.seats_range"},
			{"origin outside the territory", func(tr *Trip) { tr.From = paris }, "err.outside_territory"},
			{"no destination", func(tr *Trip) { tr.To = noWhere }, "err.mobility.place_required"},
			{"no departure", func(tr *Trip) { tr.Departure = nil }, "err.mobility.departure_required"},
			{"cash without amount", func(tr *Trip) { tr.Contribution = Contribution{Kind: ContributionCash} }, "err.mobility.amount_range"},
			{"weekly without days", func(tr *Trip) {
				tr.Departure, tr.Weekly = nil, &Weekly{Time: "07:40", From: "2026-03-23"}
			}, "err.mobility.days_required"},
			{"weekly bad time", func(tr *Trip) {
				tr.Departure, tr.Weekly = nil, &Weekly{Days: Days{time.Monday}, Time: "7h40", From: "2026-03-23"}
			}, "err.mobility.time_format"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				tr := defaultTrip(e)
				tc.edit(tr)
				err := e.svc.Publish(context.Background(), e.driver, e.ter, tr)
				if got := keyOf(err); got != tc.key {
					t.Fatalf("got %q, want %q", got, tc.key)
				}
			})
		}
	})
}

// A weekly commute at 7:40 (back at 17:30) stays at 7:40 local time across
// both daylight-saving changes of 2026 in Paris; only its UTC instant moves.
func TestWeeklyScheduleSurvivesDST(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for _, tc := range []struct {
			name          string
			now           time.Time
			from, until   string
			before, after string // a weekday before and after the change
			utcBefore     int    // UTC hour of 7:40 before the change
			utcAfter      int
		}{
			{"spring", local(2026, 3, 20, 10, 0), "2026-03-23", "2026-04-03", "2026-03-27", "2026-03-30", 6, 5},
			{"autumn", local(2026, 10, 16, 10, 0), "2026-10-19", "2026-10-30", "2026-10-23", "2026-10-26", 5, 6},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e.clock.set(tc.now.UTC())
				tr := e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: 2, Weekly: &Weekly{
					Days: Days{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
					Time: "07:40", Return: "17:30", From: tc.from, Until: tc.until}})
				v, err := e.svc.Trip(ctx, e.driver, e.ter, tr.ID)
				if err != nil {
					t.Fatal(err)
				}
				if len(v.Occurrences) != 20 { // 10 weekdays, there and back
					t.Fatalf("%d occurrences, want 20", len(v.Occurrences))
				}
				for _, o := range v.Occurrences {
					want := "07:40"
					if o.Return {
						want = "17:30"
					}
					if o.LocalTime != want || o.Zone != "Europe/Paris" {
						t.Errorf("%s: local %s %s, want %s Europe/Paris", o.LocalDate, o.LocalTime, o.Zone, want)
					}
					if got := o.DepartsAt.In(e.ter.Location()).Format("15:04"); got != want {
						t.Errorf("%s: departs at %s local, want %s", o.LocalDate, got, want)
					}
					if o.Return {
						continue
					}
					switch o.LocalDate {
					case tc.before:
						if o.DepartsAt.Hour() != tc.utcBefore || o.DepartsAt.Minute() != 40 {
							t.Errorf("%s: %v UTC, want %d:40", o.LocalDate, o.DepartsAt, tc.utcBefore)
						}
					case tc.after:
						if o.DepartsAt.Hour() != tc.utcAfter {
							t.Errorf("%s: %v UTC, want %d:40", o.LocalDate, o.DepartsAt, tc.utcAfter)
						}
					}
				}
			})
		}
	})
}

// The horizon job materialises weekly schedules as time passes, once.
func TestExtendHorizon(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		tr := e.publish(t, &Trip{From: bellecour, To: vaulxEnVel, Seats: 2, Weekly: &Weekly{
			Days: Days{time.Monday}, Time: "07:40", From: "2026-03-23"}})
		count := func() int {
			occs, err := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, time.Time{}, 1000)
			if err != nil {
				t.Fatal(err)
			}
			return len(occs)
		}
		if n := count(); n != 8 {
			t.Fatalf("%d Mondays within 8 weeks, want 8", n)
		}
		if n, err := e.svc.ExtendHorizon(ctx); err != nil || n != 0 {
			t.Fatalf("extend at once: %d, %v", n, err)
		}
		e.clock.set(e.clock.now().Add(21 * 24 * time.Hour))
		if n, err := e.svc.ExtendHorizon(ctx); err != nil || n != 3 {
			t.Fatalf("extend after 3 weeks: %d, %v; want 3", n, err)
		}
		if n, err := e.svc.ExtendHorizon(ctx); err != nil || n != 0 {
			t.Fatalf("extend again: %d, %v", n, err)
		}
		if n := count(); n != 11 {
			t.Fatalf("%d occurrences, want 11", n)
		}
	})
}
