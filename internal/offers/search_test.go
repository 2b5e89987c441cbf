package offers

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

func titles(res Result) []string {
	out := []string{}
	for _, h := range res.Items {
		out = append(out, h.Listing.Title)
	}
	return out
}

func TestSearch(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		home := geo.Point{Lat: 45.76, Lon: 4.80}
		// Listings of different owners east of home, 1 to 5.8 km away: 1.2 km
		// apart, more than two public offsets, so their order is known.
		mk := func(owner int, title string, km float64, edit func(l *Listing)) *Listing {
			l := sample(title, home.Lat, home.Lon+km/78.0)
			if edit != nil {
				edit(l)
			}
			e.clock.add(time.Minute)
			return e.create(t, e.as(int64(owner)), l)
		}
		mk(1, "Perceuses Bosch", 1, nil)
		mk(2, "Vélo de ville", 2.2, func(l *Listing) { l.Category, l.Mode, l.Condition = "mobility", ModeLend, ConditionFair })
		mk(3, "Cours de guitare", 3.4, func(l *Listing) { l.Category, l.Mode, l.Condition = "knowledge_culture", ModeService, "" })
		mk(4, "Cherche une perceuse", 4.6, func(l *Listing) { l.Kind = KindRequest })
		mk(6, "Plants de tomates", 5.8, func(l *Listing) {
			l.Category, l.Mode, l.WantedInReturn, l.Condition = "food", ModeSwap, "des boutures", ""
		})
		paused := mk(1, "Perceuse en pause", 1.5, nil)
		if _, err := e.svc.Pause(ctx, e.owner, e.ter, paused.ID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			q    Query
			want []string
		}{
			{Query{Near: &home}, []string{"Perceuses Bosch", "Vélo de ville", "Cours de guitare", "Cherche une perceuse", "Plants de tomates"}},
			{Query{Near: &home, RadiusM: 4000}, []string{"Perceuses Bosch", "Vélo de ville", "Cours de guitare"}},
			{Query{Near: &home, Limit: 2, Offset: 1}, []string{"Vélo de ville", "Cours de guitare"}},
			{Query{}, []string{"Plants de tomates", "Cherche une perceuse", "Cours de guitare", "Vélo de ville", "Perceuses Bosch"}},
			{Query{Text: "perceuse"}, []string{"Cherche une perceuse", "Perceuses Bosch"}},
			{Query{Text: "PERCEUSES", Near: &home}, []string{"Perceuses Bosch", "Cherche une perceuse"}},
			{Query{Text: "perceuse", Kind: KindOffer}, []string{"Perceuses Bosch"}},
			{Query{Text: "bouture"}, []string{"Plants de tomates"}},
			{Query{Text: "velo"}, []string{"Vélo de ville"}},
			{Query{Category: "mobility", Near: &home}, []string{"Vélo de ville"}},
			{Query{Mode: ModeService, Near: &home}, []string{"Cours de guitare"}},
			{Query{Mode: ModeGive, Kind: KindRequest, Near: &home}, []string{"Cherche une perceuse"}},
			{Query{Mode: ModeGive, Category: "goods_tools", Near: &home, RadiusM: 2000}, []string{"Perceuses Bosch"}},
			{Query{Near: &home, RadiusM: 5200, Sort: SortRecent}, []string{"Cherche une perceuse", "Cours de guitare", "Vélo de ville", "Perceuses Bosch"}},
			{Query{Near: &home, RadiusM: 5200, Sort: SortRecent, Mode: ModeGive}, []string{"Cherche une perceuse", "Perceuses Bosch"}},
			{Query{Text: "introuvable"}, []string{}},
			{Query{Text: "!!!"}, []string{}},
		}
		for _, c := range cases {
			t.Run(fmt.Sprintf("%+v", c.q), func(t *testing.T) {
				res, err := e.svc.Search(ctx, e.anon, e.ter, c.q)
				if err != nil {
					t.Fatal(err)
				}
				if got := titles(res); fmt.Sprint(got) != fmt.Sprint(c.want) {
					t.Fatalf("got %q, want %q", got, c.want)
				}
				if c.q.Near != nil && c.q.Sort != SortRecent && !sort.SliceIsSorted(res.Items, func(a, b int) bool {
					return res.Items[a].DistanceM < res.Items[b].DistanceM
				}) {
					t.Fatal("not sorted by distance")
				}
			})
		}
		res, _ := e.svc.Search(ctx, e.anon, e.ter, Query{Near: &home, Limit: 2})
		if !res.More || len(res.Items) != 2 {
			t.Fatalf("more: %+v", res)
		}
		res, _ = e.svc.Search(ctx, e.anon, e.other, Query{Text: "perceuse"})
		if len(res.Items) != 0 {
			t.Fatal("another territory's listings show")
		}
		for _, bad := range []Query{{RadiusM: 100}, {Sort: SortDistance}, {Category: "x"}, {Mode: "sell"}, {Limit: 1000},
			{Near: &home, RadiusM: -1}, {Offset: MaxOffset + 1}} {
			if _, err := e.svc.Search(ctx, e.anon, e.ter, bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
	})
}

// TestSearchCovers: every way a search takes gives each hit its cover
// (first photo), and none to a listing without photos: near a point with
// and without words (from a word set and without one), newest first within
// a circle with and without words, and without a place.
func TestSearchCovers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		covers := map[int64]string{}
		for i := range 12 {
			l := sample(fmt.Sprintf("Perceuse %d", i), 45.75+float64(i)*0.001, 4.83+float64(i%5)*0.001)
			if i%3 != 0 {
				l.Photos = []media.Photo{photo(byte(i % 5)), photo(5)}
			}
			l = e.create(t, e.owner, l)
			if i%3 != 0 {
				covers[l.ID] = photo(byte(i % 5)).Key
			}
		}
		defer func(n int) { frequentPostings = n }(frequentPostings)
		st := e.svc.store.(*SQLStore)
		near := &geo.Point{Lat: 45.755, Lon: 4.831}
		for _, frequent := range []int{0, frequentPostings} { // words' sets, then none
			sets := frequent == 0
			frequentPostings = frequent
			e.forgetFrequencies()
			st.words = newWordSets(maxWordSetBytes)
			for _, q := range []Query{{Near: near}, {Near: near, Text: "perceuse"}, {Near: near, RadiusM: 2000, Sort: SortRecent},
				{Near: near, RadiusM: 2000, Sort: SortRecent, Text: "perceuse"}, {Text: "perceuse"}, {}} {
				q.Limit = 20
				res, err := e.svc.Search(ctx, e.anon, e.ter, q)
				if err != nil {
					t.Fatal(err)
				}
				if len(res.Items) != 12 {
					t.Fatalf("%+v: %d hits", q, len(res.Items))
				}
				for _, h := range res.Items {
					want, got := covers[h.Listing.ID], ""
					if len(h.Listing.Photos) > 1 {
						t.Fatalf("%+v: listing %d has %d photos", q, h.Listing.ID, len(h.Listing.Photos))
					} else if len(h.Listing.Photos) == 1 {
						got = h.Listing.Photos[0].Key
					}
					if got != want || h.Listing.Photos == nil {
						t.Fatalf("%+v (sets %v): listing %d has cover %q, want %q", q, sets, h.Listing.ID, got, want)
					}
				}
			}
		}
	})
}
