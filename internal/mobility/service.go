package mobility

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/ledger"
	"github.com/sharingcity/sharingcity/internal/mail"
	"github.com/sharingcity/sharingcity/internal/route"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/text"
)

// Territories finds a territory for the background jobs.
type Territories interface {
	ByID(ctx context.Context, id int64) (*territory.Territory, error)
}

// People gives the contact of a member, for reminders.
type People interface {
	Contact(ctx context.Context, userID int64) (email, displayName, lang string, err error)
}

// Users reads many members at once, for the names in lists
// (account.Service).
type Users interface {
	UsersByID(ctx context.Context, ids []int64) (map[int64]*account.User, error)
}

// Orgs finds the organisation a trip goes to (account.Service).
type Orgs interface {
	Organisation(ctx context.Context, territoryID, id int64) (*account.Organisation, error)
	OrgRole(ctx context.Context, orgID, userID int64) (string, error)
}

// Ledger pays contributions in units (ledger.Service).
type Ledger interface {
	Transfer(ctx context.Context, actor access.Actor, ter *territory.Territory, in ledger.TransferInput) (*ledger.Transfer, error)
}

// Options tune the service; zero values take the defaults. Without Mail
// and People no reminder is sent; without Ledger no contribution is paid.
type Options struct {
	Horizon      time.Duration // how far ahead weekly schedules are materialised (8 weeks)
	ExtendEvery  time.Duration // the job extending them (6h)
	SearchWindow time.Duration // ± around the time asked (1h)
	RemindBefore time.Duration // reminders this long before a departure (24h)
	SweepEvery   time.Duration // the reminder and payment sweep (5m)
	PayAfter     time.Duration // contributions in units are paid this long after departure (2h)
	// EmissionFactor is the kg of CO2 one car emits per km, for the
	// indicators: 0.218 (ADEME's average for a car) by default.
	EmissionFactor float64
	BaseURL        string
	Mail           mail.Sender
	People         People
	Ledger         Ledger
	Orgs           Orgs   // without it, organisation destinations are not checked
	Users          Users  // without it, lists name members by number
	FeedSecret     []byte // signs members' calendar addresses; without it there is no feed
}

// Service holds every rule of carpooling.
type Service struct {
	store   Store
	ters    Territories
	routers func(*territory.Territory) route.Router
	opts    Options
	log     *slog.Logger
	now     func() time.Time
}

// NewService returns the carpooling service. routers gives the router of a
// territory; nil uses route.DefaultStraight everywhere.
func NewService(st Store, ters Territories, routers func(*territory.Territory) route.Router,
	log *slog.Logger, now func() time.Time, opts Options) *Service {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if now == nil {
		now = time.Now
	}
	if routers == nil {
		routers = func(*territory.Territory) route.Router { return route.DefaultStraight }
	}
	if opts.Horizon <= 0 {
		opts.Horizon = DefaultHorizon
	}
	if opts.ExtendEvery <= 0 {
		opts.ExtendEvery = 6 * time.Hour
	}
	if opts.SearchWindow <= 0 {
		opts.SearchWindow = time.Hour
	}
	if opts.RemindBefore <= 0 {
		opts.RemindBefore = 24 * time.Hour
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = 5 * time.Minute
	}
	if opts.PayAfter <= 0 {
		opts.PayAfter = 2 * time.Hour
	}
	if opts.EmissionFactor <= 0 {
		opts.EmissionFactor = DefaultEmissionFactor
	}
	return &Service{store: st, ters: ters, routers: routers, opts: opts, log: log, now: now}
}

func (s *Service) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }

// checkPlaces adds an error for each place outside the territory's box.
func checkPlaces(v *errs.Validator, ter *territory.Territory, t *Trip) {
	for f, p := range map[string]Place{"from": t.From, "to": t.To} {
		if validPlace(p) && !ter.BBox.Contains(p.Point()) {
			v.Add(f, "err.outside_territory")
		}
	}
	for _, p := range t.Stops {
		if validPlace(p) && !ter.BBox.Contains(p.Point()) {
			v.Add("stops", "err.outside_territory")
		}
	}
}

