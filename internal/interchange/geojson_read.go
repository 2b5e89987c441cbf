package interchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// ReadGeoJSON parses an RFC 7946 FeatureCollection (or a single Feature) of
// Point features. Properties are matched with the same synonyms as CSV
// columns, or by opts.Map. Features are read one at a time, so a large file
// is never held whole; a feature with another geometry, or none, is reported
// by its 1-based position (unless its properties carry a position).
func ReadGeoJSON(r io.Reader, opts ReadOptions) (items []Item, rowErrs []errs.FieldError, err error) {
	guard := &guardReader{r: r}
	dec := json.NewDecoder(guard)
	dec.UseNumber()
	b := &rowBuilder{v: newVocab(), opts: opts}
	if bad := badMapKeys(b.v.match, opts.Map); bad != nil {
		return nil, nil, bad
	}

	tok, err := dec.Token()
	if err != nil {
		return nil, nil, geojsonFileError(err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, nil, errs.E(errs.Invalid, "err.geojson_format")
	}
	var typ string
	var single json.RawMessage // a top-level Feature, kept whole
	sawFeatures := false
	row := 0
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, geojsonFileError(err)
		}
		guard.mark = dec.InputOffset()
		key, _ := tok.(string)
		switch key {
		case "type":
			if err := dec.Decode(&typ); err != nil {
				return nil, nil, geojsonFileError(err)
			}
		case "features":
			sawFeatures = true
			if tok, err = dec.Token(); err != nil {
				return nil, nil, geojsonFileError(err)
			}
			if d, ok := tok.(json.Delim); !ok || d != '[' {
				return nil, nil, errs.E(errs.Invalid, "err.geojson_format")
			}
			for dec.More() {
				var raw json.RawMessage
				if err := dec.Decode(&raw); err != nil {
					return nil, nil, geojsonFileError(err)
				}
				guard.mark = dec.InputOffset()
				row++
				if row > MaxRows {
					return nil, nil, errs.E(errs.Invalid, "err.import_too_many_rows", "Max", MaxRows)
				}
				if it, ok := b.feature(row, raw); ok {
					items = append(items, it)
				}
				if b.tooMany() {
					return items, b.errs, errs.E(errs.Invalid, "err.import_too_many_errors", "Max", MaxRowErrors)
				}
			}
			if _, err := dec.Token(); err != nil {
				return nil, nil, geojsonFileError(err)
			}
		default:
			// geometry, properties and id of a lone Feature; foreign members
			// (bbox, name, crs) of a collection are skipped.
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, nil, geojsonFileError(err)
			}
			if key == "geometry" || key == "properties" || key == "id" {
				single = appendMember(single, key, raw)
			}
		}
	}
	if _, err := dec.Token(); err != nil {
		return nil, nil, geojsonFileError(err)
	}
	switch {
	case typ == "FeatureCollection" && sawFeatures:
	case typ == "Feature" && !sawFeatures:
		single = appendMember(single, "type", json.RawMessage(`"Feature"`))
		if it, ok := b.feature(1, append(single, '}')); ok {
			items = append(items, it)
		}
		row = 1
	default:
		return nil, nil, errs.E(errs.Invalid, "err.geojson_type", "Type", typ)
	}
	if row == 0 {
		return nil, nil, errs.E(errs.Invalid, "err.import_empty")
	}
	return items, b.errs, nil
}

// appendMember builds a JSON object member by member; the caller closes it.
func appendMember(obj json.RawMessage, key string, val json.RawMessage) json.RawMessage {
	if obj == nil {
		obj = json.RawMessage{'{'}
	} else {
		obj = append(obj, ',')
	}
	k, _ := json.Marshal(key)
	obj = append(obj, k...)
	obj = append(obj, ':')
	return append(obj, val...)
}

func badMapKeys(m *matcher, explicit map[string]string) error {
	_, _, bad := m.assign(nil, explicit)
	if len(bad) == 0 {
		return nil
	}
	var fe []errs.FieldError
	for _, k := range bad {
		fe = append(fe, errs.FieldError{Field: k, Key: "err.import_field_unknown", Args: map[string]any{"Field": k}})
	}
	return &errs.Error{Kind: errs.Invalid, Key: "err.import_columns", Fields: fe}
}

func geojsonFileError(err error) error {
	if errors.Is(err, errRecordTooLarge) {
		return errs.E(errs.Invalid, "err.import_record_too_large", "Max", maxRecordBytes)
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	if errors.As(err, &se) || errors.As(err, &te) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return &errs.Error{Kind: errs.Invalid, Key: "err.geojson_format", Err: err}
	}
	return fmt.Errorf("interchange: read geojson: %w", err)
}

type featureIn struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Geometry   json.RawMessage `json:"geometry"`
	Properties json.RawMessage `json:"properties"`
}

type geometryIn struct {
	Type        string          `json:"type"`
	Coordinates json.RawMessage `json:"coordinates"`
}

