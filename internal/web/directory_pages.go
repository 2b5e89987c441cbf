package web

import (
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/markdown"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Pages of the directory module: the territory's home, the map, the list,
// one page per initiative, the contribution and change forms, revisions,
// moderation and MapJams. Every rule is the directory service's; these
// handlers parse forms, call it and render.

// mdRenderer is built once: a Renderer is immutable and safe for
// concurrent use, so sharing it is not shared mutable state.
var mdRenderer = sync.OnceValue(markdown.New)

func (s *Server) md() *markdown.Renderer { return mdRenderer() }

func (s *Server) directoryRoutes(page func(string, http.HandlerFunc)) {
	page("GET /t/{slug}/map", s.mapPage)
	page("GET /t/{slug}/initiatives", s.initiativesPage)
	page("GET /t/{slug}/initiatives/new", s.contributeForm)
	page("POST /t/{slug}/initiatives/new", s.contribute)
	page("GET /t/{slug}/initiatives/{id}", s.initiativePage)
	page("GET /t/{slug}/initiatives/{id}/edit", s.editForm)
	page("POST /t/{slug}/initiatives/{id}/edit", s.edit)
	page("POST /t/{slug}/initiatives/{id}/publish", s.publishInitiative)
	page("POST /t/{slug}/initiatives/{id}/reject", s.rejectInitiative)
	page("POST /t/{slug}/initiatives/{id}/archive", s.archiveInitiative)
	page("POST /t/{slug}/initiatives/{id}/report", s.reportInitiative)
	page("GET /t/{slug}/initiatives/{id}/revisions", s.revisionsPage)
	page("POST /t/{slug}/initiatives/{id}/revisions/{n}/restore", s.restoreRevision)
	page("POST /t/{slug}/initiatives/{id}/revisions/{n}/approve", s.approveRevision)
	page("POST /t/{slug}/initiatives/{id}/revisions/{n}/reject", s.rejectRevision)
	page("GET /t/{slug}/moderation", s.moderationPage)
	page("POST /t/{slug}/reports/{id}/resolve", s.resolveReport)
	page("GET /t/{slug}/mapjams", s.mapJamsPage)
	page("POST /t/{slug}/mapjams", s.openMapJam)
	page("GET /t/{slug}/mapjams/{id}", s.mapJamPage)
	page("POST /t/{slug}/mapjams/{id}/close", s.closeMapJam)
}

// mapAttrs is what the map scripts read from data-* attributes: the CSP
// forbids inline scripts, so the server hands data over in markup.
type mapAttrs struct {
	Tiles       string
	Attribution string
	BBox        string // minLon,minLat,maxLon,maxLat
}

func mapAttrsOf(t *territory.Territory) mapAttrs {
	tiles, attr := t.TileURL, t.TileAttribution
	if tiles == "" {
		tiles, attr = territory.DefaultTileURL, territory.DefaultTileAttribution
	}
	b := t.BBox
	return mapAttrs{Tiles: tiles, Attribution: attr, BBox: pageCoords(b.MinLon, b.MinLat, b.MaxLon, b.MaxLat)}
}

func pageCoords(fs ...float64) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return strings.Join(parts, ",")
}

// countView is one line of the per-category counts.
type countView struct {
	Key   string
	Count int
}

type territoryHomeView struct {
	Stats  []countView
	Total  int
	Recent []cardView
	Member bool
}

func (s *Server) territoryHome(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.home_title")
	if !ok {
		return
	}
	ctx := r.Context()
	p.Title = p.Territory.Name
	st, err := s.Directory.Stats(ctx, p.Territory)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v := territoryHomeView{Total: st.ByStatus[directory.StatusPublished], Member: p.Can("member")}
	for _, c := range directory.Categories {
		v.Stats = append(v.Stats, countView{Key: c, Count: st.PublishedCategory[c]})
	}
	res, err := s.Directory.Search(ctx, p.Territory, directory.Query{Sort: directory.SortRecent, Limit: 6})
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v.Recent = cardsOf(res.Items, false, p.Lang)
	p.Data = v
	s.renderDir(w, r, http.StatusOK, "territory", p)
}

type mapView struct {
	Map        mapAttrs
	API        string
	Categories []string
	Q          string
	Category   string
}

