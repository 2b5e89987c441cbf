package directory

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/textsearch"

	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

// checkPlans asks each dialect how it runs the map and search queries on
// the benchmark dataset (analysed, so plans are the real ones) and fails
// when one does not use its index.
func checkPlans(b *testing.B, db *store.DB, territoryID int64) {
	ctx := context.Background()
	box := geo.BBox{MinLon: 4.83, MinLat: 45.75, MaxLon: 4.862, MaxLat: 45.768}
	type plan struct {
		name, query, want string
		args              []any
	}
	var plans []plan
	if db.Dialect() == store.SQLite {
		lvl := 12
		x0, y0, x1, y1 := cellRange(box, lvl)
		plans = []plan{
			{"map box", `SELECT i.id, i.name FROM initiatives_rtree r JOIN initiatives i ON i.id = r.id WHERE r.` +
				strings.ReplaceAll(rtreeBox, "AND ", "AND r."), "VIRTUAL TABLE INDEX", rtreeArgs(box, territoryID)},
			{"near", `SELECT id, min_lat, min_lon FROM initiatives_rtree WHERE ` + rtreeBox, "VIRTUAL TABLE INDEX", rtreeArgs(box, territoryID)},
			{"search", `SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ? ORDER BY rowid DESC LIMIT 20`, "VIRTUAL TABLE INDEX",
				[]any{ftsMatch(textsearch.QueryTerms("partage"), ftsFacets(territoryID, nil, nil))}},
			{"clusters", `SELECT cx, cy, n FROM initiative_cells WHERE territory_id = ? AND z = ? AND cx BETWEEN ? AND ? AND cy BETWEEN ? AND ?`,
				"USING PRIMARY KEY", []any{territoryID, lvl, x0, x1, y0, y1}},
			// PublishedByIDs, "near me"'s read: one primary-key lookup an id.
			{"by ids", sqlitePublishedByIDs, "INTEGER PRIMARY KEY", []any{territoryID, "1,2,3"}},
		}
		for i := range plans {
			plans[i].query = "EXPLAIN QUERY PLAN " + plans[i].query
		}
	} else {
		plans = []plan{
			{"map box", `SELECT i.id FROM initiatives i WHERE i.status = 'published' AND ` + pgBox + ` AND i.territory_id = ?`,
				"initiatives_point", append(pgBoxArgs(box), territoryID)},
			{"near", `SELECT i.id FROM initiatives i WHERE i.status = 'published' AND i.territory_id = ?
				ORDER BY point(i.lon, i.lat) <-> point(?, ?) LIMIT 28`, "initiatives_point", []any{territoryID, 4.85, 45.76}},
			// A rare pair of words, as rankedPostgres reads it from the
			// side table; a common one rightly reads the table until it
			// has counted enough.
			{"search", `SELECT i.initiative_id, i.name_key, i.tags` + sideFrom + `i.territory_id = ? AND i.status = 'published'` +
				sideAll + ` LIMIT 1001`, "initiative_search_search", []any{territoryID, tsQuery(textsearch.QueryTerms("grainothèque croix"))}},
			{"clusters", `SELECT cx, cy, n FROM initiative_cells WHERE territory_id = ? AND z = ? AND cx BETWEEN ? AND ? AND cy BETWEEN ? AND ?`,
				"initiative_cells_pkey", []any{territoryID, 12, 0, 1 << 20, 0, 1 << 20}},
		}
		for i := range plans {
			plans[i].query = "EXPLAIN " + plans[i].query
		}
	}
	for _, p := range plans {
		rows, err := db.Query(ctx, p.query, p.args...)
		if err != nil {
			b.Fatalf("%s: %v", p.name, err)
		}
		var lines []string
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				b.Fatal(err)
			}
			lines = append(lines, fmt.Sprint(vals[len(vals)-1]))
		}
		rows.Close()
		text := strings.Join(lines, " | ")
		b.Logf("plan %s: %s", p.name, text)
		if !strings.Contains(text, p.want) {
			b.Errorf("%s does not use %s: %s", p.name, p.want, text)
		}
	}
}
