package messages

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
)

func (s *SQLStore) Block(ctx context.Context, blockerID, blockedID int64, at time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `INSERT INTO member_blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)
			ON CONFLICT (blocker_id, blocked_id) DO NOTHING`, blockerID, blockedID, at)
		return err
	})
}

func (s *SQLStore) Unblock(ctx context.Context, blockerID, blockedID int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `DELETE FROM member_blocks WHERE blocker_id = ? AND blocked_id = ?`, blockerID, blockedID)
		return err
	})
}

func (s *SQLStore) Blocked(ctx context.Context, a, b int64) (bool, error) {
	var n int
	// Two primary-key probes.
	err := s.q.QueryRow(ctx, `SELECT COUNT(*) FROM member_blocks
		WHERE (blocker_id = ? AND blocked_id = ?) OR (blocker_id = ? AND blocked_id = ?)`, a, b, b, a).Scan(&n)
	return n > 0, err
}

func (s *SQLStore) BlockedBy(ctx context.Context, blockerID int64) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT blocked_id FROM member_blocks WHERE blocker_id = ? ORDER BY created_at, blocked_id`, blockerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

func (s *SQLStore) InsertReport(ctx context.Context, r *Report) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO message_reports (territory_id, message_id, conversation_id, reporter_id,
			reason, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
			r.TerritoryID, r.MessageID, r.ConversationID, nullID(r.ReporterID), r.Reason, r.CreatedAt).Scan(&r.ID)
	})
}

func scanReport(sc interface{ Scan(...any) error }) (Report, error) {
	var r Report
	var resolved sql.NullTime
	err := scanMessage(sc, &r.Message, &r.ID, &r.TerritoryID, &r.MessageID, &r.ConversationID, &r.ReporterID,
		&r.Reason, &r.CreatedAt, &resolved, &r.ResolvedBy, &r.Resolution)
	if err != nil {
		return r, err
	}
	r.CreatedAt, r.ResolvedAt = r.CreatedAt.UTC(), timePtr(resolved)
	return r, nil
}

// reportQuery puts the message columns first, as scanMessage expects.
const reportQuery = `SELECT ` + messageColumns + `, r.id, r.territory_id, r.message_id, r.conversation_id,
	COALESCE(r.reporter_id, 0), r.reason, r.created_at, r.resolved_at, COALESCE(r.resolved_by, 0), r.resolution
	FROM message_reports r JOIN messages m ON m.id = r.message_id`

func (s *SQLStore) Report(ctx context.Context, territoryID, id int64) (*Report, error) {
	r, err := scanReport(s.q.QueryRow(ctx, reportQuery+` WHERE r.id = ? AND r.territory_id = ?`, id, territoryID))
	if err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.Wrap(errs.NotFound, "err.message_report_not_found", err)
		}
		return nil, err
	}
	return &r, nil
}

func (s *SQLStore) OpenReports(ctx context.Context, territoryID int64, limit int) ([]Report, error) {
	rows, err := s.q.Query(ctx, reportQuery+` WHERE r.territory_id = ? AND r.resolved_at IS NULL
		ORDER BY r.created_at, r.id LIMIT ?`, territoryID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Report
	for rows.Next() {
		r, err := scanReport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

func (s *SQLStore) ResolveReport(ctx context.Context, territoryID, id, by int64, at time.Time, resolution string) error {
	return s.write(ctx, func(s *SQLStore) error {
		res, err := s.q.Exec(ctx, `UPDATE message_reports SET resolved_at = ?, resolved_by = ?, resolution = ?
			WHERE id = ? AND territory_id = ? AND resolved_at IS NULL`, at, nullID(by), resolution, id, territoryID)
		if err != nil {
			return fmt.Errorf("message report %d: resolve: %w", id, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return s.conflictOrMissing(ctx, `SELECT COUNT(*) FROM message_reports WHERE id = ? AND territory_id = ?`,
				[]any{id, territoryID}, "err.message_report_not_found", "err.message_report_resolved")
		}
		return nil
	})
}

func (s *SQLStore) MessagesAround(ctx context.Context, territoryID, conversationID, messageID int64, n int) ([]Message, error) {
	read := func(q string, args ...any) ([]Message, error) {
		rows, err := s.q.Query(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []Message
		for rows.Next() {
			var m Message
			if err := scanMessage(rows, &m); err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, rows.Err()
	}
	before, err := read(`SELECT `+messageColumns+` FROM messages m WHERE m.conversation_id = ? AND m.territory_id = ? AND m.id <= ?
		ORDER BY m.id DESC LIMIT ?`, conversationID, territoryID, messageID, n+1)
	if err != nil {
		return nil, err
	}
	after, err := read(`SELECT `+messageColumns+` FROM messages m WHERE m.conversation_id = ? AND m.territory_id = ? AND m.id > ?
		ORDER BY m.id LIMIT ?`, conversationID, territoryID, messageID, n)
	if err != nil {
		return nil, err
	}
	out := make([]Message, 0, len(before)+len(after))
	for i := len(before) - 1; i >= 0; i-- {
		out = append(out, before[i])
	}
	return append(out, after...), nil
}
