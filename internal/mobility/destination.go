package mobility

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/hours"
	"github.com/sharingcity/sharingcity/internal/store"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/text"
)

// Destination is a place an organisation invites residents to carpool to:
// its shop, a market, an event, with its opening times as it words them.
type Destination struct {
	ID             int64  `json:"id"`
	TerritoryID    int64  `json:"-"`
	OrganisationID int64  `json:"organisation_id"`
	Place          Place  `json:"place"`
	Opening        string `json:"opening,omitempty"` // "Saturday 8:00-13:00, market day"
	// Hours are the opening hours drivers' arrivals are checked against:
	// "mon".."sun" to spans "HH:MM-HH:MM", local time (internal/hours).
	// None given: no check.
	Hours     map[string][]string `json:"hours,omitempty"`
	CreatedAt time.Time           `json:"created_at"`
}

// PublishDestination adds a destination of an organisation; its
// administrators and the territory's moderators may.
func (s *Service) PublishDestination(ctx context.Context, actor access.Actor, ter *territory.Territory, d *Destination) error {
	if err := actor.RequireUser(); err != nil {
		return err
	}
	if s.opts.Orgs == nil {
		return errs.E(errs.Forbidden, "err.org_admin_required")
	}
	if _, err := s.opts.Orgs.Organisation(ctx, ter.ID, d.OrganisationID); err != nil {
		if errs.Is(err, errs.NotFound) {
			return errs.Fields([]errs.FieldError{{Field: "organisation_id", Key: "err.mobility.organisation_unknown"}})
		}
		return err
	}
	if !actor.Can(ter.ID, access.Moderator) {
		role, err := s.opts.Orgs.OrgRole(ctx, d.OrganisationID, actor.UserID)
		if err != nil {
			return err
		}
		if role != account.OrgAdmin {
			return errs.E(errs.Forbidden, "err.org_admin_required")
		}
	}
	var v errs.Validator
	d.Place.Label, d.Opening = text.OneLine(d.Place.Label), strings.TrimSpace(d.Opening)
	v.Check(validPlace(d.Place) && ter.BBox.Contains(d.Place.Point()), "place", "err.outside_territory")
	v.Check(d.Place.Label != "", "place.label", "err.required")
	v.Check(!tooLong(d.Place.Label, MaxLabel), "place.label", "err.too_long", "Max", MaxLabel)
	v.Check(!tooLong(d.Opening, MaxNote), "opening", "err.too_long", "Max", MaxNote)
	if _, err := hours.Parse(d.Hours); err != nil {
		v.Add("hours", "err.mobility.hours_format")
	}
	if err := v.Err(); err != nil {
		return err
	}
	d.ID, d.TerritoryID, d.CreatedAt = 0, ter.ID, s.clock()
	return s.store.InsertDestination(ctx, d)
}

// Destinations lists the territory's destinations (public).
func (s *Service) Destinations(ctx context.Context, ter *territory.Territory) ([]Destination, error) {
	return s.store.Destinations(ctx, ter.ID, 0)
}

// Destination returns one destination.
func (s *Service) Destination(ctx context.Context, ter *territory.Territory, id int64) (*Destination, error) {
	list, err := s.store.Destinations(ctx, ter.ID, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errs.E(errs.NotFound, "err.mobility.destination_not_found")
	}
	return &list[0], nil
}

func (s *SQLStore) InsertDestination(ctx context.Context, d *Destination) error {
	return s.write(ctx, func(s *SQLStore) error {
		h, err := json.Marshal(d.Hours)
		if err != nil || d.Hours == nil {
			h = []byte("{}")
		}
		return s.q.QueryRow(ctx, `INSERT INTO trip_destinations (territory_id, organisation_id, lat, lon, label, opening, hours, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, d.TerritoryID, d.OrganisationID, d.Place.Lat, d.Place.Lon, d.Place.Label,
			d.Opening, string(h), utc(d.CreatedAt)).Scan(&d.ID)
	})
}

// Destinations lists a territory's destinations, or only id when not 0.
func (s *SQLStore) Destinations(ctx context.Context, territoryID, id int64) ([]Destination, error) {
	q := `SELECT id, territory_id, organisation_id, lat, lon, label, opening, hours, created_at FROM trip_destinations WHERE territory_id = ?`
	args := []any{territoryID}
	if id != 0 {
		q += ` AND id = ?`
		args = append(args, id)
	}
	out := []Destination{}
	err := store.Collect(ctx, s.q, q+` ORDER BY label LIMIT 500`, args, func(sc store.Scanner) error {
		var d Destination
		var h string
		err := sc.Scan(&d.ID, &d.TerritoryID, &d.OrganisationID, &d.Place.Lat, &d.Place.Lon, &d.Place.Label, &d.Opening, &h, &d.CreatedAt)
		if err != nil {
			return err
		}
		if err := json.Unmarshal([]byte(h), &d.Hours); err != nil {
			return fmt.Errorf("destination %d: hours: %w", d.ID, err)
		}
		if len(d.Hours) == 0 {
			d.Hours = nil
		}
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
		return err
	})
	return out, err
}
