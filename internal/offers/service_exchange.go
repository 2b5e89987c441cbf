package offers

import (
	"context"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Exchange limits.
const (
	MaxMessage = 2000
	MaxReason  = 1000
)

func checkText(field, s string, required bool, max int) error {
	var v errs.Validator
	v.Check(!required || s != "", field, "err.required")
	v.Check(utf8.RuneCountInString(s) <= max, field, "err.too_long", "Max", max)
	return v.Err()
}

// Propose asks to take up a listing: by a member of the territory who is
// not its owner and has not been blocked by (nor blocked) the owner. One
// open exchange per member and listing.
func (s *Service) Propose(ctx context.Context, actor access.Actor, ter *territory.Territory, listingID int64, message string) (*Exchange, error) {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	message = cleanText(message)
	if err := checkText("message", message, false, MaxMessage); err != nil {
		return nil, err
	}
	l, err := s.load(ctx, actor, ter, listingID)
	if err != nil {
		return nil, err
	}
	now := s.clock()
	switch {
	case isOwner(actor, l):
		return nil, errs.E(errs.Invalid, "err.exchange_own_listing")
	case !l.public(now):
		return nil, errs.E(errs.Conflict, "err.listing_not_available")
	}
	if s.blocks != nil {
		blocked, err := s.blocks.Blocked(ctx, l.OwnerID, actor.UserID)
		if err != nil {
			return nil, fmt.Errorf("offers: propose on %d: blocks: %w", listingID, err)
		}
		if blocked {
			return nil, errs.E(errs.Forbidden, "err.exchange_blocked")
		}
	}
	ex := &Exchange{TerritoryID: ter.ID, ListingID: l.ID, OwnerID: l.OwnerID, RequesterID: actor.UserID,
		Message: message, Status: ExchangeProposed, CreatedAt: now, UpdatedAt: now, ListingTitle: l.Title}
	if err := s.store.InsertExchange(ctx, ex); err != nil {
		if store.IsUniqueViolation(err) {
			return nil, errs.Wrap(errs.Conflict, "err.exchange_exists", err)
		}
		return nil, fmt.Errorf("offers: propose on %d: %w", listingID, err)
	}
	s.log.InfoContext(ctx, "offers: exchange proposed", "territory", ter.Slug, "listing", l.ID, "exchange", ex.ID, "user", actor.UserID)
	return ex, nil
}

// GetExchange returns an exchange to its two sides and the moderators.
func (s *Service) GetExchange(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Exchange, error) {
	if err := actor.RequireUser(); err != nil && !actor.System {
		return nil, err
	}
	ex, err := s.store.GetExchange(ctx, ter.ID, id, false)
	if err != nil {
		return nil, err
	}
	if o, r := ex.Side(actor.UserID); !o && !r && !isModerator(actor, ter) {
		return nil, errs.E(errs.NotFound, "err.exchange_not_found")
	}
	return ex, nil
}

// ListingExchanges returns the exchanges of a listing to its owner and
// the moderators, newest first.
func (s *Service) ListingExchanges(ctx context.Context, actor access.Actor, ter *territory.Territory, listingID int64) ([]*Exchange, error) {
	if err := actor.RequireUser(); err != nil && !actor.System {
		return nil, err
	}
	l, err := s.load(ctx, actor, ter, listingID)
	if err != nil {
		return nil, err
	}
	if !isOwner(actor, l) && !isModerator(actor, ter) {
		return nil, errs.E(errs.Forbidden, "err.listing_owner_only")
	}
	return s.store.ExchangesOfListing(ctx, ter.ID, listingID)
}

// MyExchanges returns the exchanges where actor is either side, most
// recently changed first.
func (s *Service) MyExchanges(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]*Exchange, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	xs, err := s.store.ExchangesOf(ctx, ter.ID, actor.UserID)
	if err != nil {
		return nil, err
	}
	reviewed, err := s.store.ReviewedBy(ctx, ter.ID, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("offers: my exchanges: reviews: %w", err)
	}
	for _, x := range xs {
		x.ReviewedByMe = reviewed[x.ID]
	}
	return xs, nil
}

