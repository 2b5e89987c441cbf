package web

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/interchange"
	"github.com/sharingcity/sharingcity/internal/territory"
)

func (s *Server) directoryAPITable() []apiHandler {
	const base = "/api/v1/territories/{slug}"
	return []apiHandler{
		{"POST", base + "/initiatives", s.apiContribute},
		{"GET", base + "/initiatives/{id}", s.apiInitiative},
		{"PATCH", base + "/initiatives/{id}", s.apiUpdateInitiative},
		{"POST", base + "/initiatives/{id}/publish", s.apiPublish},
		{"POST", base + "/initiatives/{id}/reject", s.apiReject},
		{"POST", base + "/initiatives/{id}/archive", s.apiArchive},
		{"POST", base + "/initiatives/{id}/reports", s.apiReport},
		{"GET", base + "/initiatives/{id}/revisions", s.apiRevisions},
		{"POST", base + "/initiatives/{id}/revisions/{number}/restore", s.apiRestore},
		{"POST", base + "/initiatives/{id}/revisions/{number}/approve", s.apiApproveRevision},
		{"POST", base + "/initiatives/{id}/revisions/{number}/reject", s.apiRejectRevision},
		{"GET", base + "/search", s.apiSearch},
		{"GET", base + "/moderation", s.apiModeration},
		{"POST", base + "/reports/{id}/resolve", s.apiResolveReport},
		{"GET", base + "/mapjams", s.apiMapJams},
		{"POST", base + "/mapjams", s.apiOpenMapJam},
		{"GET", base + "/mapjams/{id}", s.apiMapJam},
		{"POST", base + "/mapjams/{id}/close", s.apiCloseMapJam},
		{"GET", base + "/export", s.apiExport},
		{"POST", base + "/import", s.apiImport},
	}
}

// initiativeInput is the JSON an API client sends to contribute or change.
type initiativeInput struct {
	Name           string                   `json:"name"`
	Summary        string                   `json:"summary"`
	Description    string                   `json:"description"`
	Categories     []string                 `json:"categories"`
	Tags           []string                 `json:"tags"`
	Kind           string                   `json:"kind"`
	Address        string                   `json:"address"`
	Lat            *float64                 `json:"lat"`
	Lon            *float64                 `json:"lon"`
	OpeningHours   []directory.OpeningHours `json:"opening_hours"`
	Website        string                   `json:"website"`
	Email          string                   `json:"email"`
	Phone          string                   `json:"phone"`
	OrganisationID int64                    `json:"organisation_id"`
	Commons        directory.Commons        `json:"commons"`
	Comment        string                   `json:"comment"`
}

func (in *initiativeInput) initiative() *directory.Initiative {
	out := &directory.Initiative{
		Name: in.Name, Summary: in.Summary, Description: in.Description, Categories: in.Categories,
		Tags: in.Tags, Kind: directory.Kind(in.Kind), Address: in.Address, OpeningHours: in.OpeningHours,
		Website: in.Website, Email: in.Email, Phone: in.Phone, OrganisationID: in.OrganisationID, Commons: in.Commons,
	}
	if in.Lat != nil && in.Lon != nil {
		out.Position = geo.Point{Lat: *in.Lat, Lon: *in.Lon}
	}
	return out
}

// initiativeJSON is what the API shows of an initiative: its public
// content, never who wrote it.
type initiativeJSON struct {
	ID              int64                    `json:"id"`
	Name            string                   `json:"name"`
	Summary         string                   `json:"summary"`
	Description     string                   `json:"description"`
	DescriptionHTML string                   `json:"description_html,omitempty"`
	Categories      []string                 `json:"categories"`
	Tags            []string                 `json:"tags"`
	Kind            directory.Kind           `json:"kind"`
	Address         string                   `json:"address"`
	Lat             float64                  `json:"lat"`
	Lon             float64                  `json:"lon"`
	OpeningHours    []directory.OpeningHours `json:"opening_hours"`
	Website         string                   `json:"website,omitempty"`
	Email           string                   `json:"email,omitempty"`
	Phone           string                   `json:"phone,omitempty"`
	OrganisationID  int64                    `json:"organisation_id,omitempty"`
	Commons         *directory.Commons       `json:"commons,omitempty"`
	Status          directory.Status         `json:"status"`
	RejectReason    string                   `json:"reject_reason,omitempty"`
	MapJamID        int64                    `json:"mapjam_id,omitempty"`
	Revision        int                      `json:"revision"`
	CreatedAt       time.Time                `json:"created_at"`
	UpdatedAt       time.Time                `json:"updated_at"`
	URL             string                   `json:"url"`
}

