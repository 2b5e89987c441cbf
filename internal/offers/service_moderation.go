package offers

import (
	"context"
	"fmt"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// queueLimit bounds the moderation queue.
const queueLimit = 200

// Report signals a listing or a member to the territory's moderators.
func (s *Service) Report(ctx context.Context, actor access.Actor, ter *territory.Territory, target ReportTarget, id int64, reason string) (*Report, error) {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	if err := actor.RequireUser(); err != nil {
		return nil, err
	}
	reason = cleanText(reason)
	if err := checkText("reason", reason, true, MaxReason); err != nil {
		return nil, err
	}
	r := &Report{TerritoryID: ter.ID, ReporterID: actor.UserID, Reason: reason, CreatedAt: s.clock()}
	switch target {
	case TargetListing:
		l, err := s.load(ctx, actor, ter, id)
		if err != nil {
			return nil, err
		}
		r.ListingID, r.ListingTitle = l.ID, l.Title
	case TargetMember:
		if id <= 0 || id == actor.UserID {
			return nil, errs.E(errs.Invalid, "err.report_target")
		}
		r.MemberID = id
	default:
		return nil, errs.E(errs.Invalid, "err.report_target")
	}
	if err := s.store.InsertReport(ctx, r); err != nil {
		if errs.Is(err, errs.Invalid) { // the member does not exist
			return nil, errs.Wrap(errs.NotFound, "err.user_not_found", err)
		}
		return nil, fmt.Errorf("offers: report: %w", err)
	}
	s.log.InfoContext(ctx, "offers: report", "territory", ter.Slug, "report", r.ID, "user", actor.UserID, "target", target)
	return r, nil
}

// ModerationQueue returns the open reports, oldest first, to moderators.
func (s *Service) ModerationQueue(ctx context.Context, actor access.Actor, ter *territory.Territory) ([]Report, error) {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return nil, err
	}
	return s.store.OpenReports(ctx, ter.ID, queueLimit)
}

// Resolve closes a report with what was done about it.
func (s *Service) Resolve(ctx context.Context, actor access.Actor, ter *territory.Territory, reportID int64, resolution string) error {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return err
	}
	resolution = cleanText(resolution)
	if err := checkText("resolution", resolution, true, MaxReason); err != nil {
		return err
	}
	if err := s.store.ResolveReport(ctx, ter.ID, reportID, actor.UserID, s.clock(), resolution); err != nil {
		return fmt.Errorf("offers: resolve report %d: %w", reportID, err)
	}
	return nil
}

// Hide takes a listing off the site (moderators): only moderators see it
// until Unhide, which gives back the status it had.
func (s *Service) Hide(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) error {
	reason = cleanText(reason)
	if err := checkText("reason", reason, true, MaxReason); err != nil {
		return err
	}
	return s.moderate(ctx, actor, ter, id, "hidden", func(l *Listing) error {
		if l.Status == StatusHidden {
			return errs.E(errs.Conflict, "err.listing_status", "Status", string(l.Status))
		}
		l.statusBeforeHide, l.Status, l.HideReason = l.Status, StatusHidden, reason
		return nil
	})
}

// Unhide gives a hidden listing back its status.
func (s *Service) Unhide(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) error {
	return s.moderate(ctx, actor, ter, id, "unhidden", func(l *Listing) error {
		if l.Status != StatusHidden {
			return errs.E(errs.Conflict, "err.listing_status", "Status", string(l.Status))
		}
		l.Status, l.statusBeforeHide, l.HideReason = l.statusBeforeHide, "", ""
		if !oneOf(l.Status, []Status{StatusActive, StatusPaused, StatusClosed}) {
			l.Status = StatusPaused
		}
		return nil
	})
}

func (s *Service) moderate(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, what string, change func(l *Listing) error) error {
	if err := actor.Require(ter.ID, access.Moderator); err != nil {
		return err
	}
	err := s.store.WithTx(ctx, func(tx Store) error {
		l, err := tx.GetListing(ctx, ter.ID, id, true)
		if err != nil {
			return err
		}
		if err := change(l); err != nil {
			return err
		}
		l.UpdatedAt = s.clock()
		return tx.UpdateListing(ctx, l)
	})
	if err != nil {
		return fmt.Errorf("offers: listing %d %s: %w", id, what, err)
	}
	s.log.InfoContext(ctx, "offers: listing "+what, "territory", ter.Slug, "listing", id, "user", actor.UserID)
	return nil
}

// HideOwner takes every listing of a member out of search and pages (or
// brings them back), in every territory: the account module calls it when
// a platform administrator suspends or reinstates the member. It is a flag
// beside the status, so that searches need no look-up per row and the
// listings come back as they were.
func (s *Service) HideOwner(ctx context.Context, actor access.Actor, userID int64, hidden bool) (int64, error) {
	if !actor.System && !actor.PlatformAdmin {
		if !actor.Authenticated() {
			return 0, errs.ErrUnauthenticated
		}
		return 0, errs.E(errs.Forbidden, "err.platform_admin_required")
	}
	n, err := s.store.HideOwner(ctx, userID, hidden)
	if err != nil {
		return 0, fmt.Errorf("offers: hide listings of %d: %w", userID, err)
	}
	s.log.InfoContext(ctx, "offers: owner's listings", "owner", userID, "hidden", hidden, "listings", n, "by", actor.UserID)
	return n, nil
}

// ExpireDue flags the active listings whose expiry is at or before now,
// in every territory, which takes them out of the spatial index. Searches
// already skip them by date: this keeps the indexes lean. For a periodic
// job; it returns how many it flagged.
func (s *Service) ExpireDue(ctx context.Context, now time.Time) (int64, error) {
	n, err := s.store.ExpireDue(ctx, now.UTC())
	if err != nil {
		return n, fmt.Errorf("offers: expire: %w", err)
	}
	if n > 0 {
		s.log.InfoContext(ctx, "offers: listings expired", "count", n)
	}
	return n, nil
}

// Stats returns the territory's indicators; they hold no personal data.
func (s *Service) Stats(ctx context.Context, _ access.Actor, ter *territory.Territory) (Stats, error) {
	st, err := s.store.Stats(ctx, ter.ID, s.clock())
	if err != nil {
		return st, fmt.Errorf("offers: stats: %w", err)
	}
	return st, nil
}
