package messages

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// DigestJob is the kind of the periodic job that sends digest e-mails.
const DigestJob = "messages.digest"

// RegisterJobs hooks SendDigests into the job queue as a periodic job
// without this package knowing the queue: wiring passes the queue's
// Register and Every (jobs.Queue). The job is idempotent: each member's
// digest is claimed once, whichever instance runs it.
func (s *Service) RegisterJobs(register func(kind string, h func(ctx context.Context, args json.RawMessage) error), every func(kind string, interval time.Duration)) {
	register(DigestJob, func(ctx context.Context, _ json.RawMessage) error {
		_, err := s.SendDigests(ctx, s.now())
		return err
	})
	every(DigestJob, s.opts.DigestEvery)
}

// bounds returns the limits of a due digest at now: pending since before
// the first, last sent before the second.
func (s *Service) bounds(now time.Time) (pendingBefore, sentBefore time.Time) {
	now = now.UTC().Truncate(time.Microsecond)
	return now.Add(-s.opts.DigestDelay), now.Add(-s.opts.DigestInterval)
}

// DigestDue reports whether userID's digest would be sent at now: unread
// messages have waited DigestDelay and the last digest is DigestInterval
// old. (Whether the messages are still unread is checked when sending.)
func (s *Service) DigestDue(ctx context.Context, userID int64, now time.Time) (bool, error) {
	st, err := s.store.NotificationState(ctx, userID)
	if err != nil {
		return false, fmt.Errorf("messages: digest state of %d: %w", userID, err)
	}
	pendingBefore, sentBefore := s.bounds(now)
	return st.PendingSince != nil && !st.PendingSince.After(pendingBefore) &&
		(st.LastSentAt == nil || !st.LastSentAt.After(sentBefore)), nil
}

// NotificationState returns a member's digest state (for tests and admin).
func (s *Service) NotificationState(ctx context.Context, userID int64) (*NotificationState, error) {
	return s.store.NotificationState(ctx, userID)
}

// SendDigests sends the due digest e-mails: to each member with unread
// messages, at most one per DigestInterval, listing the messages that came
// since the last digest. Several instances may run it at once: each
// member's digest is claimed by one guarded UPDATE, so only one sends it.
// A member who read everything meanwhile gets nothing. It returns the
// number of e-mails sent.
func (s *Service) SendDigests(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Microsecond)
	pendingBefore, sentBefore := s.bounds(now)
	users, err := s.store.DueDigests(ctx, pendingBefore, sentBefore, s.opts.DigestBatch)
	if err != nil {
		return 0, fmt.Errorf("messages: due digests: %w", err)
	}
	sent := 0
	var failed []error
	for _, uid := range users {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		ok, err := s.sendDigest(ctx, uid, now, pendingBefore, sentBefore)
		if err != nil {
			s.log.ErrorContext(ctx, "messages: digest", "user", uid, "err", err)
			if len(failed) < 5 {
				failed = append(failed, err)
			}
			continue
		}
		if ok {
			sent++
		}
	}
	if sent > 0 {
		s.log.InfoContext(ctx, "messages: digests sent", "count", sent)
	}
	return sent, errors.Join(failed...)
}

// sendDigest claims and sends one member's digest.
func (s *Service) sendDigest(ctx context.Context, userID int64, now, pendingBefore, sentBefore time.Time) (bool, error) {
	var claimed NotificationState
	var items []DigestItem
	var total int
	var ok bool
	err := s.store.WithTx(ctx, func(tx Store) error {
		var err error
		claimed, ok, err = tx.ClaimDigest(ctx, userID, pendingBefore, sentBefore)
		if err != nil || !ok {
			return err
		}
		if items, total, err = tx.UnreadAfter(ctx, userID, claimed.NotifiedUpto, digestItems); err != nil {
			return err
		}
		if len(items) == 0 {
			return nil // read meanwhile: the claim only cleared pending_since
		}
		return tx.DigestSent(ctx, userID, now, items[len(items)-1].MessageID)
	})
	if err != nil || !ok || len(items) == 0 {
		return false, err
	}
	// From here the e-mail is due. It is sent after the commit: an SMTP
	// exchange must not hold SQLite's only writer. If sending fails, the
	// claim is undone so that a later run tries again.
	if err := s.mailDigest(ctx, userID, items, total); err != nil {
		if errs.Is(err, errs.NotFound) {
			return false, nil // the member is gone
		}
		if rerr := s.store.RestoreDigest(context.WithoutCancel(ctx), claimed); rerr != nil {
			err = errors.Join(err, fmt.Errorf("restore digest state: %w", rerr))
		}
		return false, fmt.Errorf("digest to %d: %w", userID, err)
	}
	return true, nil
}

func (s *Service) mailDigest(ctx context.Context, userID int64, items []DigestItem, total int) error {
	email, name, lang, err := s.people.Contact(ctx, userID)
	if err != nil {
		return err
	}
	senders := map[int64]string{}
	ters := map[int64]*territory.Territory{}
	lines := make([]digestLine, 0, len(items))
	var links []string
	for _, it := range items {
		if _, seen := senders[it.SenderID]; !seen {
			_, senderName, _, err := s.people.Contact(ctx, it.SenderID)
			if err != nil && !errs.Is(err, errs.NotFound) {
				return fmt.Errorf("sender %d: %w", it.SenderID, err)
			}
			senders[it.SenderID] = senderName
		}
		if _, seen := ters[it.TerritoryID]; !seen {
			ter, err := s.territories.ByID(ctx, it.TerritoryID)
			if err != nil {
				return fmt.Errorf("territory %d: %w", it.TerritoryID, err)
			}
			ters[it.TerritoryID] = ter
			links = append(links, s.InboxURL(ter))
		}
		lines = append(lines, digestLine{Sender: senders[it.SenderID], Subject: it.SubjectTitle, Preview: preview(cleanText(it.Body))})
	}
	return s.mailer.Send(ctx, digestMail(email, name, lang, lines, total, links, int(s.opts.DigestInterval/time.Minute)))
}

// InboxURL is the address of a territory's inbox page, as linked from the
// digest e-mail; the web layer serves it.
func (s *Service) InboxURL(ter *territory.Territory) string {
	return s.opts.BaseURL + "/t/" + ter.Slug + "/messages"
}