// feature interprets one feature; ok is false when nothing usable was there.
func (b *rowBuilder) feature(row int, raw json.RawMessage) (Item, bool) {
	var f featureIn
	if err := json.Unmarshal(raw, &f); err != nil || f.Type != "Feature" {
		b.fail(row, fGeo, "err.geojson_feature")
		return Item{}, false
	}
	r := rawRow{row: row}
	props := map[string]any{}
	if len(f.Properties) > 0 && string(f.Properties) != "null" {
		d := json.NewDecoder(bytes.NewReader(f.Properties))
		d.UseNumber()
		if err := d.Decode(&props); err != nil {
			b.fail(row, fName, "err.geojson_properties")
			return Item{}, false
		}
	}
	b.properties(&r, props)
	if r.text[fID] == "" && len(f.ID) > 0 && string(f.ID) != "null" {
		var id any
		if json.Unmarshal(f.ID, &id) == nil {
			r.text[fID] = scalarText(id)
		}
	}
	geomErr := b.geometry(&r, f.Geometry)
	if geomErr != "" && r.text[fLat] == "" && r.text[fGeo] == "" {
		if geomErr == "err.geometry_type" {
			b.fail(row, fGeo, geomErr, "Type", geometryType(f.Geometry))
		} else {
			b.fail(row, fGeo, geomErr)
		}
	}
	return b.build(&r), true
}

// geometry sets r.pos from a Point; else it returns the error key.
func (b *rowBuilder) geometry(r *rawRow, raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return "err.geometry_missing"
	}
	var g geometryIn
	if err := json.Unmarshal(raw, &g); err != nil {
		return "err.geometry_format"
	}
	if g.Type != "Point" {
		return "err.geometry_type"
	}
	var c []float64
	if err := json.Unmarshal(g.Coordinates, &c); err != nil || len(c) < 2 || len(c) > 3 {
		return "err.geometry_format"
	}
	p := geo.Point{Lat: c[1], Lon: c[0]}
	if !p.Valid() {
		return "err.coordinates_range"
	}
	r.pos = &p
	return ""
}

func geometryType(raw json.RawMessage) string {
	var g geometryIn
	_ = json.Unmarshal(raw, &g)
	return g.Type
}

// properties assigns property values to fields, arrays to list fields and
// structured opening hours to r.hours.
func (b *rowBuilder) properties(r *rawRow, props map[string]any) {
	names := make([]string, 0, len(props))
	for k := range props {
		names = append(names, k)
	}
	// Sorted, so that equal-rank duplicates resolve the same way every time.
	sort.Strings(names)
	cols, _, _ := b.v.match.assign(names, b.opts.Map)
	for f, i := range cols {
		if i < 0 {
			continue
		}
		r.column[f] = names[i]
		switch v := props[names[i]].(type) {
		case []any:
			if field(f) == fOpeningHours && len(v) > 0 {
				if _, isObject := v[0].(map[string]any); isObject {
					h, ok := structuredHours(v)
					if !ok {
						b.fail(r.row, fOpeningHours, "err.opening_hours", "Column", names[i])
					}
					r.hours = h
					continue
				}
			}
			if field(f) == fGeo && len(v) == 2 {
				r.text[f] = scalarText(v[0]) + "," + scalarText(v[1])
				continue
			}
			list := make([]string, 0, len(v))
			for _, x := range v {
				list = append(list, scalarText(x))
			}
			if field(f) == fCategories || field(f) == fTags {
				r.list[f] = list
			} else {
				r.text[f] = strings.Join(list, ", ")
			}
		case map[string]any:
			// geo_point_2d as {"lat":..,"lon":..}
			if field(f) == fGeo {
				r.text[f] = scalarText(v["lat"]) + "," + scalarText(firstOf(v, "lon", "lng"))
			} else {
				b.fail(r.row, field(f), "err.geojson_value_type", "Column", names[i])
			}
		default:
			r.text[f] = scalarText(v)
		}
	}
}

func firstOf(m map[string]any, keys ...string) any {
	for _, k := range keys {
		if v, ok := m[k]; ok {
			return v
		}
	}
	return nil
}

func scalarText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// structuredHours reads [{"day":1,"opens":"09:00","closes":"18:00"}], the
// directory's own JSON form.
func structuredHours(v []any) ([]directory.OpeningHours, bool) {
	out := make([]directory.OpeningHours, 0, len(v))
	for _, x := range v {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, false
		}
		n, ok := m["day"].(json.Number)
		if !ok {
			return nil, false
		}
		day, err := n.Int64()
		opens, _ := m["opens"].(string)
		closes, _ := m["closes"].(string)
		opens, closes, herr := parseTimeRange(opens + "-" + closes)
		if err != nil || herr != nil || day < 1 || day > 7 {
			return nil, false
		}
		out = append(out, directory.OpeningHours{Day: int(day), Opens: opens, Close: closes})
	}
	return out, true
}
