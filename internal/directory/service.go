package directory

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// TerritoryNotifier is told when a territory's published data changed, so
// that caches keyed by its data version are dropped.
type TerritoryNotifier interface {
	DataChanged(ctx context.Context, t *territory.Territory) error
}

// OrgMembership answers whether a user belongs to an organisation.
type OrgMembership interface {
	IsOrgMember(ctx context.Context, orgID, userID int64) (bool, error)
}

// Service holds every rule of the directory: who may contribute, change,
// publish and see what.
type Service struct {
	store       Store
	territories TerritoryNotifier
	orgs        OrgMembership
	log         *slog.Logger
	now         func() time.Time
	near        *nearIndexes
	results     *resultCache
	nearScratch sync.Pool // *nearScratch, for the next "near me"

	// changes counts, per territory, the changes made through this
	// service: with the territory's data version (which other instances'
	// changes bump), it keys the in-memory index and the result cache, so
	// that a change made here is seen at once even by a caller holding a
	// territory read before it.
	changesMu sync.Mutex
	changes   map[int64]int64
}

// NewService returns the directory service.
func NewService(st Store, territories TerritoryNotifier, orgs OrgMembership, log *slog.Logger, now func() time.Time) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	return &Service{store: st, territories: territories, orgs: orgs, log: log, now: now,
		near: newNearIndexes(st.PublishedPoints, log), results: newResultCache(maxCachedResults), changes: map[int64]int64{}}
}

// dataKey is what caches of a territory's published data are valid for:
// its data version and the changes made here.
func (s *Service) dataKey(ter *territory.Territory) dataKey {
	s.changesMu.Lock()
	defer s.changesMu.Unlock()
	return dataKey{version: ter.DataVersion, local: s.changes[ter.ID]}
}

type dataKey struct{ version, local int64 }

// clock returns now in UTC, to the microsecond both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// changed bumps the territory's data version after published data changed.
// The change itself is committed: a failure here only delays caches, so it
// is logged rather than returned.
func (s *Service) changed(ctx context.Context, ter *territory.Territory) {
	s.changesMu.Lock()
	s.changes[ter.ID]++
	s.changesMu.Unlock()
	if s.territories == nil {
		return
	}
	if err := s.territories.DataChanged(ctx, ter); err != nil {
		s.log.ErrorContext(ctx, "directory: bump territory data version", "territory", ter.Slug, "err", err)
	}
}

func isModerator(actor access.Actor, ter *territory.Territory) bool {
	return actor.Can(ter.ID, access.Moderator)
}

// runsOrg reports whether actor is an organiser of the territory and a
// member of organisation orgID: such people edit its initiatives directly.
func (s *Service) runsOrg(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) (bool, error) {
	if orgID == 0 || actor.UserID == 0 || !actor.Can(ter.ID, access.Organiser) || s.orgs == nil {
		return false, nil
	}
	ok, err := s.orgs.IsOrgMember(ctx, orgID, actor.UserID)
	if err != nil {
		return false, fmt.Errorf("organisation %d: membership: %w", orgID, err)
	}
	return ok, nil
}

// mayManage reports whether actor moderates the territory or runs the
// initiative's organisation.
func (s *Service) mayManage(ctx context.Context, actor access.Actor, ter *territory.Territory, in *Initiative) (bool, error) {
	if isModerator(actor, ter) {
		return true, nil
	}
	return s.runsOrg(ctx, actor, ter, in.OrganisationID)
}

// validate checks content and that the position lies in the territory.
func validate(ter *territory.Territory, in *Initiative) error {
	err := in.Validate()
	var fields []errs.FieldError
	if e, ok := errs.As(err); ok {
		fields = e.Fields
	} else if err != nil {
		return err
	}
	if in.Position.Valid() && !(in.Position.Lat == 0 && in.Position.Lon == 0) && !ter.BBox.Contains(in.Position) {
		fields = append(fields, errs.FieldError{Field: "position", Key: "err.outside_territory"})
	}
	return errs.Fields(fields)
}

func requireText(field, s string, max int) error {
	var v errs.Validator
	v.Check(s != "", field, "err.required")
	v.Check(utf8.RuneCountInString(s) <= max, field, "err.too_long", "Max", max)
	return v.Err()
}

