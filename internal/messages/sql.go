package messages

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// SQLStore keeps conversations in either dialect; the queries are the same
// in both.
type SQLStore struct {
	db   *store.DB
	q    store.Querier
	inTx bool
}

// NewSQLStore returns a store over db.
func NewSQLStore(db *store.DB) *SQLStore { return &SQLStore{db: db, q: db} }

// WithTx runs fn in one transaction; inside one, it simply runs fn.
func (s *SQLStore) WithTx(ctx context.Context, fn func(tx Store) error) error {
	if s.inTx {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *store.Tx) error {
		return fn(&SQLStore{db: s.db, q: tx, inTx: true})
	})
}

// write runs fn on the transaction, opening one when needed: the reader
// pool of SQLite refuses writes.
func (s *SQLStore) write(ctx context.Context, fn func(s *SQLStore) error) error {
	return s.WithTx(ctx, func(tx Store) error { return fn(tx.(*SQLStore)) })
}

func timePtr(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	u := t.Time.UTC()
	return &u
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const conversationColumns = `c.id, c.territory_id, c.subject_kind, c.subject_id, c.subject_title, c.starter_id,
	c.owner_id, c.created_at, c.last_message_id, c.last_message_at`

func scanConversation(sc store.Scanner, c *Conversation, extra ...any) error {
	dest := []any{&c.ID, &c.TerritoryID, &c.SubjectKind, &c.SubjectID, &c.SubjectTitle, &c.StarterID,
		&c.OwnerID, &c.CreatedAt, &c.LastMessageID, &c.LastMessageAt}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return store.NotFound(err, "err.conversation_not_found")
	}
	c.CreatedAt, c.LastMessageAt = c.CreatedAt.UTC(), c.LastMessageAt.UTC()
	return nil
}

func (s *SQLStore) CreateConversation(ctx context.Context, c *Conversation) error {
	return s.write(ctx, func(s *SQLStore) error {
		// ON CONFLICT DO NOTHING: two first messages at once must end in
		// one conversation, not in a unique violation for one of them.
		err := s.q.QueryRow(ctx, `INSERT INTO conversations (territory_id, subject_kind, subject_id, subject_title,
			starter_id, owner_id, created_at, last_message_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (territory_id, subject_kind, subject_id, starter_id) DO NOTHING RETURNING id`,
			c.TerritoryID, c.SubjectKind, c.SubjectID, c.SubjectTitle, c.StarterID, c.OwnerID, c.CreatedAt,
			c.CreatedAt).Scan(&c.ID)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return scanConversation(s.q.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations c
				WHERE c.territory_id = ? AND c.subject_kind = ? AND c.subject_id = ? AND c.starter_id = ?`,
				c.TerritoryID, c.SubjectKind, c.SubjectID, c.StarterID), c)
		case err != nil:
			return fmt.Errorf("insert conversation: %w", err)
		}
		for _, p := range [][2]int64{{c.StarterID, c.OwnerID}, {c.OwnerID, c.StarterID}} {
			if _, err := s.q.Exec(ctx, `INSERT INTO conversation_participants (conversation_id, territory_id, user_id,
				other_id, last_message_at) VALUES (?, ?, ?, ?, ?)`, c.ID, c.TerritoryID, p[0], p[1], c.CreatedAt); err != nil {
				return fmt.Errorf("conversation %d: insert participant %d: %w", c.ID, p[0], err)
			}
		}
		return nil
	})
}

func (s *SQLStore) Conversation(ctx context.Context, territoryID, id int64) (*Conversation, error) {
	var c Conversation
	err := scanConversation(s.q.QueryRow(ctx, `SELECT `+conversationColumns+` FROM conversations c
		WHERE c.id = ? AND c.territory_id = ?`, id, territoryID), &c)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (s *SQLStore) SetSubjectTitle(ctx context.Context, territoryID, id int64, title string) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE conversations SET subject_title = ? WHERE id = ? AND territory_id = ?
			AND subject_title <> ?`, title, id, territoryID, title)
		return err
	})
}

func (s *SQLStore) Unread(ctx context.Context, territoryID, conversationID, userID int64) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT unread FROM conversation_participants
		WHERE conversation_id = ? AND user_id = ? AND territory_id = ?`, conversationID, userID, territoryID).Scan(&n)
	return n, store.NotFound(err, "err.conversation_not_found")
}

func (s *SQLStore) LockNotifications(ctx context.Context, userID int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		// An upsert that changes nothing still locks the row on PostgreSQL;
		// SQLite has a single writer anyway.
		_, err := s.q.Exec(ctx, `INSERT INTO message_notifications (user_id) VALUES (?)
			ON CONFLICT (user_id) DO UPDATE SET notified_upto = message_notifications.notified_upto`, userID)
		if err != nil {
			return fmt.Errorf("lock notifications of %d: %w", userID, err)
		}
		return nil
	})
}

func (s *SQLStore) MarkPending(ctx context.Context, userID int64, at time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE message_notifications SET pending_since = ?
			WHERE user_id = ? AND pending_since IS NULL`, at, userID)
		return err
	})
}

func (s *SQLStore) InsertMessage(ctx context.Context, m *Message) error {
	return s.write(ctx, func(s *SQLStore) error {
		return s.q.QueryRow(ctx, `INSERT INTO messages (conversation_id, territory_id, sender_id, body, created_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`, m.ConversationID, m.TerritoryID, m.SenderID, m.Body, m.CreatedAt).Scan(&m.ID)
	})
}

