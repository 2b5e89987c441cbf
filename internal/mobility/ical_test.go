package mobility

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-ical"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// TestFeedTokenReset: a member's calendar address stays the same until
// they replace it; then only the new one works, another member's token
// never does, and 100 replacements at once leave one working address.
func TestFeedTokenReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.svc = NewService(NewSQLStore(db), territory.NewService(territory.NewSQLStore(db)), nil, slog.New(slog.DiscardHandler),
			e.clock.now, Options{FeedSecret: []byte("test-secret")})
		e.publish(t, defaultTrip(e))
		if _, err := e.svc.FeedToken(ctx, access.Actor{}, e.ter); !errs.Is(err, errs.Unauthenticated) {
			t.Fatalf("anonymous token: %v", err)
		}
		first, err := e.svc.FeedToken(ctx, e.driver, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := e.svc.FeedToken(ctx, e.driver, e.ter); again != first || strings.Count(first, ".") != 1 {
			t.Fatalf("token %q then %q", first, again)
		}
		if data, err := e.svc.MemberFeed(ctx, e.ter, first); err != nil || !strings.Contains(string(data), "BEGIN:VEVENT") {
			t.Fatalf("feed: %v %s", err, data)
		}
		fresh, err := e.svc.ResetFeedToken(ctx, e.driver, e.ter)
		if err != nil || fresh == first {
			t.Fatalf("reset: %v %q", err, fresh)
		}
		if _, err := e.svc.MemberFeed(ctx, e.ter, first); !errs.Is(err, errs.NotFound) {
			t.Fatalf("old token after reset: %v", err)
		}
		if _, err := e.svc.MemberFeed(ctx, e.ter, fresh); err != nil {
			t.Fatalf("new token: %v", err)
		}
		if got, _ := e.svc.FeedToken(ctx, e.driver, e.ter); got != fresh {
			t.Fatalf("token after reset %q, want %q", got, fresh)
		}
		// A generation forged without the secret, or another member's id.
		other := e.member(t)
		id, rest, _ := strings.Cut(fresh, ".")
		for _, bad := range []string{id + ".2." + rest[strings.Index(rest, ".")+1:], "9999." + rest, strings.Replace(fresh, id, "x", 1)} {
			if _, err := e.svc.MemberFeed(ctx, e.ter, bad); !errs.Is(err, errs.NotFound) {
				t.Fatalf("forged %q: %v", bad, err)
			}
		}
		if tok, _ := e.svc.FeedToken(ctx, other, e.ter); tok == fresh {
			t.Fatal("two members share a token")
		}
		var wg sync.WaitGroup
		toks := make(chan string, 100)
		for range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				tok, err := e.svc.ResetFeedToken(ctx, e.driver, e.ter)
				if err != nil {
					t.Error(err)
				}
				toks <- tok
			}()
		}
		wg.Wait()
		close(toks)
		seen, working := map[string]bool{}, 0
		for tok := range toks {
			seen[tok] = true
			if _, err := e.svc.MemberFeed(ctx, e.ter, tok); err == nil {
				working++
			}
		}
		if len(seen) != 100 || working != 1 {
			t.Fatalf("100 resets: %d distinct, %d working", len(seen), working)
		}
	})
}

// TestFeedContent reads the driver's feed back with go-ical's decoder: each
// departure at its instant, written in the territory's zone with a
// VTIMEZONE; a member with nothing to show gets a valid empty calendar
// (go-ical's encoder refused an empty one, which answered 500).
func TestFeedContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		e.svc = NewService(NewSQLStore(db), territory.NewService(territory.NewSQLStore(db)), nil, slog.New(slog.DiscardHandler),
			e.clock.now, Options{FeedSecret: []byte("test-secret")})
		tr := e.publish(t, defaultTrip(e))
		occs, err := e.svc.store.Occurrences(ctx, e.ter.ID, tr.ID, e.clock.now().Add(-feedPast), 200)
		if err != nil || len(occs) == 0 {
			t.Fatalf("occurrences: %v %v", occs, err)
		}
		tok, err := e.svc.FeedToken(ctx, e.driver, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		data, err := e.svc.MemberFeed(ctx, e.ter, tok)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
		if err != nil {
			t.Fatalf("decode: %v\n%s", err, data)
		}
		events := cal.Events()
		if len(events) == 0 {
			t.Fatalf("no events:\n%s", data)
		}
		zone := e.ter.Location().String()
		start, err := events[0].DateTimeStart(nil)
		if err != nil || !start.Equal(occs[0].DepartsAt) {
			t.Fatalf("first departure %v (%v), want %v", start, err, occs[0].DepartsAt)
		}
		if tzid := events[0].Props.Get(ical.PropDateTimeStart).Params.Get(ical.PropTimezoneID); zone != "UTC" && tzid != zone {
			t.Fatalf("TZID %q, want %q", tzid, zone)
		}
		if summary, _ := events[0].Props.Text(ical.PropSummary); !strings.Contains(summary, tr.From.Label) {
			t.Fatalf("summary %q", summary)
		}

		other := e.member(t)
		tok, err = e.svc.FeedToken(ctx, other, e.ter)
		if err != nil {
			t.Fatal(err)
		}
		data, err = e.svc.MemberFeed(ctx, e.ter, tok)
		if err != nil {
			t.Fatalf("empty feed: %v", err)
		}
		if cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode(); err != nil || len(cal.Events()) != 0 {
			t.Fatalf("empty feed: %v\n%s", err, data)
		}
	})
}
