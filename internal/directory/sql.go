package directory

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps the directory in either dialect. Queries that differ
// (spatial index, full-text search) live in sql_sqlite.go and sql_postgres.go.
type SQLStore struct {
	db   *store.DB
	q    store.Querier
	inTx bool
	// pages holds released "near me" pages for the next (see Page);
	// shared with the store's transactions.
	pages *sync.Pool
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore {
	return &SQLStore{db: db, q: db, pages: new(sync.Pool)}
}

func (s *SQLStore) postgres() bool { return s.db.Dialect() == store.Postgres }

// WithTx runs fn in one transaction; inside one, it simply runs fn.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return fn(&SQLStore{db: s.db, q: tx, inTx: true, pages: s.pages})
	})
}

// write runs fn on the transaction, opening one when needed: the reader
// pool of SQLite refuses writes.
func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

const initiativeColumns = `i.id, i.territory_id, i.name, i.summary, i.description, i.categories, i.tags, i.kind,
	i.address, i.lat, i.lon, i.opening_hours, i.website, i.email, i.phone, COALESCE(i.organisation_id, 0),
	i.commons, i.status, i.reject_reason, i.source_key, COALESCE(i.mapjam_id, 0), COALESCE(i.created_by, 0),
	i.created_at, i.updated_at, i.revision`

// sqliteInitiativeColumns reads the times as text: the SQLite driver
// parses a DATETIME column itself, first with a layout that never matches
// the stored one (an error value built per column and row, a fifth of the
// allocations of a "near me"); scanInitiative parses the text once.
var sqliteInitiativeColumns = strings.Replace(initiativeColumns, "i.created_at, i.updated_at",
	"CAST(i.created_at AS TEXT), CAST(i.updated_at AS TEXT)", 1)

// cols is initiativeColumns for the store's dialect.
func (s *SQLStore) cols() string {
	if s.postgres() {
		return initiativeColumns
	}
	return sqliteInitiativeColumns
}

// scanInitiative reads initiativeColumns (or cols()), then extra destinations.
func scanInitiative(sc store.Scanner, extra ...any) (*Initiative, error) {
	var r initiativeRow
	return r.scan(sc, extra...)
}

// initiativeRow reads rows of initiativeColumns, reusing its destinations
// from one row to the next: a page of search hits is read through one,
// and the 26 destinations were a third of the bytes its rows allocated
// besides the driver's.
type initiativeRow struct {
	txt  [4]string // categories, tags, opening hours and commons as stored
	dest []any
}

func (r *initiativeRow) scan(sc store.Scanner, extra ...any) (*Initiative, error) {
	in := new(Initiative)
	r.txt = [4]string{}
	cats, tags, hours, commons := &r.txt[0], &r.txt[1], &r.txt[2], &r.txt[3]
	r.dest = append(r.dest[:0], &in.ID, &in.TerritoryID, &in.Name, &in.Summary, &in.Description, cats, tags, &in.Kind,
		&in.Address, &in.Position.Lat, &in.Position.Lon, hours, &in.Website, &in.Email, &in.Phone, &in.OrganisationID,
		commons, &in.Status, &in.RejectReason, &in.SourceKey, &in.MapJamID, &in.CreatedBy,
		store.TimeColumn{T: &in.CreatedAt}, store.TimeColumn{T: &in.UpdatedAt}, &in.Revision)
	if err := sc.Scan(append(r.dest, extra...)...); err != nil {
		return nil, store.NotFound(err, "err.initiative_not_found")
	}
	if err := in.setStored(*cats, *tags, *hours, *commons); err != nil {
		return nil, err
	}
	return in, nil
}

// setStored decodes the columns kept as text (lists, JSON) and puts the
// times in UTC, after a scan.
func (in *Initiative) setStored(cats, tags, hours, commons string) error {
	return in.setStoredLists(splitList(cats), splitList(tags), hours, commons)
}

