package rdex

import (
	"testing"
	"time"
)

func TestPartnerJourney(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	p := &Partner{Name: "Covoit"}
	day := time.Date(2026, 12, 2, 0, 0, 0, 0, paris) // a Wednesday
	price := 2.5
	j := &Journey{URL: "https://partner.example/trip/1", From: Place{City: "Grenoble", Address: "1 rue X"}, To: Place{Address: "Meylan"},
		Driver: &Person{Seats: 2}, Cost: &Cost{Fixed: &price}, Frequency: Regular,
		Outward: Schedule{MinDate: "2026-11-01", MaxDate: "2027-01-31"}}
	j.Outward.SetDay(time.Monday, 7*time.Hour+40*time.Minute, 7*time.Hour+40*time.Minute)
	j.Outward.SetDay(time.Friday, 8*time.Hour, 8*time.Hour)
	got, ok := partnerJourney(p, j, day, paris)
	want := time.Date(2026, 12, 4, 8, 0, 0, 0, paris) // the Friday after
	if !ok || got.Partner != "Covoit" || got.From != "Grenoble" || got.To != "Meylan" || got.Seats != 2 || *got.Price != 2.5 ||
		got.Departure == nil || !got.Departure.Equal(want) || got.Frequency != Regular {
		t.Fatalf("journey %+v", got)
	}
	for _, bad := range []string{"javascript:alert(1)", "data:text/html,x", "/relative", "https://"} {
		j.URL = bad
		if _, ok := partnerJourney(p, j, day, paris); ok {
			t.Errorf("link %q kept", bad)
		}
	}
	// A schedule that says nothing usable: no departure, still shown.
	j.URL, j.Outward = "http://partner.example/2", Schedule{MinDate: "soon"}
	if got, ok := partnerJourney(p, j, day, paris); !ok || got.Departure != nil {
		t.Errorf("no schedule: %+v", got)
	}
}
