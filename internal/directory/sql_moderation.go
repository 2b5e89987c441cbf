package directory

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/store"
)

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func (s *SQLStore) InsertRevision(ctx context.Context, r *Revision) error {
	snap, err := encodeContent(&r.Content)
	if err != nil {
		return err
	}
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO initiative_revisions (initiative_id, territory_id, number, author_id,
			created_at, status, content, comment, reviewed_by, reviewed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.InitiativeID, r.TerritoryID, r.Number, nullID(r.AuthorID), r.CreatedAt, r.Status, snap, r.Comment,
			nullID(r.ReviewedBy), utcPtr(r.ReviewedAt))
		if err != nil {
			return fmt.Errorf("initiative %d: insert revision %d: %w", r.InitiativeID, r.Number, err)
		}
		return nil
	})
}

const revisionColumns = `r.initiative_id, r.territory_id, r.number, COALESCE(r.author_id, 0), r.created_at, r.status,
	r.content, r.comment, r.review_note, COALESCE(r.reviewed_by, 0), r.reviewed_at`

func scanRevision(sc store.Scanner, extra ...any) (Revision, error) {
	var r Revision
	var snap string
	var reviewed sql.NullTime
	dest := []any{&r.InitiativeID, &r.TerritoryID, &r.Number, &r.AuthorID, &r.CreatedAt, &r.Status, &snap,
		&r.Comment, &r.ReviewNote, &r.ReviewedBy, &reviewed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return r, store.NotFound(err, "err.revision_not_found")
	}
	r.CreatedAt, r.ReviewedAt = r.CreatedAt.UTC(), timePtr(reviewed)
	var err error
	r.Content, err = decodeContent(snap)
	return r, err
}

func (s *SQLStore) revisions(ctx context.Context, q string, withName bool, args ...any) ([]Revision, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Revision
	for rows.Next() {
		var name string
		var extra []any
		if withName {
			extra = []any{&name}
		}
		r, err := scanRevision(rows, extra...)
		if err != nil {
			return nil, err
		}
		r.InitiativeName = name
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) Revisions(ctx context.Context, territoryID, id int64) ([]Revision, error) {
	return s.revisions(ctx, `SELECT `+revisionColumns+` FROM initiative_revisions r
		WHERE r.initiative_id = ? AND r.territory_id = ? ORDER BY r.number`, false, id, territoryID)
}

func (s *SQLStore) Revision(ctx context.Context, territoryID, id int64, number int) (*Revision, error) {
	r, err := scanRevision(s.q.QueryRow(ctx, `SELECT `+revisionColumns+` FROM initiative_revisions r
		WHERE r.initiative_id = ? AND r.territory_id = ? AND r.number = ?`, id, territoryID, number))
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (s *SQLStore) PendingRevisions(ctx context.Context, territoryID int64, limit int) ([]Revision, error) {
	return s.revisions(ctx, `SELECT `+revisionColumns+`, i.name FROM initiative_revisions r
		JOIN initiatives i ON i.id = r.initiative_id
		WHERE r.territory_id = ? AND r.status = 'pending' ORDER BY r.created_at, r.initiative_id, r.number LIMIT ?`,
		true, territoryID, limit)
}

func (s *SQLStore) ReviewRevision(ctx context.Context, territoryID, id int64, number int, status RevisionStatus, by int64, at time.Time, note string) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE initiative_revisions SET status = ?, reviewed_by = ?, reviewed_at = ?,
			review_note = ?
			WHERE initiative_id = ? AND territory_id = ? AND number = ? AND status = 'pending'`,
			status, nullID(by), at, note, id, territoryID, number)
		if err != nil {
			return fmt.Errorf("initiative %d: review revision %d: %w", id, number, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "err.revision_not_pending")
		}
		return nil
	})
}

func (s *SQLStore) InsertReport(ctx context.Context, r *Report) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO reports (initiative_id, territory_id, reporter_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, r.InitiativeID, r.TerritoryID, nullID(r.ReporterID), r.Reason,
			r.CreatedAt).Scan(&r.ID)
	})
}

func (s *SQLStore) ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE reports SET resolved_at = ?, resolved_by = ?, resolution = ?
			WHERE id = ? AND territory_id = ? AND resolved_at IS NULL`, at, nullID(by), resolution, id, territoryID)
		if err != nil {
			return fmt.Errorf("report %d: resolve: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM reports WHERE id = ? AND territory_id = ?`, id, territoryID).Scan(&exists)
			if err == nil && exists == 0 {
				return errs.E(errs.NotFound, "err.report_not_found")
			}
			return errs.E(errs.Conflict, "err.report_resolved")
		}
		return nil
	})
}

