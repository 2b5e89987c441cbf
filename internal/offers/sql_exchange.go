package offers

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

const exchangeColumns = `x.id, x.territory_id, x.listing_id, x.owner_id, x.requester_id, x.message, x.status, x.single,
	x.owner_done, x.requester_done, x.reason, COALESCE(x.ended_by, 0), x.payment_ref, x.created_at, x.updated_at,
	x.accepted_at, x.ended_at, l.title`

const exchangeFrom = ` FROM exchanges x JOIN listings l ON l.id = x.listing_id`

func scanExchange(sc store.Scanner) (*Exchange, error) {
	var ex Exchange
	var payment string
	var accepted, ended sql.NullTime
	if err := sc.Scan(&ex.ID, &ex.TerritoryID, &ex.ListingID, &ex.OwnerID, &ex.RequesterID, &ex.Message, &ex.Status,
		&ex.single, &ex.OwnerDone, &ex.RequesterDone, &ex.Reason, &ex.EndedBy, &payment, &ex.CreatedAt, &ex.UpdatedAt,
		&accepted, &ended, &ex.ListingTitle); err != nil {
		return nil, store.NotFound(err, "err.exchange_not_found")
	}
	if payment != "" {
		ex.Payment = &PaymentRef{TransferID: payment}
	}
	ex.CreatedAt, ex.UpdatedAt = ex.CreatedAt.UTC(), ex.UpdatedAt.UTC()
	ex.AcceptedAt, ex.EndedAt = timePtr(accepted), timePtr(ended)
	return &ex, nil
}

func (s *SQLStore) exchanges(ctx context.Context, q string, args ...any) ([]*Exchange, error) {
	rows, err := s.q.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Exchange{}
	for rows.Next() {
		ex, err := scanExchange(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ex)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertExchange(ctx context.Context, ex *Exchange) error {
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO exchanges (territory_id, listing_id, owner_id, requester_id, message, status,
			created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			ex.TerritoryID, ex.ListingID, ex.OwnerID, ex.RequesterID, ex.Message, ex.Status, ex.CreatedAt, ex.UpdatedAt).Scan(&ex.ID)
		if err != nil {
			return fmt.Errorf("insert exchange: %w", err)
		}
		return nil
	})
}

func (s *SQLStore) GetExchange(ctx context.Context, territoryID, id int64, forUpdate bool) (*Exchange, error) {
	q := `SELECT ` + exchangeColumns + exchangeFrom + ` WHERE x.id = ? AND x.territory_id = ?`
	if forUpdate && s.inTx && s.postgres() {
		q += ` FOR UPDATE OF x`
	}
	return scanExchange(s.q.QueryRow(ctx, q, id, territoryID))
}

func (s *SQLStore) UpdateExchange(ctx context.Context, ex *Exchange, from ExchangeStatus) error {
	payment := ""
	if ex.Payment != nil {
		payment = ex.Payment.TransferID
	}
	var ended any
	if ex.EndedBy != 0 {
		ended = ex.EndedBy
	}
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE exchanges SET status = ?, single = ?, owner_done = ?, requester_done = ?, reason = ?,
			ended_by = ?, payment_ref = ?, updated_at = ?, accepted_at = ?, ended_at = ?
			WHERE id = ? AND territory_id = ? AND status = ?`,
			ex.Status, ex.single, ex.OwnerDone, ex.RequesterDone, ex.Reason, ended, payment, ex.UpdatedAt,
			nullTime(ex.AcceptedAt), nullTime(ex.EndedAt), ex.ID, ex.TerritoryID, from)
		if err != nil {
			return fmt.Errorf("update exchange %d: %w", ex.ID, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errs.E(errs.Conflict, "err.exchange_status")
		}
		return nil
	})
}

func (s *SQLStore) ExchangesOfListing(ctx context.Context, territoryID, listingID int64) ([]*Exchange, error) {
	return s.exchanges(ctx, `SELECT `+exchangeColumns+exchangeFrom+`
		WHERE x.listing_id = ? AND x.territory_id = ? ORDER BY x.created_at DESC, x.id DESC`, listingID, territoryID)
}

// exchangesLimit bounds a member's list of exchanges.
const exchangesLimit = 500

func (s *SQLStore) ExchangesOf(ctx context.Context, territoryID, userID int64) ([]*Exchange, error) {
	return s.exchanges(ctx, `SELECT `+exchangeColumns+exchangeFrom+`
		WHERE x.territory_id = ? AND (x.owner_id = ? OR x.requester_id = ?)
		ORDER BY x.updated_at DESC, x.id DESC LIMIT ?`, territoryID, userID, userID, exchangesLimit)
}

func (s *SQLStore) ReviewedBy(ctx context.Context, territoryID, reviewerID int64) (map[int64]bool, error) {
	rows, err := s.q.Query(ctx, `SELECT exchange_id FROM exchange_reviews WHERE territory_id = ? AND reviewer_id = ?`, territoryID, reviewerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertReview(ctx context.Context, r *Review) error {
	return s.write(ctx, func(s *SQLStore) error {
		err := s.q.QueryRow(ctx, `INSERT INTO exchange_reviews (territory_id, exchange_id, reviewer_id, reviewee_id, rating,
			comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			r.TerritoryID, r.ExchangeID, r.ReviewerID, r.RevieweeID, r.Rating, r.Comment, r.CreatedAt).Scan(&r.ID)
		if store.IsUniqueViolation(err) {
			return errs.Wrap(errs.Conflict, "err.review_exists", err)
		}
		return err
	})
}

