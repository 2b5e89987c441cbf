// Package territory manages the territories one deployment hosts: a town,
// a group of towns or a district, each with its boundary, language, time
// zone, enabled modules and map look.
package territory

import (
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// Modules a territory can enable.
var KnownModules = []string{"directory", "offers", "library", "mobility", "timebank", "commerce", "crowdfunding", "homeshare", "dialogue", "opendata"}

// Default map tiles: OpenStreetMap's standard layer, which its tile usage
// policy allows for light use; a territory sets its own for production.
const (
	DefaultTileURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultTileAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>`
)

// Routing servers a territory may use (Territory.RouterKind).
const (
	RouterOSRM     = "osrm"
	RouterValhalla = "valhalla"
)

// Territory is one place served by the deployment.
type Territory struct {
	ID              int64    `json:"-"`
	Slug            string   `json:"slug"`
	Name            string   `json:"name"`
	BBox            geo.BBox `json:"-"`
	Lang            string   `json:"lang"`
	TimeZone        string   `json:"time_zone"`
	Modules         []string `json:"modules"`
	TileURL         string   `json:"tile_url"`
	TileAttribution string   `json:"tile_attribution"`
	Licence         string   `json:"licence"`
	ContactEmail    string   `json:"-"`
	// RouterKind names the routing server carpool routes come from: "osrm",
	// "valhalla", or "" for straight segments (see internal/route).
	RouterKind string `json:"-"`
	// RouterURL is that server's base address; servers are often internal,
	// so neither field is published.
	RouterURL   string    `json:"-"`
	DataVersion int64     `json:"data_version"`
	CreatedAt   time.Time `json:"created_at"`
}

// Location returns the territory's time zone (UTC if it cannot be loaded).
// Zones are loaded once per name: time.LoadLocation reads and parses the
// zone file each time (a tenth of a booking's CPU).
func (t *Territory) Location() *time.Location {
	if loc, ok := locations.Load(t.TimeZone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return time.UTC
	}
	locations.Store(t.TimeZone, loc)
	return loc
}

// locations caches the loaded zones by name.
var locations sync.Map

// HasModule reports whether a module is enabled.
func (t *Territory) HasModule(m string) bool {
	for _, x := range t.Modules {
		if x == m {
			return true
		}
	}
	return false
}

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$`)

// Validate checks a territory before it is created or updated.
func (t *Territory) Validate() error {
	var v errs.Validator
	t.Slug = strings.TrimSpace(t.Slug)
	t.Name = strings.TrimSpace(t.Name)
	v.Check(slugRE.MatchString(t.Slug), "slug", "err.slug_format")
	v.Check(t.Name != "" && len(t.Name) <= 120, "name", "err.required_max", "Max", 120)
	v.Check(t.BBox.Valid(), "bbox", "err.bbox_range")
	v.Check(t.Lang == "fr" || t.Lang == "en", "lang", "err.lang_unknown")
	if _, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "" {
		v.Add("time_zone", "err.time_zone_unknown")
	}
	for _, m := range t.Modules {
		known := false
		for _, k := range KnownModules {
			known = known || k == m
		}
		v.Check(known, "modules", "err.module_unknown", "Module", m)
	}
	t.RouterKind, t.RouterURL = strings.TrimSpace(t.RouterKind), strings.TrimSpace(t.RouterURL)
	v.Check(t.RouterKind == "" || t.RouterKind == RouterOSRM || t.RouterKind == RouterValhalla, "router", "err.router_unknown", "Router", t.RouterKind)
	v.Check((t.RouterKind == "") == (t.RouterURL == ""), "router_url", "err.router_url_required")
	v.Check(t.RouterURL == "" || strings.HasPrefix(t.RouterURL, "https://") || strings.HasPrefix(t.RouterURL, "http://"), "router_url", "err.url_format")
	v.Check(t.TileURL == "" || strings.HasPrefix(t.TileURL, "https://") || strings.HasPrefix(t.TileURL, "http://"), "tile_url", "err.url_format")
	return v.Err()
}

// Defaults fills what a new territory leaves empty.
func (t *Territory) Defaults() {
	if t.Lang == "" {
		t.Lang = "fr"
	}
	if t.TimeZone == "" {
		t.TimeZone = "Europe/Paris"
	}
	if len(t.Modules) == 0 {
		t.Modules = []string{"directory"}
	}
	if t.TileURL == "" {
		t.TileURL = DefaultTileURL
		t.TileAttribution = DefaultTileAttribution
	}
	if t.Licence == "" {
		t.Licence = "ODbL-1.0"
	}
}
