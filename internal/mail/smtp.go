package mail

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	gomail "github.com/wneessen/go-mail"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
)

// TLS modes for SMTPConfig.TLS.
const (
	TLSNone     = "none"     // plain text: a relay on localhost or in a private network
	TLSStartTLS = "starttls" // upgrade on the submission port (587), required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
)

// SMTPConfig says how to reach the operator's mail server.
type SMTPConfig struct {
	Host     string
	Port     int // 0 picks 587 (starttls), 465 (tls) or 25 (none)
	Username string
	Password string
	From     string
	TLS      string // "none", "starttls" (default) or "tls"
	// Timeout bounds one connection and send; 0 means 15 seconds.
	Timeout time.Duration
}

// SMTP sends through a mail server and records each message in the outbox
// table with sent_at set, or with the error text when the server refused it,
// so administrators can see what failed and members can export what they got.
type SMTP struct {
	client *gomail.Client
	from   string
	outbox *Outbox
	log    *slog.Logger
}

// NewSMTP checks cfg and prepares a client; it does not connect, so a server
// that is down at start does not stop the platform.
func NewSMTP(cfg SMTPConfig, db *store.DB, log *slog.Logger, now func() time.Time) (*SMTP, error) {
	if cfg.TLS == "" {
		cfg.TLS = TLSStartTLS
	}
	var v errs.Validator
	v.Check(strings.TrimSpace(cfg.Host) != "", "smtp_host", "err.required")
	from, err := mail.ParseAddress(cfg.From)
	v.Check(err == nil, "smtp_from", "err.email_invalid")
	v.Check(cfg.Port >= 0 && cfg.Port <= 65535, "smtp_port", "err.port_invalid")
	v.Check(cfg.TLS == TLSNone || cfg.TLS == TLSStartTLS || cfg.TLS == TLSImplicit, "smtp_tls", "err.smtp_tls_invalid")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if cfg.Port == 0 {
		cfg.Port = map[string]int{TLSNone: 25, TLSStartTLS: 587, TLSImplicit: 465}[cfg.TLS]
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 15 * time.Second
	}
	opts := []gomail.Option{gomail.WithPort(cfg.Port), gomail.WithTimeout(cfg.Timeout)}
	switch cfg.TLS {
	case TLSNone:
		opts = append(opts, gomail.WithTLSPolicy(gomail.NoTLS))
	case TLSStartTLS:
		opts = append(opts, gomail.WithTLSPolicy(gomail.TLSMandatory))
	case TLSImplicit:
		opts = append(opts, gomail.WithSSL())
	}
	if cfg.Username != "" {
		// PLAIN is what submission servers offer; go-mail refuses to send
		// it over an unencrypted link except to localhost.
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthPlain),
			gomail.WithUsername(cfg.Username), gomail.WithPassword(cfg.Password))
	}
	client, err := gomail.NewClient(cfg.Host, opts...)
	if err != nil {
		return nil, fmt.Errorf("mail: smtp client for %s:%d: %w", cfg.Host, cfg.Port, err)
	}
	ob := NewOutbox(db, log, now)
	return &SMTP{client: client, from: from.String(), outbox: ob, log: ob.log}, nil
}

// Send delivers m now and records the outcome. A failure to deliver is
// returned (after it was recorded); callers decide whether it matters.
func (s *SMTP) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	msg := gomail.NewMsg()
	if err := msg.From(s.from); err != nil {
		return fmt.Errorf("mail: from: %w", err)
	}
	if err := msg.To(strings.TrimSpace(m.To)); err != nil {
		return errs.Wrap(errs.Invalid, "err.email_invalid", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(gomail.TypeTextPlain, m.Body)

	sendErr := s.client.DialAndSendWithContext(ctx, msg)
	var sentAt *time.Time
	errText := ""
	if sendErr == nil {
		t := s.outbox.now().UTC()
		sentAt = &t
	} else {
		errText = sendErr.Error()
	}
	// Record with a context that outlives a cancelled request: the mail
	// may have left already, and the record must say so.
	id, recErr := s.outbox.record(context.WithoutCancel(ctx), m, sentAt, errText)
	if sendErr != nil {
		s.log.ErrorContext(ctx, "mail not sent", "outbox_id", id, "to", m.To, "subject", m.Subject, "err", sendErr)
		return fmt.Errorf("mail: send to %s: %w", m.To, sendErr)
	}
	if recErr != nil {
		// Sent but not recorded: worth a log line, not a failure for the caller.
		s.log.ErrorContext(ctx, "mail sent but not recorded", "to", m.To, "subject", m.Subject, "err", recErr)
		return nil
	}
	s.log.InfoContext(ctx, "mail sent", "outbox_id", id, "to", m.To, "subject", m.Subject)
	return nil
}

// List reads the outbox table like Outbox.List.
func (s *SMTP) List(ctx context.Context, recipient string, limit int) ([]Stored, error) {
	return s.outbox.List(ctx, recipient, limit)
}
