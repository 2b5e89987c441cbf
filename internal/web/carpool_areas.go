package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/interchange"
)

// Carpool areas (issue 6): the nearest ones, for trip forms to suggest,
// and the territory's whole list in France's lieux-covoiturage schema for
// the open-data page. Both are public: areas are published places.
func (s *Server) carpoolAreasAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	return []apiHandler{
		{"GET", base + "/carpool-areas", s.apiCarpoolAreas},
		{"GET", base + "/carpool-areas.csv", s.apiCarpoolAreasCSV},
	}
}

// carpoolAreaJSON is one area as the API lists it: the initiative's
// public place and the schema's fields.
type carpoolAreaJSON struct {
	ID        int64   `json:"id"`
	Name      string  `json:"name"`
	Address   string  `json:"address"`
	Lat       float64 `json:"lat"`
	Lon       float64 `json:"lon"`
	DistanceM float64 `json:"distance_m"`
	URL       string  `json:"url"`
	directory.CarpoolArea
}

func (s *Server) apiCarpoolAreas(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	var v errs.Validator
	p, err := geo.ParsePoint(q.Get("near"))
	v.Check(err == nil, "near", "err.point_format")
	limit := 5
	if l := strings.TrimSpace(q.Get("limit")); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= directory.MaxCarpoolAreas, "limit", "err.limit_range", "Max", directory.MaxCarpoolAreas)
		limit = n
	}
	if err := v.Err(); err != nil {
		s.renderError(w, r, err)
		return
	}
	hits, err := s.Directory.NearCarpoolAreas(r.Context(), ter, p, limit)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	items := make([]carpoolAreaJSON, len(hits))
	for i, h := range hits {
		in := h.Initiative
		items[i] = carpoolAreaJSON{ID: in.ID, Name: in.Name, Address: in.Address, Lat: in.Position.Lat, Lon: in.Position.Lon,
			DistanceM: float64(int(h.DistanceM + 0.5)), URL: "/t/" + ter.Slug + "/initiatives/" + strconv.FormatInt(in.ID, 10),
			CarpoolArea: h.Area}
	}
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (s *Server) apiCarpoolAreasCSV(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", interchange.FormatCSV.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+ter.Slug+`-lieux-covoiturage.csv"`)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	each := func(yield func(*directory.CarpoolAreaHit) error) error {
		return s.Directory.AllCarpoolAreas(r.Context(), ter, yield)
	}
	if err := interchange.WriteLieuxCovoiturage(w, each); err != nil {
		// Headers are gone once streaming started; the log keeps the cause.
		s.Log.Error("carpool areas export", "territory", ter.Slug, "err", err)
	}
}
