package offers

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestWalkPagePostgres: the candidates of a search without words (the walk
// near a point, newest first within a circle) bring the rows of its page,
// and those only, each the same listing (columns and
// cover) as the page read by primary key; a page that PostgreSQL ranked
// otherwise than Go (pgPageSlip) is read by primary key, and the search
// gives the same answer either way.
func TestWalkPagePostgres(t *testing.T) {
	db := storetest.OpenPostgres(t)
	ctx := context.Background()
	e := newEnv(t, db)
	for i := range 60 {
		l := sample(fmt.Sprintf("Objet %d", i), 45.75+float64(i%8)*0.002, 4.83+float64(i/8)*0.003)
		l.Category = directory.Categories[i%2]
		l.Mode = Modes[i%3%2]
		if i%4 == 1 {
			l.Photos = []media.Photo{photo(byte(i % 5)), photo(5)}
		}
		e.create(t, e.owner, l)
	}
	st := e.svc.store.(*SQLStore)
	defer func(n int) { pgPageSlip = n }(pgPageSlip)
	near := &geo.Point{Lat: 45.756, Lon: 4.84}
	within := geo.BBox{MinLon: e.ter.BBox.MinLon - searchMargin, MinLat: e.ter.BBox.MinLat - searchMargin,
		MaxLon: e.ter.BBox.MaxLon + searchMargin, MaxLat: e.ter.BBox.MaxLat + searchMargin}
	for _, q := range []Query{{}, {Offset: 20}, {Offset: 7, Limit: 5}, {Category: directory.Categories[1]},
		{Category: directory.Categories[0], Mode: Modes[1], Offset: 3}, {Mode: Modes[0], RadiusM: 400}, {Kind: KindOffer, Limit: 100},
		// Newest first within a circle: the box of a category's region
		// (circlePostgres), the walk of the newest (newestInCircle).
		{Sort: SortRecent, RadiusM: 700}, {Sort: SortRecent, RadiusM: 900, Offset: 9, Limit: 4},
		{Sort: SortRecent, RadiusM: 5000, Category: directory.Categories[1], Offset: 2}, {Sort: SortRecent, RadiusM: 450, Mode: Modes[0]}} {
		q.Near = near
		if err := q.normalize(); err != nil {
			t.Fatal(err)
		}
		var answers []string
		for _, slip := range []int{0, 1} {
			pgPageSlip = slip
			need := q.Offset + q.Limit + 1
			var cs []cand
			var err error
			if q.Sort == SortRecent {
				cs, err = st.recentInCircle(ctx, e.ter.ID, within, q, e.clock.now(), need)
			} else {
				cs, err = st.nearPostgresIndexOnly(ctx, e.ter.ID, q, e.clock.now(), need)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(cs) <= q.Offset {
				t.Fatalf("%+v: %d candidates", q, len(cs))
			}
			var ids []int64
			for i, c := range cs {
				inPage := i >= q.Offset && i < q.Offset+q.Limit
				if c.row != nil {
					ids = append(ids, c.id)
				}
				if slip == 0 && inPage != (c.row != nil) {
					t.Fatalf("%+v: rank %d (listing %d) has a row: %v", q, i, c.id, c.row != nil)
				}
			}
			if slip == 1 && len(cs) > q.Offset && cs[q.Offset].row != nil {
				t.Fatalf("%+v: the slipped window read the page's first row", q)
			}
			if slip == 0 {
				byID, err := st.pageByIDsPostgres(ctx, e.ter.ID, ids)
				if err != nil {
					t.Fatal(err)
				}
				for i, c := range cs {
					if c.row != nil {
						if want := byID[0]; !reflect.DeepEqual(c.row, want.Listing) {
							t.Fatalf("%+v: rank %d:\n got %+v\nwant %+v", q, i, c.row, want.Listing)
						}
						byID = byID[1:]
					}
				}
			}
			res, err := e.svc.Search(ctx, e.anon, e.ter, q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Items) == 0 {
				t.Fatalf("%+v: no hits", q)
			}
			answers = append(answers, fmt.Sprintf("%v %+v", res.More, hitsDump(res)))
		}
		if answers[0] != answers[1] {
			t.Fatalf("%+v: the page read with the walk and by primary key differ:\n%s\n%s", q, answers[0], answers[1])
		}
	}
}

// hitsDump is every field of a result's hits, covers included.
func hitsDump(res Result) []string {
	var out []string
	for _, h := range res.Items {
		out = append(out, fmt.Sprintf("%+v %+v %v", *h.Listing, h.Listing.Photos, h.DistanceM))
	}
	return out
}
