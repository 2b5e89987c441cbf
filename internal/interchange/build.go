package interchange

import (
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// rawRow is one row as found in the file, before interpretation: a text per
// field, or a list when the format has arrays (GeoJSON).
type rawRow struct {
	row    int
	text   [numFields]string
	list   [numFields][]string
	column [numFields]string // the file's own name for the field, for messages
	hours  []directory.OpeningHours
	// pos is set when the format carries a geometry; it wins over columns.
	pos *geo.Point
}

// rowBuilder turns raw rows into items, collecting row errors.
type rowBuilder struct {
	v    *vocab
	opts ReadOptions
	errs []errs.FieldError
}

func (b *rowBuilder) fail(row int, f field, key string, args ...any) {
	fe := errs.FieldError{Field: fieldNames[f], Key: key, Row: row}
	if len(args) > 0 {
		fe.Args = errs.E(errs.Invalid, key, args...).Args
	}
	b.errs = append(b.errs, fe)
}

// failValue records an error naming the column and the offending value
// (shortened), so the user can find it in the file.
func (b *rowBuilder) failValue(r *rawRow, f field, key, value string, args ...any) {
	if len(value) > 80 {
		value = strings.ToValidUTF8(value[:80], "") + "…"
	}
	b.fail(r.row, f, key, append([]any{"Column", r.column[f], "Value", value}, args...)...)
}

func (b *rowBuilder) tooMany() bool { return len(b.errs) >= MaxRowErrors }

// empty reports a row with nothing in it (spreadsheets export trailing
// ";;;;" lines).
func (r *rawRow) empty() bool {
	for f := range r.text {
		if r.text[f] != "" || len(r.list[f]) > 0 {
			return false
		}
	}
	return r.pos == nil && r.hours == nil
}

// build interprets a raw row. Values it cannot read are reported and left
// out; values it reads but does not recognise (an unknown category) are kept
// as they are, for the service's validation to name.
func (b *rowBuilder) build(r *rawRow) Item {
	for f := range r.text {
		if len(r.text[f]) > MaxFieldBytes {
			b.fail(r.row, field(f), "err.too_long", "Column", r.column[f], "Max", MaxFieldBytes)
			r.text[f] = ""
		}
		r.text[f] = cleanText(r.text[f], field(f) == fDescription || field(f) == fGovernance || field(f) == fCommunity || field(f) == fResource)
	}
	in := directory.Initiative{
		Name:        r.text[fName],
		Summary:     r.text[fSummary],
		Description: r.text[fDescription],
		Address:     r.text[fAddress],
		Website:     normWebsite(r.text[fWebsite]),
		Email:       normEmail(r.text[fEmail]),
		Phone:       r.text[fPhone],
		Commons: directory.Commons{
			Resource:   r.text[fResource],
			Community:  r.text[fCommunity],
			Governance: r.text[fGovernance],
		},
	}
	for _, c := range b.list(r, fCategories) {
		in.Categories = append(in.Categories, b.v.category(c))
	}
	if len(in.Categories) == 0 && len(b.opts.DefaultCategories) > 0 {
		in.Categories = append([]string(nil), b.opts.DefaultCategories...)
	}
	in.Tags = b.list(r, fTags)
	if k := r.text[fKind]; k != "" {
		in.Kind = b.v.kind(k)
	} else {
		in.Kind = b.opts.DefaultKind
	}
	b.position(r, &in)
	switch {
	case r.hours != nil:
		in.OpeningHours = r.hours
	case r.text[fOpeningHours] != "":
		h, err := ParseOpeningHours(r.text[fOpeningHours])
		if err != nil {
			b.failValue(r, fOpeningHours, "err.opening_hours", r.text[fOpeningHours])
		}
		in.OpeningHours = h
	}
	return Item{Row: r.row, SourceKey: r.text[fID], Initiative: in}
}

func (b *rowBuilder) list(r *rawRow, f field) []string {
	if r.list[f] != nil {
		var out []string
		for _, s := range r.list[f] {
			if s = cleanText(s, false); s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return splitList(r.text[f])
}

// position reads lat/lon columns, else a single "lat,lon" column. A missing
// position is left zero: the service reports it as required.
func (b *rowBuilder) position(r *rawRow, in *directory.Initiative) {
	if r.pos != nil {
		in.Position = *r.pos
		return
	}
	lat, lon := r.text[fLat], r.text[fLon]
	if lat != "" || lon != "" {
		y, okLat := parseCoord(lat)
		x, okLon := parseCoord(lon)
		if !okLat {
			b.failValue(r, fLat, "err.coordinates_format", lat)
		}
		if !okLon {
			b.failValue(r, fLon, "err.coordinates_format", lon)
		}
		if okLat && okLon {
			b.setPosition(r, fLat, geo.Point{Lat: y, Lon: x}, lat+", "+lon, in)
		}
		return
	}
	if g := r.text[fGeo]; g != "" {
		y, x, ok := parseGeoPair(g)
		if !ok {
			b.failValue(r, fGeo, "err.coordinates_format", g)
			return
		}
		b.setPosition(r, fGeo, geo.Point{Lat: y, Lon: x}, g, in)
	}
}

func (b *rowBuilder) setPosition(r *rawRow, f field, p geo.Point, shown string, in *directory.Initiative) {
	if !p.Valid() {
		// Often projected coordinates (Lambert 93 in French files) in x/y.
		b.failValue(r, f, "err.coordinates_range", shown)
		return
	}
	in.Position = p
}
