package directory

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func names(hits []Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.Initiative.Name
	}
	return out
}

func TestSearchText(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		repair := sample("Atelier de Réparation", 45.76, 4.83)
		e.published(t, repair)
		cafe := sample("Café associatif", 45.75, 4.84)
		cafe.Description = "On y répare aussi des grille-pain."
		cafe.Categories = []string{"food"}
		cafe.Kind = KindCollective
		e.published(t, cafe)
		bikes := sample("Vélos partagés", 45.74, 4.85)
		bikes.Categories = []string{"mobility"}
		bikes.Tags = []string{"vélo", "réparation"}
		e.published(t, bikes)
		garden := sample("Potager commun", 45.745, 4.845)
		garden.Kind = KindCommons
		garden.Commons = Commons{Resource: "Parcelles", Governance: "Sociocratie et assemblée mensuelle"}
		e.published(t, garden)
		if err := e.svc.Contribute(ctx, e.member, e.ter, sample("Réparation en attente", 45.76, 4.83)); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			q    Query
			want []string // in order
		}{
			{Query{Text: "repar"}, []string{"Atelier de Réparation", "Vélos partagés", "Café associatif"}},
			{Query{Text: "réparation"}, []string{"Atelier de Réparation", "Vélos partagés", "Café associatif"}},
			{Query{Text: "REPARATION"}, []string{"Atelier de Réparation", "Vélos partagés", "Café associatif"}},
			{Query{Text: "réparations"}, []string{"Atelier de Réparation", "Vélos partagés", "Café associatif"}},
			{Query{Text: "reparat"}, []string{"Atelier de Réparation", "Vélos partagés"}},
			{Query{Text: "velo"}, []string{"Vélos partagés"}},
			{Query{Text: "vélos"}, []string{"Vélos partagés"}},
			{Query{Text: "atelier réparation"}, []string{"Atelier de Réparation"}},
			{Query{Text: "l'atelier"}, []string{"Atelier de Réparation"}},
			{Query{Text: "repar", Categories: []string{"food"}}, []string{"Café associatif"}},
			{Query{Text: "repar", Kinds: []Kind{KindCollective}}, []string{"Café associatif"}},
			{Query{Categories: []string{"mobility", "food"}}, []string{"Café associatif", "Vélos partagés"}},
			{Query{Kinds: []Kind{KindCommons}}, []string{"Potager commun"}},
			{Query{Text: "repar", Sort: SortName}, []string{"Atelier de Réparation", "Café associatif", "Vélos partagés"}},
			{Query{Text: "introuvable"}, []string{}},
			{Query{Text: "sociocratie"}, []string{"Potager commun"}},
			{Query{Text: "governance"}, []string{}}, // a JSON key, not a word of the entry
			{Query{Text: "!!!"}, []string{}},
			{Query{Text: "repar", Limit: 1, Offset: 1}, []string{"Vélos partagés"}},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%+v", c.q), func(t *testing.T) {
				res, err := e.svc.Search(ctx, e.ter, c.q)
				if err != nil {
					t.Fatal(err)
				}
				got := names(res.Items)
				if fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("got %q, want %q", got, c.want)
				}
				if c.q.Limit == 0 && res.Total != len(c.want) {
					t.Fatalf("total %d, want %d", res.Total, len(c.want))
				}
			})
		}
		// Another territory's entries never show.
		res, _ := e.svc.Search(ctx, e.other, Query{Text: "repar"})
		if res.Total != 0 {
			t.Fatalf("paris finds lyon's entries: %+v", res)
		}
		// An archived entry leaves the index.
		if err := e.svc.Archive(ctx, e.moderator, e.ter, repair.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := e.svc.Search(ctx, e.ter, Query{Text: "atelier"}); res.Total != 0 {
			t.Fatalf("archived entry found: %v", names(res.Items))
		}
		// A change of name is searchable at once.
		ch := *cafe
		ch.Name = "Bistrot solidaire"
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, cafe.ID, &ch, ""); err != nil {
			t.Fatal(err)
		}
		if res, _ := e.svc.Search(ctx, e.ter, Query{Text: "bistrot"}); res.Total != 1 {
			t.Fatal("renamed entry not found by its new name")
		}
	})
}

func TestSearchBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		p := geo.Point{Lat: 45.75, Lon: 4.84}
		bad := map[string]Query{
			"category":        {Categories: []string{"casino"}},
			"kind":            {Kinds: []Kind{"cult"}},
			"sort":            {Sort: "random"},
			"distance sort":   {Sort: SortDistance},
			"radius no point": {RadiusM: 100},
			"negative radius": {Near: &p, RadiusM: -1},
			"limit":           {Limit: 1000},
			"offset":          {Offset: -1},
			"bbox":            {BBox: &geo.BBox{MinLon: 5, MinLat: 45, MaxLon: 4, MaxLat: 46}},
			"point":           {Near: &geo.Point{Lat: 91, Lon: 0}},
			"long text":       {Text: string(make([]byte, 300))},
		}
		for name, q := range bad {
			t.Run(name, func(t *testing.T) {
				if _, err := e.svc.Search(context.Background(), e.ter, q); !errs.Is(err, errs.Invalid) {
					t.Fatalf("got %v", err)
				}
			})
		}
		if _, err := e.svc.Clusters(context.Background(), e.ter, lyonBox, 30, Filter{}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("zoom 30: %v", err)
		}
		if _, err := e.svc.InBox(context.Background(), e.ter, geo.BBox{}, Filter{}, 10); !errs.Is(err, errs.Invalid) {
			t.Fatalf("empty box: %v", err)
		}
		if _, err := e.svc.Near(context.Background(), e.ter, geo.Point{Lat: 100}, 10); !errs.Is(err, errs.Invalid) {
			t.Fatalf("bad point: %v", err)
		}
	})
}

// seed publishes n random initiatives in Lyon, every third one in "food".
func seed(t *testing.T, e *env, n int) []*Initiative {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	items := make([]ImportItem, n)
	for i := range items {
		in := sample(fmt.Sprintf("Lieu %04d", i), lyonBox.MinLat+r.Float64()*(lyonBox.MaxLat-lyonBox.MinLat),
			lyonBox.MinLon+r.Float64()*(lyonBox.MaxLon-lyonBox.MinLon))
		if i%3 == 0 {
			in.Categories = []string{"food"}
		}
		items[i] = ImportItem{Row: i + 1, SourceKey: fmt.Sprint("k", i), Initiative: *in}
	}
	if _, err := e.svc.Import(context.Background(), e.moderator, e.ter, items, false); err != nil {
		t.Fatal(err)
	}
	var all []*Initiative
	if err := e.svc.All(context.Background(), e.ter, func(in *Initiative) error { all = append(all, in); return nil }); err != nil {
		t.Fatal(err)
	}
	return all
}

func TestMapQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		all := seed(t, e, 600)
		p := geo.Point{Lat: 45.755, Lon: 4.835}

		t.Run("near", func(t *testing.T) {
			hits, err := e.svc.Near(ctx, e.ter, p, 15)
			if err != nil || len(hits) != 15 {
				t.Fatalf("%d hits, %v", len(hits), err)
			}
			want := append([]*Initiative(nil), all...)
			sort.Slice(want, func(i, j int) bool { return geo.Distance(p, want[i].Position) < geo.Distance(p, want[j].Position) })
			for i, h := range hits {
				if h.Initiative.ID != want[i].ID || h.DistanceM != geo.Distance(p, want[i].Position) {
					t.Fatalf("hit %d: %s at %.1f m, want %s at %.1f m", i, h.Initiative.Name, h.DistanceM, want[i].Name, geo.Distance(p, want[i].Position))
				}
			}
			// A point far outside still gets the closest ones.
			far, err := e.svc.Near(ctx, e.ter, geo.Point{Lat: 45.0, Lon: 4.0}, 3)
			if err != nil || len(far) != 3 {
				t.Fatalf("far: %d %v", len(far), err)
			}
			if none, _ := e.svc.Near(ctx, e.other, p, 3); len(none) != 0 {
				t.Fatal("near found another territory's entries")
			}
		})
		t.Run("search near with radius", func(t *testing.T) {
			res, err := e.svc.Search(ctx, e.ter, Query{Near: &p, RadiusM: 1000})
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, in := range all {
				if geo.Distance(p, in.Position) <= 1000 {
					want++
				}
			}
			// The SQL filter is planar; allow the odd point on the rim.
			if d := res.Total - want; d < -1 || d > 1 {
				t.Fatalf("total %d, want %d", res.Total, want)
			}
			for i := 1; i < len(res.Items); i++ {
				if res.Items[i].DistanceM < res.Items[i-1].DistanceM {
					t.Fatalf("not by distance at %d", i)
				}
			}
		})
		box := geo.BBox{MinLon: 4.80, MinLat: 45.72, MaxLon: 4.86, MaxLat: 45.78}
		inBox := 0
		food := 0
		for _, in := range all {
			if box.Contains(in.Position) {
				inBox++
				if in.Categories[0] == "food" {
					food++
				}
			}
		}
		t.Run("bbox", func(t *testing.T) {
			pts, err := e.svc.InBox(ctx, e.ter, box, Filter{}, 0)
			if err != nil || len(pts) != inBox {
				t.Fatalf("%d points, want %d (%v)", len(pts), inBox, err)
			}
			for _, pt := range pts {
				if !box.Contains(geo.Point{Lat: pt.Lat, Lon: pt.Lon}) {
					t.Fatalf("%+v outside the box", pt)
				}
			}
			pts, _ = e.svc.InBox(ctx, e.ter, box, Filter{Categories: []string{"food"}}, 0)
			if len(pts) != food {
				t.Fatalf("food: %d, want %d", len(pts), food)
			}
			pts, _ = e.svc.InBox(ctx, e.ter, box, Filter{}, 7)
			if len(pts) != 7 {
				t.Fatalf("limit: %d", len(pts))
			}
			res, err := e.svc.Search(ctx, e.ter, Query{BBox: &box, Limit: 100})
			if err != nil || res.Total != inBox {
				t.Fatalf("search in box: %d, want %d (%v)", res.Total, inBox, err)
			}
			res, _ = e.svc.Search(ctx, e.ter, Query{BBox: &box, Text: "lieu", Categories: []string{"food"}})
			if res.Total != food {
				t.Fatalf("search food in box: %d, want %d", res.Total, food)
			}
		})
		t.Run("clusters", func(t *testing.T) {
			check := func(box geo.BBox, zoom, want int) []Cluster {
				t.Helper()
				cs, err := e.svc.Clusters(ctx, e.ter, box, zoom, Filter{})
				if err != nil {
					t.Fatal(err)
				}
				sum := 0
				for _, c := range cs {
					sum += c.Count
					if (c.Count == 1) != (c.ID != 0) {
						t.Fatalf("cluster %+v: id only for single points", c)
					}
					if c.Count == 1 && !box.Contains(geo.Point{Lat: c.Lat, Lon: c.Lon}) && zoom >= 12 {
						t.Fatalf("lone point %+v outside the box", c)
					}
				}
				if sum != want {
					t.Fatalf("zoom %d: counts sum to %d, want %d", zoom, sum, want)
				}
				return cs
			}
			// The whole territory: every point, in a handful of clusters.
			if cs := check(lyonBox, 8, len(all)); len(cs) > 4 {
				t.Fatalf("zoom 8: %d clusters for a city", len(cs))
			}
			check(lyonBox, 11, len(all))
			// A tile, as the web layer asks: exact counts at its zoom and closer.
			tile := geo.TileOf(p, 13).Bounds()
			pts, _ := e.svc.InBox(ctx, e.ter, tile, Filter{}, 0)
			for _, zoom := range []int{13, 14, 15, 16, 17, 19} {
				check(tile, zoom, len(pts))
			}
			// Moving and archiving an entry keeps the counts right.
			moved := *all[2] // not in "food", counted below
			moved.Position = geo.Point{Lat: 45.705, Lon: 4.775}
			if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, moved.ID, &moved, ""); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.Archive(ctx, e.moderator, e.ter, all[1].ID); err != nil {
				t.Fatal(err)
			}
			there := geo.TileOf(moved.Position, 16).Bounds()
			pts, _ = e.svc.InBox(ctx, e.ter, there, Filter{}, 0)
			found := false
			for _, pt := range pts {
				found = found || pt.ID == moved.ID
			}
			if !found {
				t.Fatal("moved entry not at its new place")
			}
			check(there, 16, len(pts))
			check(lyonBox, 10, len(all)-1)
			if err := e.svc.Publish(ctx, e.moderator, e.ter, all[1].ID); err != nil {
				t.Fatal(err)
			}
			check(lyonBox, 10, len(all))
			cs, _ := e.svc.Clusters(ctx, e.ter, box, 12, Filter{Categories: []string{"food"}, Text: "lieu"})
			sum := 0
			for _, c := range cs {
				sum += c.Count
			}
			if sum != food {
				t.Fatalf("food clusters sum to %d, want %d", sum, food)
			}
		})
	})
}