// initiativeJSON renders one initiative; withHTML adds its description as
// sanitised HTML, which single reads carry and lists leave out (rendering
// Markdown for every hit of a search would be most of its cost).
func (s *Server) initiativeJSON(ter *territory.Territory, in *directory.Initiative, withHTML bool) initiativeJSON {
	out := initiativeJSON{
		ID: in.ID, Name: in.Name, Summary: in.Summary, Description: in.Description,
		Categories: nonNil(in.Categories), Tags: nonNil(in.Tags),
		Kind: in.Kind, Address: in.Address, Lat: in.Position.Lat, Lon: in.Position.Lon,
		OpeningHours: in.OpeningHours, Website: in.Website, Email: in.Email, Phone: in.Phone,
		OrganisationID: in.OrganisationID, Status: in.Status, RejectReason: in.RejectReason,
		MapJamID: in.MapJamID, Revision: in.Revision, CreatedAt: in.CreatedAt, UpdatedAt: in.UpdatedAt,
		URL: "/t/" + ter.Slug + "/initiatives/" + strconv.FormatInt(in.ID, 10),
	}
	if out.OpeningHours == nil {
		out.OpeningHours = []directory.OpeningHours{}
	}
	if withHTML {
		out.DescriptionHTML = string(s.md().HTML(in.Description))
	}
	if in.Commons != (directory.Commons{}) {
		c := in.Commons
		out.Commons = &c
	}
	return out
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (s *Server) apiContribute(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, ter *territory.Territory, in *initiativeInput) (any, string, error) {
		ini := in.initiative()
		if err := s.Directory.Contribute(ctx, a, ter, ini); err != nil {
			return nil, "", err
		}
		return s.initiativeJSON(ter, ini, true), "/api/v1/territories/" + ter.Slug + "/initiatives/" + strconv.FormatInt(ini.ID, 10), nil
	})
}

// initiativeFromPath loads the initiative named in the path, as the actor may see it.
func (s *Server) initiativeFromPath(w http.ResponseWriter, r *http.Request) (*territory.Territory, *directory.Initiative, bool) {
	ter, ok := s.territory(w, r)
	if !ok {
		return nil, nil, false
	}
	id, err := pathID(r, "id")
	if err == nil {
		var in *directory.Initiative
		if in, err = s.Directory.Get(r.Context(), actorFrom(r.Context()), ter, id); err == nil {
			return ter, in, true
		}
	}
	s.renderError(w, r, err)
	return nil, nil, false
}

func (s *Server) apiInitiative(w http.ResponseWriter, r *http.Request) {
	ter, in, ok := s.initiativeFromPath(w, r)
	if !ok {
		return
	}
	writeJSONAs(w, http.StatusOK, "application/geo+json", map[string]any{
		"type": "Feature", "id": in.ID,
		"geometry":   map[string]any{"type": "Point", "coordinates": []float64{in.Position.Lon, in.Position.Lat}},
		"properties": s.initiativeJSON(ter, in, true),
	})
}

