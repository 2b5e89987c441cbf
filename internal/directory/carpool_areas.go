package directory

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Carpool areas and meeting points (issue 6) are published initiatives of
// the mobility category with a carpool_areas row holding the fields of
// France's national schema (schema-lieux-covoiturage, schema.data.gouv.fr)
// that the initiative has no place for. Name, address, position and hours
// are the initiative's, so moderators edit them like any entry; the row
// goes when the initiative does.

// CarpoolAreaTag is the tag carpool areas get, so that text search and
// the map's filters find them.
const CarpoolAreaTag = "covoiturage"

// CarpoolSourcePrefix starts the source key of an initiative imported
// from a carpool-areas file; the national id (id_lieu) follows.
const CarpoolSourcePrefix = "lieux-covoiturage:"

// CarpoolAreaTypes are the schema's values of "type".
var CarpoolAreaTypes = []string{
	"Aire de covoiturage", "Sortie d'autoroute", "Parking", "Supermarché",
	"Parking relais", "Délaissé routier", "Auto-stop",
}

// CarpoolArea is what the schema says of a place beyond the initiative.
type CarpoolArea struct {
	InitiativeID int64 `json:"initiative_id"`
	// NationalID is id_lieu, "INSEE-C-NNN", given by the national access
	// point; it identifies the place in every file.
	NationalID string `json:"id_lieu"`
	LocalID    string `json:"id_local,omitempty"`
	INSEE      string `json:"insee"`
	Commune    string `json:"commune,omitempty"`
	Type       string `json:"type"`
	// UpdatedOn is date_maj, YYYY-MM-DD.
	UpdatedOn      string `json:"updated_on"`
	Open           bool   `json:"open"`
	SourceSIREN    string `json:"source,omitempty"`
	Places         *int   `json:"places,omitempty"`
	PMRPlaces      *int   `json:"pmr_places,omitempty"`
	MaxStayMinutes *int   `json:"max_stay_minutes,omitempty"`
	// Hours is "horaires" as the file wrote it; the initiative's opening
	// hours hold it when it is in OpenStreetMap's syntax.
	Hours    string `json:"hours,omitempty"`
	Owner    string `json:"owner,omitempty"`
	Lighting *bool  `json:"lighting,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

var (
	nationalIDRE = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}-C-\d{3}$`)
	inseeRE      = regexp.MustCompile(`^([013-9]\d|2[AB1-9])\d{3}$`)
	sirenRE      = regexp.MustCompile(`^\d{9}$`)
)

// Validate checks the fields against the schema's constraints.
func (a *CarpoolArea) Validate() error {
	var v errs.Validator
	a.NationalID, a.INSEE, a.Type = strings.TrimSpace(a.NationalID), strings.TrimSpace(a.INSEE), strings.TrimSpace(a.Type)
	v.Check(nationalIDRE.MatchString(a.NationalID), "id_lieu", "err.carpool_id_lieu", "Value", a.NationalID)
	v.Check(inseeRE.MatchString(a.INSEE), "insee", "err.carpool_insee", "Value", a.INSEE)
	known := false
	for _, t := range CarpoolAreaTypes {
		known = known || t == a.Type
	}
	v.Check(known, "type", "err.carpool_type", "Value", a.Type)
	_, err := time.Parse(time.DateOnly, a.UpdatedOn)
	v.Check(err == nil, "date_maj", "err.carpool_date", "Value", a.UpdatedOn)
	v.Check(a.SourceSIREN == "" || sirenRE.MatchString(a.SourceSIREN), "source", "err.carpool_siren", "Value", a.SourceSIREN)
	for _, n := range []struct {
		field string
		v     *int
	}{{"nbre_pl", a.Places}, {"nbre_pmr", a.PMRPlaces}, {"duree", a.MaxStayMinutes}} {
		v.Check(n.v == nil || *n.v >= 0 && *n.v <= 100000, n.field, "err.carpool_count")
	}
	for _, s := range []struct {
		field, v string
		max      int
	}{{"id_local", a.LocalID, 100}, {"com_lieu", a.Commune, 160}, {"horaires", a.Hours, 300}, {"proprio", a.Owner, 200}, {"comm", a.Comment, 2000}} {
		v.Check(utf8.RuneCountInString(s.v) <= s.max, s.field, "err.too_long", "Max", s.max)
	}
	return v.Err()
}

// CarpoolAreaHit is a carpool area with its initiative; DistanceM is set
// by near queries.
type CarpoolAreaHit struct {
	Initiative *Initiative `json:"initiative"`
	Area       CarpoolArea `json:"area"`
	DistanceM  float64     `json:"distance_m,omitempty"`
}

// CarpoolImportItem is one row of a carpool-areas file: the initiative it
// makes and the schema's other fields.
type CarpoolImportItem struct {
	ImportItem
	Area CarpoolArea
}

