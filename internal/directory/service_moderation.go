package directory

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// queueLimit bounds each list of the moderation queue.
const queueLimit = 200

func requireModerator(actor access.Actor, ter *territory.Territory) error {
	return actor.Require(ter.ID, access.Moderator)
}

// setStatus moves an initiative from one of the from statuses to to.
func (s *Service) setStatus(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, to Status, reason string, from ...Status) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	var wasPublished bool
	err := s.store.WithTx(ctx, func(tx Store) error {
		in, err := tx.GetForUpdate(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		allowed := false
		for _, f := range from {
			allowed = allowed || in.Status == f
		}
		if !allowed {
			return errs.E(errs.Conflict, "err.initiative_status", "Status", string(in.Status))
		}
		wasPublished = in.Status == StatusPublished
		in.Status, in.RejectReason, in.UpdatedAt = to, reason, s.clock()
		return tx.Update(ctx, in)
	})
	if err != nil {
		return fmt.Errorf("directory: initiative %d to %s: %w", id, to, err)
	}
	s.log.InfoContext(ctx, "directory: status", "territory", ter.Slug, "initiative", id, "status", to, "user", actor.UserID)
	if wasPublished || to == StatusPublished {
		s.changed(ctx, ter)
	}
	return nil
}

// Publish puts a pending, rejected or archived initiative on the map.
func (s *Service) Publish(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) error {
	return s.setStatus(ctx, actor, ter, id, StatusPublished, "", StatusPending, StatusRejected, StatusArchived)
}

// Reject refuses a pending contribution; the reason is shown to its author.
func (s *Service) Reject(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, 1000); err != nil {
		return err
	}
	return s.setStatus(ctx, actor, ter, id, StatusRejected, reason, StatusPending)
}

// Archive takes an initiative off the map and keeps its history.
func (s *Service) Archive(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) error {
	return s.setStatus(ctx, actor, ter, id, StatusArchived, "", StatusPublished, StatusPending)
}

// ApproveRevision applies a pending change.
func (s *Service) ApproveRevision(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, number int) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	now := s.clock()
	var published bool
	err := s.store.WithTx(ctx, func(tx Store) error {
		in, err := tx.GetForUpdate(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		rev, err := tx.Revision(ctx, ter.ID, id, number)
		if err != nil {
			return err
		}
		if err := tx.ReviewRevision(ctx, ter.ID, id, number, RevisionApplied, actor.UserID, now, ""); err != nil {
			return err
		}
		contentOf(&rev.Content).applyTo(in)
		in.Revision, in.UpdatedAt = number, now
		published = in.Status == StatusPublished
		return tx.Update(ctx, in)
	})
	if err != nil {
		return fmt.Errorf("directory: approve revision %d of %d: %w", number, id, err)
	}
	if published {
		s.changed(ctx, ter)
	}
	return nil
}

// RejectRevision refuses a pending change with a reason.
func (s *Service) RejectRevision(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, number int, reason string) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, 1000); err != nil {
		return err
	}
	if err := s.store.ReviewRevision(ctx, ter.ID, id, number, RevisionRejected, actor.UserID, s.clock(), reason); err != nil {
		if errs.Is(err, errs.Conflict) {
			if _, gerr := s.store.Revision(ctx, ter.ID, id, number); gerr != nil {
				return gerr
			}
		}
		return fmt.Errorf("directory: reject revision %d of %d: %w", number, id, err)
	}
	return nil
}

// Revisions lists an initiative's history, each with its difference from
// the applied revision before it; whoever may see the entry may see it.
func (s *Service) Revisions(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) ([]Revision, error) {
	if _, err := s.Get(ctx, actor, ter, id); err != nil {
		return nil, err
	}
	revs, err := s.store.Revisions(ctx, ter.ID, id)
	if err != nil {
		return nil, fmt.Errorf("directory: revisions of %d: %w", id, err)
	}
	var last Initiative
	for i := range revs {
		revs[i].Changes = Diff(&last, &revs[i].Content)
		if revs[i].Status == RevisionApplied {
			last = revs[i].Content
		}
	}
	return revs, nil
}