func (s *Server) apiUpdateInitiative(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	a, err := s.writer(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	var in initiativeInput
	if err := decodeJSON(w, r, &in); err != nil {
		s.renderError(w, r, err)
		return
	}
	rev, err := s.Directory.ProposeChange(r.Context(), a, ter, id, in.initiative(), in.Comment)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	if rev.Status == directory.RevisionPending {
		writeJSON(w, http.StatusAccepted, s.revisionJSON(a, ter, rev))
		return
	}
	s.respondInitiative(w, r, a, ter, id, http.StatusOK)
}

func (s *Server) respondInitiative(w http.ResponseWriter, r *http.Request, a access.Actor, ter *territory.Territory, id int64, status int) {
	in, err := s.Directory.Get(r.Context(), a, ter, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	writeJSON(w, status, s.initiativeJSON(ter, in, true))
}

// moderate runs a moderation action on the initiative in the path and
// answers with the initiative as it now is.
func (s *Server) moderate(w http.ResponseWriter, r *http.Request, needReason bool, act func(a access.Actor, ter *territory.Territory, id int64, reason string) error) {
	var body reasonInput
	var in any
	if needReason {
		in = &body
	}
	s.apiWrite(w, r, http.StatusOK, in, func(ter *territory.Territory, id int64) (any, error) {
		a := actorFrom(r.Context())
		if err := act(a, ter, id, body.Reason); err != nil {
			return nil, err
		}
		return s.initiativeAfter(r, a, ter, id)
	})
}

// initiativeAfter reads an initiative after a change, as the actor sees it.
func (s *Server) initiativeAfter(r *http.Request, a access.Actor, ter *territory.Territory, id int64) (any, error) {
	in, err := s.Directory.Get(r.Context(), a, ter, id)
	if err != nil {
		return nil, err
	}
	return s.initiativeJSON(ter, in, true), nil
}

func (s *Server) apiPublish(w http.ResponseWriter, r *http.Request) {
	s.moderate(w, r, false, func(a access.Actor, ter *territory.Territory, id int64, _ string) error {
		return s.Directory.Publish(r.Context(), a, ter, id)
	})
}

func (s *Server) apiReject(w http.ResponseWriter, r *http.Request) {
	s.moderate(w, r, true, func(a access.Actor, ter *territory.Territory, id int64, reason string) error {
		return s.Directory.Reject(r.Context(), a, ter, id, reason)
	})
}

func (s *Server) apiArchive(w http.ResponseWriter, r *http.Request) {
	s.moderate(w, r, false, func(a access.Actor, ter *territory.Territory, id int64, _ string) error {
		return s.Directory.Archive(r.Context(), a, ter, id)
	})
}

func (s *Server) apiReport(w http.ResponseWriter, r *http.Request) {
	var body reasonInput
	s.apiWrite(w, r, http.StatusCreated, &body, func(ter *territory.Territory, id int64) (any, error) {
		rep, err := s.Directory.Report(r.Context(), actorFrom(r.Context()), ter, id, body.Reason)
		if err != nil {
			return nil, err
		}
		return map[string]any{"id": rep.ID, "initiative_id": rep.InitiativeID, "created_at": rep.CreatedAt}, nil
	})
}

// revisionJSON hides who wrote a revision from everyone but moderators.
type revisionJSON struct {
	Number     int                      `json:"number"`
	Status     directory.RevisionStatus `json:"status"`
	CreatedAt  time.Time                `json:"created_at"`
	Comment    string                   `json:"comment,omitempty"`
	ReviewNote string                   `json:"review_note,omitempty"`
	AuthorID   int64                    `json:"author_id,omitempty"`
	Changes    []directory.FieldChange  `json:"changes"`
}

func (s *Server) revisionJSON(a access.Actor, ter *territory.Territory, rev *directory.Revision) revisionJSON {
	out := revisionJSON{Number: rev.Number, Status: rev.Status, CreatedAt: rev.CreatedAt, Comment: rev.Comment,
		ReviewNote: rev.ReviewNote, Changes: rev.Changes}
	if out.Changes == nil {
		out.Changes = []directory.FieldChange{}
	}
	if a.Can(ter.ID, access.Moderator) || (a.UserID != 0 && a.UserID == rev.AuthorID) {
		out.AuthorID = rev.AuthorID
	}
	return out
}

func (s *Server) apiRevisions(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	id, err := pathID(r, "id")
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	a := actorFrom(r.Context())
	revs, err := s.Directory.Revisions(r.Context(), a, ter, id)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	out := make([]revisionJSON, 0, len(revs))
	for i := range revs {
		out = append(out, s.revisionJSON(a, ter, &revs[i]))
	}
	writeJSON(w, http.StatusOK, map[string]any{"revisions": out})
}

// apiRevisionAction runs an action on the revision in the path; status 204
// answers nothing, any other the initiative as it now is.
func (s *Server) apiRevisionAction(w http.ResponseWriter, r *http.Request, needReason bool, act func(a access.Actor, ter *territory.Territory, id int64, number int, reason string) error, status int) {
	var body reasonInput
	var in any
	if needReason {
		in = &body
	}
	s.apiWrite(w, r, status, in, func(ter *territory.Territory, id int64) (any, error) {
		number, err := pathID(r, "number")
		if err != nil {
			return nil, err
		}
		a := actorFrom(r.Context())
		if err := act(a, ter, id, int(number), body.Reason); err != nil {
			return nil, err
		}
		if status == http.StatusNoContent {
			return nil, nil
		}
		return s.initiativeAfter(r, a, ter, id)
	})
}

func (s *Server) apiRestore(w http.ResponseWriter, r *http.Request) {
	s.apiRevisionAction(w, r, false, func(a access.Actor, ter *territory.Territory, id int64, n int, _ string) error {
		_, err := s.Directory.Restore(r.Context(), a, ter, id, n)
		return err
	}, http.StatusOK)
}

func (s *Server) apiApproveRevision(w http.ResponseWriter, r *http.Request) {
	s.apiRevisionAction(w, r, false, func(a access.Actor, ter *territory.Territory, id int64, n int, _ string) error {
		return s.Directory.ApproveRevision(r.Context(), a, ter, id, n)
	}, http.StatusOK)
}

func (s *Server) apiRejectRevision(w http.ResponseWriter, r *http.Request) {
	s.apiRevisionAction(w, r, true, func(a access.Actor, ter *territory.Territory, id int64, n int, reason string) error {
		return s.Directory.RejectRevision(r.Context(), a, ter, id, n, reason)
	}, http.StatusNoContent)
}

// ParseSearch reads a search from query parameters; pages and the API share it.
func ParseSearch(q map[string][]string) (directory.Query, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return strings.TrimSpace(v[0])
		}
		return ""
	}
	var v errs.Validator
	out := directory.Query{Text: get("q"), Categories: splitList(q["category"]), Sort: directory.Sort(get("sort"))}
	for _, k := range splitList(q["kind"]) {
		out.Kinds = append(out.Kinds, directory.Kind(k))
	}
	if near := get("near"); near != "" {
		p, err := geo.ParsePoint(near)
		v.Check(err == nil, "near", "err.point_format")
		out.Near = &p
	}
	if rad := get("radius"); rad != "" {
		f, err := strconv.ParseFloat(rad, 64)
		v.Check(err == nil && f >= 0 && f <= directory.MaxRadiusM, "radius", "err.radius_range", "Max", directory.MaxRadiusM)
		out.RadiusM = f
	}
	if b := get("bbox"); b != "" {
		box, err := geo.ParseBBox(b)
		v.Check(err == nil, "bbox", "err.bbox_format")
		out.BBox = &box
	}
	if o := get("organisation"); o != "" {
		id, err := strconv.ParseInt(o, 10, 64)
		v.Check(err == nil && id > 0, "organisation", "err.organisation_format")
		out.OrganisationID = max(id, 0)
	}
	if l := get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		v.Check(err == nil && n >= 1 && n <= directory.MaxLimit, "limit", "err.limit_range", "Max", directory.MaxLimit)
		out.Limit = n
	}
	if o := get("offset"); o != "" {
		n, err := strconv.Atoi(o)
		v.Check(err == nil && n >= 0 && n <= directory.MaxOffset, "offset", "err.offset_range", "Max", directory.MaxOffset)
		out.Offset = n
	}
	return out, v.Err()
}

