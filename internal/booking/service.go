package booking

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/jobs"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Orgs is what the service needs of the account module's organisations.
type Orgs interface {
	Organisation(ctx context.Context, territoryID, id int64) (*account.Organisation, error)
	OrgRole(ctx context.Context, orgID, userID int64) (string, error)
}

// People gives the contact of a member, for e-mails.
type People interface {
	Contact(ctx context.Context, userID int64) (email, displayName, lang string, err error)
}

// Territories finds a territory for the background jobs.
type Territories interface {
	ByID(ctx context.Context, id int64) (*territory.Territory, error)
}

// Enqueuer stores a job in the caller's transaction (jobs.Queue).
type Enqueuer interface {
	EnqueueTx(ctx context.Context, tx *store.Tx, j jobs.Job) (int64, error)
}

// Options tune the service; zero values take the defaults.
type Options struct {
	BaseURL      string        // for links in e-mails
	OfferTTL     time.Duration // how long a waiting member has to take up a freed slot (24h)
	RemindBefore time.Duration // reminders before the start and the due time (24h)
	SweepEvery   time.Duration // the reminder and expiry sweep (1m)
}

// Service holds every rule of bookable resources.
type Service struct {
	store  Store
	orgs   Orgs
	people People
	ters   Territories
	mail   mail.Sender
	queue  Enqueuer
	opts   Options
	log    *slog.Logger
	now    func() time.Time
}

// NewService returns the booking service. queue may be nil (no offer jobs:
// the periodic sweep expires offers and e-mails go out at once).
func NewService(st Store, orgs Orgs, people People, ters Territories, sender mail.Sender, queue Enqueuer,
	log *slog.Logger, now func() time.Time, opts Options) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if opts.OfferTTL <= 0 {
		opts.OfferTTL = 24 * time.Hour
	}
	if opts.RemindBefore <= 0 {
		opts.RemindBefore = 24 * time.Hour
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = time.Minute
	}
	return &Service{store: st, orgs: orgs, people: people, ters: ters, mail: sender, queue: queue, opts: opts, log: log, now: now}
}

// clock returns now in UTC, to the microsecond both databases keep.
func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// orgRole is actor's role in the organisation ("" for none).
func (s *Service) orgRole(ctx context.Context, actor access.Actor, orgID int64) (string, error) {
	if actor.UserID == 0 {
		return "", nil
	}
	return s.orgs.OrgRole(ctx, orgID, actor.UserID)
}

// mayAdminister: the organisation's administrators and the territory's
// moderators manage its inventory.
func (s *Service) mayAdminister(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) error {
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	if actor.Can(ter.ID, access.Moderator) {
		return nil
	}
	role, err := s.orgRole(ctx, actor, orgID)
	if err != nil {
		return err
	}
	if role != account.OrgAdmin {
		return errs.E(errs.Forbidden, "err.org_admin_required")
	}
	return nil
}

// isStaff: any member of the organisation runs its desk, as do moderators.
func (s *Service) isStaff(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) (bool, error) {
	if actor.Can(ter.ID, access.Moderator) {
		return true, nil
	}
	role, err := s.orgRole(ctx, actor, orgID)
	return role != "", err
}

func (s *Service) requireStaff(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) error {
	if !actor.Authenticated() {
		return errs.ErrUnauthenticated
	}
	ok, err := s.isStaff(ctx, actor, ter, orgID)
	if err != nil {
		return err
	}
	if !ok {
		return errs.E(errs.Forbidden, "err.booking.staff_only")
	}
	return nil
}

// IsStaff reports whether actor runs the organisation's desk (for pages).
func (s *Service) IsStaff(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) bool {
	ok, err := s.isStaff(ctx, actor, ter, orgID)
	return err == nil && ok
}

// MayAdminister reports whether actor manages the organisation's inventory (for pages).
func (s *Service) MayAdminister(ctx context.Context, actor access.Actor, ter *territory.Territory, orgID int64) bool {
	return s.mayAdminister(ctx, actor, ter, orgID) == nil
}

// CreateResource adds a resource to an organisation of the territory.
func (s *Service) CreateResource(ctx context.Context, actor access.Actor, ter *territory.Territory, r *Resource) error {
	if _, err := s.orgs.Organisation(ctx, ter.ID, r.OrganisationID); err != nil {
		if errs.Is(err, errs.NotFound) {
			var v errs.Validator
			v.Add("organisation_id", "err.booking.organisation_unknown")
			return v.Err()
		}
		return err
	}
	if err := s.mayAdminister(ctx, actor, ter, r.OrganisationID); err != nil {
		return err
	}
	if err := errors.Join(s.validateResource(ter, r), checkPhotos(r.Photos)); err != nil {
		return mergeFields(err)
	}
	now := s.clock()
	r.ID, r.TerritoryID, r.Active, r.CreatedAt, r.UpdatedAt = 0, ter.ID, true, now, now
	err := s.store.WithTx(ctx, func(tx Store) error {
		if err := tx.InsertResource(ctx, r); err != nil {
			return err
		}
		return tx.SetPhotos(ctx, ter.ID, r.ID, r.Photos)
	})
	if err != nil {
		return fmt.Errorf("booking: create resource: %w", err)
	}
	s.log.InfoContext(ctx, "booking: resource created", "territory", ter.Slug, "resource", r.ID, "organisation", r.OrganisationID, "user", actor.UserID)
	return nil
}

