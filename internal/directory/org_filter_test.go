package directory

import (
	"context"
	"fmt"
	"sort"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestSearchByOrganisation: the organisation filter keeps the entries that
// organisation runs, alone and with words, filters, a place or any order,
// on both databases.
func TestSearchByOrganisation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		var ofA []string
		for i := 0; i < 12; i++ {
			in := sample(fmt.Sprintf("Atelier partagé %02d", i), 45.72+float64(i)*0.005, 4.80+float64(i%5)*0.01)
			switch i % 3 {
			case 0:
				in.OrganisationID = e.orgA
				ofA = append(ofA, in.Name)
			case 1:
				in.OrganisationID = e.orgB
			}
			if i == 3 {
				in.Categories = []string{"food"}
			}
			e.published(t, in)
		}
		p := geo.Point{Lat: 45.75, Lon: 4.82}
		box := lyonBox
		cases := map[string]struct {
			q    Query
			want int
		}{
			"alone":              {Query{}, 4},
			"by name":            {Query{Sort: SortName}, 4},
			"recent":             {Query{Sort: SortRecent}, 4},
			"word":               {Query{Text: "atelier"}, 4},
			"common word":        {Query{Text: "partage"}, 4},
			"word and category":  {Query{Text: "atelier", Categories: []string{"food"}}, 1},
			"category":           {Query{Categories: []string{"waste_repair"}}, 3},
			"near":               {Query{Near: &p}, 4},
			"near within radius": {Query{Near: &p, RadiusM: 100000}, 4},
			"box":                {Query{BBox: &box}, 4},
			"word in a box":      {Query{Text: "atelier", BBox: &box}, 4},
			"nothing of it":      {Query{Text: "velo"}, 0},
		}
		for name, c := range cases {
			q := c.q
			q.OrganisationID = e.orgA
			res, err := e.svc.Search(ctx, e.ter, q)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			got := names(res.Items)
			if res.Total != c.want || len(got) != c.want {
				t.Fatalf("%s: %d of %d: %v", name, len(got), res.Total, got)
			}
			for _, h := range res.Items {
				if h.Initiative.OrganisationID != e.orgA {
					t.Fatalf("%s: %q runs under organisation %d", name, h.Initiative.Name, h.Initiative.OrganisationID)
				}
			}
			if c.want == 4 {
				sort.Strings(got)
				if fmt.Sprint(got) != fmt.Sprint(ofA) {
					t.Fatalf("%s: %v, want %v", name, got, ofA)
				}
			}
		}
		// Another territory's search with the organisation finds nothing.
		if res, err := e.svc.Search(ctx, e.other, Query{OrganisationID: e.orgA}); err != nil || res.Total != 0 {
			t.Fatalf("other territory: %d, %v", res.Total, err)
		}
		if _, err := e.svc.Search(ctx, e.ter, Query{OrganisationID: -1}); !errs.Is(err, errs.Invalid) {
			t.Fatalf("negative organisation: %v", err)
		}
	})
}