func (s *SQLStore) OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error) {
	rows, err := s.q.Query(ctx, `SELECT r.id, r.initiative_id, r.territory_id, COALESCE(r.reporter_id, 0), r.reason,
		r.created_at, i.name FROM reports r JOIN initiatives i ON i.id = r.initiative_id
		WHERE r.territory_id = ? AND r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT ?`, territoryID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		var r Report
		if err := rows.Scan(&r.ID, &r.InitiativeID, &r.TerritoryID, &r.ReporterID, &r.Reason, &r.CreatedAt, &r.InitiativeName); err != nil {
			return nil, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertMapJam(ctx context.Context, m *MapJam) error {
	var box [4]any
	if m.BBox != nil {
		box = [4]any{m.BBox.MinLon, m.BBox.MinLat, m.BBox.MaxLon, m.BBox.MaxLat}
	}
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO mapjams (territory_id, title, place, starts_at, ends_at, opened_by,
			min_lon, min_lat, max_lon, max_lat, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			m.TerritoryID, m.Title, m.Place, m.StartsAt, m.EndsAt, nullID(m.OpenedBy), box[0], box[1], box[2], box[3],
			m.CreatedAt).Scan(&m.ID)
	})
}

func (s *SQLStore) CloseMapJam(ctx context.Context, territoryID, id int64, at time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE mapjams SET closed_at = ? WHERE id = ? AND territory_id = ? AND closed_at IS NULL`,
			at, id, territoryID)
		if err != nil {
			return fmt.Errorf("mapjam %d: close: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "err.mapjam_closed")
		}
		return nil
	})
}

const mapJamColumns = `m.id, m.territory_id, m.title, m.place, m.starts_at, m.ends_at, COALESCE(m.opened_by, 0),
	m.min_lon, m.min_lat, m.max_lon, m.max_lat, m.created_at, m.closed_at,
	(SELECT COUNT(*) FROM initiatives i WHERE i.mapjam_id = m.id AND i.territory_id = m.territory_id)`

func scanMapJam(sc store.Scanner) (*MapJam, error) {
	var m MapJam
	var box [4]sql.NullFloat64
	var closed sql.NullTime
	err := sc.Scan(&m.ID, &m.TerritoryID, &m.Title, &m.Place, &m.StartsAt, &m.EndsAt, &m.OpenedBy,
		&box[0], &box[1], &box[2], &box[3], &m.CreatedAt, &closed, &m.Contributions)
	if err != nil {
		return nil, store.NotFound(err, "err.mapjam_not_found")
	}
	if box[0].Valid {
		m.BBox = &geo.BBox{MinLon: box[0].Float64, MinLat: box[1].Float64, MaxLon: box[2].Float64, MaxLat: box[3].Float64}
	}
	m.StartsAt, m.EndsAt, m.CreatedAt, m.ClosedAt = m.StartsAt.UTC(), m.EndsAt.UTC(), m.CreatedAt.UTC(), timePtr(closed)
	return &m, nil
}

func (s *SQLStore) GetMapJam(ctx context.Context, territoryID, id int64) (*MapJam, error) {
	return scanMapJam(s.q.QueryRow(ctx, `SELECT `+mapJamColumns+` FROM mapjams m WHERE m.id = ? AND m.territory_id = ?`, id, territoryID))
}

func (s *SQLStore) ListMapJams(ctx context.Context, territoryID int64) ([]*MapJam, error) {
	rows, err := s.q.Query(ctx, `SELECT `+mapJamColumns+` FROM mapjams m WHERE m.territory_id = ?
		ORDER BY m.starts_at DESC, m.id DESC`, territoryID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*MapJam
	for rows.Next() {
		m, err := scanMapJam(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

func (s *SQLStore) OpenMapJamAt(ctx context.Context, territoryID int64, t time.Time) (*MapJam, error) {
	return scanMapJam(s.q.QueryRow(ctx, `SELECT `+mapJamColumns+` FROM mapjams m
		WHERE m.territory_id = ? AND m.closed_at IS NULL AND m.starts_at <= ? AND m.ends_at > ?
		ORDER BY m.starts_at DESC, m.id DESC LIMIT 1`, territoryID, t, t))
}

func (s *SQLStore) MapJamInitiatives(ctx context.Context, territoryID, jamID int64) ([]*Initiative, error) {
	return s.list(ctx, `SELECT `+s.cols()+` FROM initiatives i
		WHERE i.territory_id = ? AND i.mapjam_id = ? ORDER BY i.created_at, i.id`, territoryID, jamID)
}
