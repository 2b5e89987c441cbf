package textsearch

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
)

func TestFoldWordsKey(t *testing.T) {
	if got := Fold("Réparation À l'Œil"); got != "reparation a l'oeil" {
		t.Fatalf("Fold: %q", got)
	}
	if got := fmt.Sprint(Words("Vélo-école, 2 roues!")); got != "[vélo école 2 roues]" {
		t.Fatalf("Words: %s", got)
	}
	if got := Key("  Café   Associatif "); got != "cafe associatif" {
		t.Fatalf("Key: %q", got)
	}
}

func TestStem(t *testing.T) {
	for w, want := range map[string]string{"perceuses": "perceu", "perceuse": "perceu", "vélos": "vélo", "réparations": "répar"} {
		if got := Stem(w); got != want {
			t.Errorf("Stem(%q) = %q, want %q", w, got, want)
		}
	}
	if got := WithStems("Perceuses"); got != "Perceuses perceu" {
		t.Fatalf("WithStems: %q", got)
	}
}

func TestQueryTerms(t *testing.T) {
	cases := map[string]string{
		"perceuse":                "[[perceu]]",
		"Réparations":             "[[repar]]",
		"l'atelier":               "[[ateli]]",
		"a":                       "[[a]]",
		"!!!":                     "[]",
		"a b c d e f g h i j k l": "[]",
		"un deux trois quatre cinq six sept huit neuf": "[[un] [deu] [troi] [quatr] [cinq] [six] [sept] [huit]]",
	}
	for in, want := range cases {
		if got := fmt.Sprint(QueryTerms(in)); got != want {
			t.Errorf("QueryTerms(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestBuilders(t *testing.T) {
	terms := [][]string{{"perceu"}, {"velo", "vel"}}
	if got := FTS5Match(terms, Facet("zt", "12"), AnyFacet(Facet("zc", "goods_tools"), Facet("zc", "food"))); got !=
		`"perceu"* AND ("velo"* OR "vel"*) AND (zt12) AND (zcgoodstools OR zcfood)` {
		t.Fatalf("FTS5Match: %s", got)
	}
	if got := FTS5Match(nil, "zt1"); got != "(zt1)" {
		t.Fatalf("FTS5Match facets only: %s", got)
	}
	if got := TSQuery(terms, "A"); got != "(perceu:*A) & (velo:*A | vel:*A)" {
		t.Fatalf("TSQuery: %s", got)
	}
}

// TestFTS5 checks the builders against a real FTS5 table: a word finds its
// plural and accented forms, and facets filter.
func TestFTS5(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "fts.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(ctx, `CREATE VIRTUAL TABLE docs USING fts5(body, facets, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3 4 5 6')`); err != nil {
		t.Fatal(err)
	}
	docs := []struct{ body, facet string }{{"Perceuses à prêter", "zcgoodstools"}, {"Réparation de vélos", "zcmobility"}}
	for i, d := range docs {
		if _, err := db.Exec(ctx, `INSERT INTO docs (rowid, body, facets) VALUES (?, ?, ?)`, i+1, WithStems(d.body), d.facet); err != nil {
			t.Fatal(err)
		}
	}
	for q, want := range map[string]int{"perceuse": 1, "PERCEUSE": 1, "vélo": 2, "velos réparations": 2, "marteau": 0} {
		var got int
		err := db.QueryRow(ctx, `SELECT COALESCE(MAX(rowid), 0) FROM docs WHERE docs MATCH ?`, FTS5Match(QueryTerms(q))).Scan(&got)
		if err != nil || got != want {
			t.Errorf("%q: got %d (%v), want %d", q, got, err, want)
		}
	}
	var n int
	if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM docs WHERE docs MATCH ?`,
		FTS5Match(QueryTerms("perceuse"), Facet("zc", "mobility"))).Scan(&n); err != nil || n != 0 {
		t.Fatalf("facet filter: %d %v", n, err)
	}
}
