package offers

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestWordSetsSingleFlight: concurrent searches of the same words while no
// set is kept make one build, which they all get.
func TestWordSetsSingleFlight(t *testing.T) {
	c := newWordSets(maxWordSetBytes)
	var builds atomic.Int32
	refresh := func(ws *wordSet, rebuild bool) (*wordSet, bool, error) {
		if ws != nil {
			return ws, true, nil
		}
		if !rebuild {
			return nil, false, nil
		}
		builds.Add(1)
		time.Sleep(50 * time.Millisecond)
		return &wordSet{key: "1/perceuse", seq: 7, byCell: []wordListing{{id: 1}}}, false, nil
	}
	var wg sync.WaitGroup
	got := make([]*wordSet, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws, err := c.fresh(context.Background(), "1/perceuse", refresh)
			if err != nil {
				t.Error(err)
			}
			got[i] = ws
		}()
	}
	wg.Wait()
	if n := builds.Load(); n > 2 { // a search may start after the first flight ended
		t.Fatalf("%d builds for 8 concurrent searches", n)
	}
	for _, ws := range got {
		if ws == nil || ws.seq != 7 {
			t.Fatalf("got %+v", ws)
		}
	}
	if ws, _ := c.fresh(context.Background(), "1/perceuse", refresh); ws != got[0] {
		t.Fatal("kept set not used")
	}
}

// TestWordSetsSingleFlightStore: the same through the store on both
// databases: 8 concurrent searches of a frequent word, no set kept, make
// one build (two if one search starts after the first build ended), and
// all find the same listings.
func TestWordSetsSingleFlightStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for i := range 40 {
			title := fmt.Sprintf("Objet %d", i)
			if i%2 == 0 {
				title = fmt.Sprintf("Perceuse %d", i)
			}
			e.create(t, e.owner, sample(title, 45.74+float64(i)*0.001, 4.80+float64(i%7)*0.002))
		}
		defer func(n int) { frequentPostings = n }(frequentPostings)
		frequentPostings = 0
		e.forgetFrequencies()
		st := e.svc.store.(*SQLStore)
		var wg sync.WaitGroup
		got := make([]string, 8)
		for i := range got {
			wg.Add(1)
			go func() {
				defer wg.Done()
				q := Query{Near: &geo.Point{Lat: 45.76, Lon: 4.81}, Limit: 10, Text: "perceuse"}
				if i%2 == 1 {
					q.Sort, q.RadiusM = SortRecent, 5000
				}
				res, err := e.svc.Search(ctx, e.anon, e.ter, q)
				if err != nil {
					t.Error(err)
					return
				}
				ids := []int64{}
				for _, h := range res.Items {
					ids = append(ids, h.Listing.ID)
				}
				got[i] = fmt.Sprint(ids)
			}()
		}
		wg.Wait()
		if n := st.words.builds.Load(); n < 1 || n > 2 {
			t.Fatalf("%d builds for 8 concurrent searches", n)
		}
		for i, g := range got {
			if g != got[i%2] || strings.Count(g, " ") != 9 {
				t.Fatalf("search %d found %s, search %d %s", i, g, i%2, got[i%2])
			}
		}
	})
}

// TestWordSetTooLargeRemembered: a set found too large to keep is not read
// again by the next searches of its words (they go the way without a set,
// with the same results).
func TestWordSetTooLargeRemembered(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		for i := range 30 {
			e.create(t, e.owner, sample(fmt.Sprintf("Perceuse %d", i), 45.74+float64(i)*0.001, 4.80+float64(i%7)*0.002))
		}
		defer func(n int) { frequentPostings = n }(frequentPostings)
		frequentPostings = 0
		e.forgetFrequencies()
		st := e.svc.store.(*SQLStore)
		q := Query{Near: &geo.Point{Lat: 45.76, Lon: 4.81}, Limit: 10, Text: "perceuse"}
		want := ""
		for i := range 3 {
			if i == 1 {
				st.words = newWordSets(wordListingBytes * 10) // room for 10 of the 30
			}
			res, err := e.svc.Search(ctx, e.anon, e.ter, q)
			if err != nil {
				t.Fatal(err)
			}
			ids := []int64{}
			for _, h := range res.Items {
				ids = append(ids, h.Listing.ID)
			}
			if got := fmt.Sprint(ids); i == 0 {
				want = got
			} else if got != want {
				t.Fatalf("search %d found %s, with a set %s", i, got, want)
			}
		}
		if n := st.words.oversized.Load(); n != 1 {
			t.Fatalf("the too large set was read %d times by 2 searches", n)
		}
	})
}