func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	q, err := ParseSearch(r.URL.Query())
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	res, err := s.Directory.Search(r.Context(), ter, q)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Once written, a "near me" page's memory serves the next one
	// (directory.Page).
	defer res.Release()
	withDistance := q.Near != nil
	if !canAppendHits(ter, res.Items, withDistance) {
		s.writeHitsEncoded(w, ter, res, withDistance)
		return
	}
	// The page is built in one pooled buffer and sent with its length: one
	// write to the connection instead of a chunk per 2 kB, and no garbage
	// for the collector (bench/README.md, the 26 November afternoon round).
	// The bytes are writeHitsEncoded's.
	bp := s.bodies.Get().(*[]byte)
	b := append((*bp)[:0], `{"items":[`...)
	for i := range res.Items {
		if i > 0 {
			b = append(b, ',')
		}
		var d *float64
		if withDistance {
			d = &res.Items[i].DistanceM
		}
		b = appendHit(b, ter.Slug, res.Items[i].Initiative, d)
	}
	b = strconv.AppendInt(append(b, `],"total":`...), int64(res.Total), 10)
	if res.TotalCapped {
		b = append(b, `,"total_capped":true`...)
	}
	b = append(b, "}\n"...)
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b) // an error is the client gone
	if cap(b) <= maxPooledBody {
		*bp = b
		s.bodies.Put(bp)
	}
}

