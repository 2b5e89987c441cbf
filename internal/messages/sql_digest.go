package messages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

func (s *SQLStore) NotificationState(ctx context.Context, userID int64) (*NotificationState, error) {
	st := NotificationState{UserID: userID}
	var pending, sent sql.NullTime
	err := s.q.QueryRow(ctx, `SELECT pending_since, last_sent_at, notified_upto FROM message_notifications
		WHERE user_id = ?`, userID).Scan(&pending, &sent, &st.NotifiedUpto)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	st.PendingSince, st.LastSentAt = timePtr(pending), timePtr(sent)
	return &st, nil
}

// dueGuard is the condition of a due digest; DueDigests and ClaimDigest
// share it so that a member listed as due can be claimed.
const dueGuard = `pending_since IS NOT NULL AND pending_since <= ? AND (last_sent_at IS NULL OR last_sent_at <= ?)`

func (s *SQLStore) DueDigests(ctx context.Context, pendingBefore, sentBefore time.Time, limit int) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT user_id FROM message_notifications WHERE `+dueGuard+`
		ORDER BY pending_since, user_id LIMIT ?`, pendingBefore, sentBefore, limit)
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

func (s *SQLStore) ClaimDigest(ctx context.Context, userID int64, pendingBefore, sentBefore time.Time) (NotificationState, bool, error) {
	st := NotificationState{UserID: userID}
	err := s.write(ctx, func(s *SQLStore) error {
		// Read the values the claim replaces, under the row lock the
		// UPDATE below takes anyway (a no-op upsert locks like it does).
		var pending, sent sql.NullTime
		err := s.q.QueryRow(ctx, `SELECT pending_since, last_sent_at, notified_upto FROM message_notifications
			WHERE user_id = ?`, userID).Scan(&pending, &sent, &st.NotifiedUpto)
		if err != nil {
			return err
		}
		st.PendingSince, st.LastSentAt = timePtr(pending), timePtr(sent)
		// The guard is evaluated again on the locked, current row: of two
		// instances claiming at once, the second finds pending_since NULL.
		var id int64
		return s.q.QueryRow(ctx, `UPDATE message_notifications SET pending_since = NULL
			WHERE user_id = ? AND `+dueGuard+` RETURNING user_id`, userID, pendingBefore, sentBefore).Scan(&id)
	})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return st, false, nil
	case err != nil:
		return st, false, fmt.Errorf("claim digest of %d: %w", userID, err)
	}
	return st, true, nil
}

func (s *SQLStore) UnreadAfter(ctx context.Context, userID, after int64, limit int) ([]DigestItem, int, error) {
	const from = ` FROM conversation_participants p
		JOIN messages m ON m.conversation_id = p.conversation_id AND m.id > p.last_read_message_id
		WHERE p.user_id = ? AND p.unread > 0 AND m.sender_id <> ? AND m.id > ? AND m.removed_at IS NULL`
	var total int
	if err := s.q.QueryRow(ctx, `SELECT COUNT(*)`+from, userID, userID, after).Scan(&total); err != nil {
		return nil, 0, err
	}
	if total == 0 {
		return nil, 0, nil
	}
	rows, err := s.q.Query(ctx, `SELECT m.id, m.territory_id, m.sender_id, c.subject_title, SUBSTR(m.body, 1, ?), m.created_at`+
		` FROM conversation_participants p
		JOIN messages m ON m.conversation_id = p.conversation_id AND m.id > p.last_read_message_id
		JOIN conversations c ON c.id = p.conversation_id
		WHERE p.user_id = ? AND p.unread > 0 AND m.sender_id <> ? AND m.id > ? AND m.removed_at IS NULL
		ORDER BY m.id LIMIT ?`, 4*previewLength, userID, userID, after, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []DigestItem
	for rows.Next() {
		var d DigestItem
		if err := rows.Scan(&d.MessageID, &d.TerritoryID, &d.SenderID, &d.SubjectTitle, &d.Body, &d.CreatedAt); err != nil {
			return nil, 0, err
		}
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
	}
	return out, total, rows.Err()
}

func (s *SQLStore) DigestSent(ctx context.Context, userID int64, at time.Time, upto int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE message_notifications SET last_sent_at = ?,
			notified_upto = CASE WHEN notified_upto > ? THEN notified_upto ELSE ? END WHERE user_id = ?`,
			at, upto, upto, userID)
		return err
	})
}

func (s *SQLStore) RestoreDigest(ctx context.Context, st NotificationState) error {
	return s.write(ctx, func(s *SQLStore) error {
		// A message that arrived since set pending_since again: keep the
		// earlier of the two, so the member waits no longer than before.
		_, err := s.q.Exec(ctx, `UPDATE message_notifications SET
			pending_since = CASE WHEN pending_since IS NULL OR pending_since > ? THEN ? ELSE pending_since END,
			last_sent_at = ?, notified_upto = ? WHERE user_id = ?`,
			st.PendingSince, st.PendingSince, st.LastSentAt, st.NotifiedUpto, st.UserID)
		return err
	})
}