// validate checks t against the territory and the clock.
func (s *Service) validate(ter *territory.Territory, t *Trip, now time.Time) error {
	var v errs.Validator
	var fields []errs.FieldError
	if err := t.Validate(); err != nil {
		e, ok := errs.As(err)
		if !ok {
			return err
		}
		fields = e.Fields
	}
	checkPlaces(&v, ter, t)
	if t.Departure != nil && !t.Departure.After(now) {
		v.Add("departure", "err.mobility.departure_past")
	}
	if t.Departure != nil && t.Departure.After(now.Add(366*24*time.Hour)) {
		v.Add("departure", "err.mobility.departure_far")
	}
	if w := t.Weekly; w != nil && w.Until != "" && w.Until < now.In(ter.Location()).Format(time.DateOnly) {
		v.Add("weekly.until", "err.mobility.departure_past")
	}
	return errs.Fields(append(fields, v.FieldErrors()...))
}

// Publish creates a trip (an offer or a request) of actor, computes its
// route and materialises its occurrences over the horizon.
func (s *Service) Publish(ctx context.Context, actor access.Actor, ter *territory.Territory, t *Trip) error {
	if err := actor.Require(ter.ID, access.Member); err != nil {
		return err
	}
	if err := actor.RequireUser(); err != nil {
		return err
	}
	now := s.clock()
	if err := s.validate(ter, t, now); err != nil {
		return err
	}
	// A women-only request is a woman's too: either way only a member
	// who declared it publishes one.
	if err := s.checkWomenOnly(ctx, t, actor.UserID, "err.mobility.women_only_publish"); err != nil {
		return err
	}
	if t.OrganisationID != 0 && s.opts.Orgs != nil {
		if _, err := s.opts.Orgs.Organisation(ctx, ter.ID, t.OrganisationID); err != nil {
			if errs.Is(err, errs.NotFound) {
				return errs.Fields([]errs.FieldError{{Field: "organisation_id", Key: "err.mobility.organisation_unknown"}})
			}
			return err
		}
	}
	if t.Departure != nil {
		d := utc(*t.Departure)
		t.Departure = &d
	}
	waypoints := []geo.Point{t.From.Point()}
	for _, p := range t.Stops {
		waypoints = append(waypoints, p.Point())
	}
	waypoints = append(waypoints, t.To.Point())
	r, err := s.routers(ter).Route(ctx, waypoints)
	if err != nil {
		// A router that fails never blocks a trip: straight segments do.
		s.log.WarnContext(ctx, "mobility: router failed, straight segments used", "territory", ter.Slug, "err", err)
		if r, err = route.DefaultStraight.Route(ctx, waypoints); err != nil {
			return fmt.Errorf("mobility: route: %w", err)
		}
	}
	t.ID, t.TerritoryID, t.UserID, t.Status, t.CreatedAt, t.UpdatedAt = 0, ter.ID, actor.UserID, TripActive, now, now
	t.Polyline, t.RouteMeters, t.RouteSeconds = r.Points, r.Meters, int64(r.Duration/time.Second)
	var occs []Occurrence
	err = s.store.WithTx(ctx, func(tx Store) error {
		if err := tx.InsertTrip(ctx, t); err != nil {
			return err
		}
		var err error
		occs, err = s.materialise(ctx, tx, ter, t, now)
		return err
	})
	if err != nil {
		return err
	}
	if len(occs) > 14 {
		occs = occs[:14] // a week of departures and returns covers every weekday
	}
	if t.Warnings, err = s.arrivalWarnings(ctx, ter, t, occs); err != nil {
		return err
	}
	s.log.InfoContext(ctx, "mobility: trip published", "territory", ter.Slug, "trip", t.ID, "kind", t.Kind, "user", actor.UserID)
	return nil
}