// Restore makes an old revision's content current again, as a new applied
// revision. Moderators and the organisation running the entry may.
func (s *Service) Restore(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, number int) (*Revision, error) {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	cur, err := s.Get(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	ok, err := s.mayManage(ctx, actor, ter, cur)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errs.ErrForbidden
	}
	old, err := s.store.Revision(ctx, ter.ID, id, number)
	if err != nil {
		return nil, err
	}
	if !isModerator(actor, ter) && old.Content.OrganisationID != cur.OrganisationID && old.Content.OrganisationID != 0 {
		ok, err := s.runsOrg(ctx, actor, ter, old.Content.OrganisationID)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, errs.ErrForbidden
		}
	}
	if err := validate(ter, &old.Content); err != nil {
		return nil, err // the boundary or the rules changed since
	}
	now := s.clock()
	rev := &Revision{InitiativeID: id, TerritoryID: ter.ID, AuthorID: actor.UserID, CreatedAt: now,
		Status: RevisionApplied, Content: old.Content, Comment: "restore:" + strconv.Itoa(number)}
	var published bool
	err = s.store.WithTx(ctx, func(tx Store) error {
		in, err := tx.GetForUpdate(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		if rev.Number, err = tx.NextRevisionNumber(ctx, ter.ID, id); err != nil {
			return err
		}
		contentOf(&old.Content).applyTo(in)
		in.Revision, in.UpdatedAt = rev.Number, now
		if err := tx.Update(ctx, in); err != nil {
			return err
		}
		published = in.Status == StatusPublished
		return tx.InsertRevision(ctx, rev)
	})
	if err != nil {
		return nil, fmt.Errorf("directory: restore revision %d of %d: %w", number, id, err)
	}
	if published {
		s.changed(ctx, ter)
	}
	return rev, nil
}

// Report lets a member flag an entry for the moderators.
func (s *Service) Report(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) (*Report, error) {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	if err := requireText("reason", reason, 2000); err != nil {
		return nil, err
	}
	if _, err := s.Get(ctx, actor, ter, id); err != nil {
		return nil, err
	}
	r := &Report{InitiativeID: id, TerritoryID: ter.ID, ReporterID: actor.UserID, Reason: reason, CreatedAt: s.clock()}
	if err := s.store.InsertReport(ctx, r); err != nil {
		return nil, fmt.Errorf("directory: report %d: %w", id, err)
	}
	return r, nil
}

// ResolveReport closes a report with what was done.
func (s *Service) ResolveReport(ctx context.Context, actor access.Actor, ter *territory.Territory, reportID int64, resolution string) error {
	if err := requireModerator(actor, ter); err != nil {
		return err
	}
	resolution = strings.TrimSpace(resolution)
	if err := requireText("resolution", resolution, 2000); err != nil {
		return err
	}
	return s.store.ResolveReport(ctx, ter.ID, reportID, actor.UserID, s.clock(), resolution)
}

// ModerationQueue lists pending contributions, pending changes and open
// reports, oldest first.
func (s *Service) ModerationQueue(ctx context.Context, actor access.Actor, ter *territory.Territory) (*Queue, error) {
	if err := requireModerator(actor, ter); err != nil {
		return nil, err
	}
	var q Queue
	var err error
	if q.Initiatives, err = s.store.ByStatus(ctx, ter.ID, StatusPending, queueLimit); err != nil {
		return nil, fmt.Errorf("directory: queue: %w", err)
	}
	if q.Revisions, err = s.store.PendingRevisions(ctx, ter.ID, queueLimit); err != nil {
		return nil, fmt.Errorf("directory: queue: %w", err)
	}
	if q.Reports, err = s.store.OpenReports(ctx, ter.ID, queueLimit); err != nil {
		return nil, fmt.Errorf("directory: queue: %w", err)
	}
	return &q, nil
}