// Get returns an initiative: published ones to anyone; others to their
// author, the territory's moderators and the organisation that runs it.
func (s *Service) Get(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Initiative, error) {
	in, err := s.store.Get(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if err := s.mayView(ctx, actor, ter, in); err != nil {
		return nil, err
	}
	return in, nil
}

func (s *Service) mayView(ctx context.Context, actor access.Actor, ter *territory.Territory, in *Initiative) error {
	if in.Status == StatusPublished || (actor.UserID != 0 && in.CreatedBy == actor.UserID && in.Status != StatusArchived) {
		return nil
	}
	ok, err := s.mayManage(ctx, actor, ter, in)
	if err != nil {
		return err
	}
	if !ok {
		// Not Forbidden: an unpublished entry does not exist for others.
		return errs.E(errs.NotFound, "err.initiative_not_found")
	}
	return nil
}

// Contribute adds an initiative. A member's waits for a moderator; a
// moderator's, or an organiser's for their own organisation, is published
// at once. During an open MapJam the entry joins it.
func (s *Service) Contribute(ctx context.Context, actor access.Actor, ter *territory.Territory, in *Initiative) error {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return err
	}
	if err := validate(ter, in); err != nil {
		return err
	}
	publish, err := s.mayManage(ctx, actor, ter, in)
	if err != nil {
		return err
	}
	now := s.clock()
	in.ID, in.TerritoryID, in.CreatedBy = 0, ter.ID, actor.UserID
	in.Status, in.RejectReason, in.SourceKey, in.MapJamID = StatusPending, "", "", 0
	if publish {
		in.Status = StatusPublished
	}
	in.CreatedAt, in.UpdatedAt, in.Revision = now, now, 1
	jam, err := s.store.OpenMapJamAt(ctx, ter.ID, now)
	switch {
	case err == nil:
		in.MapJamID = jam.ID
	case !errs.Is(err, errs.NotFound):
		return fmt.Errorf("directory: open mapjam: %w", err)
	}
	err = s.store.WithTx(ctx, func(tx Store) error {
		if err := tx.Insert(ctx, in); err != nil {
			return err
		}
		return tx.InsertRevision(ctx, &Revision{InitiativeID: in.ID, TerritoryID: ter.ID, Number: 1,
			AuthorID: actor.UserID, CreatedAt: now, Status: RevisionApplied, Content: *in})
	})
	if err != nil {
		return fmt.Errorf("directory: contribute %q: %w", in.Name, err)
	}
	s.log.InfoContext(ctx, "directory: contributed", "territory", ter.Slug, "initiative", in.ID, "status", in.Status, "user", actor.UserID)
	if publish {
		s.changed(ctx, ter)
	}
	return nil
}

// ProposeChange records a new version of an initiative's content. It is
// applied at once when the actor moderates the territory, runs the
// initiative's organisation (and the one it moves to), or is the author of
// a still-pending entry; otherwise it waits as a pending revision.
func (s *Service) ProposeChange(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, changed *Initiative, comment string) (*Revision, error) {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(comment) > 1000 {
		return nil, errs.Fields([]errs.FieldError{{Field: "comment", Key: "err.too_long", Args: map[string]any{"Max": 1000}}})
	}
	cur, err := s.Get(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	if cur.Status != StatusPublished && cur.Status != StatusPending && !isModerator(actor, ter) {
		return nil, errs.E(errs.Conflict, "err.initiative_not_editable")
	}
	if err := validate(ter, changed); err != nil {
		return nil, err
	}
	direct, err := s.mayManage(ctx, actor, ter, cur)
	if err != nil {
		return nil, err
	}
	if direct && !isModerator(actor, ter) && changed.OrganisationID != cur.OrganisationID && changed.OrganisationID != 0 {
		// Handing an entry to another organisation needs to run that one too.
		if direct, err = s.runsOrg(ctx, actor, ter, changed.OrganisationID); err != nil {
			return nil, err
		}
	}
	draft := !direct && cur.Status == StatusPending && cur.CreatedBy == actor.UserID && changed.OrganisationID == cur.OrganisationID
	direct = direct || draft // still unpublished: the author refines their own draft
	now := s.clock()
	rev := &Revision{InitiativeID: id, TerritoryID: ter.ID, AuthorID: actor.UserID, CreatedAt: now,
		Status: RevisionPending, Content: *changed, Comment: comment}
	var published bool
	err = s.store.WithTx(ctx, func(tx Store) error {
		locked, err := tx.GetForUpdate(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		// The rights were worked out on what was read before the lock.
		if locked.OrganisationID != cur.OrganisationID || (draft && locked.Status != StatusPending) {
			return errs.E(errs.Conflict, "err.changed_meanwhile")
		}
		if rev.Number, err = tx.NextRevisionNumber(ctx, ter.ID, id); err != nil {
			return err
		}
		if direct {
			rev.Status = RevisionApplied
			contentOf(changed).applyTo(locked)
			locked.Revision, locked.UpdatedAt = rev.Number, now
			if err := tx.Update(ctx, locked); err != nil {
				return err
			}
			published = locked.Status == StatusPublished
		}
		return tx.InsertRevision(ctx, rev)
	})
	if err != nil {
		return nil, fmt.Errorf("directory: change initiative %d: %w", id, err)
	}
	if published {
		s.changed(ctx, ter)
	}
	return rev, nil
}
