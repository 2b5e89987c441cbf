package directory

import (
	"context"
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
