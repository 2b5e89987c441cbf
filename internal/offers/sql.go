package offers

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// SQLStore keeps listings, exchanges, reviews and reports in either
// dialect. What differs (spatial index, text search) is in sql_sqlite.go
// and sql_postgres.go.
type SQLStore struct {
	db   *store.DB
	q    store.Querier
	inTx bool
	// frequent remembers which words are frequent (sql_cells.go), shared
	// by the store's transactions.
	frequent *termFrequency
	// words holds frequent words' sets of listings (sql_wordsets.go).
	words *wordSets
	// floors bounds SQLite's walks of the newest (sql_sqlite_recent.go).
	floors *walkFloors
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore {
	return &SQLStore{db: db, q: db, frequent: newTermFrequency(time.Now), words: newWordSets(maxWordSetBytes),
		floors: newWalkFloors(time.Now)}
}

func (s *SQLStore) postgres() bool { return s.db.Dialect() == store.Postgres }

// WithTx runs fn in one transaction; inside one, it simply runs fn.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return fn(&SQLStore{db: s.db, q: tx, inTx: true, frequent: s.frequent, words: s.words, floors: s.floors})
	})
}

// TxContext returns ctx carrying the transaction the store is bound to.
func (s *SQLStore) TxContext(ctx context.Context) context.Context {
	if tx, ok := s.q.(*store.Tx); ok {
		return store.ContextWithTx(ctx, tx)
	}
	return ctx
}

// write runs fn in a transaction, opening one when needed: SQLite's reader
// pool refuses writes.
func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

// searchable is the condition of the partial indexes, spelled per dialect
// so that PostgreSQL's planner can match it.
// pgSearchable is the predicate of PostgreSQL's partial indexes.
const pgSearchable = "l.status = 'active' AND NOT l.hidden_owner AND NOT l.expired"

func (s *SQLStore) searchable() string {
	if s.postgres() {
		return pgSearchable
	}
	return "l.status = 'active' AND l.hidden_owner = 0 AND l.expired = 0"
}

// publicColumns never include the exact position: search results and
// other people's reads are built from them.
const publicColumns = `l.id, l.territory_id, l.owner_id, l.kind, l.mode, l.title, l.description, l.category,
	l.condition, l.price_cents, l.currency, l.wanted, l.availability, l.quantity, l.pub_lat, l.pub_lon,
	l.status, l.hide_reason, l.expires_at, l.created_at, l.updated_at, l.hidden_owner, l.expired`

const privateColumns = publicColumns + `, l.lat, l.lon, l.status_before_hide, l.accepted_count`

func scanListing(sc store.Scanner, private bool, extra ...any) (*Listing, error) {
	var l Listing
	var expired bool
	dest := []any{&l.ID, &l.TerritoryID, &l.OwnerID, &l.Kind, &l.Mode, &l.Title, &l.Description, &l.Category,
		&l.Condition, &l.PriceCents, &l.Currency, &l.WantedInReturn, &l.Availability, &l.Quantity,
		&l.Position.Lat, &l.Position.Lon, &l.Status, &l.HideReason,
		store.TimeColumn{T: &l.ExpiresAt}, store.TimeColumn{T: &l.CreatedAt}, store.TimeColumn{T: &l.UpdatedAt},
		&l.hiddenOwner, &expired}
	var exactLat, exactLon float64
	if private {
		dest = append(dest, &exactLat, &exactLon, &l.statusBeforeHide, &l.acceptedCount)
	}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return nil, store.NotFound(err, "err.listing_not_found")
	}
	if private {
		l.ExactPosition = &geo.Point{Lat: exactLat, Lon: exactLon}
	}
	l.ExpiresAt, l.CreatedAt, l.UpdatedAt = l.ExpiresAt.UTC(), l.CreatedAt.UTC(), l.UpdatedAt.UTC()
	l.Expired = expired
	l.Photos = []media.Photo{}
	return &l, nil
}