// CarpoolImportResult counts an import; Outside counts the rows left out
// because they lie outside the territory (a national file holds them all).
type CarpoolImportResult struct {
	ImportResult
	Outside int `json:"outside"`
}

// carpoolStore is what carpool areas need from the store, beyond Store.
type carpoolStore interface {
	SaveCarpoolArea(ctx context.Context, territoryID int64, a *CarpoolArea) error
	NearCarpoolAreas(ctx context.Context, territoryID int64, within geo.BBox, p geo.Point, limit int) ([]CarpoolAreaHit, error)
	AllCarpoolAreas(ctx context.Context, territoryID int64, fn func(*CarpoolAreaHit) error) error
}

var errNoCarpoolStore = errors.New("directory: this store keeps no carpool areas")

func (s *Service) carpoolStore() (carpoolStore, error) {
	cs, ok := s.store.(carpoolStore)
	if !ok {
		return nil, errNoCarpoolStore
	}
	return cs, nil
}

// ImportCarpoolAreas writes a carpool-areas file into the territory like
// Import (moderators only; every row checked first; one transaction;
// a row already imported, known by its id_lieu, is updated), leaving out
// the rows outside the territory.
func (s *Service) ImportCarpoolAreas(ctx context.Context, actor access.Actor, ter *territory.Territory, items []CarpoolImportItem, skipInvalid bool) (CarpoolImportResult, error) {
	var res CarpoolImportResult
	if err := requireModerator(actor, ter); err != nil {
		return res, err
	}
	if _, err := s.carpoolStore(); err != nil {
		return res, err
	}
	rows := make([]ImportItem, 0, len(items))
	for i := range items {
		it := items[i].ImportItem
		p := it.Initiative.Position
		if p.Valid() && !(p.Lat == 0 && p.Lon == 0) && !ter.BBox.Contains(p) {
			res.Outside++
			continue
		}
		area := items[i].Area
		if err := area.Validate(); err != nil {
			// The reader may have reported the same field already.
			seen := map[string]bool{}
			for _, f := range it.Errors {
				seen[f.Field] = true
			}
			it.Errors = append([]errs.FieldError(nil), it.Errors...)
			for _, f := range fieldErrors(err) {
				if !seen[f.Field] {
					f.Row = it.Row
					it.Errors = append(it.Errors, f)
				}
			}
		}
		it.SourceKey = CarpoolSourcePrefix + area.NationalID
		it.Extension = saveCarpoolArea(area)
		rows = append(rows, it)
	}
	r, err := s.Import(ctx, actor, ter, rows, skipInvalid)
	res.ImportResult = r
	return res, err
}

// saveCarpoolArea is the import extension that writes the schema's fields
// of a row beside its initiative, inside the import's transaction.
func saveCarpoolArea(area CarpoolArea) ImportExtension {
	return func(ctx context.Context, tx Store, ter *territory.Territory, in *Initiative) error {
		cs, ok := tx.(carpoolStore)
		if !ok {
			return errNoCarpoolStore
		}
		area.InitiativeID = in.ID
		return cs.SaveCarpoolArea(ctx, ter.ID, &area)
	}
}

// MaxCarpoolAreas bounds a near query.
const MaxCarpoolAreas = 50

// NearCarpoolAreas returns the limit (default 5, at most MaxCarpoolAreas)
// published carpool areas closest to p, closest first, for trip forms to
// suggest. The spatial index of the directory answers.
func (s *Service) NearCarpoolAreas(ctx context.Context, ter *territory.Territory, p geo.Point, limit int) ([]CarpoolAreaHit, error) {
	var v errs.Validator
	v.Check(p.Valid(), "near", "err.point_format")
	v.Check(limit >= 0 && limit <= MaxCarpoolAreas, "limit", "err.limit_range", "Max", MaxCarpoolAreas)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if limit == 0 {
		limit = 5
	}
	cs, err := s.carpoolStore()
	if err != nil {
		return nil, err
	}
	hits, err := cs.NearCarpoolAreas(ctx, ter.ID, ter.BBox, p, limit)
	if err != nil {
		return nil, fmt.Errorf("directory: carpool areas near %v: %w", p, err)
	}
	if hits == nil {
		hits = []CarpoolAreaHit{}
	}
	return hits, nil
}

// AllCarpoolAreas calls fn for every published carpool area of the
// territory, by initiative id, for exports.
func (s *Service) AllCarpoolAreas(ctx context.Context, ter *territory.Territory, fn func(*CarpoolAreaHit) error) error {
	cs, err := s.carpoolStore()
	if err != nil {
		return err
	}
	return cs.AllCarpoolAreas(ctx, ter.ID, fn)
}
