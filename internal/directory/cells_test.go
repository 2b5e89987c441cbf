package directory

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/store/storetest"
)

// TestCellsExactAfterOneBigTransaction: rows inserted, moved, unpublished,
// published again and deleted in one transaction (as an import does), and
// then in small ones, leave the kept cluster counts equal to counts
// recomputed from the rows, on both databases.
func TestCellsExactAfterOneBigTransaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		st := NewSQLStore(db)
		r := rand.New(rand.NewPCG(5, 6))
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var all []*Initiative
		point := func() geo.Point {
			return geo.Point{Lat: 45.70 + r.Float64()*0.11, Lon: 4.77 + r.Float64()*0.13}
		}
		change := func(tx Store, in *Initiative) error {
			switch r.IntN(4) {
			case 0:
				in.Position = point()
			case 1:
				in.Status = StatusArchived
			case 2:
				in.Status = StatusPublished
			case 3:
				in.Position, in.Status = point(), StatusPublished
			}
			return tx.Update(ctx, in)
		}
		err := st.WithTx(ctx, func(tx Store) error {
			for i := 0; i < 1500; i++ {
				ter := e.ter
				if i%5 == 4 {
					ter = e.other
				}
				p := point()
				if ter == e.other {
					p = geo.Point{Lat: 48.85 + r.Float64()*0.03, Lon: 2.30 + r.Float64()*0.1}
				}
				in := &Initiative{TerritoryID: ter.ID, Name: fmt.Sprintf("Lieu %d", i), Summary: "Un lieu",
					Categories: []string{"food"}, Kind: KindAssociation, Status: StatusPublished, Position: p,
					CreatedAt: now, UpdatedAt: now, Revision: 1}
				if i%9 == 0 {
					in.Status = StatusPending
				}
				if err := tx.Insert(ctx, in); err != nil {
					return err
				}
				all = append(all, in)
				if i%3 == 0 && ter == e.ter {
					if err := change(tx, all[r.IntN(len(all))]); err != nil {
						return err
					}
				}
			}
			_, err := tx.(*SQLStore).q.Exec(ctx, `DELETE FROM initiatives WHERE id IN (?, ?, ?)`, all[0].ID, all[10].ID, all[20].ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		checkCells(t, db)
		// Then a few small transactions, as members' edits are.
		for i := 0; i < 20; i++ {
			in := all[30+r.IntN(1000)]
			if in.TerritoryID != e.ter.ID {
				continue
			}
			if err := st.WithTx(ctx, func(tx Store) error { return change(tx, in) }); err != nil {
				t.Fatal(err)
			}
		}
		checkCells(t, db)
	})
}

// checkCells compares initiative_cells with counts recomputed from the rows.
func checkCells(t *testing.T, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	type cell struct {
		n              int64
		sumLat, sumLon float64
		sumID          int64
	}
	read := func(q string) map[string]cell {
		rows, err := db.Query(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		out := map[string]cell{}
		for rows.Next() {
			var ter, z, cx, cy int64
			var c cell
			if err := rows.Scan(&ter, &z, &cx, &cy, &c.n, &c.sumLat, &c.sumLon, &c.sumID); err != nil {
				t.Fatal(err)
			}
			if c.n != 0 {
				out[fmt.Sprint(ter, z, cx, cy)] = c
			}
		}
		return out
	}
	floor := "CAST(merc_x * (4 << z) AS INTEGER), CAST(merc_y * (4 << z) AS INTEGER)"
	levels := "(SELECT 0 AS z UNION ALL SELECT 2 UNION ALL SELECT 4 UNION ALL SELECT 6 UNION ALL SELECT 8 UNION ALL SELECT 10 UNION ALL SELECT 12 UNION ALL SELECT 14 UNION ALL SELECT 16) l"
	if db.Dialect() == store.Postgres {
		floor = "floor(merc_x * (4 << z))::integer, floor(merc_y * (4 << z))::integer"
	}
	kept := read(`SELECT territory_id, z, cx, cy, n, sum_lat, sum_lon, sum_id FROM initiative_cells`)
	want := read(`SELECT territory_id, z, ` + floor + `, COUNT(*), SUM(lat), SUM(lon), SUM(id)
		FROM initiatives, ` + levels + ` WHERE status = 'published' GROUP BY 1, 2, 3, 4`)
	if len(kept) != len(want) || len(want) == 0 {
		t.Fatalf("%d non-empty cells kept, %d recomputed", len(kept), len(want))
	}
	for k, w := range want {
		g := kept[k]
		if g.n != w.n || g.sumID != w.sumID || math.Abs(g.sumLat-w.sumLat) > 1e-6 || math.Abs(g.sumLon-w.sumLon) > 1e-6 {
			t.Fatalf("cell %s: kept %+v, recomputed %+v", k, g, w)
		}
	}
}
