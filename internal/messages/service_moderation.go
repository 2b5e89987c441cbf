package messages

import (
	"context"
	"fmt"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Block stops otherUserID and the actor from writing to each other, in
// every territory. Blocking twice is not an error.
func (s *Service) Block(ctx context.Context, actor access.Actor, ter *territory.Territory, otherUserID int64) error {
	if err := requireMember(actor, ter); err != nil {
		return err
	}
	if otherUserID == actor.UserID {
		return errs.E(errs.Invalid, "err.block_self")
	}
	if otherUserID <= 0 {
		return errs.E(errs.NotFound, "err.message_member_not_found")
	}
	if err := s.store.Block(ctx, actor.UserID, otherUserID, s.clock()); err != nil {
		if e, ok := errs.As(err); ok && e.Key == "err.reference" {
			return errs.Wrap(errs.NotFound, "err.message_member_not_found", err)
		}
		return fmt.Errorf("messages: %d blocks %d: %w", actor.UserID, otherUserID, err)
	}
	s.log.InfoContext(ctx, "messages: blocked", "user", actor.UserID, "blocked", otherUserID)
	return nil
}

// Unblock lifts the actor's block on otherUserID (a block the other made
// stays).
func (s *Service) Unblock(ctx context.Context, actor access.Actor, ter *territory.Territory, otherUserID int64) error {
	if err := requireMember(actor, ter); err != nil {
		return err
	}
	if err := s.store.Unblock(ctx, actor.UserID, otherUserID); err != nil {
		return fmt.Errorf("messages: %d unblocks %d: %w", actor.UserID, otherUserID, err)
	}
	return nil
}

// BlockedMembers lists whom the actor blocked, for their settings page.
func (s *Service) BlockedMembers(ctx context.Context, actor access.Actor) ([]int64, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	ids, err := s.store.BlockedBy(ctx, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("messages: blocks of %d: %w", actor.UserID, err)
	}
	return ids, nil
}

// Blocked reports whether a or b blocked the other. Other modules call it
// (offers refuses exchanges between them); it checks no rights.
func (s *Service) Blocked(ctx context.Context, a, b int64) (bool, error) {
	if a == 0 || b == 0 {
		return false, nil
	}
	blocked, err := s.store.Blocked(ctx, a, b)
	if err != nil {
		return false, fmt.Errorf("messages: blocked %d/%d: %w", a, b, err)
	}
	return blocked, nil
}

// Report flags a message the actor received for the territory's
// moderators. Only a participant can report, and not their own message.
func (s *Service) Report(ctx context.Context, actor access.Actor, ter *territory.Territory, messageID int64, reason string) (*Report, error) {
	if err := requireMember(actor, ter); err != nil {
		return nil, err
	}
	reason, err := checkText("reason", reason, MaxReason)
	if err != nil {
		return nil, err
	}
	m, err := s.store.Message(ctx, ter.ID, messageID)
	if err != nil {
		return nil, err
	}
	if _, err := s.participantOf(ctx, actor, ter, m.ConversationID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return nil, errs.E(errs.NotFound, "err.message_not_found")
		}
		return nil, err
	}
	if m.SenderID == actor.UserID {
		return nil, errs.E(errs.Invalid, "err.message_report_own")
	}
	r := &Report{TerritoryID: ter.ID, MessageID: m.ID, ConversationID: m.ConversationID, ReporterID: actor.UserID,
		Reason: reason, CreatedAt: s.clock(), Message: *m}
	if err := s.store.InsertReport(ctx, r); err != nil {
		if errs.Is(err, errs.Conflict) {
			return nil, errs.E(errs.Conflict, "err.message_already_reported")
		}
		return nil, fmt.Errorf("messages: report message %d: %w", messageID, err)
	}
	s.log.InfoContext(ctx, "messages: reported", "territory", ter.Slug, "message", m.ID, "report", r.ID, "user", actor.UserID)
	return r, nil
}

// ReportedMessages is the moderators' queue: open reports, oldest first,
// each with the reported message.
func (s *Service) ReportedMessages(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]Report, error) {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return nil, err
	}
	out, err := s.store.OpenReports(ctx, ter.ID, queueLimit)
	if err != nil {
		return nil, fmt.Errorf("messages: reports of %s: %w", ter.Slug, err)
	}
	return out, nil
}

// ReportedConversation shows a moderator the report and the conversation
// of the reported message, removed messages included. This is the only way
// moderators read messages: Conversation refuses them like anyone else.
// It marks nothing read.
func (s *Service) ReportedConversation(ctx context.Context, actor access.Actor, ter *territory.Territory, reportID int64) (*Report, *Thread, error) {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return nil, nil, err
	}
	r, err := s.store.Report(ctx, ter.ID, reportID)
	if err != nil {
		return nil, nil, err
	}
	c, err := s.store.Conversation(ctx, ter.ID, r.ConversationID)
	if err != nil {
		return nil, nil, err
	}
	th := &Thread{Conversation: c, OtherID: c.OwnerID}
	if th.Messages, th.Truncated, err = s.store.Messages(ctx, ter.ID, c.ID, threadLimit); err != nil {
		return nil, nil, fmt.Errorf("messages: report %d: %w", reportID, err)
	}
	if th.Blocked, err = s.store.Blocked(ctx, c.StarterID, c.OwnerID); err != nil {
		return nil, nil, fmt.Errorf("messages: report %d: %w", reportID, err)
	}
	return r, th, nil
}

// ContextMessages is how much of a reported message's conversation the
// moderators' queue shows: that many messages on each side of it.
const ContextMessages = 3

// ReportedContext returns, for a moderator, the messages around a reported
// one (it included), oldest first. Like ReportedConversation it marks
// nothing read.
func (s *Service) ReportedContext(ctx context.Context, actor access.Actor, ter *territory.Territory, r *Report) ([]Message, error) {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return nil, err
	}
	if r == nil || r.TerritoryID != ter.ID {
		return nil, errs.E(errs.NotFound, "err.message_not_found")
	}
	ms, err := s.store.MessagesAround(ctx, ter.ID, r.ConversationID, r.MessageID, ContextMessages)
	if err != nil {
		return nil, fmt.Errorf("messages: context of report %d: %w", r.ID, err)
	}
	return ms, nil
}

// Resolve closes a report with what was done; with remove, the reported
// message disappears for its participants (moderators still read it
// through the report).
func (s *Service) Resolve(ctx context.Context, actor access.Actor, ter *territory.Territory, reportID int64, resolution string, remove bool) error {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return err
	}
	resolution, err := checkText("resolution", resolution, MaxReason)
	if err != nil {
		return err
	}
	now := s.clock()
	err = s.store.WithTx(ctx, func(tx Store) error {
		r, err := tx.Report(ctx, ter.ID, reportID)
		if err != nil {
			return err
		}
		if err := tx.ResolveReport(ctx, ter.ID, reportID, actor.UserID, now, resolution); err != nil {
			return err
		}
		if remove {
			return tx.RemoveMessage(ctx, ter.ID, r.MessageID, now)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("messages: resolve report %d: %w", reportID, err)
	}
	s.log.InfoContext(ctx, "messages: report resolved", "territory", ter.Slug, "report", reportID, "removed", remove, "user", actor.UserID)
	return nil
}
