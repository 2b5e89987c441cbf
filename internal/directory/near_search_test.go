package directory

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestPlainNearSearchMatchesGeneralSearch checks that the fast path for a
// "near me" search gives the same page and count as the general search.
func TestPlainNearSearchMatchesGeneralSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		for i := 0; i < 30; i++ {
			e.published(t, sample(fmt.Sprintf("Atelier %02d", i), 45.72+float64(i)*0.002, 4.80+float64(i%7)*0.004))
		}
		p := geo.Point{Lat: 45.75, Lon: 4.83}
		for _, page := range []struct{ limit, offset int }{{10, 0}, {10, 10}, {20, 25}} {
			fast, err := e.svc.Search(ctx, e.ter, Query{Near: &p, Limit: page.limit, Offset: page.offset})
			if err != nil {
				t.Fatal(err)
			}
			// A radius larger than the territory forces the general path.
			slow, err := e.svc.Search(ctx, e.ter, Query{Near: &p, RadiusM: 100000, Limit: page.limit, Offset: page.offset})
			if err != nil {
				t.Fatal(err)
			}
			if fast.Total != 30 || slow.Total != 30 || len(fast.Items) != len(slow.Items) {
				t.Fatalf("page %+v: fast %d/%d items, slow %d/%d", page, len(fast.Items), fast.Total, len(slow.Items), slow.Total)
			}
			// Two methods measure distance a little differently (planar in
			// SQL, haversine in the index walk), so entries a metre apart may
			// swap; the distance at each rank must agree.
			for i := range fast.Items {
				f, s := fast.Items[i], slow.Items[i]
				if d := f.DistanceM - s.DistanceM; d > 2 || d < -2 {
					t.Fatalf("page %+v item %d: fast %d %.1f m, slow %d %.1f m", page, i, f.Initiative.ID, f.DistanceM, s.Initiative.ID, s.DistanceM)
				}
				if i > 0 && f.DistanceM+0.5 < fast.Items[i-1].DistanceM {
					t.Fatalf("page %+v: not in distance order at %d", page, i)
				}
			}
		}
	})
}

// TestSearchLigatures: FTS5 removes accents but keeps ligatures, which the
// query side spells out; both spellings must find the entry.
func TestSearchLigatures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		e.published(t, sample("Atelier Trompe-l'œil", 45.75, 4.83))
		for _, q := range []string{"œil", "oeil", "OEIL", "trompe"} {
			res, err := e.svc.Search(context.Background(), e.ter, Query{Text: q})
			if err != nil || res.Total != 1 {
				t.Errorf("%q: %d results, %v", q, res.Total, err)
			}
		}
	})
}

// TestPublishedByIDsReadsWholeRows checks the packed read of a "near me"
// page (sql_near.go) against the plain read of each row, on texts that
// look like its own framing: colons, digits, multi-byte letters, empty
// fields, JSON columns.
func TestPublishedByIDsReadsWholeRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		odd := []string{"", ":", "12:", "3:abc", "é:ü 🚲", "a,b:c\n\"x\""}
		var ids []int64
		for i, s := range odd {
			in := sample("Atelier "+s, 45.75+float64(i)/1000, 4.83)
			in.Summary, in.Description, in.Address, in.Website = s, s+s, s, ""
			in.Tags = []string{"12:3", "vélo"}
			in.Commons = Commons{Resource: s, Governance: "1:" + s}
			ids = append(ids, e.published(t, in).ID)
		}
		st := NewSQLStore(db)
		hits, err := st.PublishedByIDs(ctx, e.ter.ID, append(ids, ids[0]+1000))
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) != len(ids) {
			t.Fatalf("%d hits, want %d", len(hits), len(ids))
		}
		for _, h := range hits {
			want, err := st.Get(ctx, e.ter.ID, h.Initiative.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(h.Initiative, want) {
				t.Errorf("initiative %d:\n got %+v\nwant %+v", want.ID, h.Initiative, want)
			}
		}
	})
}
