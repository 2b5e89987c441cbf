package rdex

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
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

type fixedPartners []*Partner

func (f fixedPartners) Enabled(context.Context, int64) ([]*Partner, error) { return f, nil }

// TestHealth: a failure is kept with its time, its error and the end of
// its backoff, shown to administrators until the partner answers again.
func TestHealth(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			http.Error(w, "maintenance <b>tonight</b>", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte("[]"))
	}))
	defer ts.Close()
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	a := NewAsker(nil, AskerOptions{Now: func() time.Time { return now }, Backoff: 30 * time.Second})
	p := &Partner{ID: 7, Name: "Down", URL: ts.URL, PublicKey: "k", PrivateKey: "s"}
	a.partners = fixedPartners{p}
	s := PartnerSearch{Drivers: true, Day: now, MaxTime: time.Hour}
	if h := a.Health(7); h != (PartnerHealth{}) {
		t.Fatalf("health before any asking: %+v", h)
	}
	a.Start(context.Background(), s)()
	h := a.Health(7)
	if !h.FailedAt.Equal(now) || !h.SkipUntil.Equal(now.Add(30*time.Second)) || !strings.Contains(h.Err, "status 503") {
		t.Fatalf("health after a failure: %+v", h)
	}
	fail.Store(false)
	now = now.Add(31 * time.Second)
	a.Start(context.Background(), s)()
	if h := a.Health(7); h != (PartnerHealth{}) {
		t.Fatalf("health after an answer: %+v", h)
	}
}
