package directory

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// TestMemNamesAreFoundByTheDatabase: every name the in-memory index is
// sure of (sameWordsInPostgres) and finds for a search, the database's
// name index finds too (PostgreSQL's search_name, FTS5's name column),
// for names full of what the engines might read differently; and a
// search decided from memory gives the page and total the database alone
// gives.
func TestMemNamesAreFoundByTheDatabase(t *testing.T) {
	storetest.Each(t, testMemNamesAreFoundBy)
}

func testMemNamesAreFoundBy(t *testing.T, db *store.DB) {
	e := newEnv(t, db)
	ctx := context.Background()
	st := NewSQLStore(db)
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	spelled := []string{
		"Réparation vélos", "Repair-Café des Pentes", "L'Atelier partagé", "Œuvre commune", "Straße offen",
		"ẞtraße Œil", "Jardin’partage", "Vélo2000", "Lyon-69 partage", "velo.fr partage", "atelier@velo.fr",
		"Cæcilia Ærø", "Ñandú", "Łódź partage", "Partage à l'œil", "Éco-partage (Croix)", "Zoë & Noël",
		"A b c", "Dépôt-vente x", "Grainothèque", "partageons", "PARTAGÉ", "ÿeux Ÿvon", "Jardin partagé 27059",
		"Lyon 69 partage", "007 partage", "12 34 partage", "A 12-14 partage", "3,5 partage", "Club (75)", "x 12abc",
	}
	err := st.WithTx(ctx, func(tx Store) error {
		for i := range 2400 {
			name := spelled[i%len(spelled)]
			if i >= len(spelled) {
				name = fmt.Sprintf("%s %c%c", name, 'a'+i/26%26, 'a'+i%26) // no digits: they make a name unsure
			}
			if i%2 == 0 {
				name = "Lieu de partage " + name
			}
			in := &Initiative{TerritoryID: e.ter.ID, Name: name, Categories: []string{"food"}, Kind: KindAssociation,
				Status: StatusPublished, Position: lyonBox.Center(), CreatedAt: now, UpdatedAt: now, Revision: 1}
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
	sure := 0
	for _, text := range []string{"partage", "repar", "velo", "oeuvre", "œuvre", "strasse", "straße", "oeil", "lyon", "69",
		"fr", "caecilia", "27059", "007", "12", "34", "14", "75", "abc", "3", "5", "aero", "nandu", "lodz", "eco", "croix", "zoe", "noel", "depot", "vente", "grainotheque",
		"partageons", "atelier", "yeux", "yvon", "vélo2000", "pentes", "cafe", "jardin", "lieu partage"} {
		terms := textsearch.QueryTerms(text)
		var inDB []int64
		query, args := `SELECT id FROM initiatives WHERE territory_id = $1 AND status = 'published'
			AND id IN (SELECT initiative_id FROM initiative_search WHERE search_name @@ to_tsquery('simple', $2))`, []any{e.ter.ID, tsQuery(terms)}
		if !st.postgres() {
			query, args = `SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ?`, []any{ftsNameMatch(terms, nil)}
		}
		rows, err := db.R.QueryContext(ctx, query, args...)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				t.Fatal(err)
			}
			inDB = append(inDB, id)
		}
		rows.Close()
		slices.Sort(inDB)
		for i := range mem.size() {
			if mem.starts[i] == 0 || !nameHasAll(mem.name(i), terms) {
				continue
			}
			sure++
			if _, ok := slices.BinarySearch(inDB, mem.ids[i]); !ok {
				t.Errorf("%q: memory finds %q (id %d), the database does not", text, mem.name(i), mem.ids[i])
			}
		}
	}
	if sure < 1000 {
		t.Fatalf("only %d sure matches: the test checks little", sure)
	}
	// "partage" is in more than countCap names: decided from memory, the
	// same page and total as the database's own count.
	if !mem.namesMatchMore(textsearch.QueryTerms("partage"), memFilter{}, countCap, memNameScan) {
		t.Fatal("partage: not decided from memory")
	}
	for _, page := range [][2]int{{20, 0}, {20, 980}, {50, 1150}, {20, 2300}} {
		q := Query{Text: "partage", Sort: SortRelevance, Limit: page[0], Offset: page[1]}
		want, err := st.Search(ctx, e.ter.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		q.mem = mem
		got, err := st.Search(ctx, e.ter.ID, q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Total != want.Total || got.TotalCapped != want.TotalCapped || fmt.Sprint(names(got.Items)) != fmt.Sprint(names(want.Items)) {
			t.Fatalf("page %v: got %d %v %v, want %d %v %v", page, got.Total, got.TotalCapped, names(got.Items),
				want.Total, want.TotalCapped, names(want.Items))
		}
	}
}

func TestSameWordsInPostgres(t *testing.T) {
	for name, want := range map[string]bool{
		"Réparation vélos": true, "L'Atelier partagé": true, "Œuvre (commune) & co": true, "Éco-partage": true,
		"Vélo2000": false, "Lyon 69": true, "Jardin partagé 27059": true, "27 rue": true, "Lyon-69": false, "A 12-14": false,
		"3,5 kg": false, "Club (75)": false, "x 12abc": false, "velo.fr": false, "a@b": false, "ẞtraße": false, "Jardin’partage": false,
		"Łódź": false, "e\u0301": false, "": true,
	} {
		if got := sameWordsInPostgres([]byte(name)); got != want {
			t.Errorf("%q: %v, want %v", name, got, want)
		}
	}
}

// TestNamesMatchMoreStopsEarly: a word rare in the first tenth of the
// scanned names is left to the database ("not known"), however many
// names hold it after; a common one is decided from memory.
func TestNamesMatchMoreStopsEarly(t *testing.T) {
	const scan, n = 1000, 40
	pts := make([]IndexedPoint, scan)
	for i := range pts {
		name := "atelier velo"
		switch {
		case i%5 == 0:
			name = "grainotheque de la croix"
		case i >= scan/10 && i%2 == 0:
			name = "repair cafe" // late, but plenty: more than n
		}
		pts[i] = IndexedPoint{ID: int64(i + 1), NameKey: name}
	}
	mem := newMemIndex(pts)
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"grainotheque croix", true}, // 20 in the first 100, 200 in all
		{"repair", false},            // none in the first 100: not known
		{"atelier", true},
		{"absent", false},
	} {
		if got := mem.namesMatchMore(textsearch.QueryTerms(tc.text), memFilter{}, n, scan); got != tc.want {
			t.Errorf("%q: got %v, want %v", tc.text, got, tc.want)
		}
	}
}

// TestWordStarts: the form is found only at the start of a word, as
// splitting the key into words and comparing each would find it.
func TestWordStarts(t *testing.T) {
	byWords := func(key string, forms []string) bool {
		for _, w := range strings.Fields(key) {
			for _, f := range forms {
				if strings.HasPrefix(w, f) {
					return true
				}
			}
		}
		return false
	}
	keys := []string{"", "partage", "lieu de partage", "departage", "departage partage", "apartage xpartage", "partag",
		"par tage", "jardin partage 27", "27 partage", "pa", "lieu de papartage", "velo2000 partage"}
	forms := [][]string{{"partag"}, {"pa"}, {"tage"}, {"27"}, {"2000"}, {"xyz", "tag"}, {"lieu", "departag"}, {"partagee"}}
	for _, k := range keys {
		for _, f := range forms {
			if got, want := wordStarts(k, f), byWords(k, f); got != want {
				t.Errorf("%q %q: %v, want %v", k, f, got, want)
			}
		}
	}
}

// TestWordStartsNeverHideAMatch checks that the word-start bits only skip
// names that do not match: every form that begins a word of a name has
// its bit in the name's bits.
func TestWordStartsNeverHideAMatch(t *testing.T) {
	names := []string{"atelier partage velo", "repair cafe", "la ruche qui dit oui", "x y", "ab", "a bc de",
		"jardin partage des 3 chenes", "cafe  double espace", "épicerie solidaire", "zz top"}
	forms := []string{"pa", "partage", "re", "repar", "ru", "ab", "bc", "de", "ja", "3c", "ch", "ep", "épi", "so", "zz", "to", "ca"}
	checked := 0
	for _, name := range names {
		starts := wordStartsOf(name)
		for _, f := range forms {
			terms := [][]string{{f}}
			if !nameHasAll(name, terms) {
				continue
			}
			checked++
			if starts&wordStartBit(f) == 0 {
				t.Errorf("%q begins a word of %q but its bit is not in the name's", f, name)
			}
		}
	}
	if checked < 15 {
		t.Fatalf("only %d matches checked", checked)
	}
}