// side names who may make a move on an exchange.
type side int

const (
	ownerSide side = 1 << iota
	requesterSide
	eitherSide = ownerSide | requesterSide
)

// move locks an exchange of which actor is an allowed side, checks its
// status is from, and runs change in the same transaction, then saves it
// guarded on from.
func (s *Service) move(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, who side, what string,
	from []ExchangeStatus, change func(tx Store, ex *Exchange, now time.Time) error) (*Exchange, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now := s.clock()
	var out *Exchange
	err := s.store.WithTx(ctx, func(tx Store) error {
		ex, err := tx.GetExchange(ctx, ter.ID, id, true)
		if err != nil {
			return err
		}
		o, r := ex.Side(actor.UserID)
		if !o && !r {
			return errs.E(errs.NotFound, "err.exchange_not_found")
		}
		if (o && who&ownerSide == 0) || (r && !o && who&requesterSide == 0) {
			return errs.E(errs.Forbidden, "err.exchange_side")
		}
		if !oneOf(ex.Status, from) {
			return errs.E(errs.Conflict, "err.exchange_status", "Status", string(ex.Status))
		}
		was := ex.Status
		if err := change(tx, ex, now); err != nil {
			return err
		}
		ex.UpdatedAt = now
		out = ex
		return tx.UpdateExchange(ctx, ex, was)
	})
	if err != nil {
		return nil, fmt.Errorf("offers: exchange %d: %s: %w", id, what, err)
	}
	s.log.InfoContext(ctx, "offers: exchange "+what, "territory", ter.Slug, "exchange", id, "listing", out.ListingID,
		"user", actor.UserID, "status", out.Status)
	return out, nil
}

// Accept takes a proposal: only the owner, only while the listing is
// active. A listing of one object has at most one accepted exchange at a
// time (others get Conflict "err.listing_taken" until it is done or
// cancelled); a listing of n objects, n at a time; a service, any number.
func (s *Service) Accept(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Exchange, error) {
	return wrapTaken(s.move(ctx, actor, ter, id, ownerSide, "accepted", []ExchangeStatus{ExchangeProposed},
		func(tx Store, ex *Exchange, now time.Time) error {
			l, err := tx.GetListing(ctx, ter.ID, ex.ListingID, false)
			if err != nil {
				return err
			}
			if !l.public(now) {
				return errs.E(errs.Conflict, "err.listing_not_available")
			}
			// The guarded UPDATE makes racing accepts queue on the
			// listing's row; the partial unique index on single accepted
			// exchanges holds even if it were bypassed.
			ok, err := tx.TakeSlot(ctx, ter.ID, l.ID, l.Mode.Object())
			if err != nil {
				return err
			}
			if !ok {
				return errs.E(errs.Conflict, "err.listing_taken")
			}
			ex.Status, ex.AcceptedAt, ex.single = ExchangeAccepted, &now, l.Single()
			return nil
		}))
}

// wrapTaken turns the unique index's verdict into the listing's message.
func wrapTaken(ex *Exchange, err error) (*Exchange, error) {
	if store.IsUniqueViolation(err) {
		return nil, errs.Wrap(errs.Conflict, "err.listing_taken", err)
	}
	return ex, err
}

// Decline refuses a proposal: the owner only, with an optional reason.
func (s *Service) Decline(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Exchange, error) {
	reason = cleanText(reason)
	if err := checkText("reason", reason, false, MaxReason); err != nil {
		return nil, err
	}
	return s.move(ctx, actor, ter, id, ownerSide, "declined", []ExchangeStatus{ExchangeProposed},
		func(_ Store, ex *Exchange, now time.Time) error {
			ex.Status, ex.Reason, ex.EndedBy, ex.EndedAt = ExchangeDeclined, reason, actor.UserID, &now
			return nil
		})
}

