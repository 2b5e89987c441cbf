// Package mail sends the platform's e-mail: through SMTP when an operator
// configured a server, otherwise into the outbox table, which administrators
// read and the log mentions. Both keep a copy of every message in the outbox
// so that a member's data export can include the mail sent to them.
package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// Message is one plain-text e-mail to one recipient.
type Message struct {
	To      string
	Subject string
	Body    string
}

// Sender delivers a message, or records it for delivery.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Stored is a message as kept in the outbox table.
type Stored struct {
	ID        int64      `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
	Error     string     `json:"error,omitempty"`
}

// maxSubject keeps subjects to one readable line; header folding is the
// SMTP library's job, but an unbounded subject is always a bug upstream.
const maxSubject = 250

// Validate refuses a message that could not be delivered or that would let
// a caller inject headers (a newline in the subject or recipient).
func (m Message) Validate() error {
	var v errs.Validator
	addr, err := mail.ParseAddress(m.To)
	v.Check(err == nil && addr.Address == strings.TrimSpace(m.To), "to", "err.email_invalid")
	v.Check(strings.TrimSpace(m.Subject) != "", "subject", "err.required")
	v.Check(!strings.ContainsAny(m.Subject, "\r\n") && utf8.RuneCountInString(m.Subject) <= maxSubject, "subject", "err.subject_invalid")
	v.Check(utf8.ValidString(m.Body), "body", "err.invalid_input")
	return v.Err()
}

// Outbox keeps messages in the outbox table without sending them: the
// default when no SMTP server is configured (demo, development, tests).
type Outbox struct {
	db  *store.DB
	log *slog.Logger
	now func() time.Time
}

// NewOutbox returns a Sender that stores messages with sent_at NULL.
func NewOutbox(db *store.DB, log *slog.Logger, now func() time.Time) *Outbox {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Outbox{db: db, log: log, now: now}
}

// Send stores m. The log names recipient and subject but never the body,
// which may hold a one-time token.
func (o *Outbox) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	id, err := o.record(ctx, m, nil, "")
	if err != nil {
		return err
	}
	o.log.InfoContext(ctx, "mail queued in outbox", "outbox_id", id, "to", m.To, "subject", m.Subject)
	return nil
}

func (o *Outbox) record(ctx context.Context, m Message, sentAt *time.Time, errText string) (int64, error) {
	var id int64
	err := o.db.QueryRowW(ctx, `INSERT INTO outbox (recipient, subject, body, created_at, sent_at, error)
		VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		normalise(m.To), m.Subject, m.Body, o.now().UTC(), sentAt, errText).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("mail: record message to outbox: %w", err)
	}
	return id, nil
}

// List returns the newest stored messages first, for one recipient (compared
// without case) or for everyone when recipient is "". limit <= 0 means 100.
func (o *Outbox) List(ctx context.Context, recipient string, limit int) ([]Stored, error) {
	if limit <= 0 {
		limit = 100
	}
	q := `SELECT id, recipient, subject, body, created_at, sent_at, error FROM outbox`
	args := []any{}
	if recipient != "" {
		q += ` WHERE recipient = ?`
		args = append(args, normalise(recipient))
	}
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := o.db.Query(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("mail: list outbox: %w", err)
	}
	defer rows.Close()
	var out []Stored
	for rows.Next() {
		var s Stored
		var sent *time.Time
		if err := rows.Scan(&s.ID, &s.To, &s.Subject, &s.Body, &s.CreatedAt, &sent, &s.Error); err != nil {
			return nil, fmt.Errorf("mail: scan outbox: %w", err)
		}
		s.CreatedAt = s.CreatedAt.UTC()
		if sent != nil {
			t := sent.UTC()
			s.SentAt = &t
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// DeleteFor removes every stored message addressed to recipient, when a
// member deletes their account. It returns how many were removed.
func (o *Outbox) DeleteFor(ctx context.Context, recipient string) (int64, error) {
	res, err := o.db.Exec(ctx, `DELETE FROM outbox WHERE recipient = ?`, normalise(recipient))
	if err != nil {
		return 0, fmt.Errorf("mail: delete outbox messages: %w", err)
	}
	return res.RowsAffected()
}

// normalise lower-cases an address so that the outbox is searched with a
// plain, index-friendly equality. Local parts are case-sensitive in theory
// only; the account module lower-cases every address it stores.
func normalise(addr string) string { return strings.ToLower(strings.TrimSpace(addr)) }