func (s *Server) mapPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.map_title")
	if !ok {
		return
	}
	q := r.URL.Query()
	p.Data = mapView{
		Map:        mapAttrsOf(p.Territory),
		API:        "/api/v1/territories/" + p.Territory.Slug + "/initiatives",
		Categories: directory.Categories,
		Q:          q.Get("q"),
		Category:   q.Get("category"),
	}
	p.Styles = append(p.Styles, "vendor/leaflet/leaflet.css", "vendor/markercluster/MarkerCluster.css",
		"vendor/markercluster/MarkerCluster.Default.css")
	p.Scripts = append(p.Scripts, "vendor/leaflet/leaflet.js", "vendor/markercluster/leaflet.markercluster.js", "js/mapkit.js", "js/map.js")
	s.renderDir(w, r, http.StatusOK, "map", p)
}

// cardView is one initiative in a list of results.
type cardView struct {
	ID         int64
	Name       string
	Summary    string
	Categories []string
	Kind       string
	Status     string
	Distance   string
}

func cardsOf(hits []directory.Hit, near bool, lang string) []cardView {
	out := make([]cardView, 0, len(hits))
	for _, h := range hits {
		in := h.Initiative
		c := cardView{ID: in.ID, Name: in.Name, Summary: in.Summary, Categories: in.Categories, Kind: string(in.Kind), Status: string(in.Status)}
		if near {
			c.Distance = pageDistance(h.DistanceM, lang)
		}
		out = append(out, c)
	}
	return out
}

func cardsOfInitiatives(list []*directory.Initiative) []cardView {
	out := make([]cardView, 0, len(list))
	for _, in := range list {
		out = append(out, cardView{ID: in.ID, Name: in.Name, Summary: in.Summary, Categories: in.Categories, Kind: string(in.Kind), Status: string(in.Status)})
	}
	return out
}

// pageDistance writes a distance the way people say it: metres below a
// kilometre, one decimal below ten, whole kilometres beyond.
func pageDistance(m float64, lang string) string {
	switch {
	case m < 1000:
		return strconv.Itoa(int(math.Round(m/10)*10)) + " m"
	case m < 10000:
		s := strconv.FormatFloat(m/1000, 'f', 1, 64)
		if lang == "fr" {
			s = strings.Replace(s, ".", ",", 1)
		}
		return s + " km"
	}
	return strconv.Itoa(int(math.Round(m/1000))) + " km"
}

type listView struct {
	Cards  []cardView
	Total  int
	Capped bool // more than Total
	// Organisation is the organisation the list is narrowed to, if any.
	Organisation *account.Organisation
	AllURL       string // the same search for every organisation
	Categories   []string
	Kinds        []directory.Kind
	Sorts        []directory.Sort
	Near         bool
	Page         int
	PrevURL      string
	NextURL      string
	First        int
	Last         int
}

const listPageSize = 20

func (s *Server) initiativesPage(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.list_title")
	if !ok {
		return
	}
	form := r.URL.Query()
	p.Form = form
	v := listView{Categories: directory.Categories, Kinds: directory.Kinds,
		Sorts: []directory.Sort{directory.SortRelevance, directory.SortName, directory.SortRecent, directory.SortDistance}}
	p.Data = &v
	p.Scripts = append(p.Scripts, "js/near.js")

	q, page, err := parseListQuery(form)
	if err == nil && q.OrganisationID != 0 {
		v.Organisation, err = s.Accounts.Organisation(r.Context(), p.Territory.ID, q.OrganisationID)
		v.AllURL = listURLWithout(r.URL, "organisation")
	}
	if err == nil {
		v.Near = q.Near != nil
		var res directory.Result
		res, err = s.Directory.Search(r.Context(), p.Territory, q)
		if err == nil {
			v.Cards, v.Total, v.Capped, v.Page = cardsOf(res.Items, v.Near, p.Lang), res.Total, res.TotalCapped, page
			if len(v.Cards) > 0 {
				v.First, v.Last = q.Offset+1, q.Offset+len(v.Cards)
			}
			if page > 1 {
				v.PrevURL = listPageURL(r.URL, page-1)
			}
			if (q.Offset+len(res.Items) < res.Total || res.TotalCapped) && len(res.Items) == listPageSize &&
				q.Offset+listPageSize <= directory.MaxOffset {
				v.NextURL = listPageURL(r.URL, page+1)
			}
		}
	}
	if err != nil {
		if errs.KindOf(err) != errs.Invalid {
			s.renderError(w, r, err)
			return
		}
		p.setErr(err)
		s.renderDir(w, r, http.StatusBadRequest, "initiatives", p)
		return
	}
	s.renderDir(w, r, http.StatusOK, "initiatives", p)
}

// listURLWithout is the list's URL without one parameter, from page 1.
func listURLWithout(u *url.URL, param string) string {
	q := u.Query()
	q.Del("lang")
	q.Del("page")
	q.Del(param)
	if len(q) == 0 {
		return u.Path
	}
	return u.Path + "?" + q.Encode()
}

