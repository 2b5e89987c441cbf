package offers

import (
	"context"
	"database/sql"
	"time"

	"github.com/jackc/pgx/v5"
)

// The words' sets on PostgreSQL (sql_wordsets.go): a frequent word's
// listings are read from the GIN index listings_search, which is partial
// (searchable listings only), so a set holds the searchable listings with
// the words when it was built, then patched from the change log with the
// listings changed since, which records changes of searchability too
// (sql_textchanges.go). The nearest found in a set are checked in the table
// by primary key, as on SQLite. Without a set (too large to keep), words
// near a point go to the KNN walk of nearPostgres.

// countPostingsPostgres counts, up to a bound, the searchable listings of
// every territory that hold a tsquery's words: frequentWords' measure.
const countPostingsPostgres = `SELECT COUNT(*) FROM (SELECT 1 FROM listings l
	WHERE ` + pgSearchable + ` AND l.search @@ to_tsquery('sc_simple', ?) LIMIT ?) n`

// wordListingsPostgres reads the territory's searchable listings holding
// the words of the tsquery match, as wordListing's columns. Planned for
// its values each time (planFor): a generic plan does not know that the
// word is frequent.
func (s *SQLStore) wordListingsPostgres(ctx context.Context, territoryID int64, match string) (*sql.Rows, error) {
	return s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.expires_at, l.category_code, l.mode_code, l.kind_code
		FROM listings l WHERE l.territory_id = ? AND `+s.searchable()+` AND l.search @@ to_tsquery('sc_simple', ?)`,
		pgx.QueryExecModeExec, territoryID, match)
}

// changedWordListingsPostgres returns the listings of ids that are in the
// GIN index with the words now, in order of cell. The test is in the
// select list, so that the ids are read by primary key whatever the
// planner thinks of the words.
func (s *SQLStore) changedWordListingsPostgres(ctx context.Context, territoryID int64, match string, ids []int64) ([]wordListing, error) {
	rows, err := s.q.Query(ctx, `SELECT l.id, l.pub_lat, l.pub_lon, l.created_at, l.expires_at, l.category_code, l.mode_code, l.kind_code,
		`+s.searchable()+` AND l.search @@ to_tsquery('sc_simple', ?)
		FROM listings l WHERE l.id = ANY(?) AND l.territory_id = ?`, match, ids, territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wordListing{}
	for rows.Next() {
		var has bool
		e, err := scanWordListing(rows, &has)
		if err != nil {
			return nil, err
		}
		if has {
			out = append(out, e)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sortByCell(out)
	return out, nil
}

// checkSearchablePostgres is checkSearchable (sql_wordsets.go) with the
// ids as one array parameter, reading the rows' public columns and covers
// (the page then needs no other query).
func (s *SQLStore) checkSearchablePostgres(ctx context.Context, territoryID int64, now time.Time, ids []any, checked map[int64]bool,
	read map[int64]*Listing) error {
	arr := make([]int64, len(ids))
	for i, id := range ids {
		arr[i] = id.(int64)
		checked[arr[i]] = false
	}
	ls, err := s.listingsWithCovers(ctx, `SELECT `+pgWithCoverColumns+` FROM `+pgWithCoverFrom+`
		WHERE l.id = ANY(?) AND l.territory_id = ? AND `+s.searchable()+` AND l.expires_at > ?`, arr, territoryID, now)
	if err != nil {
		return err
	}
	for id, l := range ls {
		checked[id], read[id] = true, l
	}
	return nil
}