func (s *SQLStore) Profile(ctx context.Context, territoryID, userID int64, limit int) (*Profile, error) {
	p := &Profile{UserID: userID, Reviews: []Review{}}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM exchanges WHERE territory_id = ? AND status = 'done'
		AND (owner_id = ? OR requester_id = ?)`, territoryID, userID, userID).Scan(&p.ExchangesDone); err != nil {
		return nil, fmt.Errorf("profile %d: exchanges: %w", userID, err)
	}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(AVG(rating), 0) FROM exchange_reviews
		WHERE reviewee_id = ? AND territory_id = ?`, userID, territoryID).Scan(&p.ReviewCount, &p.AverageRating); err != nil {
		return nil, fmt.Errorf("profile %d: ratings: %w", userID, err)
	}
	rows, err := s.q.Query(ctx, `SELECT id, territory_id, exchange_id, reviewer_id, reviewee_id, rating, comment, created_at
		FROM exchange_reviews WHERE reviewee_id = ? AND territory_id = ? ORDER BY created_at DESC, id DESC LIMIT ?`,
		userID, territoryID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var r Review
		if err := rows.Scan(&r.ID, &r.TerritoryID, &r.ExchangeID, &r.ReviewerID, &r.RevieweeID, &r.Rating, &r.Comment,
			&r.CreatedAt); err != nil {
			return nil, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		p.Reviews = append(p.Reviews, r)
	}
	return p, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func (s *SQLStore) InsertReport(ctx context.Context, r *Report) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO offer_reports (territory_id, listing_id, member_id, reporter_id, reason, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, r.TerritoryID, nullID(r.ListingID), nullID(r.MemberID),
			nullID(r.ReporterID), r.Reason, r.CreatedAt).Scan(&r.ID)
	})
}

func (s *SQLStore) ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE offer_reports SET resolved_at = ?, resolved_by = ?, resolution = ?
			WHERE id = ? AND territory_id = ? AND resolved_at IS NULL`, at, nullID(by), resolution, id, territoryID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var one int
		err = s.q.QueryRow(ctx, `SELECT 1 FROM offer_reports WHERE id = ? AND territory_id = ?`, id, territoryID).Scan(&one)
		if err != nil {
			return store.NotFound(err, "err.report_not_found")
		}
		return errs.E(errs.Conflict, "err.report_resolved")
	})
}

func (s *SQLStore) OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error) {
	rows, err := s.q.Query(ctx, `SELECT r.id, r.territory_id, COALESCE(r.listing_id, 0), COALESCE(r.member_id, 0),
		COALESCE(r.reporter_id, 0), r.reason, r.created_at, COALESCE(l.title, '')
		FROM offer_reports r LEFT JOIN listings l ON l.id = r.listing_id
		WHERE r.territory_id = ? AND r.resolved_at IS NULL ORDER BY r.created_at, r.id LIMIT ?`, territoryID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		var r Report
		if err := rows.Scan(&r.ID, &r.TerritoryID, &r.ListingID, &r.MemberID, &r.ReporterID, &r.Reason, &r.CreatedAt,
			&r.ListingTitle); err != nil {
			return nil, err
		}
		r.CreatedAt = r.CreatedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) Stats(ctx context.Context, territoryID int64, now time.Time) (Stats, error) {
	st := Stats{Listings: map[Status]int{}, ActiveByMode: map[Mode]int{}, Exchanges: map[ExchangeStatus]int{}}
	rows, err := s.q.Query(ctx, `SELECT l.status, l.mode, CASE WHEN `+s.searchable()+` AND l.expires_at > ? THEN 1 ELSE 0 END,
		COUNT(*) FROM listings l WHERE l.territory_id = ? GROUP BY 1, 2, 3`, now, territoryID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var status Status
		var mode Mode
		var searchable, n int
		if err := rows.Scan(&status, &mode, &searchable, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.Listings[status] += n
		if searchable == 1 {
			st.Searchable += n
			st.ActiveByMode[mode] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	rows, err = s.q.Query(ctx, `SELECT status, COUNT(*) FROM exchanges WHERE territory_id = ? GROUP BY status`, territoryID)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var status ExchangeStatus
		var n int
		if err := rows.Scan(&status, &n); err != nil {
			rows.Close()
			return st, err
		}
		st.Exchanges[status] = n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*), COALESCE(AVG(rating), 0) FROM exchange_reviews WHERE territory_id = ?`,
		territoryID).Scan(&st.Reviews, &st.AverageRating); err != nil {
		return st, err
	}
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM (SELECT owner_id FROM exchanges WHERE territory_id = ? AND status = 'done'
		UNION SELECT requester_id FROM exchanges WHERE territory_id = ? AND status = 'done') u`,
		territoryID, territoryID).Scan(&st.ActiveExchangers); err != nil {
		return st, err
	}
	err = s.q.QueryRow(ctx, `SELECT COUNT(*) FROM offer_reports WHERE territory_id = ? AND resolved_at IS NULL`,
		territoryID).Scan(&st.OpenReports)
	return st, err
}