// Cancel ends a proposed or accepted exchange: either side, with a reason.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Exchange, error) {
	reason = cleanText(reason)
	if err := checkText("reason", reason, true, MaxReason); err != nil {
		return nil, err
	}
	return s.move(ctx, actor, ter, id, eitherSide, "cancelled", []ExchangeStatus{ExchangeProposed, ExchangeAccepted},
		func(tx Store, ex *Exchange, now time.Time) error {
			if ex.Status == ExchangeAccepted {
				if err := tx.FreeSlot(ctx, ter.ID, ex.ListingID); err != nil {
					return err
				}
			}
			ex.Status, ex.Reason, ex.EndedBy, ex.EndedAt = ExchangeCancelled, reason, actor.UserID, &now
			ex.single = false
			return nil
		})
}

// MarkDone records that one side considers the accepted exchange done.
// When both have, the exchange is done: the payer (issue 5's ledger), if
// any, is called in the same transaction, and a gift closes its listing.
func (s *Service) MarkDone(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Exchange, error) {
	return s.move(ctx, actor, ter, id, eitherSide, "marked done", []ExchangeStatus{ExchangeAccepted},
		func(tx Store, ex *Exchange, now time.Time) error {
			if o, _ := ex.Side(actor.UserID); o {
				ex.OwnerDone = true
			} else {
				ex.RequesterDone = true
			}
			if !ex.OwnerDone || !ex.RequesterDone {
				return nil
			}
			ex.Status, ex.EndedAt, ex.single = ExchangeDone, &now, false
			if err := tx.FreeSlot(ctx, ter.ID, ex.ListingID); err != nil {
				return err
			}
			if s.payer != nil {
				if err := s.payer.PayForExchange(tx.TxContext(ctx), ex); err != nil {
					return fmt.Errorf("payment: %w", err)
				}
			}
			l, err := tx.GetListing(ctx, ter.ID, ex.ListingID, true)
			if err != nil {
				return err
			}
			if l.Mode == ModeGive && l.Kind == KindOffer && (l.Status == StatusActive || l.Status == StatusPaused) {
				l.Status, l.UpdatedAt = StatusClosed, now
				return tx.UpdateListing(ctx, l)
			}
			return nil
		})
}

// Review lets one side of a done exchange rate the other, once.
func (s *Service) Review(ctx context.Context, actor access.Actor, ter *territory.Territory, exchangeID int64, rating int, comment string) (*Review, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	comment = cleanText(comment)
	var v errs.Validator
	v.Check(rating >= 1 && rating <= 5, "rating", "err.rating_range")
	v.Check(utf8.RuneCountInString(comment) <= MaxComment, "comment", "err.too_long", "Max", MaxComment)
	if err := v.Err(); err != nil {
		return nil, err
	}
	ex, err := s.store.GetExchange(ctx, ter.ID, exchangeID, false)
	if err != nil {
		return nil, err
	}
	o, r := ex.Side(actor.UserID)
	if !o && !r {
		return nil, errs.E(errs.NotFound, "err.exchange_not_found")
	}
	if ex.Status != ExchangeDone {
		return nil, errs.E(errs.Conflict, "err.review_not_done")
	}
	rev := &Review{TerritoryID: ter.ID, ExchangeID: ex.ID, ReviewerID: actor.UserID, RevieweeID: ex.OwnerID,
		Rating: rating, Comment: comment, CreatedAt: s.clock()}
	if o {
		rev.RevieweeID = ex.RequesterID
	}
	if err := s.store.InsertReview(ctx, rev); err != nil {
		return nil, fmt.Errorf("offers: review exchange %d: %w", exchangeID, err)
	}
	s.log.InfoContext(ctx, "offers: review", "territory", ter.Slug, "exchange", ex.ID, "user", actor.UserID)
	return rev, nil
}

// Profile returns a member's exchanges done in the territory, ratings and
// latest reviews. Reviews are public, like the listings.
func (s *Service) Profile(ctx context.Context, _ access.Actor, ter *territory.Territory, userID int64) (*Profile, error) {
	p, err := s.store.Profile(ctx, ter.ID, userID, ProfileReviews)
	if err != nil {
		return nil, fmt.Errorf("offers: profile %d: %w", userID, err)
	}
	return p, nil
}