// setStoredLists is setStored with the lists split already.
func (in *Initiative) setStoredLists(cats, tags []string, hours, commons string) error {
	in.Categories, in.Tags = cats, tags
	// Most entries have neither: skip the decoder for the empty values.
	if hours != "[]" && hours != "" {
		if err := json.Unmarshal([]byte(hours), &in.OpeningHours); err != nil {
			return fmt.Errorf("initiative %d: opening hours: %w", in.ID, err)
		}
	}
	if commons != "{}" && commons != "" {
		if err := json.Unmarshal([]byte(commons), &in.Commons); err != nil {
			return fmt.Errorf("initiative %d: commons: %w", in.ID, err)
		}
	}
	in.CreatedAt, in.UpdatedAt = in.CreatedAt.UTC(), in.UpdatedAt.UTC()
	return nil
}

func (s *SQLStore) list(ctx context.Context, q string, args ...any) ([]*Initiative, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Initiative
	for rows.Next() {
		in, err := scanInitiative(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// encoded holds the columns computed from an initiative's content.
type encoded struct {
	hours, commons string
	mx, my         float64
}

func encode(in *Initiative) (encoded, error) {
	hours := in.OpeningHours
	if hours == nil {
		hours = []OpeningHours{}
	}
	h, err := json.Marshal(hours)
	if err != nil {
		return encoded{}, err
	}
	c, err := json.Marshal(in.Commons)
	mx, my := mercator(in.Position)
	return encoded{string(h), string(c), mx, my}, err
}

func (s *SQLStore) Insert(ctx context.Context, in *Initiative) error {
	e, err := encode(in)
	if err != nil {
		return err
	}
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO initiatives (territory_id, name, name_key, summary, description,
			categories, tags, kind, address, lat, lon, merc_x, merc_y, opening_hours, website, email, phone, organisation_id,
			commons, status, reject_reason, source_key, mapjam_id, created_by, created_at, updated_at, revision, revision_seq)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			in.TerritoryID, in.Name, nameKey(in.Name), in.Summary, in.Description, joinList(in.Categories),
			joinList(in.Tags), in.Kind, in.Address, in.Position.Lat, in.Position.Lon, e.mx, e.my, e.hours, in.Website, in.Email,
			in.Phone, nullID(in.OrganisationID), e.commons, in.Status, in.RejectReason, in.SourceKey,
			nullID(in.MapJamID), nullID(in.CreatedBy), in.CreatedAt, in.UpdatedAt, in.Revision, in.Revision,
		).Scan(&in.ID)
		if err != nil {
			return fmt.Errorf("insert initiative: %w", err)
		}
		return s.syncText(ctx, in)
	})
}

func (s *SQLStore) Update(ctx context.Context, in *Initiative) error {
	e, err := encode(in)
	if err != nil {
		return err
	}
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE initiatives SET name = ?, name_key = ?, summary = ?, description = ?,
			categories = ?, tags = ?, kind = ?, address = ?, lat = ?, lon = ?, merc_x = ?, merc_y = ?, opening_hours = ?, website = ?,
			email = ?, phone = ?, organisation_id = ?, commons = ?, status = ?, reject_reason = ?, source_key = ?,
			updated_at = ?, revision = ?
			WHERE id = ? AND territory_id = ?`,
			in.Name, nameKey(in.Name), in.Summary, in.Description, joinList(in.Categories), joinList(in.Tags),
			in.Kind, in.Address, in.Position.Lat, in.Position.Lon, e.mx, e.my, e.hours, in.Website, in.Email, in.Phone,
			nullID(in.OrganisationID), e.commons, in.Status, in.RejectReason, in.SourceKey, in.UpdatedAt, in.Revision,
			in.ID, in.TerritoryID)
		if err != nil {
			return fmt.Errorf("update initiative %d: %w", in.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.NotFound, "err.initiative_not_found")
		}
		return s.syncText(ctx, in)
	})
}

func (s *SQLStore) Get(ctx context.Context, territoryID, id int64) (*Initiative, error) {
	return scanInitiative(s.q.QueryRow(ctx, `SELECT `+s.cols()+` FROM initiatives i
		WHERE i.id = ? AND i.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) GetForUpdate(ctx context.Context, territoryID, id int64) (*Initiative, error) {
	q := `SELECT ` + s.cols() + ` FROM initiatives i WHERE i.id = ? AND i.territory_id = ?`
	if s.postgres() && s.inTx {
		// SQLite transactions are IMMEDIATE: the one writer is already ours.
		q += ` FOR UPDATE`
	}
	return scanInitiative(s.q.QueryRow(ctx, q, id, territoryID))
}

