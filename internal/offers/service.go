package offers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/media"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Service holds every rule of the offers module: who may publish, see,
// change and take up what.
//
// Logs carry ids, never positions or texts: the exact position of a
// listing must not leave the service except to its owner.
type Service struct {
	store  Store
	secret []byte
	blocks Blocker
	payer  Payer
	log    *slog.Logger
	now    func() time.Time
}

// MinSecretLen is the shortest secret NewService accepts.
const MinSecretLen = 16

// NewService returns the offers service. secret keys the approximate
// positions: keep it stable (changing it moves every new or edited
// listing's public point) and private. blocks and payer may be nil.
func NewService(st Store, secret []byte, blocks Blocker, payer Payer, log *slog.Logger, now func() time.Time) (*Service, error) {
	if len(secret) < MinSecretLen {
		return nil, fmt.Errorf("offers: the position secret needs at least %d bytes", MinSecretLen)
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, secret: append([]byte(nil), secret...), blocks: blocks, payer: payer, log: log, now: now}, nil
}

// clock returns now in UTC, to the microsecond both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

func isModerator(actor access.Actor, ter *territory.Territory) bool {
	return actor.Can(ter.ID, access.Moderator)
}

func isOwner(actor access.Actor, l *Listing) bool {
	return actor.UserID != 0 && actor.UserID == l.OwnerID
}

// public reports whether anybody may see the listing.
func (l *Listing) public(now time.Time) bool {
	return l.Status == StatusActive && !l.hiddenOwner && now.Before(l.ExpiresAt)
}

// mayView: public listings to all; paused, closed and expired ones to
// their owner and moderators; hidden ones to moderators.
func mayView(actor access.Actor, ter *territory.Territory, l *Listing, now time.Time) bool {
	switch {
	case isModerator(actor, ter):
		return true
	case l.Status == StatusHidden:
		return false
	case isOwner(actor, l):
		return true
	}
	return l.public(now)
}

// present prepares a listing for actor: the exact position only for its
// owner, the moderator's reason only for the owner and moderators.
func present(actor access.Actor, ter *territory.Territory, l *Listing, now time.Time) *Listing {
	if !isOwner(actor, l) {
		l.ExactPosition = nil
		if !isModerator(actor, ter) {
			l.HideReason = ""
		}
	}
	l.Expired = l.Expired || !now.Before(l.ExpiresAt)
	if l.Photos == nil {
		l.Photos = []media.Photo{}
	}
	return l
}

// load reads a listing that actor may see, or NotFound.
func (s *Service) load(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	l, err := s.store.GetListing(ctx, ter.ID, id, false)
	if err != nil {
		return nil, err
	}
	if !mayView(actor, ter, l, s.clock()) {
		// Not Forbidden: a listing one may not see does not exist for them.
		return nil, errs.E(errs.NotFound, "err.listing_not_found")
	}
	return l, nil
}

// validate checks content, the position's territory and the expiry.
func (s *Service) validate(ter *territory.Territory, l *Listing, now time.Time) error {
	err := l.Validate()
	var fields []errs.FieldError
	if e, ok := errs.As(err); ok {
		fields = e.Fields
	} else if err != nil {
		return err
	}
	if p := l.ExactPosition; p != nil && p.Valid() && !(p.Lat == 0 && p.Lon == 0) && !ter.BBox.Contains(*p) {
		fields = append(fields, errs.FieldError{Field: "position", Key: "err.outside_territory"})
	}
	if l.ExpiresAt.IsZero() {
		l.ExpiresAt = now.Add(DefaultLifetime)
	}
	l.ExpiresAt = l.ExpiresAt.UTC().Truncate(time.Microsecond)
	switch {
	case !l.ExpiresAt.After(now):
		fields = append(fields, errs.FieldError{Field: "expires_at", Key: "err.expiry_past"})
	case l.ExpiresAt.After(now.Add(MaxLifetime + time.Minute)):
		fields = append(fields, errs.FieldError{Field: "expires_at", Key: "err.expiry_too_far",
			Args: map[string]any{"Days": int(MaxLifetime / (24 * time.Hour))}})
	}
	return errs.Fields(fields)
}

