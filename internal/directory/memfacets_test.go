package directory

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// TestMemFilter: an entry's two bytes of facets pass exactly the filters
// its categories and kind pass in the database, entries with facets the
// lists do not know pass fewer (never more), and what the index does not
// hold (an organisation, a category it has no bit for) is "not known".
func TestMemFilter(t *testing.T) {
	for ci, c := range Categories {
		for ki, k := range Kinds {
			x := memFacets([]byte(joinList([]string{c, "nope"})), []byte(k))
			for cj, c2 := range Categories {
				f, ok := newMemFilter([]string{c2}, nil, 0)
				if !ok || f.admits(x) != (ci == cj) {
					t.Errorf("%s/%s through category %s: %v (ok %v)", c, k, c2, f.admits(x), ok)
				}
			}
			for kj, k2 := range Kinds {
				f, ok := newMemFilter(nil, []Kind{k2}, 0)
				if !ok || f.admits(x) != (ki == kj) {
					t.Errorf("%s/%s through kind %s: %v (ok %v)", c, k, k2, f.admits(x), ok)
				}
			}
		}
	}
	food := memFacets([]byte(",food,energy,"), []byte(KindCompany))
	odd := memFacets([]byte(",nope,food,"), []byte("nope"))
	none := memFacets(nil, nil)
	for _, tc := range []struct {
		name   string
		cats   []string
		kinds  []Kind
		org    int64
		x      uint16
		ok, in bool
	}{
		{"no filter", nil, nil, 0, none, true, true},
		{"any of two categories", []string{"housing", "energy"}, nil, 0, food, true, true},
		{"neither category", []string{"housing", "mobility"}, nil, 0, food, true, false},
		{"category and kind", []string{"food"}, []Kind{KindAssociation, KindCompany}, 0, food, true, true},
		{"category, not kind", []string{"food"}, []Kind{KindAssociation}, 0, food, true, false},
		{"kind unknown to the list", nil, []Kind{KindAssociation}, 0, odd, true, false},
		{"category unknown to the list skipped", []string{"food"}, nil, 0, odd, true, true},
		{"nothing recorded", []string{"food"}, nil, 0, none, true, false},
		{"organisation: not held", nil, nil, 7, food, false, false},
		{"category unknown: not held", []string{"nope"}, nil, 0, food, false, false},
		{"kind unknown: not held", nil, []Kind{"nope"}, 0, food, false, false},
	} {
		f, ok := newMemFilter(tc.cats, tc.kinds, tc.org)
		if ok != tc.ok || (ok && f.admits(tc.x) != tc.in) {
			t.Errorf("%s: ok %v admits %v, want %v %v", tc.name, ok, f.admits(tc.x), tc.ok, tc.in)
		}
	}
}