func (s *SQLStore) Delivered(ctx context.Context, c *Conversation, m *Message, recipientID int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		if _, err := s.q.Exec(ctx, `UPDATE conversations SET last_message_id = ?, last_message_at = ?
			WHERE id = ? AND territory_id = ?`, m.ID, m.CreatedAt, c.ID, c.TerritoryID); err != nil {
			return fmt.Errorf("conversation %d: last message: %w", c.ID, err)
		}
		// Lower user id first: two members writing to each other at once
		// lock the two rows in the same order.
		first, second := m.SenderID, recipientID
		if second < first {
			first, second = second, first
		}
		for _, uid := range []int64{first, second} {
			inc := 0
			if uid == recipientID {
				inc = 1
			}
			if _, err := s.q.Exec(ctx, `UPDATE conversation_participants SET unread = unread + ?, last_message_at = ?
				WHERE conversation_id = ? AND user_id = ? AND territory_id = ?`,
				inc, m.CreatedAt, c.ID, uid, c.TerritoryID); err != nil {
				return fmt.Errorf("conversation %d: participant %d: %w", c.ID, uid, err)
			}
		}
		return nil
	})
}

const messageColumns = `m.id, m.conversation_id, m.territory_id, m.sender_id, m.body, m.created_at, m.removed_at`

func scanMessage(sc store.Scanner, m *Message, extra ...any) error {
	var removed sql.NullTime
	dest := []any{&m.ID, &m.ConversationID, &m.TerritoryID, &m.SenderID, &m.Body, &m.CreatedAt, &removed}
	if err := sc.Scan(append(dest, extra...)...); err != nil {
		return store.NotFound(err, "err.message_not_found")
	}
	m.CreatedAt, m.Removed = m.CreatedAt.UTC(), removed.Valid
	return nil
}

func (s *SQLStore) Messages(ctx context.Context, territoryID, conversationID int64, limit int) ([]Message, bool, error) {
	rows, err := s.q.Query(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.conversation_id = ? AND m.territory_id = ? ORDER BY m.id DESC LIMIT ?`,
		conversationID, territoryID, limit+1)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []Message
	for rows.Next() {
		var m Message
		if err := scanMessage(rows, &m); err != nil {
			return nil, false, err
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out, more, nil
}

func (s *SQLStore) Message(ctx context.Context, territoryID, id int64) (*Message, error) {
	var m Message
	if err := scanMessage(s.q.QueryRow(ctx, `SELECT `+messageColumns+` FROM messages m
		WHERE m.id = ? AND m.territory_id = ?`, id, territoryID), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

func (s *SQLStore) MarkRead(ctx context.Context, territoryID, conversationID, userID, upto int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE conversation_participants SET last_read_message_id = ?,
			unread = (SELECT COUNT(*) FROM messages m WHERE m.conversation_id = ? AND m.id > ? AND m.sender_id <> ?)
			WHERE conversation_id = ? AND user_id = ? AND territory_id = ? AND last_read_message_id < ?`,
			upto, conversationID, upto, userID, conversationID, userID, territoryID, upto)
		if err != nil {
			return fmt.Errorf("conversation %d: mark read for %d: %w", conversationID, userID, err)
		}
		return nil
	})
}

func (s *SQLStore) ClearPendingIfRead(ctx context.Context, userID int64) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE message_notifications SET pending_since = NULL
			WHERE user_id = ? AND pending_since IS NOT NULL
			AND NOT EXISTS (SELECT 1 FROM conversation_participants p WHERE p.user_id = ? AND p.unread > 0)`,
			userID, userID)
		return err
	})
}

func (s *SQLStore) Inbox(ctx context.Context, territoryID, userID int64, limit int) ([]InboxEntry, error) {
	// Only the start of the last message is fetched: bodies run to 5000
	// characters and the inbox shows one line.
	rows, err := s.q.Query(ctx, `SELECT `+conversationColumns+`, p.other_id, p.unread,
		COALESCE(m.sender_id, 0), COALESCE(SUBSTR(m.body, 1, ?), ''), m.removed_at
		FROM conversation_participants p
		JOIN conversations c ON c.id = p.conversation_id
		LEFT JOIN messages m ON m.id = c.last_message_id
		WHERE p.user_id = ? AND p.territory_id = ?
		ORDER BY p.last_message_at DESC, p.conversation_id DESC LIMIT ?`,
		4*previewLength, userID, territoryID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InboxEntry
	for rows.Next() {
		var e InboxEntry
		var body string
		var removed sql.NullTime
		if err := scanConversation(rows, &e.Conversation, &e.OtherID, &e.Unread, &e.LastSenderID, &body, &removed); err != nil {
			return nil, err
		}
		if !removed.Valid {
			e.Preview = preview(body)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func (s *SQLStore) UnreadCount(ctx context.Context, territoryID, userID int64) (int, error) {
	var n int
	err := s.q.QueryRow(ctx, `SELECT COALESCE(SUM(unread), 0) FROM conversation_participants
		WHERE user_id = ? AND territory_id = ? AND unread > 0`, userID, territoryID).Scan(&n)
	return n, err
}

func (s *SQLStore) RemoveMessage(ctx context.Context, territoryID, id int64, at time.Time) error {
	return s.write(ctx, func(s *SQLStore) error {
		_, err := s.q.Exec(ctx, `UPDATE messages SET removed_at = ? WHERE id = ? AND territory_id = ? AND removed_at IS NULL`,
			at, id, territoryID)
		return err
	})
}

// conflictOrMissing tells a row that is gone from one in the wrong state
// after a guarded UPDATE changed nothing.
func (s *SQLStore) conflictOrMissing(ctx context.Context, q string, args []any, missing, conflict string) error {
	var n int
	if err := s.q.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return errs.E(errs.NotFound, missing)
	}
	return errs.E(errs.Conflict, conflict)
}
