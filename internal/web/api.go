package web

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func (s *Server) apiRoutes(page func(string, http.HandlerFunc)) {
	for _, r := range s.apiTable() {
		page(r.method+" "+r.path, r.h)
	}
}

type apiHandler struct {
	method, path string
	h            http.HandlerFunc
}

// apiTable lists the JSON API served under a session or a bearer token.
// The public map endpoint is registered apart (see Handler).
func (s *Server) apiTable() []apiHandler {
	t := []apiHandler{
		{"GET", "/api/v1/territories", s.apiTerritories},
		{"GET", "/api/v1/territories/{slug}", s.apiTerritory},
		{"GET", "/api/v1/territories/{slug}/organisations", s.apiOrganisations},
		{"POST", "/api/v1/territories/{slug}/organisations", s.apiCreateOrganisation},
		{"GET", "/api/v1/territories/{slug}/organisations/{id}", s.apiOrganisation},
		{"GET", "/api/v1/me", s.apiMe},
		{"GET", "/api/v1/me/export", s.exportMyData},
	}
	t = append(t, s.directoryAPITable()...)
	t = append(t, s.offersModerationAPITable()...)
	t = append(t, s.bookingAPITable()...)
	t = append(t, s.mobilityAPITable()...)
	t = append(t, s.ledgerAPITable()...)
	t = append(t, s.carpoolAreasAPITable()...)
	return append(t, s.offersAPITable()...)
}

// APIRoutes returns "METHOD /path" for every API route, for tests.
func (s *Server) APIRoutes() []string {
	out := []string{"GET /api/v1/territories/{slug}/initiatives"}
	for _, r := range s.apiTable() {
		out = append(out, r.method+" "+r.path)
	}
	return out
}

const maxJSONBody = 1 << 20

// decodeJSON reads a JSON body of at most 1 MiB into v.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxJSONBody)
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return errs.E(errs.Invalid, "err.body_too_large")
		}
		return errs.Wrap(errs.Invalid, "err.body_json", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errs.E(errs.Invalid, "err.body_json")
	}
	return nil
}

// decodeOptional is decodeJSON for a body that may be left out (or when in
// is nil, not expected).
func decodeOptional(w http.ResponseWriter, r *http.Request, in any) error {
	if in == nil || r.ContentLength == 0 {
		return nil
	}
	return decodeJSON(w, r, in)
}

// writer returns the acting user for an API write, after the rate limit.
func (s *Server) writer(r *http.Request) (access.Actor, error) {
	a := actorFrom(r.Context())
	if err := a.RequireUser(); err != nil {
		return a, err
	}
	if !s.limits.Post(strconv.FormatInt(a.UserID, 10)) {
		return a, errs.E(errs.TooManyRequests, "err.too_many_requests")
	}
	return a, nil
}

// territoryJSON is the public view of a territory.
type territoryJSON struct {
	Slug            string     `json:"slug"`
	Name            string     `json:"name"`
	BBox            [4]float64 `json:"bbox"`
	Lang            string     `json:"lang"`
	TimeZone        string     `json:"time_zone"`
	Modules         []string   `json:"modules"`
	TileURL         string     `json:"tile_url"`
	TileAttribution string     `json:"tile_attribution"`
	Licence         string     `json:"licence"`
	DataVersion     int64      `json:"data_version"`
	URL             string     `json:"url"`
}

func toTerritoryJSON(t *territory.Territory) territoryJSON {
	return territoryJSON{
		Slug: t.Slug, Name: t.Name, BBox: t.BBox.Array(), Lang: t.Lang, TimeZone: t.TimeZone,
		Modules: t.Modules, TileURL: t.TileURL, TileAttribution: t.TileAttribution, Licence: t.Licence,
		DataVersion: t.DataVersion, URL: "/t/" + t.Slug + "/",
	}
}

func (s *Server) apiTerritories(w http.ResponseWriter, r *http.Request) {
	list, err := s.Territories.List(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	out := make([]territoryJSON, 0, len(list))
	for _, t := range list {
		out = append(out, toTerritoryJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"territories": out})
}

func (s *Server) apiTerritory(w http.ResponseWriter, r *http.Request) {
	t, ok := s.territory(w, r)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, toTerritoryJSON(t))
}

func (s *Server) apiOrganisations(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(t *territory.Territory) (any, error) {
		list, err := s.Accounts.Organisations(r.Context(), t.ID)
		if list == nil {
			list = []account.Organisation{}
		}
		return map[string]any{"organisations": list}, err
	})
}

func (s *Server) apiOrganisation(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(t *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		return s.Accounts.Organisation(r.Context(), t.ID, id)
	})
}

