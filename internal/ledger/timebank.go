package ledger

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// RecordInput is a service one member records with another: the actor is
// the receiver (who pays the hours) or the provider (who earns them).
type RecordInput struct {
	// ActorProvided is true when the actor gave the service.
	ActorProvided bool
	// Other is the other member, by id.
	Other       int64
	Minutes     int64
	Category    string
	Description string
}

// MaxDescription bounds a record's description.
const MaxDescription = 1000

// RecordService writes a time-bank record. When the receiver records it,
// the hours move at once (the payer consents) and the provider may
// confirm; when the provider records it, nothing moves until the receiver
// confirms.
func (s *Service) RecordService(ctx context.Context, actor access.Actor, ter *territory.Territory, in RecordInput) (*Record, error) {
	if err := s.requireMember(actor, ter); err != nil {
		return nil, err
	}
	in.Description = strings.TrimSpace(in.Description)
	var v errs.Validator
	v.Check(in.Minutes > 0, "minutes", "err.ledger.amount_positive")
	v.Check(in.Minutes <= 24*60*31, "minutes", "err.ledger.amount_too_large")
	v.Check(in.Category != "" && ValidCategory(in.Category), "category", "err.ledger.category_unknown")
	v.Check(utf8.RuneCountInString(in.Description) <= MaxDescription, "description", "err.too_long", "Max", MaxDescription)
	v.Check(in.Other != actor.UserID, "other", "err.ledger.self_transfer")
	v.Check(in.Other > 0, "other", "err.ledger.member_unknown")
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.checkMember(ctx, ter.ID, in.Other); err != nil {
		return nil, errs.Fields([]errs.FieldError{{Field: "other", Key: "err.ledger.not_member"}})
	}
	now := s.clock()
	r := &Record{TerritoryID: ter.ID, Minutes: in.Minutes, Category: in.Category, Description: in.Description,
		RecordedBy: actor.UserID, CreatedAt: now, UpdatedAt: now}
	if in.ActorProvided {
		r.ProviderID, r.ReceiverID, r.Status = actor.UserID, in.Other, RecordPending
	} else {
		r.ProviderID, r.ReceiverID, r.Status = in.Other, actor.UserID, RecordPosted
	}
	err := s.store.WithTx(ctx, func(st Store) error {
		if r.Status == RecordPosted {
			if err := s.payRecord(ctx, st, ter, r, now); err != nil {
				return err
			}
		}
		return st.InsertRecord(ctx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: record service: %w", err)
	}
	s.log.InfoContext(ctx, "ledger: time-bank record", "territory", ter.Slug, "record", r.ID, "status", r.Status, "user", actor.UserID)
	return r, nil
}

// payRecord moves a record's minutes from the receiver to the provider.
func (s *Service) payRecord(ctx context.Context, st Store, ter *territory.Territory, r *Record, now time.Time) error {
	cur, err := s.currency(ctx, st, ter.ID, TimeCode)
	if err != nil {
		return err
	}
	from, err := s.holderAccount(ctx, st, cur, OwnerMember, r.ReceiverID)
	if err != nil {
		return err
	}
	to, err := s.holderAccount(ctx, st, cur, OwnerMember, r.ProviderID)
	if err != nil {
		return err
	}
	e := &Entry{TerritoryID: ter.ID, Kind: EntryTimebank, Reason: r.Description, Category: r.Category, CreatedBy: r.RecordedBy,
		CreatedAt: now, Postings: []Posting{
			{AccountID: from.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: -r.Minutes},
			{AccountID: to.ID, TerritoryID: ter.ID, CurrencyID: cur.ID, Amount: r.Minutes}}}
	if _, _, err := s.post(ctx, st, e); err != nil {
		return err
	}
	set, err := s.settings(ctx, st, ter.ID)
	if err != nil {
		return err
	}
	until := now.Add(time.Duration(set.DisputeDays) * 24 * time.Hour)
	r.EntryID, r.DisputeUntil = e.ID, &until
	return nil
}

// RecordAction is a move on a time-bank record.
type RecordAction string

const (
	ActionConfirm RecordAction = "confirm" // the other side agrees
	ActionDecline RecordAction = "decline" // the receiver refuses a pending record
	ActionDispute RecordAction = "dispute" // either side, within the delay, after hours moved
	ActionUphold  RecordAction = "uphold"  // an administrator keeps disputed hours
	ActionReverse RecordAction = "reverse" // an administrator gives disputed hours back
)

// ActOnRecord applies an action to a record, checking who may do it.
func (s *Service) ActOnRecord(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, action RecordAction, note string) (*Record, error) {
	if err := actor.RequireUser(); err != nil && !actor.System {
		return nil, err
	}
	note = strings.TrimSpace(note)
	if err := checkReason(note); err != nil {
		return nil, err
	}
	now := s.clock()
	admin := actor.Can(ter.ID, access.Admin)
	var out *Record
	err := s.store.WithTx(ctx, func(st Store) error {
		r, err := st.Record(ctx, ter.ID, id, true)
		if err != nil {
			return err
		}
		provider, receiver := actor.UserID == r.ProviderID, actor.UserID == r.ReceiverID
		if !provider && !receiver && !admin {
			return errs.E(errs.NotFound, "err.ledger.record_unknown")
		}
		from := r.Status
		bad := errs.E(errs.Conflict, "err.ledger.record_status", "Status", string(r.Status))
		switch action {
		case ActionConfirm:
			switch {
			case r.Status == RecordPending && receiver:
				if err := s.payRecord(ctx, st, ter, r, now); err != nil {
					return err
				}
			case r.Status == RecordPosted && provider:
			case r.Status == RecordPending || r.Status == RecordPosted:
				return errs.E(errs.Forbidden, "err.ledger.record_other_side")
			default:
				return bad
			}
			r.Status = RecordConfirmed
		case ActionDecline:
			if r.Status != RecordPending {
				return bad
			}
			if !receiver {
				return errs.E(errs.Forbidden, "err.ledger.record_other_side")
			}
			r.Status, r.Resolution = RecordDeclined, note
		case ActionDispute:
			if !provider && !receiver {
				return errs.E(errs.Forbidden, "err.ledger.record_side_only")
			}
			if r.Status != RecordPosted && r.Status != RecordConfirmed {
				return bad
			}
			if r.DisputeUntil == nil || now.After(*r.DisputeUntil) {
				return errs.E(errs.Conflict, "err.ledger.dispute_too_late")
			}
			if note == "" {
				return errs.Fields([]errs.FieldError{{Field: "note", Key: "err.required"}})
			}
			r.Status, r.DisputedBy, r.DisputeReason = RecordDisputed, actor.UserID, note
		case ActionUphold, ActionReverse:
			if !admin {
				return errs.E(errs.Forbidden, "err.role_required", "Role", string(access.Admin))
			}
			if r.Status != RecordDisputed {
				return bad
			}
			r.ResolvedBy, r.Resolution = actor.UserID, note
			r.Status = RecordUpheld
			if action == ActionReverse {
				rev, err := s.reverse(ctx, st, ter, r.EntryID, note, actor.UserID)
				if err != nil {
					return err
				}
				r.Status, r.ReversalID = RecordReversed, rev.ID
			}
		default:
			return errs.Fields([]errs.FieldError{{Field: "action", Key: "err.ledger.action_unknown"}})
		}
		r.UpdatedAt = now
		out = r
		return st.UpdateRecord(ctx, r, from)
	})
	if err != nil {
		return nil, fmt.Errorf("ledger: record %d: %s: %w", id, action, err)
	}
	s.log.InfoContext(ctx, "ledger: time-bank record "+string(action), "territory", ter.Slug, "record", id, "status", out.Status, "user", actor.UserID)
	return out, nil
}

// MyRecords lists the records where the actor is a side, newest first.
func (s *Service) MyRecords(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]*Record, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	return s.store.RecordsOf(ctx, ter.ID, actor.UserID, 200)
}

// Disputes lists the disputed records for the administrators.
func (s *Service) Disputes(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]*Record, error) {
	if err := actor.Require(ter.ID, access.Admin); err != nil {
		return nil, err
	}
	return s.store.RecordsIn(ctx, ter.ID, RecordDisputed, 200)
}

// Record returns a record to its sides and the administrators.
func (s *Service) Record(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Record, error) {
	r, err := s.store.Record(ctx, ter.ID, id, false)
	if err != nil {
		return nil, err
	}
	if actor.UserID != r.ProviderID && actor.UserID != r.ReceiverID && !actor.Can(ter.ID, access.Admin) {
		return nil, errs.E(errs.NotFound, "err.ledger.record_unknown")
	}
	return r, nil
}
