package web

import (
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// clusterBelowZoom: at map zoom levels below this, a request that names its
// zoom gets server-side clusters instead of individual points.
const clusterBelowZoom = 15

// apiInitiativesGeoJSON serves the map: the published initiatives of a
// viewport as GeoJSON. It is the hottest endpoint, so the viewport is
// snapped outwards to the web-map tile grid and the encoded answer is cached
// per (territory data version, tiles, mode, filter): neighbours panning the
// same area share entries, and any change to the territory's data changes
// the version and so the key. Clients revalidate with ETag / If-None-Match.
func (s *Server) apiInitiativesGeoJSON(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	ter, err := s.Territories.Get(ctx, r.PathValue("slug"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	// The same request as a recent one is answered without parsing it.
	alias := aliasKey{territory: ter.ID, version: ter.DataVersion, query: r.URL.RawQuery}
	e, ok := s.mapCache.byAlias(alias)
	if !ok {
		req, err := parseMapRequest(ter, r.URL.Query())
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		// Requests missing the same key at once (a popular view just
		// after the territory's data changed) share one query.
		e, err = s.mapCache.fill(req.cacheKey(ter), func() ([]byte, error) {
			return s.encodeMap(r, ter, req)
		})
		if err != nil {
			s.renderError(w, r, err)
			return
		}
		s.mapCache.alias(alias, e)
	}
	s.writeMapEntry(w, r, e)
}

// writeMapEntry answers from a cached entry: 304 when the client has it,
// else the body, compressed when the client accepts gzip.
func (s *Server) writeMapEntry(w http.ResponseWriter, r *http.Request, e *tileEntry) {
	hd := w.Header()
	hd["Cache-Control"] = cacheControlMap
	hd["Vary"] = varyMap
	zipped := e.gz != nil && acceptsGzip(r.Header["Accept-Encoding"])
	etag, length := e.etagHdr, e.lengthHdr
	if zipped {
		etag, length = e.gzipETag, e.gzipLength
	}
	hd["Etag"] = etag
	if inm := r.Header["If-None-Match"]; len(inm) > 0 && etagMatch(inm, e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := e.gz
	if zipped {
		hd["Content-Encoding"] = contentEncodingGzip
	} else {
		var err error
		if body, err = s.mapCache.plainBody(e); err != nil {
			delete(hd, "Etag")
			s.renderError(w, r, err)
			return
		}
	}
	hd["Content-Type"] = contentTypeGeoJSON
	hd["Content-Length"] = length
	_, _ = w.Write(body)
}

// etagMatch reports whether an If-None-Match header names etag, in either
// representation (identity or gzip), or is "*". Both share the content, so
// either validates it.
func etagMatch(values []string, etag string) bool {
	bare := etag[:len(etag)-1] // without the closing quote
	for _, v := range values {
		for v != "" {
			var tag string
			tag, v, _ = strings.Cut(v, ",")
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || tag == etag || tag == bare+`-gz"` {
				return true
			}
		}
	}
	return false
}

// acceptsGzip reads Accept-Encoding without allocating: gzip is accepted
// when listed with no q=0.
func acceptsGzip(values []string) bool {
	for _, v := range values {
		for v != "" {
			var part string
			part, v, _ = strings.Cut(v, ",")
			name, params, _ := strings.Cut(part, ";")
			if n := strings.TrimSpace(name); n != "gzip" && n != "x-gzip" {
				continue
			}
			q, _, _ := strings.Cut(strings.TrimSpace(params), ";")
			q = strings.ReplaceAll(q, " ", "")
			return !(q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000")
		}
	}
	return false
}

var (
	cacheControlMap     = []string{"public, max-age=30"}
	varyMap             = []string{"Accept-Encoding"}
	contentTypeGeoJSON  = []string{"application/geo+json"}
	contentEncodingGzip = []string{"gzip"}
)

type mapRequest struct {
	box       geo.BBox // the snapped box actually queried
	tiles     [5]int   // z, x0, y0, x1, y1
	zoom      int      // -1: no zoom given, points
	cluster   bool
	filter    directory.Filter
	filterKey string
	empty     bool // the viewport is outside the territory
}

func parseMapRequest(ter *territory.Territory, q map[string][]string) (*mapRequest, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	req := &mapRequest{zoom: -1}
	view := ter.BBox
	if b := get("bbox"); b != "" {
		var err error
		if view, err = geo.ParseBBox(b); err != nil {
			return nil, err
		}
	}
	if z := get("zoom"); z != "" {
		n, err := strconv.Atoi(z)
		if err != nil || n < 0 || n > directory.MaxZoom {
			return nil, errs.E(errs.Invalid, "err.zoom_range", "Max", directory.MaxZoom)
		}
		req.zoom = n
		req.cluster = n < clusterBelowZoom
	}
	text := strings.TrimSpace(get("q"))
	if utf8.RuneCountInString(text) > directory.MaxTextLen {
		return nil, errs.E(errs.Invalid, "err.query_too_long", "Max", directory.MaxTextLen)
	}
	req.filter.Text = text
	for _, c := range splitList(q["category"]) {
		req.filter.Categories = append(req.filter.Categories, c)
	}
	for _, k := range splitList(q["kind"]) {
		req.filter.Kinds = append(req.filter.Kinds, directory.Kind(k))
	}
	sort.Strings(req.filter.Categories)
	sort.Slice(req.filter.Kinds, func(i, j int) bool { return req.filter.Kinds[i] < req.filter.Kinds[j] })
	var fk strings.Builder
	fk.WriteString(strings.ToLower(text))
	fk.WriteByte('|')
	fk.WriteString(strings.Join(req.filter.Categories, ","))
	fk.WriteByte('|')
	for _, k := range req.filter.Kinds {
		fk.WriteString(string(k))
		fk.WriteByte(',')
	}
	req.filterKey = fk.String()

	clipped, ok := view.Intersect(ter.BBox)
	if !ok {
		req.empty = true
		return req, nil
	}
	// Tiles at a zoom where the viewport spans at most three tiles a side.
	width := math.Max(clipped.MaxLon-clipped.MinLon, (clipped.MaxLat-clipped.MinLat)*1.5)
	z := int(math.Floor(math.Log2(720 / math.Max(width, 1e-6))))
	z = max(0, min(z, 20))
	a := geo.TileOf(geo.Point{Lat: clipped.MaxLat, Lon: clipped.MinLon}, z)
	b := geo.TileOf(geo.Point{Lat: clipped.MinLat, Lon: clipped.MaxLon}, z)
	req.tiles = [5]int{z, a.X, a.Y, b.X, b.Y}
	nw, se := a.Bounds(), b.Bounds()
	snapped := geo.BBox{MinLon: nw.MinLon, MaxLat: nw.MaxLat, MaxLon: se.MaxLon, MinLat: se.MinLat}
	req.box, _ = snapped.Intersect(ter.BBox)
	return req, nil
}

func splitList(values []string) []string {
	var out []string
	for _, v := range values {
		for _, p := range strings.Split(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

func (m *mapRequest) cacheKey(ter *territory.Territory) string {
	b := make([]byte, 0, 96)
	b = strconv.AppendInt(b, ter.ID, 10)
	b = append(b, '/')
	b = strconv.AppendInt(b, ter.DataVersion, 10)
	b = append(b, '/')
	if m.empty {
		return string(append(b, "empty"...))
	}
	for _, t := range m.tiles {
		b = strconv.AppendInt(b, int64(t), 10)
		b = append(b, ',')
	}
	if m.cluster {
		b = append(b, 'c')
		b = strconv.AppendInt(b, int64(m.zoom), 10)
	} else {
		b = append(b, 'p')
	}
	b = append(b, '/')
	b = append(b, m.filterKey...)
	return string(b)
}

// encodeMap queries the directory and writes the GeoJSON by hand: the
// answer is a fixed shape, and appending to one buffer is several times
// faster than reflection-based encoding.
func (s *Server) encodeMap(r *http.Request, ter *territory.Territory, req *mapRequest) ([]byte, error) {
	buf := make([]byte, 0, 4096)
	buf = append(buf, `{"type":"FeatureCollection","bbox":[`...)
	box := req.box
	if req.empty {
		box = ter.BBox
	}
	buf = appendCoord(buf, box.MinLon)
	buf = append(buf, ',')
	buf = appendCoord(buf, box.MinLat)
	buf = append(buf, ',')
	buf = appendCoord(buf, box.MaxLon)
	buf = append(buf, ',')
	buf = appendCoord(buf, box.MaxLat)
	buf = append(buf, `],"features":[`...)
	if req.empty {
		return append(buf, "]}"...), nil
	}
	if req.cluster {
		clusters, err := s.Directory.Clusters(r.Context(), ter, req.box, req.zoom, req.filter)
		if err != nil {
			return nil, err
		}
		for i, c := range clusters {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = append(buf, `{"type":"Feature","geometry":{"type":"Point","coordinates":[`...)
			buf = appendCoord(buf, c.Lon)
			buf = append(buf, ',')
			buf = appendCoord(buf, c.Lat)
			buf = append(buf, `]},"properties":{"cluster":true,"count":`...)
			buf = strconv.AppendInt(buf, int64(c.Count), 10)
			if c.ID != 0 {
				buf = append(buf, `,"id":`...)
				buf = strconv.AppendInt(buf, c.ID, 10)
			}
			if c.Name != "" {
				buf = append(buf, `,"name":`...)
				buf = appendJSONString(buf, c.Name)
			}
			buf = append(buf, "}}"...)
		}
		return append(buf, `],"clustered":true}`...), nil
	}
	points, err := s.Directory.InBox(r.Context(), ter, req.box, req.filter, directory.MaxMapPoints+1)
	if err != nil {
		return nil, err
	}
	truncated := len(points) > directory.MaxMapPoints
	if truncated {
		points = points[:directory.MaxMapPoints]
	}
	// A feature takes about 250 bytes: growing the buffer once instead of
	// doubling it a dozen times spares the garbage of the big answers.
	buf = slices.Grow(buf, len(points)*featureSizeHint+64)
	for i, p := range points {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"type":"Feature","id":`...)
		buf = strconv.AppendInt(buf, p.ID, 10)
		buf = append(buf, `,"geometry":{"type":"Point","coordinates":[`...)
		buf = appendCoord(buf, p.Lon)
		buf = append(buf, ',')
		buf = appendCoord(buf, p.Lat)
		buf = append(buf, `]},"properties":{"id":`...)
		buf = strconv.AppendInt(buf, p.ID, 10)
		buf = append(buf, `,"name":`...)
		buf = appendJSONString(buf, p.Name)
		buf = append(buf, `,"kind":`...)
		buf = appendJSONString(buf, string(p.Kind))
		buf = append(buf, `,"categories":[`...)
		for j, c := range p.Categories {
			if j > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSONString(buf, c)
		}
		buf = append(buf, `],"url":"/t/`...)
		buf = append(buf, ter.Slug...)
		buf = append(buf, "/initiatives/"...)
		buf = strconv.AppendInt(buf, p.ID, 10)
		buf = append(buf, `"}}`...)
	}
	buf = append(buf, `],"truncated":`...)
	buf = strconv.AppendBool(buf, truncated)
	return append(buf, '}'), nil
}

const featureSizeHint = 256

// appendCoord writes a coordinate with 6 decimals (about 10 cm).
func appendCoord(b []byte, f float64) []byte {
	return strconv.AppendFloat(b, math.Round(f*1e6)/1e6, 'f', -1, 64)
}
