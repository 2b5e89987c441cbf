package messages

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Subjects is what a module offers conversations about (offers: "listing";
// mobility: "trip"). It answers with the subject's title and owner, or a
// NotFound error when the actor may not see it.
type Subjects interface {
	SubjectTitle(ctx context.Context, ter *territory.Territory, kind string, id int64) (title string, ownerID int64, err error)
}

// People gives what a digest e-mail needs about a member (account.User's
// e-mail, display name and language). A NotFound error means the member is
// gone: nothing is sent.
type People interface {
	Contact(ctx context.Context, userID int64) (email, displayName, lang string, err error)
}

// Territories finds the territory of a conversation, for the links in an
// e-mail (territory.Service has it).
type Territories interface {
	ByID(ctx context.Context, id int64) (*territory.Territory, error)
}

// Options configure the service. Zero values pick the defaults.
type Options struct {
	// BaseURL prefixes links in e-mail, e.g. "https://partage.example.org".
	BaseURL string
	// DigestInterval (15 min) is the least time between two digest
	// e-mails to one member.
	DigestInterval time.Duration
	// DigestDelay (5 min) is how long the first unread message waits
	// before an e-mail: members chatting on the site get none, and a
	// burst of messages goes in one e-mail.
	DigestDelay time.Duration
	// DigestEvery (1 min) is how often the periodic job looks for digests.
	DigestEvery time.Duration
	// DigestBatch (200) bounds the members served by one SendDigests run.
	DigestBatch int
}

// Service holds every rule of private messages.
type Service struct {
	store       Store
	people      People
	territories Territories
	mailer      mail.Sender
	log         *slog.Logger
	now         func() time.Time
	opts        Options

	mu       sync.RWMutex
	subjects map[string]Subjects
}

// Limits of one page.
const (
	inboxLimit  = 100
	threadLimit = 500
	queueLimit  = 200
	digestItems = 20
)

// NewService returns the messages service. Register subject kinds with
// RegisterSubject before serving.
func NewService(st Store, people People, territories Territories, mailer mail.Sender, log *slog.Logger, now func() time.Time, opts Options) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if opts.DigestInterval <= 0 {
		opts.DigestInterval = 15 * time.Minute
	}
	if opts.DigestDelay <= 0 {
		opts.DigestDelay = 5 * time.Minute
	}
	if opts.DigestEvery <= 0 {
		opts.DigestEvery = time.Minute
	}
	if opts.DigestBatch <= 0 {
		opts.DigestBatch = 200
	}
	opts.BaseURL = strings.TrimRight(opts.BaseURL, "/")
	return &Service{store: st, people: people, territories: territories, mailer: mailer, log: log, now: now,
		opts: opts, subjects: map[string]Subjects{}}
}

// RegisterSubject lets members write about subjects of kind. It is called
// while wiring, after the subject's module was built (that module may
// itself use this service, for Blocked).
func (s *Service) RegisterSubject(kind string, src Subjects) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.subjects[kind] = src
}

func (s *Service) subjectSource(kind string) (Subjects, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	src, ok := s.subjects[kind]
	return src, ok
}

// clock returns now in UTC, to the microsecond both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// participantOf returns the conversation when actor takes part in it. To
// anyone else it does not exist: NotFound, never Forbidden.
func (s *Service) participantOf(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Conversation, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	c, err := s.store.Conversation(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if !c.Has(actor.UserID) {
		return nil, errs.E(errs.NotFound, "err.conversation_not_found")
	}
	return c, nil
}

// requireMember refuses anonymous visitors and people without a role in
// the territory.
func requireMember(actor access.Actor, ter *territory.Territory) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	return actor.Require(ter.ID, access.Member)
}