func (s *Server) apiCreateOrganisation(w http.ResponseWriter, r *http.Request) {
	type input struct {
		Name        string `json:"name"`
		Kind        string `json:"kind"`
		Description string `json:"description"`
		Website     string `json:"website"`
	}
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, t *territory.Territory, in *input) (any, string, error) {
		org, err := s.Accounts.CreateOrganisation(ctx, a, t.ID, account.Organisation{
			Name: in.Name, Kind: in.Kind, Description: in.Description, Website: in.Website,
		})
		if err != nil {
			return nil, "", err
		}
		return org, "/api/v1/territories/" + t.Slug + "/organisations/" + strconv.FormatInt(org.ID, 10), nil
	})
}

func (s *Server) apiMe(w http.ResponseWriter, r *http.Request) {
	a := actorFrom(r.Context())
	if err := a.RequireUser(); err != nil {
		s.renderError(w, r, err)
		return
	}
	u := userFrom(r.Context())
	roles := map[string]access.Role{}
	list, err := s.Territories.List(r.Context())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	for _, t := range list {
		if role := a.Roles[t.ID]; role != "" {
			roles[t.Slug] = role
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"id": u.ID, "email": u.Email, "display_name": u.DisplayName, "email_verified": u.EmailVerified,
		"lang": u.Lang, "roles": roles,
	})
}

// apiDo runs the common shape: territory from the path, then fn; fn's
// error becomes a JSON error, its value the answer.
func (s *Server) apiDo(w http.ResponseWriter, r *http.Request, status int, fn func(ter *territory.Territory) (any, error)) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	v, err := fn(ter)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeJSON(w, status, v)
}

// apiWrite runs a write: territory, rate-limited actor, path id and an
// optional JSON body, then fn. A nil answer from fn means 204.
func (s *Server) apiWrite(w http.ResponseWriter, r *http.Request, status int, in any,
	fn func(ter *territory.Territory, id int64) (any, error)) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	known := func(*http.Request, int64) (*territory.Territory, error) { return ter, nil }
	s.apiByID(w, r, known, status, true, in, func(ter *territory.Territory, _ access.Actor, id int64) (any, error) {
		return fn(ter, id)
	})
}

// apiIn runs a write in the territory of the path: rate-limited writer,
// the JSON body into in (when in is not nil), then fn. A nil answer means 204.
func (s *Server) apiIn(w http.ResponseWriter, r *http.Request, status int, in any,
	fn func(ter *territory.Territory, a access.Actor) (any, error)) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	a, err := s.writer(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if in != nil {
		if err := decodeJSON(w, r, in); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	v, err := fn(ter, a)
	s.answer(w, r, status, v, err)
}

// apiCreate runs a creation in the territory of the path: rate-limited
// writer, the JSON body into a T, then create; 201 with the created thing,
// and a Location header when create names one. (A function, not a method:
// methods cannot have type parameters.)
func apiCreate[T any](s *Server, w http.ResponseWriter, r *http.Request,
	create func(ctx context.Context, a access.Actor, ter *territory.Territory, in *T) (created any, location string, err error)) {
	var in T
	s.apiIn(w, r, http.StatusCreated, &in, func(ter *territory.Territory, a access.Actor) (any, error) {
		v, loc, err := create(r.Context(), a, ter, &in)
		if err != nil {
			return nil, err
		}
		if loc != "" {
			w.Header().Set("Location", loc)
		}
		return v, nil
	})
}

// apiByID answers fn's value for the territory that find gives for the
// path's id (ids unique across territories need no slug). write asks for a
// rate-limited writer; in, when not nil, takes a non-empty JSON body. A nil
// answer means 204; a statusAnswer chooses its own status.
func (s *Server) apiByID(w http.ResponseWriter, r *http.Request, find func(*http.Request, int64) (*territory.Territory, error),
	status int, write bool, in any, fn func(ter *territory.Territory, a access.Actor, id int64) (any, error)) {
	a := actorFrom(r.Context())
	if write {
		var err error
		if a, err = s.writer(r); err != nil {
			s.renderError(w, r, err)
			return
		}
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := decodeOptional(w, r, in); err != nil {
		s.renderError(w, r, err)
		return
	}
	ter, err := find(r, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	v, err := fn(ter, a, id)
	s.answer(w, r, status, v, err)
}

// answer writes a write's outcome: the error, 204 for a nil value, or the
// value with status unless it chooses its own (statusAnswer).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if v == nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if st, ok := v.(statusAnswer); ok {
		status = st.httpStatus()
	}
	writeJSON(w, status, v)
}

// statusAnswer is an answer that chooses its own status.
type statusAnswer interface{ httpStatus() int }

// pathID reads a numeric path value; anything else names nothing that exists.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errs.ErrNotFound
	}
	return id, nil
}