func (s *SQLStore) listings(ctx context.Context, private bool, q string, args ...any) ([]*Listing, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Listing{}
	for rows.Next() {
		l, err := scanListing(rows, private)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertListing(ctx context.Context, l *Listing) error {
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO listings (territory_id, owner_id, kind, mode, title, description, category,
			condition, price_cents, currency, wanted, availability, quantity, lat, lon, pub_lat, pub_lon,
			kind_code, mode_code, category_code, status, expires_at, created_at, updated_at)
			VALUES (`+store.Placeholders(24)+`) RETURNING id`,
			l.TerritoryID, l.OwnerID, l.Kind, l.Mode, l.Title, l.Description, l.Category, l.Condition, l.PriceCents,
			l.Currency, l.WantedInReturn, l.Availability, l.Quantity, l.ExactPosition.Lat, l.ExactPosition.Lon,
			l.Position.Lat, l.Position.Lon, kindCodes[l.Kind], modeCodes[l.Mode], categoryCodes[l.Category],
			l.Status, l.ExpiresAt, l.CreatedAt, l.UpdatedAt).Scan(&l.ID)
		if err != nil {
			return fmt.Errorf("insert listing: %w", err)
		}
		if err := s.SetPhotos(ctx, l.TerritoryID, l.ID, l.Photos); err != nil {
			return err
		}
		if _, err := s.syncText(ctx, l, nil); err != nil {
			return err
		}
		return s.logChanges(ctx, l.TerritoryID, l.ID)
	})
}

func (s *SQLStore) UpdateListing(ctx context.Context, l *Listing) error {
	return s.write(ctx, func(s *SQLStore) error {
		// What the words' sets hold of it (sql_textchanges.go).
		was, _, err := s.stateOf(ctx, l.TerritoryID, l.ID)
		if err != nil {
			return fmt.Errorf("update listing %d: %w", l.ID, err)
		}
		res, err := s.q.Exec(ctx, `UPDATE listings SET kind = ?, mode = ?, title = ?, description = ?, category = ?,
			condition = ?, price_cents = ?, currency = ?, wanted = ?, availability = ?, quantity = ?, lat = ?, lon = ?,
			pub_lat = ?, pub_lon = ?, kind_code = ?, mode_code = ?, category_code = ?, status = ?, status_before_hide = ?,
			hide_reason = ?, expired = ?, expires_at = ?, updated_at = ?
			WHERE id = ? AND territory_id = ?`,
			l.Kind, l.Mode, l.Title, l.Description, l.Category, l.Condition, l.PriceCents, l.Currency, l.WantedInReturn,
			l.Availability, l.Quantity, l.ExactPosition.Lat, l.ExactPosition.Lon, l.Position.Lat, l.Position.Lon,
			kindCodes[l.Kind], modeCodes[l.Mode], categoryCodes[l.Category], l.Status, l.statusBeforeHide,
			l.HideReason, l.Expired, l.ExpiresAt, l.UpdatedAt, l.ID, l.TerritoryID)
		if err != nil {
			return fmt.Errorf("update listing %d: %w", l.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "err.listing_not_found")
		}
		reindexed, err := s.syncText(ctx, l, &was)
		if err != nil {
			return err
		}
		if !reindexed && !was.changesSets(stateAfter(l, was)) {
			return nil // a change of price, availability...: the words' sets stay
		}
		return s.logChanges(ctx, l.TerritoryID, l.ID)
	})
}

func (s *SQLStore) GetListing(ctx context.Context, territoryID, id int64, forUpdate bool) (*Listing, error) {
	q := `SELECT ` + privateColumns + ` FROM listings l WHERE l.id = ? AND l.territory_id = ?`
	if forUpdate && s.inTx && s.postgres() {
		// SQLite transactions are IMMEDIATE: the one writer is already ours.
		q += ` FOR UPDATE`
	}
	return scanListing(s.q.QueryRow(ctx, q, id, territoryID), true)
}

func (s *SQLStore) ListingsOf(ctx context.Context, territoryID, ownerID int64) ([]*Listing, error) {
	return s.listings(ctx, true, `SELECT `+privateColumns+` FROM listings l
		WHERE l.owner_id = ? AND l.territory_id = ? ORDER BY l.created_at DESC, l.id DESC`, ownerID, territoryID)
}

// syncText keeps the FTS5 row of a listing (PostgreSQL has a generated
// column) and reports whether it rewrote it. was is the listing's state
// before an update (nil for a new listing): the FTS5 row is made of the
// texts and filters it holds, so an update that changes none of them
// leaves the row as it is, without reading it.
func (s *SQLStore) syncText(ctx context.Context, l *Listing, was *listingState) (bool, error) {
	if s.postgres() {
		return false, nil
	}
	if was != nil && was.title == l.Title && was.description == l.Description && was.wants == l.WantedInReturn &&
		was.kind == kindCodes[l.Kind] && was.mode == modeCodes[l.Mode] && was.category == categoryCodes[l.Category] {
		return false, nil
	}
	title, body, facets := ftsColumns(l)
	if _, err := s.q.Exec(ctx, `DELETE FROM listings_fts WHERE rowid = ?`, l.ID); err != nil {
		return false, fmt.Errorf("listing %d: unindex: %w", l.ID, err)
	}
	if _, err := s.q.Exec(ctx, `INSERT INTO listings_fts (rowid, title, body, facets) VALUES (?, ?, ?, ?)`,
		l.ID, title, body, facets); err != nil {
		return false, fmt.Errorf("listing %d: index: %w", l.ID, err)
	}
	return true, nil
}

// ftsColumns is what the FTS5 table holds for a listing.
func ftsColumns(l *Listing) (title, body, facets string) {
	f := []string{territoryFacet(l.TerritoryID), textsearch.Facet("zc", l.Category),
		textsearch.Facet("zk", string(l.Kind)), textsearch.Facet("zm", string(l.Mode))}
	return textsearch.WithStems(l.Title), textsearch.WithStems(l.Description + "\n" + l.WantedInReturn), strings.Join(f, " ")
}

func territoryFacet(id int64) string { return textsearch.Facet("zt", fmt.Sprint(id)) }

const photoColumns = `listing_id, key, thumb_key, width, height, thumb_width, thumb_height, content_type, bytes`

func (s *SQLStore) Photos(ctx context.Context, territoryID int64, ids []int64, coverOnly bool) (map[int64][]media.Photo, error) {
	out := make(map[int64][]media.Photo, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, territoryID)
	for _, id := range ids {
		args = append(args, id)
	}
	cond := ""
	if coverOnly {
		cond = " AND position = 0"
	}
	rows, err := s.q.Query(ctx, `SELECT `+photoColumns+` FROM listing_photos WHERE territory_id = ? AND listing_id IN (`+
		store.Placeholders(len(ids))+`)`+cond+` ORDER BY listing_id, position`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var p media.Photo
		if err := rows.Scan(&id, &p.Key, &p.ThumbKey, &p.Width, &p.Height, &p.ThumbWidth, &p.ThumbHeight,
			&p.ContentType, &p.Bytes); err != nil {
			return nil, err
		}
		out[id] = append(out[id], p)
	}
	return out, rows.Err()
}

func (s *SQLStore) SetPhotos(ctx context.Context, territoryID, id int64, photos []media.Photo) error {
	return s.write(ctx, func(s *SQLStore) error {
		if _, err := s.q.Exec(ctx, `DELETE FROM listing_photos WHERE listing_id = ? AND territory_id = ?`, id, territoryID); err != nil {
			return fmt.Errorf("listing %d: photos: %w", id, err)
		}
		for i, p := range photos {
			if _, err := s.q.Exec(ctx, `INSERT INTO listing_photos (listing_id, territory_id, position, key, thumb_key,
				width, height, thumb_width, thumb_height, content_type, bytes) VALUES (`+store.Placeholders(11)+`)`,
				id, territoryID, i, p.Key, p.ThumbKey, p.Width, p.Height, p.ThumbWidth, p.ThumbHeight, p.ContentType, p.Bytes); err != nil {
				return fmt.Errorf("listing %d: photo %d: %w", id, i, err)
			}
		}
		return nil
	})
}

func (s *SQLStore) TakeSlot(ctx context.Context, territoryID, id int64, limited bool) (bool, error) {
	var n int64
	err := s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE listings SET accepted_count = accepted_count + 1
			WHERE id = ? AND territory_id = ? AND status = 'active' AND (? = 0 OR accepted_count < quantity)`,
			id, territoryID, boolInt(limited))
		if err != nil {
			return fmt.Errorf("listing %d: take slot: %w", id, err)
		}
		n, err = res.RowsAffected()
		return err
	})
	return n == 1, err
}