// SendAbout writes to the owner of a subject (a listing...), starting the
// conversation on the first message, and returns the stored message.
func (s *Service) SendAbout(ctx context.Context, actor access.Actor, ter *territory.Territory, subjectKind string, subjectID int64, body string) (*Message, error) {
	if err := requireMember(actor, ter); err != nil {
		return nil, err
	}
	body, err := checkText("body", body, MaxBody)
	if err != nil {
		return nil, err
	}
	src, ok := s.subjectSource(subjectKind)
	if !ok {
		return nil, errs.E(errs.Invalid, "err.subject_kind_unknown")
	}
	title, ownerID, err := src.SubjectTitle(ctx, ter, subjectKind, subjectID)
	if err != nil {
		return nil, fmt.Errorf("messages: subject %s %d: %w", subjectKind, subjectID, err)
	}
	if ownerID == actor.UserID {
		return nil, errs.E(errs.Invalid, "err.message_to_self")
	}
	if err := s.refuseBlocked(ctx, actor.UserID, ownerID); err != nil {
		return nil, err
	}
	now := s.clock()
	c := &Conversation{TerritoryID: ter.ID, SubjectKind: subjectKind, SubjectID: subjectID, SubjectTitle: title,
		StarterID: actor.UserID, OwnerID: ownerID, CreatedAt: now}
	var m *Message
	err = s.store.WithTx(ctx, func(tx Store) error {
		if err := tx.CreateConversation(ctx, c); err != nil {
			return err
		}
		if c.SubjectTitle != title {
			if err := tx.SetSubjectTitle(ctx, ter.ID, c.ID, title); err != nil {
				return err
			}
			c.SubjectTitle = title
		}
		m, err = s.deliver(ctx, tx, c, actor.UserID, body, now)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("messages: write about %s %d: %w", subjectKind, subjectID, err)
	}
	return m, nil
}

// Send adds a message to a conversation the actor takes part in.
func (s *Service) Send(ctx context.Context, actor access.Actor, ter *territory.Territory, conversationID int64, body string) (*Message, error) {
	if err := requireMember(actor, ter); err != nil {
		return nil, err
	}
	body, err := checkText("body", body, MaxBody)
	if err != nil {
		return nil, err
	}
	c, err := s.participantOf(ctx, actor, ter, conversationID)
	if err != nil {
		return nil, err
	}
	if err := s.refuseBlocked(ctx, actor.UserID, c.Other(actor.UserID)); err != nil {
		return nil, err
	}
	var m *Message
	err = s.store.WithTx(ctx, func(tx Store) error {
		m, err = s.deliver(ctx, tx, c, actor.UserID, body, s.clock())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("messages: send to conversation %d: %w", conversationID, err)
	}
	return m, nil
}

// deliver stores a message and, in the same transaction, the recipient's
// unread count and the note that a digest e-mail is due.
func (s *Service) deliver(ctx context.Context, tx Store, c *Conversation, senderID int64, body string, now time.Time) (*Message, error) {
	recipient := c.Other(senderID)
	// First, before the message gets its id: see LockNotifications.
	if err := tx.LockNotifications(ctx, recipient); err != nil {
		return nil, err
	}
	// Checked again under the lock: a block made since the first check
	// wins over a message still on its way.
	if blocked, err := tx.Blocked(ctx, senderID, recipient); err != nil {
		return nil, err
	} else if blocked {
		return nil, errs.E(errs.Forbidden, "err.blocked")
	}
	m := &Message{ConversationID: c.ID, TerritoryID: c.TerritoryID, SenderID: senderID, Body: body, CreatedAt: now}
	if err := tx.InsertMessage(ctx, m); err != nil {
		return nil, err
	}
	if err := tx.Delivered(ctx, c, m, recipient); err != nil {
		return nil, err
	}
	if err := tx.MarkPending(ctx, recipient, now); err != nil {
		return nil, err
	}
	c.LastMessageID, c.LastMessageAt = m.ID, now
	return m, nil
}

func (s *Service) refuseBlocked(ctx context.Context, a, b int64) error {
	blocked, err := s.store.Blocked(ctx, a, b)
	if err != nil {
		return fmt.Errorf("messages: blocked %d/%d: %w", a, b, err)
	}
	if blocked {
		return errs.E(errs.Forbidden, "err.blocked")
	}
	return nil
}

// Inbox lists the actor's conversations in the territory, the most recent
// first.
func (s *Service) Inbox(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]InboxEntry, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	out, err := s.store.Inbox(ctx, ter.ID, actor.UserID, inboxLimit)
	if err != nil {
		return nil, fmt.Errorf("messages: inbox of %d: %w", actor.UserID, err)
	}
	return out, nil
}

// UnreadCount is the number on the header badge: unread messages to the
// actor in the territory. Anonymous visitors have none.
func (s *Service) UnreadCount(ctx context.Context, actor access.Actor, ter *territory.Territory) (int, error) {
	if actor.UserID == 0 {
		return 0, nil
	}
	n, err := s.store.UnreadCount(ctx, ter.ID, actor.UserID)
	if err != nil {
		return 0, fmt.Errorf("messages: unread count of %d: %w", actor.UserID, err)
	}
	return n, nil
}

// Conversation returns a conversation's messages to one of its two
// participants and marks them read.
func (s *Service) Conversation(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Thread, error) {
	c, err := s.participantOf(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	th := &Thread{Conversation: c, OtherID: c.Other(actor.UserID)}
	unread, err := s.store.Unread(ctx, ter.ID, id, actor.UserID)
	if err != nil {
		return nil, err
	}
	read := func(st Store) error {
		th.Messages, th.Truncated, err = st.Messages(ctx, ter.ID, id, threadLimit)
		return err
	}
	if unread == 0 {
		err = read(s.store)
	} else {
		// Under the recipient's notification lock no message to them can
		// be added, so what is shown is exactly what becomes read.
		err = s.store.WithTx(ctx, func(tx Store) error {
			if err := tx.LockNotifications(ctx, actor.UserID); err != nil {
				return err
			}
			if err := read(tx); err != nil {
				return err
			}
			if n := len(th.Messages); n > 0 {
				if err := tx.MarkRead(ctx, ter.ID, id, actor.UserID, th.Messages[n-1].ID); err != nil {
					return err
				}
			}
			return tx.ClearPendingIfRead(ctx, actor.UserID)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("messages: conversation %d: %w", id, err)
	}
	for i := range th.Messages {
		if th.Messages[i].Removed {
			th.Messages[i].Body = ""
		}
	}
	if th.Blocked, err = s.store.Blocked(ctx, actor.UserID, th.OtherID); err != nil {
		return nil, fmt.Errorf("messages: conversation %d: %w", id, err)
	}
	return th, nil
}
