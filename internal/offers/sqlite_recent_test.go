package offers

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestNewestWalkSQLite: newest first within a circle on SQLite (the walk of
// the filter's newest, bounded by a kept floor, and the cells when the
// walk meets too few) gives the answer of a plain query over every
// listing, in order, when the newest rows the walk meets lie just outside
// the circle (inside the flat test's margin: the walk must go on past its
// first LIMIT), when the floor is too close for the circle (the cells
// answer), and after listings were added, paused and expired since the
// floor was kept.
func TestNewestWalkSQLite(t *testing.T) {
	db := storetest.OpenSQLite(t)
	ctx := context.Background()
	e := newEnv(t, db)
	s := e.svc.store.(*SQLStore)
	p := geo.Point{Lat: 45.76, Lon: 4.83}
	const radius = 1000.0
	created := e.clock.now().Add(-24 * time.Hour)
	// at returns a point at about d metres from p, whose distance is
	// within [lo, hi].
	at := func(i int, d, lo, hi float64) geo.Point {
		for k := 0; ; k++ {
			a := float64(i*7+k) * 0.37
			q := geo.Point{Lat: p.Lat + d*math.Cos(a)/metresPerDeg}
			q.Lon = p.Lon + d*math.Sin(a)/(metresPerDeg*math.Cos(q.Lat*math.Pi/180))
			if dist := geo.Distance(p, q); dist >= lo && dist <= hi {
				return q
			}
			if k > 100 {
				t.Fatalf("no point at %.0f m", d)
			}
		}
	}
	// Creation times out of the ids' order, some shared, each block
	// newer than the one before.
	n := 0
	add := func(pos geo.Point, mode Mode, category string) *Listing {
		t.Helper()
		n++
		created := created.Add(time.Duration(n*37%29) * time.Second)
		l := &Listing{TerritoryID: e.ter.ID, OwnerID: 1, Kind: KindOffer, Mode: mode, Title: fmt.Sprintf("Objet %d", n),
			Description: "-", Category: category, Condition: ConditionGood, Quantity: 1, ExactPosition: &pos, Position: pos,
			Status: StatusActive, ExpiresAt: created.Add(30 * 24 * time.Hour), CreatedAt: created, UpdatedAt: created}
		if err := s.InsertListing(ctx, l); err != nil {
			t.Fatal(err)
		}
		return l
	}
	// Oldest first: inside the circle, then (newer) in the flat test's
	// ring, inside again, the ring again; other modes and categories
	// between them.
	for block := range 4 {
		created = created.Add(time.Minute)
		for i := range 40 {
			if block%2 == 1 {
				add(at(n, 1005, radius+0.5, radius*1.01-0.5), ModeGive, "goods_tools")
			} else {
				add(at(n, 100+float64(i)*22, 0, radius), ModeGive, "goods_tools")
			}
			if i%5 == 0 {
				add(at(n, 300, 0, radius), ModeLend, "food")
			}
		}
	}
	// plain returns the page's ids and whether a next page exists.
	plain := func(q Query, now time.Time) ([]int64, bool) {
		t.Helper()
		rows, err := db.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.mode, l.category FROM listings l
			WHERE l.territory_id = ? AND `+s.searchable()+` AND l.expires_at > ? ORDER BY l.created_at DESC, l.id DESC`,
			e.ter.ID, now)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		ids := []int64{}
		for rows.Next() {
			var id int64
			var pt geo.Point
			var mode Mode
			var category string
			if err := rows.Scan(&id, &pt.Lat, &pt.Lon, &mode, &category); err != nil {
				t.Fatal(err)
			}
			if geo.Distance(*q.Near, pt) <= q.RadiusM && (q.Mode == "" || q.Mode == mode) && (q.Category == "" || q.Category == category) {
				ids = append(ids, id)
			}
		}
		return ids[min(q.Offset, len(ids)):min(q.Offset+q.Limit, len(ids))], len(ids) > q.Offset+q.Limit
	}
	check := func(name string, q Query) {
		t.Helper()
		q.Near, q.Sort = &p, SortRecent
		if q.Limit == 0 {
			q.Limit = 20
		}
		res, err := e.svc.Search(ctx, e.anon, e.ter, q)
		if err != nil {
			t.Fatal(err)
		}
		got := hitIDs(res.Items)
		if want, more := plain(q, e.clock.now()); fmt.Sprint(got) != fmt.Sprint(want) || res.More != more {
			t.Fatalf("%s: %+v\n got %v (more: %v)\nwant %v (more: %v)", name, q, got, res.More, want, more)
		}
	}
	queries := []Query{
		{RadiusM: radius, Mode: ModeGive},
		{RadiusM: radius, Mode: ModeGive, Offset: 20},
		{RadiusM: radius},
		{RadiusM: radius * 1.5, Category: "goods_tools", Mode: ModeGive},
		{RadiusM: radius * 1.5, Category: "food"},
		{RadiusM: radius, Mode: ModeLend, Limit: 5},
	}
	// The walk's first LIMIT holds ring rows only: it goes on.
	for i, q := range queries {
		check(fmt.Sprint("walk ", i), q)
	}
	if _, ok, err := s.newestWalkSQLite(ctx, e.ter.ID, Query{Near: &p, RadiusM: radius, Mode: ModeGive}, e.clock.now(), 21); err != nil || !ok {
		t.Fatalf("the walk of the mode's newest: ok %v, %v", ok, err)
	}
	// Floors too close for the circle: the cells answer.
	defer func(n int) { recentScan = n }(recentScan)
	recentScan = 30
	for i, q := range queries {
		check(fmt.Sprint("cells ", i), q)
	}
	if _, ok, err := s.newestWalkSQLite(ctx, e.ter.ID, Query{Near: &p, RadiusM: radius, Mode: ModeGive}, e.clock.now(), 21); err != nil || ok {
		t.Fatalf("a walk of 30 entries found 21 in the circle: ok %v, %v", ok, err)
	}
	// Kept floors, then listings added newer than them, paused, expired.
	recentScan = 100
	for i, q := range queries {
		check(fmt.Sprint("kept ", i), q)
	}
	created = created.Add(time.Minute)
	var fresh []*Listing
	for i := range 12 {
		fresh = append(fresh, add(at(n, 200+float64(i)*50, 0, radius), ModeGive, "goods_tools"))
	}
	if _, err := e.svc.Pause(ctx, e.owner, e.ter, fresh[3].ID); err != nil {
		t.Fatal(err)
	}
	for i, q := range queries {
		check(fmt.Sprint("added ", i), q)
	}
	e.clock.add(40 * 24 * time.Hour) // every listing but the renewed ones expired
	for _, l := range fresh {
		if _, err := e.svc.Renew(ctx, e.owner, e.ter, l.ID); err != nil && l != fresh[3] {
			t.Fatal(err)
		}
	}
	for i, q := range queries {
		check(fmt.Sprint("expired ", i), q)
	}
}

func hitIDs(hits []Hit) []int64 {
	ids := make([]int64, 0, len(hits))
	for _, h := range hits {
		ids = append(ids, h.Listing.ID)
	}
	return ids
}