func (s *SQLStore) FreeSlot(ctx context.Context, territoryID, id int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE listings SET accepted_count = accepted_count - 1
			WHERE id = ? AND territory_id = ? AND accepted_count > 0`, id, territoryID)
		return err
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *SQLStore) HideOwner(ctx context.Context, ownerID int64, hidden bool) (int64, error) {
	var n int64
	err := s.write(ctx, func(s *SQLStore) error {
		// Logged (sql_textchanges.go): reinstated, they come back into
		// PostgreSQL's words' sets.
		rows, err := s.q.Query(ctx, `UPDATE listings SET hidden_owner = ? WHERE owner_id = ? AND hidden_owner <> ?
			RETURNING id, territory_id`, hidden, ownerID, hidden)
		if err != nil {
			return fmt.Errorf("hide listings of user %d: %w", ownerID, err)
		}
		if n, err = s.logChangedRows(ctx, rows); err != nil {
			return fmt.Errorf("hide listings of user %d: %w", ownerID, err)
		}
		return nil
	})
	return n, err
}

// expireBatch bounds one expiry transaction, so that a backlog never holds
// the writer for long.
const expireBatch = 500

func (s *SQLStore) ExpireDue(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	cond := "status = 'active' AND expired = 0"
	if s.postgres() {
		cond = "status = 'active' AND NOT expired"
	}
	for {
		var n int64
		err := s.write(ctx, func(s *SQLStore) error {
			res, err := s.q.Exec(ctx, `UPDATE listings SET expired = ? WHERE id IN (
				SELECT id FROM listings WHERE `+cond+` AND expires_at <= ? LIMIT ?)`, true, now, expireBatch)
			if err != nil {
				return fmt.Errorf("expire listings: %w", err)
			}
			n, err = res.RowsAffected()
			return err
		})
		total += n
		if err != nil || n < expireBatch {
			return total, err
		}
	}
}

func nullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}
