package directory

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// bruteNearest is the reference: every point, planar distance at p.
func bruteNearest(pts []IndexedPoint, p geo.Point, k int) []candidate {
	cos2 := math.Pow(math.Cos(p.Lat*math.Pi/180), 2)
	all := make([]candidate, len(pts))
	for i, q := range pts {
		dLat, dLon := q.Lat-p.Lat, q.Lon-p.Lon
		all[i] = candidate{q.ID, dLat*dLat + dLon*dLon*cos2}
	}
	sort.Slice(all, func(a, b int) bool {
		if all[a].d2 != all[b].d2 {
			return all[a].d2 < all[b].d2
		}
		return all[a].id < all[b].id
	})
	return all[:min(k, len(all))]
}

func TestPointIndexMatchesBruteForce(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	clustered := func(n int) []IndexedPoint {
		centres := []geo.Point{{Lat: 45.76, Lon: 4.83}, {Lat: 45.72, Lon: 4.88}, {Lat: 45.79, Lon: 4.79}}
		out := make([]IndexedPoint, n)
		for i := range out {
			if i%4 == 0 { // scattered over the box
				out[i] = IndexedPoint{ID: int64(i + 1), Lat: 45.70 + r.Float64()*0.11, Lon: 4.77 + r.Float64()*0.13}
				continue
			}
			c := centres[i%len(centres)]
			out[i] = IndexedPoint{ID: int64(i + 1), Lat: c.Lat + r.NormFloat64()*0.003, Lon: c.Lon + r.NormFloat64()*0.004}
		}
		return out
	}
	cases := map[string][]IndexedPoint{
		"empty":     nil,
		"one":       {{ID: 7, Lat: 45.75, Lon: 4.83}},
		"same spot": {{ID: 1, Lat: 45.75, Lon: 4.83}, {ID: 2, Lat: 45.75, Lon: 4.83}, {ID: 3, Lat: 45.75, Lon: 4.83}},
		"a line":    {{ID: 1, Lat: 45.75, Lon: 4.80}, {ID: 2, Lat: 45.75, Lon: 4.81}, {ID: 3, Lat: 45.75, Lon: 4.82}},
		"city":      clustered(5000),
		"small":     clustered(37),
	}
	for name, pts := range cases {
		t.Run(name, func(t *testing.T) {
			ix := newMemIndex(append([]IndexedPoint(nil), pts...)).points
			if len(ix.ids) != len(pts) {
				t.Fatalf("size %d, want %d", len(ix.ids), len(pts))
			}
			for i := 0; i < 300; i++ {
				// Inside the box, and now and then well outside it.
				p := geo.Point{Lat: 45.68 + r.Float64()*0.15, Lon: 4.75 + r.Float64()*0.17}
				if i%10 == 0 {
					p = geo.Point{Lat: 44 + r.Float64()*3, Lon: 3 + r.Float64()*3}
				}
				k := []int{1, 5, 22, 102}[i%4]
				got := ix.nearest(p, k, nil)
				want := bruteNearest(pts, p, k)
				if len(got) != len(want) {
					t.Fatalf("%v k=%d: %d ids, want %d", p, k, len(got), len(want))
				}
				for j := range want {
					if got[j] != want[j].id {
						t.Fatalf("%v k=%d: rank %d is %d, want %d (d2 %g)", p, k, j, got[j], want[j].id, want[j].d2)
					}
				}
			}
		})
	}
}

