package messages

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/store"
)

// MemberData is what the messages module keeps about one member, for their
// right of access: the conversations they are in, the messages they wrote,
// the members they block (as ids) and the messages they reported. Other
// members' words stay in their own export.
type MemberData struct {
	Conversations []MemberConversation `json:"conversations"`
	Messages      []MemberMessage      `json:"messages_written"`
	Blocks        []int64              `json:"members_blocked"`
	Reports       []MemberReport       `json:"reports_made"`
}

// MemberConversation is a conversation the member takes part in.
type MemberConversation struct {
	ID          int64     `json:"id"`
	TerritoryID int64     `json:"territory_id"`
	Subject     string    `json:"subject"`
	CreatedAt   time.Time `json:"created_at"`
}

// MemberMessage is a message the member wrote.
type MemberMessage struct {
	ID             int64      `json:"id"`
	ConversationID int64      `json:"conversation_id"`
	Body           string     `json:"body"`
	CreatedAt      time.Time  `json:"created_at"`
	RemovedAt      *time.Time `json:"removed_at,omitempty"`
}

// MemberReport is a message the member reported.
type MemberReport struct {
	MessageID  int64      `json:"message_id"`
	Reason     string     `json:"reason"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// DataOf returns the actor's own messages data; nobody may read another's.
func (s *Service) DataOf(ctx context.Context, actor access.Actor) (*MemberData, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	d, err := s.store.MemberData(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("messages: data of member %d: %w", actor.UserID, err)
	}
	return d, nil
}

// MemberData reads one member's rows in every territory.
func (s *SQLStore) MemberData(ctx context.Context, userID int64) (*MemberData, error) {
	d := &MemberData{Conversations: []MemberConversation{}, Messages: []MemberMessage{}, Blocks: []int64{}, Reports: []MemberReport{}}
	err := store.Collect(ctx, s.q, `SELECT c.id, c.territory_id, c.subject_title, c.created_at FROM conversation_participants p
		JOIN conversations c ON c.id = p.conversation_id WHERE p.user_id = ? ORDER BY c.id`, []any{userID},
		func(sc store.Scanner) error {
			var m MemberConversation
			if err := sc.Scan(&m.ID, &m.TerritoryID, &m.Subject, &m.CreatedAt); err != nil {
				return err
			}
			d.Conversations = append(d.Conversations, m)
			return nil
		})
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT id, conversation_id, body, created_at, removed_at FROM messages WHERE sender_id = ? ORDER BY id`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberMessage
				if err := sc.Scan(&m.ID, &m.ConversationID, &m.Body, &m.CreatedAt, &m.RemovedAt); err != nil {
					return err
				}
				d.Messages = append(d.Messages, m)
				return nil
			})
	}
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT blocked_id FROM member_blocks WHERE blocker_id = ? ORDER BY blocked_id`,
			[]any{userID}, func(sc store.Scanner) error {
				var id int64
				if err := sc.Scan(&id); err != nil {
					return err
				}
				d.Blocks = append(d.Blocks, id)
				return nil
			})
	}
	if err == nil {
		err = store.Collect(ctx, s.q, `SELECT message_id, reason, created_at, resolved_at FROM message_reports WHERE reporter_id = ? ORDER BY id`,
			[]any{userID}, func(sc store.Scanner) error {
				var m MemberReport
				if err := sc.Scan(&m.MessageID, &m.Reason, &m.CreatedAt, &m.ResolvedAt); err != nil {
					return err
				}
				d.Reports = append(d.Reports, m)
				return nil
			})
	}
	return d, err
}
