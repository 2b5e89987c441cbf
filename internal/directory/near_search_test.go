package directory

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
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
	storetest.Each(t, checkPublishedByIDs)
	// With the simple protocol PostgreSQL sends the rows as text, which
	// pgx's Scan reads instead of the binary decoding (rowsBinary).
	t.Run("postgres simple protocol", func(t *testing.T) {
		db, err := store.Open(context.Background(), storetest.PostgresURL(t)+"&default_query_exec_mode=simple_protocol")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		checkPublishedByIDs(t, db)
	})
}

func checkPublishedByIDs(t *testing.T, db *store.DB) {
	{
		e := newEnv(t, db)
		ctx := context.Background()
		odd := []string{"", ":", "12:", "3:abc", "é:ü 🚲", "a,b:c\n\"x\""}
		var ids []int64
		for i, s := range odd {
			in := sample("Atelier "+s, 45.75+float64(i)/1000, 4.83)
			in.Summary, in.Description, in.Address, in.Website = s, s+s, s, ""
			in.Tags = []string{"12:3", "vélo"}
			if i == 0 { // an empty list between full ones
				in.Tags = nil
			} else if i == 1 {
				in.Categories = []string{"food", "waste_repair", "energy"}
			}
			in.Commons = Commons{Resource: s, Governance: "1:" + s}
			ids = append(ids, e.published(t, in).ID)
		}
		// Coordinates a decimal text would round at 15 digits.
		in := sample("Atelier des décimales", 45.75+1.0/3000, 4.83+math.Pi/1e4)
		ids = append(ids, e.published(t, in).ID)
		st := NewSQLStore(db)
		// Outside a transaction and inside one: PostgreSQL reads the rows
		// through pgx outside, the page as one value inside.
		check := func(t *testing.T, st Store) {
			if page, err := st.PublishedByIDs(ctx, e.ter.ID, []int64{ids[0] + 1000}); err != nil || len(page.Hits) != 0 {
				t.Fatalf("no row: %v", err)
			}
			// The same pages again once released: each fills the
			// memory the one before let go (see Page).
			for round := range 3 {
				some := ids[round%2:]
				page, err := st.PublishedByIDs(ctx, e.ter.ID, append(slices.Clone(some), ids[0]+1000))
				if err != nil {
					t.Fatal(err)
				}
				if len(page.Hits) != len(some) {
					t.Fatalf("%d hits, want %d", len(page.Hits), len(some))
				}
				for _, h := range page.Hits {
					want, err := st.Get(ctx, e.ter.ID, h.Initiative.ID)
					if err != nil {
						t.Fatal(err)
					}
					if !reflect.DeepEqual(h.Initiative, want) {
						t.Errorf("round %d: initiative %d:\n got %+v\nwant %+v", round, want.ID, h.Initiative, want)
					}
				}
				page.Release()
			}
		}
		t.Run("alone", func(t *testing.T) { check(t, st) })
		t.Run("in a transaction", func(t *testing.T) {
			if err := st.WithTx(ctx, func(tx Store) error { check(t, tx); return nil }); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestPublishedByIDsPlan checks that SQLite reads the ids of a "near me"
// page from json_each and looks each one up by primary key, not through
// the territory's index.
func TestPublishedByIDsPlan(t *testing.T) {
	db := storetest.OpenSQLite(t)
	rows, err := db.Query(context.Background(), "EXPLAIN QUERY PLAN "+sqlitePublishedByIDs, 1, "1,2,3")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, notused int
		var detail string
		if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
			t.Fatal(err)
		}
		plan = append(plan, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	got := strings.Join(plan, "; ")
	if !strings.Contains(got, "SEARCH i USING INTEGER PRIMARY KEY (rowid=?)") || !strings.Contains(got, "json_each") {
		t.Errorf("plan: %s", got)
	}
}

// TestDecodePageRefusesMalformed checks that a page cut short or with a
// length past its end is an error, not a panic or a wrong row.
func TestDecodePageRefusesMalformed(t *testing.T) {
	var row strings.Builder
	for k := range pageFieldCount {
		v := "1"
		switch k {
		case pageLat, pageLon:
			v = "45.5"
		case pageCreatedAt, pageUpdatedAt:
			v = "2026-11-26 09:00:00+00:00"
		case pageTexts:
			v = "n"
		}
		if k > pageTexts {
			v = ""
		}
		if k < pageTexts {
			fmt.Fprintf(&row, "%s,", v)
		} else {
			fmt.Fprintf(&row, "%d:%s", len(v), v)
		}
	}
	good := row.String()
	decodePage := func(page string, n int, hexFloats bool) ([]Hit, error) {
		p := newPage(new(sync.Pool), n)
		err := p.decode(page, hexFloats)
		return p.Hits, err
	}
	hits, err := decodePage(good+good, 2, false)
	if err != nil || len(hits) != 2 || hits[1].Initiative.Position.Lat != 45.5 || hits[1].Initiative.Name != "n" {
		t.Fatalf("good page: %d hits, %v", len(hits), err)
	}
	for name, page := range map[string]string{
		"cut":         good[:len(good)-3],
		"length past": good + "99:x",
		"no comma":    "12",
		"no colon":    strings.Repeat("1,", pageTexts) + "12",
		"bad length":  strings.Repeat("1,", pageTexts) + "-1:x",
		"bad number":  "x" + good[1:],
		"bad float":   strings.Replace(good, "45.5", "45;5", 1),
	} {
		if _, err := decodePage(page, 2, false); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := decodePage(strings.Replace(good, "45.5", "4046", 1), 1, true); err == nil {
		t.Error("a hex float of 4 digits: no error")
	}
}

// TestSplitListIntoMatchesSplitList checks that lists sharing one array
// read as splitList's, and that appending to one leaves the next alone.
func TestSplitListIntoMatchesSplitList(t *testing.T) {
	in := []string{",food,energy,", "", ",", "a", ",a,,b,", "x,y"}
	var buf []string
	var got [][]string
	for _, s := range in {
		got = append(got, splitListInto(&buf, s))
	}
	for k, s := range in {
		if !reflect.DeepEqual(got[k], splitList(s)) {
			t.Errorf("%q: %#v, want %#v", s, got[k], splitList(s))
		}
	}
	_ = append(got[0], "more")
	if got[1] == nil || len(got[1]) != 0 || got[3][0] != "a" {
		t.Errorf("append to the first list changed the next: %#v", got)
	}
}

// TestNearPagesReleasedConcurrently has many goroutines ask "near me" and
// release each page once checked, so that pages go from one request to
// the next: every hit must be its own initiative, whole, whatever page
// memory it was read into (run under -race by make test).
func TestNearPagesReleasedConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		r := rand.New(rand.NewPCG(5, 6))
		names, tags := map[int64]string{}, map[int64]string{}
		for i := range 80 {
			in := sample(fmt.Sprintf("Atelier %02d %s", i, strings.Repeat("é", i)), 45.71+r.Float64()*0.09, 4.78+r.Float64()*0.11)
			in.Tags = []string{fmt.Sprintf("tag%d", i)}
			id := e.published(t, in).ID
			names[id], tags[id] = in.Name, in.Tags[0]
		}
		ter, err := e.territories.Get(ctx, e.ter.Slug)
		if err != nil {
			t.Fatal(err)
		}
		e.svc.PrepareNear(ctx, ter)
		const workers, rounds = 12, 30
		errc := make(chan error, workers)
		for w := range workers {
			go func() {
				r := rand.New(rand.NewPCG(uint64(w), 7))
				for range rounds {
					p := geo.Point{Lat: 45.70 + r.Float64()*0.11, Lon: 4.77 + r.Float64()*0.13}
					res, err := e.svc.Search(ctx, ter, Query{Near: &p, Limit: 1 + r.IntN(30)})
					if err != nil {
						errc <- err
						return
					}
					if res.page == nil {
						errc <- fmt.Errorf("%v: answered without the index", p)
						return
					}
					for _, h := range res.Items {
						in := h.Initiative
						if in.Name != names[in.ID] || len(in.Tags) != 1 || in.Tags[0] != tags[in.ID] {
							errc <- fmt.Errorf("initiative %d: %q %v, want %q [%s]", in.ID, in.Name, in.Tags, names[in.ID], tags[in.ID])
							return
						}
					}
					res.Release()
				}
				errc <- nil
			}()
		}
		for range workers {
			if err := <-errc; err != nil {
				t.Error(err)
			}
		}
	})
}
