package directory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// TestRankedSearchFromMemoryIndex: on SQLite, a search ranked with the
// territory's in-memory index gives the same pages and counts as the one
// that reads the rows, below and above the count cap, and keeps out
// another territory's entries.
func TestRankedSearchFromMemoryIndex(t *testing.T) {
	db := storetest.OpenSQLite(t)
	e := newEnv(t, db)
	ctx := context.Background()
	st := NewSQLStore(db)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	words := []string{"partagé", "solidaire", "vélo", "jardin"}
	err := st.WithTx(ctx, func(tx Store) error {
		for i := 0; i < 1500; i++ {
			ter := e.ter
			if i%10 == 9 {
				ter = e.other
			}
			in := &Initiative{TerritoryID: ter.ID, Name: fmt.Sprintf("Atelier %s %d", words[i%4], i),
				Summary: "Un lieu", Categories: []string{"food"}, Kind: KindAssociation, Status: StatusPublished,
				Position: geo.Point{Lat: ter.BBox.Center().Lat, Lon: ter.BBox.Center().Lon}, CreatedAt: now, UpdatedAt: now, Revision: 1}
			if i%3 == 0 {
				in.Summary = "Un lieu de partage et de vélo"
			}
			if i%7 == 0 {
				in.Tags = []string{"partage"}
			}
			if err := tx.Insert(ctx, in); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	mem := memIndexOf(t, st, e.ter.ID)
	for _, text := range []string{"atelier", "partage", "velo", "atelier partage", "solidaire", "jardin velo", "nothing"} {
		for _, page := range [][2]int{{20, 0}, {20, 40}, {50, 350}, {20, 1120}, {100, 1300}} {
			q := Query{Text: text, Sort: SortRelevance, Limit: page[0], Offset: page[1]}
			terms := textsearch.QueryTerms(text)
			facets := ftsFacets(e.ter.ID, nil, nil)
			want, err := st.rankedSQLite(ctx, e.ter.ID, q, terms, facets)
			if err != nil {
				t.Fatal(err)
			}
			q.mem = mem
			got, err := st.rankedSQLiteMem(ctx, e.ter.ID, q, terms, facets[1:])
			if err != nil {
				t.Fatal(err)
			}
			if got.Total != want.Total || got.TotalCapped != want.TotalCapped || fmt.Sprint(names(got.Items)) != fmt.Sprint(names(want.Items)) {
				t.Fatalf("%q %v: got %d (capped %v) %v\nwant %d (capped %v) %v", text, page, got.Total, got.TotalCapped,
					names(got.Items), want.Total, want.TotalCapped, names(want.Items))
			}
			for _, h := range got.Items {
				if h.Initiative.TerritoryID != e.ter.ID {
					t.Fatalf("%q: %q of another territory", text, h.Initiative.Name)
				}
			}
		}
	}
}