// materialise adds t's occurrences from today up to the horizon and
// returns those it added (with their ids).
func (s *Service) materialise(ctx context.Context, tx Store, ter *territory.Territory, t *Trip, now time.Time) ([]Occurrence, error) {
	loc := ter.Location()
	today := now.In(loc).Format(time.DateOnly)
	until := now.Add(s.opts.Horizon).In(loc).Format(time.DateOnly)
	from := today
	if t.HorizonUntil != "" && t.HorizonUntil >= from {
		next, _ := time.Parse(time.DateOnly, t.HorizonUntil)
		from = next.AddDate(0, 0, 1).Format(time.DateOnly)
	}
	var occs []Occurrence
	for _, o := range occurrencesOf(t, loc, from, until) {
		if o.DepartsAt.After(now) {
			occs = append(occs, o)
		}
	}
	cells := corridorCells(t.Polyline, float64(t.MaxDetour))
	if _, err := tx.AddOccurrences(ctx, t, occs, cells, cells, until); err != nil {
		return nil, err
	}
	added := occs[:0]
	for _, o := range occs {
		if o.ID != 0 {
			added = append(added, o)
		}
	}
	return added, nil
}

// ExtendHorizon materialises weekly schedules up to the horizon; the
// periodic job runs it. The accepted standing bookings of each trip take
// their seats on the new departures in the transaction that creates them,
// by the same guarded UPDATE as any booking; a passenger whose departure
// is full is told by mail once it commits. It returns how many
// occurrences it added.
func (s *Service) ExtendHorizon(ctx context.Context) (int, error) {
	now := s.clock()
	total := 0
	// Territories have their own dates; a day's margin covers every zone.
	before := now.Add(s.opts.Horizon - 24*time.Hour).UTC().Format(time.DateOnly)
	for {
		trips, err := s.store.WeeklyToExtend(ctx, before, 100)
		if err != nil || len(trips) == 0 {
			return total, err
		}
		for _, t := range trips {
			ter, err := s.ters.ByID(ctx, t.TerritoryID)
			if err != nil {
				return total, err
			}
			var added []Occurrence
			var missed map[*Standing][]Occurrence
			err = s.store.WithTx(ctx, func(tx Store) error {
				var err error
				if added, err = s.materialise(ctx, tx, ter, t, now); err != nil {
					return err
				}
				missed, err = extendStandings(ctx, tx, t, added, now)
				return err
			})
			if err != nil {
				return total, fmt.Errorf("mobility: extend trip %d: %w", t.ID, err)
			}
			for st, m := range missed {
				s.tellMissed(ctx, ter, st, m)
			}
			total += len(added)
		}
	}
}

// TripView is a trip as someone sees it: contact details only for the
// driver and passengers of an accepted booking.
type TripView struct {
	*Trip
	Occurrences []Occurrence `json:"occurrences"`
	Mine        bool         `json:"mine"`
	Contact     bool         `json:"contact"`         // the viewer may see phone and exact addresses
	Phone       string       `json:"phone,omitempty"` // when Contact
	// Line is the route to draw, its ends blurred like the places
	// unless Contact.
	Line []LinePoint `json:"route"`
}

