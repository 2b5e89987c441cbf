package rdex_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/rdex"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func TestPartners(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ters := territory.NewService(territory.NewSQLStore(db))
		a := &territory.Territory{Slug: "a", Name: "A", BBox: geo.BBox{MinLon: 1, MinLat: 45, MaxLon: 2, MaxLat: 46}}
		if err := ters.Create(ctx, access.SystemActor(), a); err != nil {
			t.Fatal(err)
		}
		svc := rdex.NewPartners(rdex.NewSQLStore(db))
		admin := access.Actor{UserID: 8, Roles: map[int64]access.Role{a.ID: access.Admin}}
		good := func() *rdex.Partner {
			return &rdex.Partner{Name: "Mobicoop", URL: "https://api.mobicoop.example/rdex/", PublicKey: "pub", PrivateKey: "secret", Enabled: true}
		}
		member := access.Actor{UserID: 9, Roles: map[int64]access.Role{a.ID: access.Member}}
		if err := svc.Add(ctx, member, a.ID, good()); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a member added a partner: %v", err)
		}
		for name, edit := range map[string]func(p *rdex.Partner){
			"no name":        func(p *rdex.Partner) { p.Name = " " },
			"not a web URL":  func(p *rdex.Partner) { p.URL = "javascript:alert(1)" },
			"relative URL":   func(p *rdex.Partner) { p.URL = "/rdex" },
			"URL with query": func(p *rdex.Partner) { p.URL = "https://x.example/rdex?k=1" },
			"no public key":  func(p *rdex.Partner) { p.PublicKey = "" },
			"no private key": func(p *rdex.Partner) { p.PrivateKey = "" },
		} {
			p := good()
			edit(p)
			if err := svc.Add(ctx, admin, a.ID, p); !errs.Is(err, errs.Invalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		p := good()
		if err := svc.Add(ctx, admin, a.ID, p); err != nil || p.URL != "https://api.mobicoop.example/rdex" {
			t.Fatalf("add: %+v %v", p, err)
		}
		if err := svc.Add(ctx, admin, a.ID, good()); !errs.Is(err, errs.Conflict) {
			t.Fatalf("twice: %v", err)
		}
		off := good()
		off.Name, off.Enabled = "Off", false
		if err := svc.Add(ctx, admin, a.ID, off); err != nil {
			t.Fatal(err)
		}
		list, err := svc.List(ctx, admin, a.ID)
		if err != nil || len(list) != 2 || list[0].Name != "Mobicoop" || list[0].PrivateKey != "secret" || list[0].Enabled != true || list[1].Enabled {
			t.Fatalf("list: %+v %v", list, err)
		}
		// Keys never go out in JSON.
		if b, _ := json.Marshal(list); strings.Contains(string(b), "secret") || strings.Contains(string(b), "pub") {
			t.Errorf("json shows a key: %s", b)
		}
		if on, err := svc.Enabled(ctx, a.ID); err != nil || len(on) != 1 || on[0].Name != "Mobicoop" {
			t.Fatalf("enabled: %+v %v", on, err)
		}
		// Get reads one partner by id, in its own territory only.
		b := &territory.Territory{Slug: "b", Name: "B", BBox: geo.BBox{MinLon: 3, MinLat: 45, MaxLon: 4, MaxLat: 46}}
		if err := ters.Create(ctx, access.SystemActor(), b); err != nil {
			t.Fatal(err)
		}
		adminB := access.Actor{UserID: 10, Roles: map[int64]access.Role{b.ID: access.Admin}}
		if got, err := svc.Get(ctx, admin, a.ID, p.ID); err != nil || got.Name != "Mobicoop" || got.URL != p.URL || got.PrivateKey != "secret" || !got.Enabled {
			t.Fatalf("get: %+v %v", got, err)
		}
		if _, err := svc.Get(ctx, adminB, b.ID, p.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("another territory's partner: %v", err)
		}
		if _, err := svc.Get(ctx, adminB, a.ID, p.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("another territory's administrator: %v", err)
		}
		if _, err := svc.Get(ctx, member, a.ID, p.ID); !errs.Is(err, errs.Forbidden) {
			t.Fatalf("a member: %v", err)
		}
		if _, err := svc.Get(ctx, admin, a.ID, p.ID+1000); !errs.Is(err, errs.NotFound) {
			t.Fatalf("no such partner: %v", err)
		}
		if err := svc.Remove(ctx, admin, a.ID, "Mobicoop"); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Get(ctx, admin, a.ID, p.ID); !errs.Is(err, errs.NotFound) {
			t.Fatalf("a removed partner: %v", err)
		}
		if err := svc.Remove(ctx, admin, a.ID, "Mobicoop"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("remove twice: %v", err)
		}
	})
}

// What we send a partner is what our own handler accepts: signed as RDEX
// defines, timestamp first, points rounded.
func TestSignedURL(t *testing.T) {
	p := &rdex.Partner{URL: "https://partner.example/rdex", PublicKey: "pub key", PrivateKey: "secret"}
	paris, _ := time.LoadLocation("Europe/Paris")
	s := rdex.PartnerSearch{Drivers: true, From: rdex.Point{Lat: 45.188, Lon: 5.724}, To: rdex.Point{Lat: 45.166, Lon: 5.744},
		Day: time.Date(2026, 12, 1, 0, 0, 0, 0, paris), MinTime: 7 * time.Hour, MaxTime: 9*time.Hour + 30*time.Minute}
	u := rdex.SignedURL(p, s, time.Unix(1_800_000_000, 0))
	if !strings.HasPrefix(u, "https://partner.example/rdex/journeys?timestamp=1800000000&apikey=pub+key&") {
		t.Fatalf("url %s", u)
	}
	req := httptest.NewRequest("GET", u, nil)
	if !rdex.VerifyRequest(req, "https://partner.example", "secret") || rdex.VerifyRequest(req, "https://partner.example", "other") {
		t.Fatalf("signature of %s", u)
	}
	q, err := rdex.ParseQuery(req.URL.Query())
	if err != nil || !q.Driver || q.Passenger || q.From.Lat != 45.188 || q.Outward.MinDate.Format(time.DateOnly) != "2026-12-01" ||
		q.Outward.Times[time.Tuesday].Max != 9*time.Hour+30*time.Minute {
		t.Fatalf("query %+v %v", q, err)
	}
}