// TestSearchManyMatches covers a word in more than countCap entries: the
// count stops, and entries with the word in their name come first.
func TestSearchManyMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		n := countCap + 50
		items := make([]ImportItem, n)
		for i := range items {
			in := sample(fmt.Sprintf("Lieu %04d", i), 45.70+float64(i)*0.0001, 4.80)
			in.Summary = "Un jardin de quartier"
			if i%300 == 0 {
				in.Name = fmt.Sprintf("Jardin %04d", i)
			}
			items[i] = ImportItem{Row: i + 1, Initiative: *in}
		}
		if _, err := e.svc.Import(ctx, e.moderator, e.ter, items, false); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Search(ctx, e.ter, Query{Text: "jardins", Limit: 6})
		if err != nil || res.Total != countCap || !res.TotalCapped {
			t.Fatalf("total %d capped %v (%v)", res.Total, res.TotalCapped, err)
		}
		got := names(res.Items)
		want := []string{"Jardin 0900", "Jardin 0600", "Jardin 0300", "Jardin 0000", "Lieu 1049", "Lieu 1048"}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		res, _ = e.svc.Search(ctx, e.ter, Query{Text: "jardin", Limit: 3, Offset: 3})
		if got := names(res.Items); fmt.Sprint(got) != fmt.Sprint([]string{"Jardin 0000", "Lieu 1049", "Lieu 1048"}) {
			t.Fatalf("second page: %q", got)
		}
		res, _ = e.svc.Search(ctx, e.ter, Query{Text: "jardin", Categories: []string{"food"}})
		if res.Total != 0 {
			t.Fatalf("filtered: %d", res.Total)
		}
		// Filters every entry passes (on PostgreSQL, facet lexemes ANDed
		// into the words): the same pages, past the cap.
		for _, q := range []Query{{Categories: []string{"food", "waste_repair"}}, {Kinds: []Kind{KindAssociation}}} {
			q.Text, q.Limit, q.Offset = "jardin", 3, 3
			res, err = e.svc.Search(ctx, e.ter, q)
			if got := names(res.Items); err != nil || res.Total != countCap || fmt.Sprint(got) != fmt.Sprint([]string{"Jardin 0000", "Lieu 1049", "Lieu 1048"}) {
				t.Fatalf("%+v: %d %q (%v)", q, res.Total, got, err)
			}
		}
	})
}

// TestSearchManyNameMatches covers a name group larger than countCap:
// newest first, then the other matches, even on a page that spans both.
func TestSearchManyNameMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		n := countCap + 20
		items := make([]ImportItem, n+10)
		for i := range items {
			in := sample(fmt.Sprintf("Jardin %04d", i), 45.70+float64(i)*0.0001, 4.80)
			if i >= n {
				in.Name = fmt.Sprintf("Lieu %04d", i)
				in.Summary = "Un jardin de quartier"
			}
			items[i] = ImportItem{Row: i + 1, Initiative: *in}
		}
		if _, err := e.svc.Import(ctx, e.moderator, e.ter, items, false); err != nil {
			t.Fatal(err)
		}
		res, err := e.svc.Search(ctx, e.ter, Query{Text: "jardin", Limit: 3})
		if err != nil || res.Total != countCap || !res.TotalCapped {
			t.Fatalf("total %d capped %v (%v)", res.Total, res.TotalCapped, err)
		}
		if got := names(res.Items); fmt.Sprint(got) != fmt.Sprint([]string{"Jardin 1019", "Jardin 1018", "Jardin 1017"}) {
			t.Fatalf("first page: %q", got)
		}
		res, _ = e.svc.Search(ctx, e.ter, Query{Text: "jardin", Limit: 4, Offset: n - 2})
		if got := names(res.Items); fmt.Sprint(got) != fmt.Sprint([]string{"Jardin 0001", "Jardin 0000", "Lieu 1029", "Lieu 1028"}) {
			t.Fatalf("deep page: %q", got)
		}
	})
}
