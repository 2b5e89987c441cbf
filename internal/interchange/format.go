package interchange

import (
	"io"
	"path/filepath"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Format names a file format, as given to --format or in a URL.
type Format string

const (
	FormatCSV     Format = "csv"
	FormatGeoJSON Format = "geojson"
	FormatJSONLD  Format = "jsonld"
)

// ParseFormat reads a format name ("csv", "geojson", "json-ld"...).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv", "tsv":
		return FormatCSV, nil
	case "geojson", "json":
		return FormatGeoJSON, nil
	case "jsonld", "json-ld":
		return FormatJSONLD, nil
	}
	return "", errs.E(errs.Invalid, "err.format_unknown", "Format", s)
}

// FormatOf guesses a file's format from its extension.
func FormatOf(filename string) (Format, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".csv", ".tsv", ".txt":
		return FormatCSV, nil
	case ".geojson", ".json":
		return FormatGeoJSON, nil
	case ".jsonld":
		return FormatJSONLD, nil
	}
	return "", errs.E(errs.Invalid, "err.format_unknown", "Format", filepath.Ext(filename))
}

// ContentType is the media type to serve a format with.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatGeoJSON:
		return "application/geo+json"
	case FormatJSONLD:
		return "application/ld+json"
	}
	return "application/octet-stream"
}

// Ext is the usual file extension of a format, with its dot.
func (f Format) Ext() string {
	switch f {
	case FormatGeoJSON:
		return ".geojson"
	case FormatJSONLD:
		return ".jsonld"
	}
	return ".csv"
}

// Read parses a file in a readable format (CSV or GeoJSON).
func Read(r io.Reader, f Format, opts ReadOptions) ([]Item, []errs.FieldError, error) {
	switch f {
	case FormatCSV:
		return ReadCSV(r, opts)
	case FormatGeoJSON:
		return ReadGeoJSON(r, opts)
	}
	return nil, nil, errs.E(errs.Invalid, "err.format_unreadable", "Format", string(f))
}

// Write writes initiatives in any format.
func Write(w io.Writer, f Format, ter *territory.Territory, each Each, opts WriteOptions) error {
	switch f {
	case FormatCSV:
		return WriteCSV(w, ter, each, opts)
	case FormatGeoJSON:
		return WriteGeoJSON(w, ter, each, opts)
	case FormatJSONLD:
		return WriteJSONLD(w, ter, each, opts)
	}
	return errs.E(errs.Invalid, "err.format_unknown", "Format", string(f))
}
