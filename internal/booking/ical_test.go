package booking

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestFeeds reads both feeds back with go-ical's decoder: events, local
// times with their TZID, a VTIMEZONE covering the change of 29 March, and
// no names in the public feed.
func TestFeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		drill := e.drill(t, 2, Rules{})
		m := e.member(t)
		e.mustBook(t, m, drill, local(2026, 3, 28, 10, 0), local(2026, 3, 30, 10, 0), 1)
		e.mustBook(t, e.clerk, drill, local(2026, 3, 16, 9, 0), local(2026, 3, 16, 11, 30), 2)
		e.mustBook(t, m, e.drill(t, 1, Rules{}), local(2026, 4, 2, 14, 0), local(2026, 4, 2, 16, 0), 1)

		data, err := e.svc.ResourceFeed(ctx, e.anon, e.ter, drill.ID, "fr")
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("Membre")) || bytes.Contains(data, []byte(m.Email)) {
			t.Fatalf("public feed names a member:\n%s", data)
		}
		cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
		if err != nil {
			t.Fatalf("decode: %v\n%s", err, data)
		}
		events := cal.Events()
		if len(events) != 2 {
			t.Fatalf("%d events, want 2", len(events))
		}

		start, err := events[0].DateTimeStart(nil)
		if err != nil {
			t.Fatal(err)
		}
		end, err := events[0].DateTimeEnd(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !start.Equal(local(2026, 3, 16, 9, 0)) || !end.Equal(local(2026, 3, 16, 11, 30)) || start.Location().String() != "Europe/Paris" {
			t.Fatalf("first event %v - %v", start, end)
		}
		if tzid := events[0].Props.Get(ical.PropDateTimeStart).Params.Get(ical.PropTimezoneID); tzid != "Europe/Paris" {
			t.Fatalf("TZID %q", tzid)
		}
		if s := events[0].Props.Get(ical.PropSummary).Value; s != "Réservé (2/2)" {
			t.Fatalf("summary %q", s)
		}
		// Across the change: 28 March 10:00 CET to 30 March 10:00 CEST.
		s2, _ := events[1].DateTimeStart(nil)
		e2, _ := events[1].DateTimeEnd(nil)
		if !s2.Equal(local(2026, 3, 28, 10, 0)) || !e2.Equal(local(2026, 3, 30, 10, 0)) || e2.Sub(s2) != 47*time.Hour {
			t.Fatalf("second event %v - %v", s2, e2)
		}
		var tz *ical.Component
		for _, c := range cal.Children {
			if c.Name == ical.CompTimezone {
				tz = c
			}
		}
		if tz == nil || tz.Props.Get(ical.PropTimezoneID).Value != "Europe/Paris" {
			t.Fatal("no VTIMEZONE for Europe/Paris")
		}
		found := false
		for _, c := range tz.Children {
			if c.Name == ical.CompTimezoneDaylight && c.Props.Get(ical.PropDateTimeStart).Value == "20260329T020000" &&
				c.Props.Get(ical.PropTimezoneOffsetFrom).Value == "+0100" && c.Props.Get(ical.PropTimezoneOffsetTo).Value == "+0200" {
				found = true
			}
		}
		if !found {
			t.Fatalf("no daylight observance on 29 March 2026:\n%s", data)
		}

		// The member's feed: only their own, behind the token.
		if _, err := e.svc.FeedToken(ctx, e.anon, e.ter); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("anonymous token: %v", err)
		}
		tok, err := e.svc.FeedToken(ctx, m, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := e.svc.FeedToken(ctx, m, e.ter); again != tok {
			t.Fatal("token changes on every call")
		}
		data, err = e.svc.MemberFeed(ctx, e.ter, tok)
		if err != nil {
			t.Fatal(err)
		}
		cal, err = ical.NewDecoder(bytes.NewReader(data)).Decode()
		if err != nil {
			t.Fatal(err)
		}
		if n := len(cal.Events()); n != 2 {
			t.Fatalf("member feed has %d events, want 2", n)
		}
		for _, ev := range cal.Events() {
			if !strings.HasPrefix(ev.Props.Get(ical.PropSummary).Value, "Perceuse") {
				t.Fatalf("member feed summary %q", ev.Props.Get(ical.PropSummary).Value)
			}
		}
		if _, err := e.svc.MemberFeed(ctx, e.other, tok); !errs.Is(err, errs.NotFound) {
			t.Fatalf("token in another territory: %v", err)
		}
		fresh, err := e.svc.ResetFeedToken(ctx, m, e.ter)
		if err != nil || fresh == tok {
			t.Fatal(err)
		}
		if _, err := e.svc.MemberFeed(ctx, e.ter, tok); !errs.Is(err, errs.NotFound) {
			t.Fatalf("old token still works: %v", err)
		}
	})
}