// TestNearIndexFollowsDataVersion checks "near me" through the in-memory
// index on both databases: the same answer as the spatial index of the
// database, and a new version of the territory's data seen at once.
func TestNearIndexFollowsDataVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(3, 4))
		for i := 0; i < 60; i++ {
			e.published(t, sample(fmt.Sprintf("Atelier %02d", i), 45.71+r.Float64()*0.09, 4.78+r.Float64()*0.11))
		}
		fresh := func() {
			t.Helper()
			ter, err := e.territories.Get(ctx, e.ter.Slug)
			if err != nil {
				t.Fatal(err)
			}
			e.ter = ter
		}
		fresh()
		e.svc.PrepareNear(ctx, e.ter)
		if e.svc.near.get(e.ter.ID, e.svc.dataKey(e.ter)) == nil {
			t.Fatal("no index after PrepareNear")
		}
		st := NewSQLStore(db)
		for i := 0; i < 40; i++ {
			p := geo.Point{Lat: 45.70 + r.Float64()*0.11, Lon: 4.77 + r.Float64()*0.13}
			got, err := e.svc.Near(ctx, e.ter, p, 7)
			if err != nil {
				t.Fatal(err)
			}
			want, err := st.Near(ctx, e.ter.ID, e.ter.BBox, p, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%v: %d hits, want %d", p, len(got), len(want))
			}
			for j := range want {
				if math.Abs(got[j].DistanceM-want[j].DistanceM) > 0.5 {
					t.Fatalf("%v rank %d: %d at %.1f m, want %d at %.1f m", p, j, got[j].Initiative.ID, got[j].DistanceM,
						want[j].Initiative.ID, want[j].DistanceM)
				}
			}
		}
		res, err := e.svc.Search(ctx, e.ter, Query{Near: &geo.Point{Lat: 45.75, Lon: 4.83}})
		if err != nil || res.Total != 60 || len(res.Items) != DefaultLimit {
			t.Fatalf("search near: %d of %d, %v", len(res.Items), res.Total, err)
		}

		// A new entry right on the point: the next request, with the new
		// version, finds it (from the database while the index rebuilds).
		here := geo.Point{Lat: 45.7555, Lon: 4.8333}
		added := e.published(t, sample("Nouvelle ressourcerie", here.Lat, here.Lon))
		fresh()
		hits, err := e.svc.Near(ctx, e.ter, here, 3)
		if err != nil || len(hits) == 0 || hits[0].Initiative.ID != added.ID {
			t.Fatalf("after a publish: %+v, %v", hits, err)
		}
		e.svc.PrepareNear(ctx, e.ter)
		if hits, err = e.svc.Near(ctx, e.ter, here, 3); err != nil || hits[0].Initiative.ID != added.ID {
			t.Fatalf("after the rebuild: %+v, %v", hits, err)
		}

		// Archived but the version not seen yet (a stale territory): the
		// index still names it, the read finds it gone, and the database
		// answers without it.
		stale := e.ter
		if err := e.svc.Archive(ctx, e.moderator, e.ter, added.ID); err != nil {
			t.Fatal(err)
		}
		if hits, err = e.svc.Near(ctx, stale, here, 3); err != nil || len(hits) != 3 || hits[0].Initiative.ID == added.ID {
			t.Fatalf("after an archive: %+v, %v", hits, err)
		}
	})
}

// TestPrepareAllNearStopsAtBudget checks the start-up build of the "near
// me" indexes: every territory while they fit, and none past a full
// budget, whose build would evict one just made.
func TestPrepareAllNearStopsAtBudget(t *testing.T) {
	e := newEnv(t, storetest.OpenSQLite(t))
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		e.published(t, sample(fmt.Sprintf("Atelier %d", i), 45.75+float64(i)/100, 4.83))
	}
	var ters []*territory.Territory
	for _, slug := range []string{e.ter.Slug, e.other.Slug} {
		ter, err := e.territories.Get(ctx, slug)
		if err != nil {
			t.Fatal(err)
		}
		ters = append(ters, ter)
	}
	indexed := func() int { // without get, which would start a build
		e.svc.near.mu.Lock()
		defer e.svc.near.mu.Unlock()
		return len(e.svc.near.byTer)
	}
	e.svc.near.maxPoints = 3
	if n := e.svc.PrepareAllNear(ctx, ters); n != 1 || indexed() != 1 {
		t.Fatalf("budget of 3 points: prepared %d, %d indexed, want 1", n, indexed())
	}
	e.svc.near.maxPoints = 10
	if n := e.svc.PrepareAllNear(ctx, ters); n != 2 || indexed() != 2 {
		t.Fatalf("budget of 10 points: prepared %d, %d indexed, want 2", n, indexed())
	}
}
