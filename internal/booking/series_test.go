package booking

import (
	"context"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestWeeklySeries: a room booked every Tuesday 18:00-20:00 local for six
// weeks across the autumn clock change (25 October 2026 in Europe/Paris)
// keeps 18:00 local: 16:00 UTC before, 17:00 UTC after. The week somebody
// else holds and the week the building is closed are refused with their
// reason; the others are booked and share a series id.
func TestWeeklySeries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		room := &Resource{OrganisationID: e.townHall.ID, Kind: KindRoom, Name: "Salle des fêtes", Quantity: 1, Capacity: 80,
			Rules: Rules{Hours: map[string][]string{"tue": {"08:00-22:00"}},
				Closures: []Closure{{From: "2026-11-03", To: "2026-11-03", Note: "Élections"}}}}
		if err := e.svc.CreateResource(ctx, e.mayor, e.ter, room); err != nil {
			t.Fatal(err)
		}
		other, club := e.member(t), e.member(t)
		e.mustBook(t, other, room, local(2026, 10, 20, 19, 0), local(2026, 10, 20, 21, 0), 1)

		res, err := e.svc.BookSeries(ctx, club, e.ter, SeriesRequest{Weeks: 6,
			Request: Request{ResourceID: room.ID, Start: local(2026, 10, 13, 18, 0), End: local(2026, 10, 13, 20, 0), Note: "Chorale"}})
		if err != nil {
			t.Fatal(err)
		}
		var booked []string
		for _, r := range res.Booked {
			booked = append(booked, r.Start.Format(time.RFC3339)+" "+r.End.Format("15:04"))
			if r.SeriesID != res.SeriesID || r.SeriesID == 0 {
				t.Errorf("reservation %d: series %d, want %d", r.ID, r.SeriesID, res.SeriesID)
			}
		}
		want := []string{"2026-10-13T16:00:00Z 18:00", "2026-10-27T17:00:00Z 19:00", "2026-11-10T17:00:00Z 19:00", "2026-11-17T17:00:00Z 19:00"}
		if len(booked) != len(want) {
			t.Fatalf("booked %v, want %v", booked, want)
		}
		for i := range want {
			if booked[i] != want[i] {
				t.Errorf("occurrence %d: %s, want %s", i, booked[i], want[i])
			}
		}
		refused := map[string]string{}
		for _, r := range res.Refused {
			refused[r.Start.In(e.ter.Location()).Format("2006-01-02 15:04")] = r.Key
		}
		if len(refused) != 2 || refused["2026-10-20 18:00"] != "err.booking.unavailable" || refused["2026-11-03 18:00"] != "err.booking.closed" {
			t.Errorf("refused %v", refused)
		}
		stored, err := e.svc.Get(ctx, club, e.ter, res.Booked[3].ID)
		if err != nil || stored.SeriesID != res.SeriesID {
			t.Fatalf("stored series %+v %v", stored, err)
		}

		// Cancelling the second occurrence and the later ones leaves the first.
		if r, n, err := e.svc.CancelSeries(ctx, club, e.ter, res.Booked[1].ID); err != nil || n != 3 || r.Status != StatusCancelled {
			t.Fatalf("cancel series: %d %v %v", n, r, err)
		}
		for i, b := range res.Booked {
			got, err := e.svc.Get(ctx, club, e.ter, b.ID)
			if want := map[bool]Status{true: StatusConfirmed, false: StatusCancelled}[i == 0]; err != nil || got.Status != want {
				t.Errorf("occurrence %d: %v %v, want %s", i, got.Status, err, want)
			}
		}
		if _, _, err := e.svc.CancelSeries(ctx, other, e.ter, res.Booked[0].ID); err == nil {
			t.Error("another member cancels the series")
		}

		// Until a date, and the limits.
		res, err = e.svc.BookSeries(ctx, club, e.ter, SeriesRequest{Until: local(2026, 12, 8, 0, 0),
			Request: Request{ResourceID: room.ID, Start: local(2026, 11, 24, 8, 0), End: local(2026, 11, 24, 9, 0)}})
		if err != nil || len(res.Booked) != 3 || len(res.Refused) != 0 {
			t.Fatalf("until: %+v %v", res, err)
		}
		for _, bad := range []SeriesRequest{{Weeks: MaxOccurrences + 1}, {}, {Weeks: 2, Until: local(2026, 12, 1, 0, 0)}} {
			bad.Request = Request{ResourceID: room.ID, Start: local(2027, 1, 5, 8, 0), End: local(2027, 1, 5, 9, 0)}
			if bad.Weeks == 2 {
				bad.End = bad.Start
			}
			if _, err := e.svc.BookSeries(ctx, club, e.ter, bad); keyOf(err) == "" || keyOf(err)[:8] == "internal" {
				t.Errorf("%+v: %v", bad, err)
			}
		}
	})
}

// TestSeriesSpringGap: a weekly 02:30 does not exist on 29 March 2026; that
// week is refused as such, the others keep 02:30 local.
func TestSeriesSpringGap(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		car := &Resource{OrganisationID: e.townHall.ID, Kind: KindVehicle, Name: "Zoé", Station: "Gare", Quantity: 1}
		if err := e.svc.CreateResource(context.Background(), e.mayor, e.ter, car); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.BookSeries(context.Background(), e.member(t), e.ter, SeriesRequest{Weeks: 3,
			Request: Request{ResourceID: car.ID, Start: local(2026, 3, 22, 2, 30), End: local(2026, 3, 22, 5, 0)}})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Booked) != 2 || len(res.Refused) != 1 || res.Refused[0].Key != "err.booking.time_nonexistent" {
			t.Fatalf("%+v", res)
		}
		if got := res.Booked[1].Start.In(e.ter.Location()).Format("2006-01-02 15:04"); got != "2026-04-05 02:30" {
			t.Errorf("after the gap: %s", got)
		}
	})
}
