package offers

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"
)

// The change log of the words' sets (listing_text_changes, migration
// 00025; sql_wordsets.go), shared by both dialects. A listing is appended,
// in the transaction that writes it, when what a set holds of it may have
// changed: its text or filters (on SQLite its FTS5 row), its public
// position, its expiry, or whether the partial indexes of PostgreSQL hold
// it (status, owner hidden, expired). PostgreSQL builds a set from its GIN
// index listings_search, which holds searchable listings only: a listing
// resumed, unhidden, renewed or whose owner is reinstated must come back
// into the sets, so the change of searchability is logged both ways.
// Expiring by the periodic job is not logged: a set keeps each listing's
// expiry and skips the expired ones itself.

// listingState is what the sets depend on of a listing, as stored.
type listingState struct {
	pubLat, pubLon            float64
	title, description, wants string
	kind, mode, category      int
	status                    string
	hiddenOwner, expired      bool
	expiresAt                 time.Time
}

// stateOf reads the stored state of listing id; ok false when it does not exist.
func (s *SQLStore) stateOf(ctx context.Context, territoryID, id int64) (st listingState, ok bool, _ error) {
	err := s.q.QueryRow(ctx, `SELECT pub_lat, pub_lon, title, description, wanted, kind_code, mode_code, category_code,
		status, hidden_owner, expired, expires_at FROM listings WHERE id = ? AND territory_id = ?`, id, territoryID).Scan(
		&st.pubLat, &st.pubLon, &st.title, &st.description, &st.wants, &st.kind, &st.mode, &st.category,
		&st.status, &st.hiddenOwner, &st.expired, &st.expiresAt)
	if errors.Is(err, sql.ErrNoRows) {
		return st, false, nil
	}
	return st, err == nil, err
}

// stateAfter is the state l is written with (the owner's flag stays as
// stored: UpdateListing does not write it).
func stateAfter(l *Listing, was listingState) listingState {
	return listingState{pubLat: l.Position.Lat, pubLon: l.Position.Lon, title: l.Title, description: l.Description,
		wants: l.WantedInReturn, kind: kindCodes[l.Kind], mode: modeCodes[l.Mode], category: categoryCodes[l.Category],
		status: string(l.Status), hiddenOwner: was.hiddenOwner, expired: l.Expired, expiresAt: l.ExpiresAt}
}

// indexed is the predicate of the partial indexes (SQLStore.searchable).
func (st listingState) indexed() bool {
	return st.status == string(StatusActive) && !st.hiddenOwner && !st.expired
}

// changesSets reports whether a set may hold a listing differently after
// the change from st to to.
func (st listingState) changesSets(to listingState) bool {
	return st.pubLat != to.pubLat || st.pubLon != to.pubLon || st.title != to.title || st.description != to.description ||
		st.wants != to.wants || st.kind != to.kind || st.mode != to.mode || st.category != to.category ||
		st.indexed() != to.indexed() || !st.expiresAt.Equal(to.expiresAt)
}

// logChanges appends the listings of ids (of one territory) to its text
// changes, each with the territory's next seq.
func (s *SQLStore) logChanges(ctx context.Context, territoryID int64, ids ...int64) error {
	if len(ids) == 0 {
		return nil
	}
	if s.postgres() {
		// A set reads the changes after the seq it saw, so seqs must
		// become visible in their order, which concurrent writers of
		// the territory would not ensure: they take its lock (held
		// until commit; SQLite has one writer at a time). Taken after
		// the rows are written, as every writer of listings does, so
		// that two writers never wait for each other's lock and row.
		if _, err := s.q.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('listing_text_changes'), hashint8(?))`,
			territoryID); err != nil {
			return fmt.Errorf("text changes of territory %d: lock: %w", territoryID, err)
		}
	}
	if !s.postgres() {
		// One statement for all of them (an expiry run or a member
		// hidden logs hundreds), seqs in the order of ids.
		if _, err := s.q.Exec(ctx, `INSERT INTO listing_text_changes (territory_id, seq, listing_id)
			SELECT ?, m.seq + j.key + 1, j.value FROM json_each(?) j,
				(SELECT COALESCE(MAX(seq), 0) AS seq FROM listing_text_changes WHERE territory_id = ?) m ORDER BY j.key`,
			territoryID, idsJSON(ids), territoryID); err != nil {
			return fmt.Errorf("text changes of territory %d: %w", territoryID, err)
		}
		return nil
	}
	for _, id := range ids {
		if _, err := s.q.Exec(ctx, `INSERT INTO listing_text_changes (territory_id, seq, listing_id)
			SELECT ?, COALESCE(MAX(seq), 0) + 1, ? FROM listing_text_changes WHERE territory_id = ?`,
			territoryID, id, territoryID); err != nil {
			return fmt.Errorf("listing %d: text change: %w", id, err)
		}
	}
	return nil
}

// logChangedRows logs the listings that rows (id, territory_id) returns,
// territory by territory in order of id, so that two transactions take
// the territories' locks in the same order; it closes rows.
func (s *SQLStore) logChangedRows(ctx context.Context, rows *sql.Rows) (int64, error) {
	byTerritory := map[int64][]int64{}
	var n int64
	for rows.Next() {
		var id, ter int64
		if err := rows.Scan(&id, &ter); err != nil {
			rows.Close()
			return 0, err
		}
		byTerritory[ter] = append(byTerritory[ter], id)
		n++
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	ters := make([]int64, 0, len(byTerritory))
	for ter := range byTerritory {
		ters = append(ters, ter)
	}
	slices.Sort(ters)
	for _, ter := range ters {
		ids := byTerritory[ter]
		slices.Sort(ids)
		if err := s.logChanges(ctx, ter, ids...); err != nil {
			return 0, err
		}
	}
	return n, nil
}
