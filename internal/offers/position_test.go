package offers

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func TestApproximatePosition(t *testing.T) {
	// Properties over many owners and places: 200-500 m away, 4 decimals,
	// the same for the same owner and place, different across owners.
	for i := range 2000 {
		exact := geo.Point{Lat: 45.70 + float64(i%97)*0.001, Lon: 4.78 + float64(i%89)*0.0013}
		owner := int64(i)
		p := approximate(testSecret, owner, exact)
		d := geo.Distance(exact, p)
		if d < 200 || d > 500 {
			t.Fatalf("owner %d: %.1f m from the exact position", owner, d)
		}
		if p.Lat != round4(p.Lat) || p.Lon != round4(p.Lon) {
			t.Fatalf("not snapped: %v", p)
		}
		if approximate(testSecret, owner, exact) != p {
			t.Fatal("not stable")
		}
		if approximate([]byte("another secret, another offset"), owner, exact) == p {
			t.Fatal("the secret does not matter")
		}
	}
}

func TestPositionStability(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		l := e.create(t, e.owner, sample("Perceuse", 45.7612345, 4.8323456))
		pub := l.Position
		if d := geo.Distance(*l.ExactPosition, pub); d < 200 || d > 500 {
			t.Fatalf("%.0f m", d)
		}
		// Two listings of the same owner from the same place share their
		// public point: nothing to average.
		l2 := e.create(t, e.owner, sample("Marteau", 45.7612345, 4.8323456))
		if l2.Position != pub {
			t.Fatalf("second listing from home at %v, first at %v", l2.Position, pub)
		}
		for range 3 {
			got, _ := e.svc.Get(ctx, e.member, e.ter, l.ID)
			if got.Position != pub {
				t.Fatal("public position changed across reads")
			}
		}
		ch := *l
		ch.ExactPosition, ch.Title, ch.Mode, ch.PriceCents = nil, "Perceuse Bosch", ModeRent, 500
		if err := e.svc.Update(ctx, e.owner, e.ter, &ch); err != nil || ch.Position != pub {
			t.Fatalf("update of other fields moved it: %v %v", ch.Position, err)
		}
		if _, err := e.svc.Renew(ctx, e.owner, e.ter, l.ID); err != nil {
			t.Fatal(err)
		}
		ch.ExactPosition = &geo.Point{Lat: 45.7512345, Lon: 4.8123456} // the owner moved
		if err := e.svc.Update(ctx, e.owner, e.ter, &ch); err != nil {
			t.Fatal(err)
		}
		if ch.Position == pub {
			t.Fatal("moving the exact position kept the public one")
		}
		if d := geo.Distance(*ch.ExactPosition, ch.Position); d < 200 || d > 500 {
			t.Fatalf("moved: %.0f m", d)
		}
	})
}

// TestExactPositionNeverLeaks: the exact coordinates appear in no struct or
// JSON that someone other than the owner gets, in no search result and in
// no log line.
func TestExactPositionNeverLeaks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		exact := geo.Point{Lat: 45.7612345, Lon: 4.8323456}
		secrets := []string{strconv.FormatFloat(exact.Lat, 'f', -1, 64), strconv.FormatFloat(exact.Lon, 'f', -1, 64), "45.76123", "4.83234"}
		leaks := func(what string, v any) {
			t.Helper()
			js, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			text := string(js) + fmt.Sprintf("%+v %#v", v, v)
			for _, s := range secrets {
				if strings.Contains(text, s) {
					t.Fatalf("%s shows the exact position (%s): %s", what, s, js)
				}
			}
		}
		l := sample("Perceuse", exact.Lat, exact.Lon)
		l.Photos = []media.Photo{photo(1)}
		e.create(t, e.owner, l)
		own, err := e.svc.Get(ctx, e.owner, e.ter, l.ID)
		if err != nil || own.ExactPosition == nil || *own.ExactPosition != exact {
			t.Fatalf("the owner gets the exact position: %+v %v", own, err)
		}
		for _, r := range roles {
			if r.name == "owner" {
				continue
			}
			got, err := e.svc.Get(ctx, r.actor(e), e.ter, l.ID)
			if err != nil {
				t.Fatal(err)
			}
			leaks("get as "+r.name, got)
			leaks("search as "+r.name, must(e.svc.Search(ctx, r.actor(e), e.ter, Query{Near: &geo.Point{Lat: 45.76, Lon: 4.83}, Text: "perceuse"})))
			leaks("recent as "+r.name, must(e.svc.Search(ctx, r.actor(e), e.ter, Query{})))
			leaks("circle as "+r.name, must(e.svc.Search(ctx, r.actor(e), e.ter, Query{Near: &exact, RadiusM: 2000, Sort: SortRecent})))
		}
		ex, err := e.svc.Propose(ctx, e.member, e.ter, l.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		leaks("exchange", ex)
		leaks("my exchanges", must(e.svc.MyExchanges(ctx, e.member, e.ter)))
		if err := e.svc.Hide(ctx, e.moderator, e.ter, l.ID, "vérification"); err != nil {
			t.Fatal(err)
		}
		mod, _ := e.svc.Get(ctx, e.moderator, e.ter, l.ID)
		leaks("moderator's read of a hidden listing", mod)
		leaks("moderation queue", must(e.svc.ModerationQueue(ctx, e.moderator, e.ter)))
		leaks("stats", must(e.svc.Stats(ctx, e.anon, e.ter)))
		// The owner's own updates log no position either.
		ch := *own
		ch.ExactPosition = &geo.Point{Lat: 45.7512345, Lon: 4.8123456}
		_ = e.svc.Update(ctx, e.owner, e.ter, &ch)
		secrets = append(secrets, "45.7512345", "4.8123456")
		logs := e.logs.String()
		if !strings.Contains(logs, "listing created") {
			t.Fatalf("nothing logged: %q", logs)
		}
		for _, s := range secrets {
			if strings.Contains(logs, s) {
				t.Fatalf("a log line shows the exact position: %s", logs)
			}
		}
	})
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