// maxPooledBody bounds the buffers kept for the next search page: a page
// of 20 hits is 9 kB in the benchmark city (no descriptions); a larger
// one, 100 hits with long descriptions, is let go.
const maxPooledBody = 256 << 10

// hitJSON is one hit of a search page.
type hitJSON struct {
	Initiative initiativeJSON `json:"initiative"`
	DistanceM  *float64       `json:"distance_m,omitempty"`
}

// writeHitsEncoded writes a search page through encoding/json, hit by hit:
// the JSON of {"items", "total", "total_capped"} as writeJSON writes it,
// with a newline after each hit. It serves the pages appendHit cannot.
func (s *Server) writeHitsEncoded(w http.ResponseWriter, ter *territory.Territory, res directory.Result, withDistance bool) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	enc := json.NewEncoder(w)
	buf := make([]byte, 0, 64)
	_, _ = w.Write(append(buf, `{"items":[`...))
	var x hitJSON
	var d float64
	for i, h := range res.Items {
		if i > 0 {
			_, _ = w.Write(append(buf[:0], ','))
		}
		x = hitJSON{Initiative: s.initiativeJSON(ter, h.Initiative, false)}
		if withDistance {
			d = h.DistanceM
			x.DistanceM = &d
		}
		if err := enc.Encode(&x); err != nil {
			return // the client went away
		}
	}
	buf = strconv.AppendInt(append(buf[:0], `],"total":`...), int64(res.Total), 10)
	if res.TotalCapped {
		buf = append(buf, `,"total_capped":true`...)
	}
	_, _ = w.Write(append(buf, "}\n"...))
}

func (s *Server) apiModeration(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		return s.Directory.ModerationQueue(r.Context(), actorFrom(r.Context()), ter)
	})
}

func (s *Server) apiResolveReport(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Resolution string `json:"resolution"`
	}
	s.apiWrite(w, r, http.StatusNoContent, &body, func(ter *territory.Territory, id int64) (any, error) {
		return nil, s.Directory.ResolveReport(r.Context(), actorFrom(r.Context()), ter, id, body.Resolution)
	})
}

func (s *Server) apiMapJams(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		list, err := s.Directory.ListMapJams(r.Context(), ter)
		if list == nil {
			list = []*directory.MapJam{}
		}
		return map[string]any{"mapjams": list}, err
	})
}

func (s *Server) apiOpenMapJam(w http.ResponseWriter, r *http.Request) {
	apiCreate(s, w, r, func(ctx context.Context, a access.Actor, ter *territory.Territory, m *directory.MapJam) (any, string, error) {
		if err := s.Directory.OpenMapJam(ctx, a, ter, m); err != nil {
			return nil, "", err
		}
		return *m, "", nil
	})
}