// Create publishes a listing of actor, a member of the territory, at once.
// l.ExactPosition is required; l.Photos are keys that internal/media took in.
func (s *Service) Create(ctx context.Context, actor access.Actor, ter *territory.Territory, l *Listing) error {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return err
	}
	if actor.UserID == 0 {
		return errs.ErrUnauthenticated // the system acts for nobody's listing
	}
	now := s.clock()
	if err := errors.Join(s.validate(ter, l, now), validatePhotos(l.Photos)); err != nil {
		return mergeFields(err)
	}
	exact := *l.ExactPosition
	l.ID, l.TerritoryID, l.OwnerID, l.Status = 0, ter.ID, actor.UserID, StatusActive
	l.ExactPosition = &exact
	l.Position = approximate(s.secret, actor.UserID, exact)
	l.CreatedAt, l.UpdatedAt, l.HideReason, l.Expired = now, now, "", false
	if l.Photos == nil {
		l.Photos = []media.Photo{}
	}
	if err := s.store.InsertListing(ctx, l); err != nil {
		return fmt.Errorf("offers: create listing: %w", err)
	}
	s.log.InfoContext(ctx, "offers: listing created", "territory", ter.Slug, "listing", l.ID, "user", actor.UserID, "mode", l.Mode)
	return nil
}

// mergeFields joins the field errors of several validations into one.
func mergeFields(err error) error {
	var fields []errs.FieldError
	var walk func(error) error
	walk = func(err error) error {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				if other := walk(e); other != nil {
					return other
				}
			}
			return nil
		}
		if e, ok := errs.As(err); ok && e.Kind == errs.Invalid && len(e.Fields) > 0 {
			fields = append(fields, e.Fields...)
			return nil
		}
		return err
	}
	if other := walk(err); other != nil {
		return other
	}
	return errs.Fields(fields)
}

// Get returns a listing that actor may see. Its exact position is only
// there for its owner.
func (s *Service) Get(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	l, err := s.load(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	photos, err := s.store.Photos(ctx, ter.ID, []int64{id}, false)
	if err != nil {
		return nil, fmt.Errorf("offers: listing %d: photos: %w", id, err)
	}
	l.Photos = photos[id]
	return present(actor, ter, l, s.clock()), nil
}

// MyListings returns actor's listings in the territory, newest first,
// whatever their status (hidden ones too, so the owner sees why).
func (s *Service) MyListings(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]*Listing, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	ls, err := s.store.ListingsOf(ctx, ter.ID, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("offers: my listings: %w", err)
	}
	ids := make([]int64, len(ls))
	for i, l := range ls {
		ids[i] = l.ID
	}
	photos, err := s.store.Photos(ctx, ter.ID, ids, true)
	if err != nil {
		return nil, fmt.Errorf("offers: my listings: photos: %w", err)
	}
	now := s.clock()
	for _, l := range ls {
		l.Photos = photos[l.ID]
		present(actor, ter, l, now)
	}
	return ls, nil
}

// owned locks a listing of actor in a transaction and runs change on it,
// then saves it. Others get NotFound if they may not see it, Forbidden
// otherwise; a hidden listing cannot be changed by its owner.
func (s *Service) owned(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, what string,
	change func(tx Store, l *Listing, now time.Time) error) (*Listing, error) {
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	now := s.clock()
	var out *Listing
	err := s.store.WithTx(ctx, func(tx Store) error {
		l, err := tx.GetListing(ctx, ter.ID, id, true)
		if err != nil {
			return err
		}
		if !mayView(actor, ter, l, now) {
			return errs.E(errs.NotFound, "err.listing_not_found")
		}
		if !isOwner(actor, l) {
			return errs.E(errs.Forbidden, "err.listing_owner_only")
		}
		if l.Status == StatusHidden {
			return errs.E(errs.Conflict, "err.listing_hidden")
		}
		if err := change(tx, l, now); err != nil {
			return err
		}
		l.UpdatedAt = now
		out = l
		return tx.UpdateListing(ctx, l)
	})
	if err != nil {
		return nil, fmt.Errorf("offers: %s listing %d: %w", what, id, err)
	}
	s.log.InfoContext(ctx, "offers: listing "+what, "territory", ter.Slug, "listing", id, "user", actor.UserID, "status", out.Status)
	return present(actor, ter, out, now), nil
}