func listPageURL(u *url.URL, page int) string {
	q := u.Query()
	q.Del("lang")
	q.Set("page", strconv.Itoa(page))
	return u.Path + "?" + q.Encode()
}

// parseListQuery reads the list's search form. Unreadable numbers are field
// errors, like the service's own.
func parseListQuery(form url.Values) (directory.Query, int, error) {
	var v errs.Validator
	q := directory.Query{Text: form.Get("q"), Limit: listPageSize}
	for _, c := range form["category"] {
		if c = strings.TrimSpace(c); c != "" {
			q.Categories = append(q.Categories, c)
		}
	}
	for _, k := range form["kind"] {
		if k = strings.TrimSpace(k); k != "" {
			q.Kinds = append(q.Kinds, directory.Kind(k))
		}
	}
	lat, lon := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("lon"))
	if lat != "" || lon != "" {
		la, err1 := pageDecimal(lat)
		lo, err2 := pageDecimal(lon)
		if err1 != nil || err2 != nil {
			v.Add("near", "err.point_format")
		} else {
			q.Near = &geo.Point{Lat: la, Lon: lo}
		}
	}
	if rad := strings.TrimSpace(form.Get("radius")); rad != "" {
		km, err := pageDecimal(rad)
		v.Check(err == nil, "radius", "err.radius_range", "Max", directory.MaxRadiusM/1000)
		if err == nil && q.Near != nil {
			q.RadiusM = km * 1000
		}
	}
	if o := strings.TrimSpace(form.Get("organisation")); o != "" {
		id, err := strconv.ParseInt(o, 10, 64)
		v.Check(err == nil && id > 0, "organisation", "err.organisation_format")
		q.OrganisationID = max(id, 0)
	}
	q.Sort = directory.Sort(form.Get("sort"))
	if q.Sort == directory.SortDistance && q.Near == nil {
		q.Sort = "" // "near me" without a position: fall back rather than fail
	}
	page := 1
	if ps := form.Get("page"); ps != "" {
		n, err := strconv.Atoi(ps)
		v.Check(err == nil && n >= 1 && (n-1)*listPageSize <= directory.MaxOffset, "page", "err.page_range")
		if err == nil && n >= 1 {
			page = n
		}
	}
	q.Offset = (page - 1) * listPageSize
	return q, page, v.Err()
}

// pageDecimal reads a decimal number, with a point or a French comma.
func pageDecimal(s string) (float64, error) {
	f, err := strconv.ParseFloat(strings.Replace(strings.TrimSpace(s), ",", ".", 1), 64)
	if err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
		return 0, strconv.ErrSyntax
	}
	return f, err
}

type openDataView struct {
	Formats []exportLink
	Licence string
}

type exportLink struct {
	Format, URL, Type string
}

func (s *Server) openData(w http.ResponseWriter, r *http.Request) {
	p, ok := s.territoryPage(w, r, "dir.open_data_title")
	if !ok {
		return
	}
	base := "/api/v1/territories/" + p.Territory.Slug + "/export?format="
	p.Data = openDataView{
		Formats: []exportLink{
			{"geojson", base + "geojson", "application/geo+json"},
			{"csv", base + "csv", "text/csv"},
			{"jsonld", base + "jsonld", "application/ld+json"},
			{"lieux-covoiturage", "/api/v1/territories/" + p.Territory.Slug + "/carpool-areas.csv", "text/csv"},
		},
		Licence: p.Territory.Licence,
	}
	s.renderDir(w, r, http.StatusOK, "open_data", p)
}

// pagePoints is the data-points attribute of a small map: a few named
// positions linking to their pages.
func pagePoints(slug string, list []*directory.Initiative) string {
	type pt struct {
		Lat  float64 `json:"lat"`
		Lon  float64 `json:"lon"`
		Name string  `json:"name"`
		URL  string  `json:"url"`
	}
	pts := make([]pt, 0, len(list))
	for _, in := range list {
		pts = append(pts, pt{in.Position.Lat, in.Position.Lon, in.Name, "/t/" + slug + "/initiatives/" + strconv.FormatInt(in.ID, 10)})
	}
	b, _ := json.Marshal(pts)
	return string(b)
}

// pagePathID reads a numeric path value; anything else is a page that does not exist.
func pagePathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.ErrNotFound
	}
	return id, nil
}

// renderDir renders a directory page with its stylesheet, last so that it
// can adjust Leaflet's.
func (s *Server) renderDir(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	p.Styles = append(p.Styles, "css/map.css")
	s.render(w, r, status, name, p)
}