// TestFilteredSearchFromMemory: on both databases, a filtered search is
// decided from memory only when the database's filtered name group does
// pass the cap, and gives the pages and totals the database alone gives,
// whether memory decides or not (an organisation, a small group); and the
// decision follows the data: one entry moved out of a group of 1,001
// leaves the count to the database, before the index is rebuilt and
// after; moved back, memory decides again.
func TestFilteredSearchFromMemory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		st := NewSQLStore(db)
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		// 1,001 sure names with the word in food (51 of them companies of
		// one organisation); then 100 in housing, 100 unsure names (found
		// by the database, not by memory) in mobility, and 100 in food with
		// the word in the summary only.
		var lastFood Initiative
		err := st.WithTx(ctx, func(tx Store) error {
			for i := range countCap + 301 {
				suffix := fmt.Sprintf("%c%c", 'a'+i/26%26, 'a'+i%26)
				in := &Initiative{TerritoryID: e.ter.ID, Name: "Lieu de partage " + suffix, Summary: "Un lieu de partage",
					Kind: KindAssociation, Categories: []string{"food"}, Status: StatusPublished, Position: e.ter.BBox.Center(),
					CreatedAt: now, UpdatedAt: now, Revision: 1}
				switch j := i - countCap - 1; {
				case j < 0 && i%2 == 1:
					in.Categories = []string{"energy", "food"}
				case j >= 0 && j%3 == 0:
					in.Categories = []string{"housing"}
				case j >= 0 && j%3 == 1:
					in.Name, in.Categories = "Vélo2000 partage "+suffix, []string{"mobility"}
				case j >= 0:
					in.Name = "Atelier " + suffix
				}
				if i <= countCap && i%20 == 0 {
					in.Kind, in.OrganisationID = KindCompany, e.orgA
				}
				if err := tx.Insert(ctx, in); err != nil {
					return err
				}
				if i == countCap {
					lastFood = *in
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		mem := memIndexOf(t, st, e.ter.ID)
		for _, tc := range []struct {
			name   string
			q      Query
			memory bool // decided from memory
		}{
			{"food", Query{Categories: []string{"food"}}, true},
			{"food or housing", Query{Categories: []string{"food", "housing"}}, true},
			{"association", Query{Kinds: []Kind{KindAssociation}}, true},
			{"food, association", Query{Categories: []string{"food"}, Kinds: []Kind{KindAssociation}}, false},
			{"housing", Query{Categories: []string{"housing"}}, false},
			{"company", Query{Kinds: []Kind{KindCompany}}, false},
			{"mobility", Query{Categories: []string{"mobility"}}, false},
			{"organisation", Query{OrganisationID: e.orgA}, false},
			{"no filter", Query{}, true},
		} {
			tc.q.Text, tc.q.Sort = "partage", SortRelevance
			if got := mem.filteredNamesMatchMore(textsearch.QueryTerms("partage"), tc.q); got != tc.memory {
				t.Errorf("%s: decided from memory %v, want %v", tc.name, got, tc.memory)
			}
			if tc.memory {
				if n := nameGroupCount(t, st, e.ter.ID, tc.q); n <= countCap {
					t.Errorf("%s: decided from memory, but the database's name group is %d", tc.name, n)
				}
			}
			for _, page := range [][2]int{{20, 0}, {30, 990}, {20, 1150}} {
				q := tc.q
				q.Limit, q.Offset = page[0], page[1]
				q.mem = mem
				sameAsDatabase(t, st, e.ter.ID, tc.name, q)
			}
		}

		q := Query{Text: "partage", Categories: []string{"food"}, Sort: SortRelevance, Limit: DefaultLimit}
		check := func(step string, fromMemory bool) {
			t.Helper()
			ter, err := e.territories.Get(ctx, e.ter.Slug)
			if err != nil {
				t.Fatal(err)
			}
			e.ter = ter
			want, err := st.Search(ctx, e.ter.ID, q) // the database alone
			if err != nil {
				t.Fatal(err)
			}
			// Through the service: first with no index at this version
			// (the database answers), then with the rebuilt one.
			for _, rebuilt := range []bool{false, true} {
				if rebuilt {
					e.svc.PrepareNear(ctx, e.ter)
					e.svc.ForgetSearches()
					mem := e.svc.near.get(e.ter.ID, e.svc.dataKey(e.ter))
					if mem == nil || mem.filteredNamesMatchMore(textsearch.QueryTerms(q.Text), q) != fromMemory {
						t.Fatalf("%s: index %v, want decided from memory %v", step, mem != nil, fromMemory)
					}
				}
				got, err := e.svc.Search(ctx, e.ter, q)
				if err != nil || got.Total != want.Total || got.TotalCapped != want.TotalCapped || fmt.Sprint(names(got.Items)) != fmt.Sprint(names(want.Items)) {
					t.Fatalf("%s (index rebuilt %v): %d (capped %v) %v, want %d %v; %v", step, rebuilt, got.Total, got.TotalCapped,
						names(got.Items), want.Total, names(want.Items), err)
				}
			}
		}
		check("1,001 in food", true)
		moved := lastFood
		moved.Categories = []string{"housing"}
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, lastFood.ID, &moved, ""); err != nil {
			t.Fatal(err)
		}
		check("one moved out", false)
		moved.Categories = []string{"housing", "food"}
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, lastFood.ID, &moved, ""); err != nil {
			t.Fatal(err)
		}
		check("moved back", true)
	})
}

// sameAsDatabase fails unless q with its index gives the page and total
// the database gives alone.
func sameAsDatabase(t *testing.T, st *SQLStore, territoryID int64, step string, q Query) {
	t.Helper()
	ctx := context.Background()
	mem := q.mem
	q.mem = nil
	want, err := st.Search(ctx, territoryID, q)
	if err != nil {
		t.Fatal(err)
	}
	q.mem = mem
	got, err := st.Search(ctx, territoryID, q)
	if err != nil {
		t.Fatal(err)
	}
	if got.Total != want.Total || got.TotalCapped != want.TotalCapped || fmt.Sprint(names(got.Items)) != fmt.Sprint(names(want.Items)) {
		t.Fatalf("%s %d+%d: got %d (capped %v) %v\nwant %d (capped %v) %v", step, q.Offset, q.Limit, got.Total, got.TotalCapped,
			names(got.Items), want.Total, want.TotalCapped, names(want.Items))
	}
}

// nameGroupCount counts, in the database alone, the published entries of
// the territory with every word of q in the name and passing its filters.
func nameGroupCount(t *testing.T, st *SQLStore, territoryID int64, q Query) int {
	t.Helper()
	ctx := context.Background()
	terms := textsearch.QueryTerms(q.Text)
	var n int
	var err error
	if st.postgres() {
		w := &where{}
		w.add("i.territory_id = ?", territoryID)
		w.add("i.status = 'published'")
		w.filter(q.Categories, q.Kinds)
		words := newSideWords(tsQuery(terms), pgFacets(q.Categories, q.Kinds, q.OrganisationID))
		err = st.q.QueryRow(ctx, `SELECT COUNT(*)`+sideFrom+w.String()+words.name, append(w.args, words.nameArgs...)...).Scan(&n)
	} else {
		n, _, err = st.ftsCount(ctx, ftsNameMatch(terms, ftsFacets(territoryID, q.Categories, q.Kinds)), 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return n
}