func (s *Server) apiMapJam(w http.ResponseWriter, r *http.Request) {
	s.apiDo(w, r, http.StatusOK, func(ter *territory.Territory) (any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return nil, err
		}
		d, err := s.Directory.GetMapJam(r.Context(), actorFrom(r.Context()), ter, id)
		if err != nil {
			return nil, err
		}
		items := make([]initiativeJSON, 0, len(d.Initiatives))
		for _, in := range d.Initiatives {
			items = append(items, s.initiativeJSON(ter, in, false))
		}
		return map[string]any{"mapjam": d.MapJam, "initiatives": items}, nil
	})
}

func (s *Server) apiCloseMapJam(w http.ResponseWriter, r *http.Request) {
	s.apiWrite(w, r, http.StatusNoContent, nil, func(ter *territory.Territory, id int64) (any, error) {
		return nil, s.Directory.CloseMapJam(r.Context(), actorFrom(r.Context()), ter, id)
	})
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	name := r.URL.Query().Get("format")
	if name == "" {
		name = string(interchange.FormatGeoJSON)
	}
	f, err := interchange.ParseFormat(name)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", f.ContentType())
	w.Header().Set("Content-Disposition", `attachment; filename="`+ter.Slug+"-initiatives"+f.Ext()+`"`)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	each := func(yield func(*directory.Initiative) error) error {
		return s.Directory.All(r.Context(), ter, yield)
	}
	if err := interchange.Write(w, f, ter, each, interchange.WriteOptions{BaseURL: s.cfg.BaseURL}); err != nil {
		// Headers are gone once streaming started; the log keeps the cause.
		s.Log.Error("export", "territory", ter.Slug, "format", f, "err", err)
	}
}

const maxImportBody = 64 << 20

func (s *Server) apiImport(w http.ResponseWriter, r *http.Request) {
	ter, ok := s.territory(w, r)
	if !ok {
		return
	}
	a, err := s.writer(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// Refuse before reading a large body.
	if err := a.Require(ter.ID, access.Moderator); err != nil {
		s.renderError(w, r, err)
		return
	}
	q := r.URL.Query()
	f, err := interchange.ParseFormat(q.Get("format"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	opts := interchange.ReadOptions{Map: map[string]string{}}
	for _, m := range q["map"] {
		field, col, ok := strings.Cut(m, "=")
		if !ok || field == "" || col == "" {
			s.renderError(w, r, errs.E(errs.Invalid, "err.map_format", "Value", m))
			return
		}
		opts.Map[field] = col
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxImportBody)
	items, rowErrs, err := interchange.Read(r.Body, f, opts)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	skip := q.Get("skip_invalid") == "true" || q.Get("skip_invalid") == "1"
	res, err := s.importItems(r, a, ter, items, rowErrs, skip)
	if err != nil {
		e, _ := errs.As(err)
		if e != nil && e.Kind == errs.Invalid && len(res.Errors) > 0 {
			e.Fields = res.Errors
		}
		s.renderError(w, r, err)
		return
	}
	loc := s.localizer(r)
	type rowErr struct {
		Row     int    `json:"row"`
		Field   string `json:"field"`
		Message string `json:"message"`
	}
	out := make([]rowErr, 0, len(res.Errors))
	for _, fe := range res.Errors {
		out = append(out, rowErr{Row: fe.Row, Field: fe.Field, Message: loc.T(fe.Key, fe.Args)})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"created": res.Created, "updated": res.Updated, "unchanged": res.Unchanged, "skipped": res.Skipped, "errors": out,
	})
}

// importItems hands every parsed row, with what the reader found wrong in
// it, to the directory, which judges them all at once.
func (s *Server) importItems(r *http.Request, a access.Actor, ter *territory.Territory, items []interchange.Item, rowErrs []errs.FieldError, skip bool) (directory.ImportResult, error) {
	return s.Directory.Import(r.Context(), a, ter, interchange.ImportItems(items, rowErrs), skip)
}
