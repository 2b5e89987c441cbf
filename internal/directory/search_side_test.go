package directory

import (
	"context"
	"fmt"
	"testing"

	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestSearchFollowsEdits checks that the words searched follow an edit and
// a restored revision (on PostgreSQL they live in initiative_search, kept
// by a trigger), and that a deleted initiative leaves none behind.
func TestSearchFollowsEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		in := e.published(t, sample("Atelier vélo", 45.75, 4.83))
		total := func(text string) int {
			t.Helper()
			e.svc.ForgetSearches()
			res, err := e.svc.Search(ctx, e.ter, Query{Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return res.Total
		}
		changed := *in
		changed.Name = "Jardin partagé"
		if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, in.ID, &changed, ""); err != nil {
			t.Fatal(err)
		}
		if v, j := total("velo"), total("jardin"); v != 0 || j != 1 {
			t.Fatalf("after the edit: velo %d, jardin %d", v, j)
		}
		if _, err := e.svc.Restore(ctx, e.moderator, e.ter, in.ID, 1); err != nil {
			t.Fatal(err)
		}
		if v, j := total("velo"), total("jardin"); v != 1 || j != 0 {
			t.Fatalf("after the restore: velo %d, jardin %d", v, j)
		}
		if db.Dialect() != store.Postgres {
			return
		}
		if _, err := db.Exec(ctx, `DELETE FROM initiatives WHERE id = ?`, in.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := db.QueryRow(ctx, `SELECT COUNT(*) FROM initiative_search`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows left in initiative_search, %v", n, err)
		}
	})
}

// TestSearchFollowsColumns checks that a ranked search sees every change
// of what it filters and ranks on: categories, kind, organisation (also
// when the organisation is deleted), tags, status. On PostgreSQL these
// are copies in initiative_search, kept by triggers; after each step the
// side table must match initiatives row for row.
func TestSearchFollowsColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		a := sample("Grainothèque des Pentes", 45.75, 4.83)
		a.Categories, a.OrganisationID, a.Tags = []string{"food"}, e.orgA, []string{"semences"}
		e.published(t, a)
		b := sample("Bibliothèque de graines", 45.76, 4.84)
		b.Summary, b.Description = "Une grainothèque de quartier", "Des semences"
		e.published(t, b)
		search := func(q Query) string {
			t.Helper()
			e.svc.ForgetSearches()
			res, err := e.svc.Search(ctx, e.ter, q)
			if err != nil {
				t.Fatal(err)
			}
			if res.Total != len(res.Items) {
				t.Fatalf("%+v: total %d, %d items", q, res.Total, len(res.Items))
			}
			sideInSync(t, db)
			return fmt.Sprint(names(res.Items))
		}
		change := func(id int64, edit func(in *Initiative)) {
			t.Helper()
			in, err := e.svc.Get(ctx, e.moderator, e.ter, id)
			if err != nil {
				t.Fatal(err)
			}
			edit(in)
			if _, err := e.svc.ProposeChange(ctx, e.moderator, e.ter, id, in, ""); err != nil {
				t.Fatal(err)
			}
		}
		want := func(step string, q Query, names ...string) {
			t.Helper()
			if got := search(q); got != fmt.Sprint(names) {
				t.Fatalf("%s: %s, want %q", step, got, names)
			}
		}
		const word = "grainotheque"
		an, bn := a.Name, b.Name
		want("ranked", Query{Text: word}, an, bn)
		want("category", Query{Text: word, Categories: []string{"food"}}, an)
		change(a.ID, func(in *Initiative) { in.Categories = []string{"energy"} })
		want("old category", Query{Text: word, Categories: []string{"food"}})
		want("new category", Query{Text: word, Categories: []string{"energy"}}, an)
		change(a.ID, func(in *Initiative) { in.Kind = KindCollective })
		want("new kind", Query{Text: word, Kinds: []Kind{KindCollective}}, an)
		want("old kind", Query{Text: word, Kinds: []Kind{KindAssociation}}, bn)
		want("organisation", Query{Text: word, OrganisationID: e.orgA}, an)
		change(a.ID, func(in *Initiative) { in.OrganisationID = e.orgB })
		want("old organisation", Query{Text: word, OrganisationID: e.orgA})
		want("new organisation", Query{Text: word, OrganisationID: e.orgB}, an)
		if _, err := db.Exec(ctx, `DELETE FROM organisations WHERE id = ?`, e.orgB); err != nil {
			t.Fatal(err)
		}
		want("deleted organisation", Query{Text: word, OrganisationID: e.orgB})
		// A word in the tags outranks one in the body.
		want("tags", Query{Text: "semences"}, an, bn)
		change(a.ID, func(in *Initiative) { in.Tags, in.Description = nil, "Des semences" })
		change(b.ID, func(in *Initiative) { in.Tags, in.Description = []string{"semences"}, "" })
		want("moved tags", Query{Text: "semences"}, bn, an)
		if err := e.svc.Archive(ctx, e.moderator, e.ter, a.ID); err != nil {
			t.Fatal(err)
		}
		want("archived", Query{Text: word}, bn)
		want("archived, filtered", Query{Text: word, Kinds: []Kind{KindCollective}})
		if err := e.svc.Publish(ctx, e.moderator, e.ter, a.ID); err != nil {
			t.Fatal(err)
		}
		want("published again", Query{Text: word}, an, bn)
		// Renamed: the name ranks, and so does its length.
		change(b.ID, func(in *Initiative) { in.Name = "Grainothèque" })
		want("renamed", Query{Text: word}, "Grainothèque", an)
	})
}

// sideInSync fails when initiative_search (PostgreSQL) differs from what
// its triggers should have made of initiatives, facets included.
func sideInSync(t *testing.T, db *store.DB) {
	t.Helper()
	if db.Dialect() != store.Postgres {
		return
	}
	var n int
	err := db.QueryRow(context.Background(), `SELECT COUNT(*) FROM initiatives i FULL JOIN initiative_search s ON s.initiative_id = i.id
		WHERE i.id IS NULL OR s.initiative_id IS NULL
		OR (i.territory_id, i.organisation_id, i.status, i.kind, i.name_key, i.categories, i.tags,
			ts_prefixes(i.name) || array_to_tsvector(initiative_facets(i.categories, i.kind, i.organisation_id)),
			ts_prefixes(i.name || ' ' || i.summary || ' ' || replace(i.tags, ',', ' ') || ' ' || i.description || ' ' ||
				i.address || ' ' || commons_text(i.commons)) || array_to_tsvector(initiative_facets(i.categories, i.kind, i.organisation_id)))
		IS DISTINCT FROM (s.territory_id, s.organisation_id, s.status, s.kind, s.name_key, s.categories, s.tags, s.search_name, s.search)`).Scan(&n)
	if err != nil || n != 0 {
		t.Fatalf("initiative_search: %d rows differ from initiatives (%v)", n, err)
	}
}