// Update replaces the editable content of listing l.ID (not its photos: see
// SetPhotos). A nil ExactPosition keeps the position; a new one moves the
// public position with it. Closed listings cannot be edited.
func (s *Service) Update(ctx context.Context, actor access.Actor, ter *territory.Territory, l *Listing) error {
	changed := *l
	out, err := s.owned(ctx, actor, ter, l.ID, "updated", func(_ Store, cur *Listing, now time.Time) error {
		if cur.Status == StatusClosed {
			return errs.E(errs.Conflict, "err.listing_closed")
		}
		if changed.ExactPosition == nil {
			changed.ExactPosition = cur.ExactPosition
		}
		if changed.ExpiresAt.IsZero() {
			changed.ExpiresAt = cur.ExpiresAt
			if !cur.ExpiresAt.After(now) {
				changed.ExpiresAt = now.Add(DefaultLifetime)
			}
		}
		if err := s.validate(ter, &changed, now); err != nil {
			return err
		}
		moved := changed.ExactPosition.Lat != cur.ExactPosition.Lat || changed.ExactPosition.Lon != cur.ExactPosition.Lon
		cur.Kind, cur.Mode, cur.Title, cur.Description = changed.Kind, changed.Mode, changed.Title, changed.Description
		cur.Category, cur.Condition, cur.PriceCents, cur.Currency = changed.Category, changed.Condition, changed.PriceCents, changed.Currency
		cur.WantedInReturn, cur.Availability, cur.Quantity = changed.WantedInReturn, changed.Availability, changed.Quantity
		if !cur.ExpiresAt.Equal(changed.ExpiresAt) {
			cur.ExpiresAt, cur.Expired = changed.ExpiresAt, false
		}
		if moved {
			p := *changed.ExactPosition
			cur.ExactPosition, cur.Position = &p, approximate(s.secret, cur.OwnerID, p)
		}
		return nil
	})
	if err != nil {
		return err
	}
	photos, err := s.store.Photos(ctx, ter.ID, []int64{out.ID}, false)
	if err != nil {
		return fmt.Errorf("offers: listing %d: photos: %w", out.ID, err)
	}
	out.Photos = photos[out.ID]
	*l = *present(actor, ter, out, s.clock())
	return nil
}

// SetPhotos replaces a listing's photos (at most MaxPhotos, in order) and
// returns those that are no longer used, whose files the caller deletes.
func (s *Service) SetPhotos(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, photos []media.Photo) ([]media.Photo, error) {
	if err := validatePhotos(photos); err != nil {
		return nil, err
	}
	var removed []media.Photo
	_, err := s.owned(ctx, actor, ter, id, "photos", func(tx Store, l *Listing, now time.Time) error {
		old, err := tx.Photos(ctx, ter.ID, []int64{id}, false)
		if err != nil {
			return err
		}
		kept := map[string]bool{}
		for _, p := range photos {
			kept[p.Key] = true
		}
		for _, p := range old[id] {
			if !kept[p.Key] {
				removed = append(removed, p)
			}
		}
		return tx.SetPhotos(ctx, ter.ID, id, photos)
	})
	return removed, err
}

// Renew extends an active or paused listing DefaultLifetime from now.
func (s *Service) Renew(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	return s.owned(ctx, actor, ter, id, "renewed", func(_ Store, l *Listing, now time.Time) error {
		if l.Status == StatusClosed {
			return errs.E(errs.Conflict, "err.listing_closed")
		}
		l.ExpiresAt, l.Expired = now.Add(DefaultLifetime), false
		return nil
	})
}

// setStatus moves an owner's listing from one of the from statuses to to.
func (s *Service) setStatus(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, to Status, from ...Status) (*Listing, error) {
	return s.owned(ctx, actor, ter, id, string(to), func(_ Store, l *Listing, _ time.Time) error {
		if !oneOf(l.Status, from) {
			return errs.E(errs.Conflict, "err.listing_status", "Status", string(l.Status))
		}
		l.Status = to
		return nil
	})
}

// Pause takes an active listing out of search until Resume.
func (s *Service) Pause(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	return s.setStatus(ctx, actor, ter, id, StatusPaused, StatusActive)
}

// Resume puts a paused listing back.
func (s *Service) Resume(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	return s.setStatus(ctx, actor, ter, id, StatusActive, StatusPaused)
}

// Close ends a listing for good.
func (s *Service) Close(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Listing, error) {
	return s.setStatus(ctx, actor, ter, id, StatusClosed, StatusActive, StatusPaused)
}
