package directory

import (
	"context"
	"errors"
	"testing"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func TestImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		count := func() int {
			st, err := e.svc.Stats(ctx, e.ter)
			if err != nil {
				t.Fatal(err)
			}
			return st.ByStatus[StatusPublished]
		}
		rows := []ImportItem{
			{Row: 1, SourceKey: "osm:1", Initiative: *sample("Recyclerie", 45.76, 4.83)},
			{Row: 2, SourceKey: "osm:2", Initiative: *sample("AMAP", 45.75, 4.84)},
			{Row: 3, SourceKey: "", Initiative: *sample("Troc de plantes", 45.74, 4.85)},
		}
		bad := append(append([]ImportItem(nil), rows...),
			ImportItem{Row: 4, SourceKey: "osm:4", Initiative: *sample("Ailleurs", 48.85, 2.35)},
			ImportItem{Row: 5, SourceKey: "osm:5", Initiative: *sample("", 45.74, 4.85)})

		t.Run("all or nothing", func(t *testing.T) {
			res, err := e.svc.Import(ctx, e.moderator, e.ter, bad, false)
			if !errs.Is(err, errs.Invalid) || len(res.Errors) != 2 || res.Created != 0 {
				t.Fatalf("got %+v, %v", res, err)
			}
			if res.Errors[0].Row != 4 || res.Errors[0].Key != "err.outside_territory" || res.Errors[1].Row != 5 || res.Errors[1].Field != "name" {
				t.Fatalf("errors: %+v", res.Errors)
			}
			if count() != 0 {
				t.Fatal("a failed import wrote rows")
			}
		})
		t.Run("skip invalid", func(t *testing.T) {
			v := e.version(t)
			res, err := e.svc.Import(ctx, access.SystemActor(), e.ter, bad, true)
			if err != nil || res.Created != 3 || res.Skipped != 2 || len(res.Errors) != 2 {
				t.Fatalf("got %+v, %v", res, err)
			}
			if count() != 3 || e.version(t) != v+1 {
				t.Fatalf("count %d, version %d", count(), e.version(t))
			}
		})
		t.Run("reimport creates no duplicates", func(t *testing.T) {
			res, err := e.svc.Import(ctx, e.moderator, e.ter, rows, false)
			if err != nil || res.Created != 0 || res.Unchanged != 3 || res.Updated != 0 {
				t.Fatalf("got %+v, %v", res, err)
			}
			changed := append([]ImportItem(nil), rows...)
			changed[0].Initiative.Summary = "Nouveau résumé"
			// Same name a few metres away, no key: the same place.
			changed[2].Initiative.Position.Lat += 0.0002
			changed[2].Initiative.Phone = "0600000000"
			res, err = e.svc.Import(ctx, e.moderator, e.ter, changed, false)
			if err != nil || res.Created != 0 || res.Updated != 2 || res.Unchanged != 1 || count() != 3 {
				t.Fatalf("got %+v, %v, count %d", res, err, count())
			}
			found, _ := e.svc.Search(ctx, e.ter, Query{Text: "recyclerie"})
			if found.Total != 1 || found.Items[0].Initiative.Summary != "Nouveau résumé" || found.Items[0].Initiative.Revision != 2 {
				t.Fatalf("updated row: %+v", found)
			}
			revs, _ := e.svc.Revisions(ctx, e.anon, e.ter, found.Items[0].Initiative.ID)
			if len(revs) != 2 || revs[1].Changes[0].Field != "summary" {
				t.Fatalf("import revision: %+v", revs)
			}
			// Same name far away is another place.
			far := []ImportItem{{Row: 1, Initiative: *sample("Troc de plantes", 45.78, 4.80)}}
			if res, _ := e.svc.Import(ctx, e.moderator, e.ter, far, false); res.Created != 1 {
				t.Fatalf("far namesake: %+v", res)
			}
		})
		t.Run("rows repeating a key in one file", func(t *testing.T) {
			twice := []ImportItem{
				{Row: 1, SourceKey: "dup", Initiative: *sample("Donnerie", 45.76, 4.83)},
				{Row: 2, SourceKey: "dup", Initiative: *sample("Donnerie du quartier", 45.76, 4.83)},
			}
			res, err := e.svc.Import(ctx, e.moderator, e.ter, twice, false)
			if err != nil || res.Created != 1 || res.Updated != 1 {
				t.Fatalf("got %+v, %v", res, err)
			}
		})
	})
}

// TestImportExtension: a row's extension runs inside the import's
// transaction with the row's initiative as stored, whether the row created,
// updated or left it; its failure rolls the whole import back.
func TestImportExtension(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEnv(t, db)
		seen := map[string]int64{}
		record := func(ctx context.Context, tx Store, ter *territory.Territory, in *Initiative) error {
			if ter.ID != e.ter.ID {
				return errors.New("extension called for another territory")
			}
			seen[in.SourceKey] = in.ID
			return nil
		}
		rows := []ImportItem{
			{Row: 1, SourceKey: "ext:1", Initiative: *sample("Repair café", 45.76, 4.83), Extension: record},
			{Row: 2, SourceKey: "ext:2", Initiative: *sample("Grainothèque", 45.75, 4.84)},
		}
		if res, err := e.svc.Import(ctx, e.moderator, e.ter, rows, false); err != nil || res.Created != 2 {
			t.Fatalf("got %+v, %v", res, err)
		}
		created := seen["ext:1"]
		if created == 0 || len(seen) != 1 {
			t.Fatalf("extension saw %v", seen)
		}
		// Unchanged, then updated: the same initiative each time.
		for _, name := range []string{"Repair café", "Repair café du quartier"} {
			clear(seen)
			rows[0].Initiative.Name = name
			if _, err := e.svc.Import(ctx, e.moderator, e.ter, rows, false); err != nil || seen["ext:1"] != created {
				t.Fatalf("%s: extension saw %v (want %d), %v", name, seen, created, err)
			}
		}
		boom := errors.New("extension fails")
		rows = []ImportItem{
			{Row: 1, SourceKey: "ext:3", Initiative: *sample("Atelier vélo", 45.74, 4.85)},
			{Row: 2, SourceKey: "ext:4", Initiative: *sample("Boîte à dons", 45.745, 4.845),
				Extension: func(context.Context, Store, *territory.Territory, *Initiative) error { return boom }},
		}
		if _, err := e.svc.Import(ctx, e.moderator, e.ter, rows, false); !errors.Is(err, boom) {
			t.Fatalf("failing extension: %v", err)
		}
		if _, err := e.svc.store.BySourceKey(ctx, e.ter.ID, "ext:3"); !errs.Is(err, errs.NotFound) {
			t.Fatalf("row 1 of a failed import kept: %v", err)
		}
	})
}