func (s *SQLStore) NextRevisionNumber(ctx context.Context, territoryID, id int64) (int, error) {
	var n int
	err := s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `UPDATE initiatives SET revision_seq = revision_seq + 1
			WHERE id = ? AND territory_id = ? RETURNING revision_seq`, id, territoryID).Scan(&n)
	})
	return n, store.NotFound(err, "err.initiative_not_found")
}

func (s *SQLStore) BySourceKey(ctx context.Context, territoryID int64, key string) (*Initiative, error) {
	return scanInitiative(s.q.QueryRow(ctx, `SELECT `+s.cols()+` FROM initiatives i
		WHERE i.territory_id = ? AND i.source_key = ? AND i.source_key <> ''`, territoryID, key))
}

func (s *SQLStore) ByNameKey(ctx context.Context, territoryID int64, key string) ([]*Initiative, error) {
	return s.list(ctx, `SELECT `+s.cols()+` FROM initiatives i
		WHERE i.territory_id = ? AND i.name_key = ? ORDER BY i.id`, territoryID, key)
}

func (s *SQLStore) ByStatus(ctx context.Context, territoryID int64, status Status, limit int) ([]*Initiative, error) {
	return s.list(ctx, `SELECT `+s.cols()+` FROM initiatives i
		WHERE i.territory_id = ? AND i.status = ? ORDER BY i.created_at, i.id LIMIT ?`, territoryID, status, limit)
}

func (s *SQLStore) All(ctx context.Context, territoryID int64, fn func(*Initiative) error) error {
	// Pages by id so that a long export holds no read transaction open.
	var after int64
	for {
		page, err := s.list(ctx, `SELECT `+s.cols()+` FROM initiatives i
			WHERE i.territory_id = ? AND i.status = 'published' AND i.id > ? ORDER BY i.id LIMIT 1000`, territoryID, after)
		if err != nil {
			return err
		}
		for _, in := range page {
			if err := fn(in); err != nil {
				return err
			}
			after = in.ID
		}
		if len(page) < 1000 {
			return nil
		}
	}
}

func (s *SQLStore) Stats(ctx context.Context, territoryID int64) (Stats, error) {
	st := Stats{ByStatus: map[Status]int{}, PublishedCategory: map[string]int{}, PublishedKind: map[Kind]int{}}
	rows, err := s.q.Query(ctx, `SELECT status, kind, categories, COUNT(*) FROM initiatives
		WHERE territory_id = ? GROUP BY status, kind, categories`, territoryID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var status Status
		var kind Kind
		var cats string
		var n int
		if err := rows.Scan(&status, &kind, &cats, &n); err != nil {
			return st, err
		}
		st.ByStatus[status] += n
		if status == StatusPublished {
			st.PublishedKind[kind] += n
			for _, c := range splitList(cats) {
				st.PublishedCategory[c] += n
			}
		}
	}
	if err := rows.Err(); err != nil {
		return st, err
	}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM reports WHERE territory_id = ? AND resolved_at IS NULL`,
		territoryID).Scan(&st.OpenReports); err != nil {
		return st, err
	}
	err = s.q.QueryRow(ctx, `SELECT COUNT(*) FROM initiative_revisions WHERE territory_id = ? AND status = 'pending'`,
		territoryID).Scan(&st.PendingRevisions)
	return st, err
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}