// Trip returns a trip and its coming occurrences. Exact addresses and the
// phone number are cleared unless the actor may see them.
func (s *Service) Trip(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64) (*TripView, error) {
	t, err := s.store.GetTrip(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	v := &TripView{Trip: t, Mine: actor.UserID != 0 && actor.UserID == t.UserID}
	v.Contact = v.Mine
	if !v.Contact && actor.UserID != 0 {
		if v.Contact, err = s.store.InBooking(ctx, ter.ID, t.ID, actor.UserID); err != nil {
			return nil, err
		}
	}
	exactFrom, exactTo := t.From.Point(), t.To.Point()
	if v.Contact {
		v.Phone = t.Phone
	} else {
		hideExact(t)
	}
	v.Line = routeLine(t.Polyline, v.Contact, exactFrom, exactTo, t.From, t.To)
	if v.Occurrences, err = s.store.Occurrences(ctx, ter.ID, t.ID, s.clock(), 60); err != nil {
		return nil, err
	}
	return v, nil
}

// Cancel withdraws a trip of actor: its coming occurrences are cancelled
// and so are their bookings, with the reason.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, ter *territory.Territory, id int64, reason string) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	now := s.clock()
	return s.store.WithTx(ctx, func(tx Store) error {
		t, err := tx.GetTrip(ctx, ter.ID, id)
		if err != nil {
			return err
		}
		if t.UserID != actor.UserID && !actor.Can(ter.ID, access.Moderator) {
			return errs.E(errs.Forbidden, "err.mobility.not_yours")
		}
		if err := tx.SetTripStatus(ctx, ter.ID, id, TripCancelled, now, now); err != nil {
			return err
		}
		bookings, err := tx.Bookings(ctx, ter.ID, BookingFilter{TripID: id, Statuses: []BookingStatus{BookingPending, BookingAccepted}, Limit: 10000})
		if err != nil {
			return err
		}
		standings, err := tx.Standings(ctx, ter.ID, StandingFilter{TripID: id, Statuses: liveStatuses})
		if err != nil {
			return err
		}
		for _, st := range standings {
			from := st.Status
			st.Status, st.Reason, st.CancelledBy, st.UpdatedAt = BookingCancelled, text.OneLine(reason), actor.UserID, now
			if err := tx.SetStandingStatus(ctx, st, from); err != nil {
				return err
			}
		}
		for _, b := range bookings {
			if b.DepartsAt.Before(now) {
				continue
			}
			from := b.Status
			b.Status, b.Reason, b.CancelledBy, b.UpdatedAt = BookingCancelled, text.OneLine(reason), actor.UserID, now
			if err := tx.SetBookingStatus(ctx, b, from); err != nil {
				return err
			}
		}
		return nil
	})
}

// TerritoryOf returns the territory of a trip or booking, for routes that
// name only the id.
func (s *Service) TerritoryOf(ctx context.Context, thing Thing, id int64) (int64, error) {
	return s.store.TerritoryOf(ctx, thing, id)
}

// SubjectTitle lets members write to each other about a trip (messages'
// Subjects, kind "trip").
func (s *Service) SubjectTitle(ctx context.Context, ter *territory.Territory, kind string, id int64) (string, int64, error) {
	if kind != "trip" {
		return "", 0, errs.E(errs.NotFound, "err.mobility.trip_not_found")
	}
	t, err := s.store.GetTrip(ctx, ter.ID, id)
	if err != nil {
		return "", 0, err
	}
	return approximate(t.From.Label) + " → " + approximate(t.To.Label), t.UserID, nil
}

// hideExact blurs what only the people of an accepted booking may see: the
// house numbers of the addresses and the exact positions (to about 200 m).
func hideExact(t *Trip) {
	t.Phone = ""
	for _, p := range append([]*Place{&t.From, &t.To}, placesOf(t.Stops)...) {
		p.Label = approximate(p.Label)
		p.Lat, p.Lon = math.Round(p.Lat/0.002)*0.002, math.Round(p.Lon/0.002)*0.002
	}
}

func placesOf(ps []Place) []*Place {
	out := make([]*Place, len(ps))
	for i := range ps {
		out[i] = &ps[i]
	}
	return out
}

// approximate drops a leading house number ("12 bis rue des Lilas, 38000
// Grenoble" -> "rue des Lilas, 38000 Grenoble").
func approximate(label string) string {
	f := strings.Fields(label)
	if len(f) > 1 && f[0][0] >= '0' && f[0][0] <= '9' {
		f = f[1:]
		if len(f) > 1 && oneOf(strings.ToLower(strings.TrimRight(f[0], ",")), "bis", "ter", "quater") {
			f = f[1:]
		}
	}
	return strings.Join(f, " ")
}