func (s *Service) validateResource(ter *territory.Territory, r *Resource) error {
	err := r.Validate()
	if r.Position == nil || !r.Position.Valid() || ter.BBox.Contains(*r.Position) {
		return err
	}
	var fields []errs.FieldError
	if e, ok := errs.As(err); ok {
		fields = e.Fields
	} else if err != nil {
		return err
	}
	return errs.Fields(append(fields, errs.FieldError{Field: "position", Key: "err.outside_territory"}))
}

// UpdateResource replaces a resource's editable fields and rules (not its
// organisation). Lowering the quantity does not touch existing reservations.
func (s *Service) UpdateResource(ctx context.Context, actor access.Actor, ter *territory.Territory, r *Resource) error {
	return s.store.WithTx(ctx, func(tx Store) error {
		cur, err := tx.GetResource(ctx, ter.ID, r.ID, true)
		if err != nil {
			return err
		}
		if err := s.mayAdminister(ctx, actor, ter, cur.OrganisationID); err != nil {
			return err
		}
		if err := s.validateResource(ter, r); err != nil {
			return err
		}
		r.TerritoryID, r.OrganisationID, r.CreatedAt, r.UpdatedAt = ter.ID, cur.OrganisationID, cur.CreatedAt, s.clock()
		return tx.UpdateResource(ctx, r)
	})
}

// Resource returns a resource; inactive ones only to the organisation's staff.
func (s *Service) Resource(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*Resource, error) {
	r, err := s.store.GetResource(ctx, ter.ID, id, false)
	if err != nil {
		return nil, err
	}
	if !r.Active {
		if ok, _ := s.isStaff(ctx, actor, ter, r.OrganisationID); !ok {
			return nil, errs.E(errs.NotFound, "err.booking.resource_not_found")
		}
	}
	return r, s.withPhotos(ctx, ter, r)
}

// Resources lists a territory's active resources (and an organisation's
// inactive ones to its staff).
func (s *Service) Resources(ctx context.Context, actor access.Actor, ter *territory.Territory, f ResourceFilter) ([]*Resource, error) {
	f.ActiveOnly = true
	if f.OrganisationID != 0 {
		if ok, _ := s.isStaff(ctx, actor, ter, f.OrganisationID); ok {
			f.ActiveOnly = false
		}
	}
	if f.Kind != "" && !oneOf(f.Kind, Kinds) {
		return nil, errs.E(errs.Invalid, "err.booking.kind")
	}
	list, err := s.store.Resources(ctx, ter.ID, f)
	if err != nil {
		return nil, err
	}
	return list, s.withPhotos(ctx, ter, list...)
}

// mergeFields turns several validation errors into one with all their fields.
func mergeFields(err error) error {
	var fields []errs.FieldError
	for _, e := range unjoin(err) {
		fe, ok := errs.As(e)
		if !ok || fe.Kind != errs.Invalid {
			return e
		}
		fields = append(fields, fe.Fields...)
	}
	return errs.Fields(fields)
}

// unjoin lists the errors errors.Join put together (or err alone).
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Free is a piece of time with the number of copies still free.
type Free struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Free  int       `json:"free"`
}

// Availability cuts [from, to) into pieces of constant free quantity. It
// shows no names: anybody may read it.
func (s *Service) Availability(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, from, to time.Time) ([]Free, error) {
	r, err := s.Resource(ctx, actor, ter, id)
	if err != nil {
		return nil, err
	}
	from, to = utc(from), utc(to)
	if !to.After(from) || to.Sub(from) > MaxSpanDays*24*time.Hour {
		return nil, errs.E(errs.Invalid, "err.booking.range")
	}
	slots, err := s.store.Holding(ctx, ter.ID, id, from, to, 0)
	if err != nil {
		return nil, fmt.Errorf("booking: availability of %d: %w", id, err)
	}
	return freePieces(slots, r.Quantity, from, to), nil
}

// freePieces sweeps the slots into runs of equal free quantity.
func freePieces(slots []Slot, quantity int, from, to time.Time) []Free {
	deltas := map[time.Time]int{from: 0}
	for _, sl := range slots {
		a, b := sl.Start, sl.End
		if a.Before(from) {
			a = from
		}
		if b.After(to) {
			b = to
		}
		if a.Before(b) {
			deltas[a] += sl.Quantity
			deltas[b] -= sl.Quantity
		}
	}
	times := make([]time.Time, 0, len(deltas))
	for t := range deltas {
		times = append(times, t)
	}
	sortTimes(times)
	out := []Free{}
	used := 0
	for i, t := range times {
		used += deltas[t]
		end := to
		if i+1 < len(times) {
			end = times[i+1]
		}
		if !t.Before(end) {
			continue
		}
		free := quantity - used
		if n := len(out); n > 0 && out[n-1].Free == free {
			out[n-1].End = end
			continue
		}
		out = append(out, Free{Start: t, End: end, Free: free})
	}
	return out
}
