package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/booking"
)

// TestWeeklySeriesPagesAndAPI: a member books a weekly series from the
// form and sees which weeks were booked and which refused; the API books
// another, answers 201 with both lists, and 409 when nothing is free.
func TestWeeklySeriesPagesAndAPI(t *testing.T) {
	e := newTestEnv(t, nil)
	ctx := context.Background()
	a, tokA, actor, org := e.runsOrg(t, "a@example.org", "Maison des associations")
	_, tokB := e.member("b@example.org", access.Member)
	room := &booking.Resource{OrganisationID: org.ID, Kind: booking.KindRoom, Name: "Salle 1", Quantity: 1}
	if err := e.booking.CreateResource(ctx, actor, e.ter, room); err != nil {
		t.Fatal(err)
	}
	loc := e.ter.Location()
	first := nextSaturday(time.Now(), 18)
	// Somebody already holds the second week.
	if _, err := e.booking.Book(ctx, actor, e.ter, booking.Request{ResourceID: room.ID, Start: first.AddDate(0, 0, 7),
		End: first.AddDate(0, 0, 7).Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	page := fmt.Sprintf("/t/test/resources/%d", room.ID)
	resp := e.form(a, page+"/book?lang=en", url.Values{"start": {first.In(loc).Format(localLayout)},
		"end": {first.Add(2 * time.Hour).In(loc).Format(localLayout)}, "repeat": {"weekly"}, "weeks": {"3"}})
	body := readBody(resp)
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `id="series-result"`) ||
		!strings.Contains(body, "2 session(s) booked, 1 refused") || !strings.Contains(body, "This slot is no longer available.") {
		t.Fatalf("series form: %d %s", resp.StatusCode, body)
	}

	path := fmt.Sprintf("/api/v1/resources/%d/reservations/series", room.ID)
	later := first.AddDate(0, 0, 28)
	in := map[string]any{"start": later.Format(time.RFC3339), "end": later.Add(time.Hour).Format(time.RFC3339),
		"until": later.AddDate(0, 0, 14).In(loc).Format(time.DateOnly)}
	type result struct {
		SeriesID int64 `json:"series_id"`
		Booked   []struct {
			ID       int64 `json:"id"`
			SeriesID int64 `json:"series_id"`
		} `json:"booked"`
		Refused []struct {
			Code, Message string
		} `json:"refused"`
	}
	resp = e.do(nil, "POST", path, tokB, in)
	out := decode[result](t, resp)
	if resp.StatusCode != http.StatusCreated || out.SeriesID == 0 || len(out.Booked) != 3 || out.Booked[2].SeriesID != out.SeriesID {
		t.Fatalf("API series: %d %+v", resp.StatusCode, out)
	}
	cancel := fmt.Sprintf("/api/v1/reservations/%d/cancel-series", out.Booked[1].ID)
	_, tokC := e.member("c@example.org", access.Member)
	if resp := e.do(nil, "POST", cancel, tokC, nil); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another member cancels B's series: %d", resp.StatusCode)
	}
	if resp := e.do(nil, "POST", cancel, tokB, nil); resp.StatusCode != http.StatusOK || !strings.Contains(readBody(resp), `"status":"cancelled"`) {
		t.Fatalf("cancel series: %d", resp.StatusCode)
	}
	in["until"] = later.In(loc).Format(time.DateOnly) // the first week only: B still holds it
	resp = e.do(nil, "POST", path, tokA, in)
	out = decode[result](t, resp)
	if resp.StatusCode != http.StatusConflict || len(out.Refused) != 1 || out.Refused[0].Code != "err.booking.unavailable" || out.Refused[0].Message == "" {
		t.Fatalf("API series taken: %d %+v", resp.StatusCode, out)
	}
	mine := readBody(e.get(a, "/t/test/reservations"))
	if !strings.Contains(mine, `value="cancel-series"`) {
		t.Error("no way to cancel the series on my reservations")
	}
	if resp := e.do(nil, "POST", path, tokA, map[string]any{"start": later.Format(time.RFC3339),
		"end": later.Add(time.Hour).Format(time.RFC3339), "weeks": 99}); resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("99 weeks: %d", resp.StatusCode)
	}
}
