package interchange

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// France's national schema of carpool areas and meeting points,
// etalab/schema-lieux-covoiturage (schema.data.gouv.fr, version 0.2.x): a
// CSV with these columns, in this order. A carpool area becomes a published
// initiative of the mobility category (see directory.CarpoolArea); the
// file round-trips through ReadLieuxCovoiturage and WriteLieuxCovoiturage.

// FormatLieuxCovoiturage names the schema for --format and in URLs.
const FormatLieuxCovoiturage Format = "lieux-covoiturage"

// IsLieuxCovoiturage reports whether a --format value names the schema.
func IsLieuxCovoiturage(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "lieux-covoiturage", "schema-lieux-covoiturage", "lieux_covoiturage", "covoiturage":
		return true
	}
	return false
}

// LieuxCovoiturageHeader is the schema's column list.
var LieuxCovoiturageHeader = []string{
	"id_lieu", "id_local", "nom_lieu", "ad_lieu", "com_lieu", "insee", "type", "date_maj", "ouvert", "source",
	"Xlong", "Ylat", "nbre_pl", "nbre_pmr", "duree", "horaires", "proprio", "lumiere", "comm",
}

// maxCarpoolFileBytes bounds a carpool-areas file: the national file of
// every French area is a few megabytes.
const maxCarpoolFileBytes = 64 << 20

// CarpoolReadOptions tune ReadLieuxCovoiturage.
type CarpoolReadOptions struct {
	// Today fills date_maj when a row leaves it empty (default: now).
	Today time.Time
}

// ReadLieuxCovoiturage parses a CSV of the national schema (UTF-8, with or
// without BOM, or Windows-1252; comma, semicolon or tab). Columns are
// matched by name, whatever their case or order; id_lieu, nom_lieu, Xlong
// and Ylat must be there. Rows get one error per bad value, naming the
// column and the value; the territory's boundary and the schema's rules
// are the directory's to check (directory.Service.ImportCarpoolAreas).
// Lenient where files commonly are: an empty insee is taken from id_lieu,
// an empty date_maj is today, an empty ouvert is true, type is matched
// without regard to case or accents.
func ReadLieuxCovoiturage(r io.Reader, opts CarpoolReadOptions) ([]directory.CarpoolImportItem, []errs.FieldError, error) {
	if opts.Today.IsZero() {
		opts.Today = time.Now()
	}
	data, err := io.ReadAll(io.LimitReader(r, maxCarpoolFileBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("interchange: read lieux-covoiturage: %w", err)
	}
	if len(data) > maxCarpoolFileBytes {
		return nil, nil, errs.E(errs.Invalid, "err.carpool_file_too_large", "Max", maxCarpoolFileBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		if d, err := charmap.Windows1252.NewDecoder().Bytes(data); err == nil {
			data = d
		}
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil, errs.E(errs.Invalid, "err.import_empty")
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = carpoolDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, csvFileError(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(h))] = i
	}
	var missing []errs.FieldError
	for _, c := range []string{"id_lieu", "nom_lieu", "Xlong", "Ylat"} {
		if _, ok := col[strings.ToLower(c)]; !ok {
			missing = append(missing, errs.FieldError{Field: c, Key: "err.import_column_missing"})
		}
	}
	if len(missing) > 0 {
		return nil, nil, &errs.Error{Kind: errs.Invalid, Key: "err.import_columns", Fields: missing}
	}
	var items []directory.CarpoolImportItem
	var rowErrs []errs.FieldError
	today := opts.Today.Format(time.DateOnly)
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rowErrs = append(rowErrs, errs.FieldError{Field: "row", Key: "err.csv_format", Row: row, Args: map[string]any{"Line": pe.Line}})
			continue
		}
		if err != nil {
			return nil, nil, csvFileError(err)
		}
		if row > MaxRows {
			return nil, nil, errs.E(errs.Invalid, "err.import_too_many_rows", "Max", MaxRows)
		}
		cr := carpoolRow{row: row, rec: rec, col: col}
		if cr.blank() {
			continue
		}
		items = append(items, cr.build(today))
		rowErrs = append(rowErrs, cr.errs...)
		if len(rowErrs) >= MaxRowErrors {
			return items, rowErrs, errs.E(errs.Invalid, "err.import_too_many_errors", "Max", MaxRowErrors)
		}
	}
	if len(items) == 0 && len(rowErrs) == 0 {
		return nil, nil, errs.E(errs.Invalid, "err.import_empty")
	}
	return items, rowErrs, nil
}

// carpoolDelimiter picks the most frequent of comma, semicolon and tab on
// the header line.
func carpoolDelimiter(data []byte) rune {
	line, _, _ := bytes.Cut(data, []byte("\n"))
	best, n := ',', bytes.Count(line, []byte(","))
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

type carpoolRow struct {
	row  int
	rec  []string
	col  map[string]int
	errs []errs.FieldError
}

func (r *carpoolRow) get(name string) string {
	i, ok := r.col[strings.ToLower(name)]
	if !ok || i >= len(r.rec) {
		return ""
	}
	return cleanText(unescapeCell(r.rec[i]), name == "comm")
}

func (r *carpoolRow) blank() bool {
	for _, v := range r.rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

func (r *carpoolRow) fail(column, key, value string) {
	if len(value) > 80 {
		value = strings.ToValidUTF8(value[:80], "") + "…"
	}
	r.errs = append(r.errs, errs.FieldError{Field: column, Key: key, Row: r.row, Args: map[string]any{"Column": column, "Value": value}})
}

func (r *carpoolRow) build(today string) directory.CarpoolImportItem {
	a := directory.CarpoolArea{
		NationalID:  strings.ToUpper(r.get("id_lieu")),
		LocalID:     r.get("id_local"),
		INSEE:       strings.ToUpper(r.get("insee")),
		Commune:     r.get("com_lieu"),
		UpdatedOn:   r.get("date_maj"),
		SourceSIREN: strings.ReplaceAll(r.get("source"), " ", ""),
		Hours:       r.get("horaires"),
		Owner:       r.get("proprio"),
		Comment:     r.get("comm"),
		Open:        true,
	}
	if a.INSEE == "" && len(a.NationalID) >= 5 {
		a.INSEE = a.NationalID[:5]
	}
	a.Type = carpoolType(r.get("type"))
	if a.Type == "" {
		r.fail("type", "err.carpool_type", r.get("type"))
	}
	if a.UpdatedOn == "" {
		a.UpdatedOn = today
	} else if d, ok := parseDate(a.UpdatedOn); ok {
		a.UpdatedOn = d
	} else {
		r.fail("date_maj", "err.carpool_date", a.UpdatedOn)
	}
	if v := r.get("ouvert"); v != "" {
		if b, ok := parseBool(v); ok {
			a.Open = b
		} else {
			r.fail("ouvert", "err.carpool_bool", v)
		}
	}
	if v := r.get("lumiere"); v != "" {
		if b, ok := parseBool(v); ok {
			a.Lighting = &b
		} else {
			r.fail("lumiere", "err.carpool_bool", v)
		}
	}
	for _, c := range []struct {
		name string
		dst  **int
	}{{"nbre_pl", &a.Places}, {"nbre_pmr", &a.PMRPlaces}, {"duree", &a.MaxStayMinutes}} {
		v := r.get(c.name)
		if v == "" {
			continue
		}
		n, ok := parseCount(v)
		if !ok {
			r.fail(c.name, "err.carpool_count_value", v)
			continue
		}
		*c.dst = &n
	}

	in := directory.Initiative{
		Name:       r.get("nom_lieu"),
		Summary:    a.Type,
		Address:    r.get("ad_lieu"),
		Categories: []string{"mobility"},
		Tags:       []string{directory.CarpoolAreaTag},
		Kind:       directory.KindPublicService,
	}
	if a.Type == "Supermarché" {
		in.Kind = directory.KindCompany
	}
	if a.Comment != "" {
		in.Description = a.Comment
	}
	if a.Hours != "" {
		// Hours in OpenStreetMap's syntax fill the opening hours; others
		// ("24h/24", "selon ouverture du magasin") stay as written.
		if h, err := ParseOpeningHours(a.Hours); err == nil {
			in.OpeningHours = h
		}
	}
	xs, ys := r.get("Xlong"), r.get("Ylat")
	lon, okLon := parseCoord(xs)
	lat, okLat := parseCoord(ys)
	switch {
	case xs == "" || ys == "":
		r.errs = append(r.errs, errs.FieldError{Field: "position", Key: "err.position_required", Row: r.row})
	case !okLon:
		r.fail("Xlong", "err.coordinates_format", xs)
	case !okLat:
		r.fail("Ylat", "err.coordinates_format", ys)
	case !(geo.Point{Lat: lat, Lon: lon}).Valid():
		r.fail("Ylat", "err.coordinates_range", ys+", "+xs)
	default:
		in.Position = geo.Point{Lat: lat, Lon: lon}
	}
	var rowErrs []errs.FieldError
	for _, e := range r.errs {
		if e.Row == r.row {
			rowErrs = append(rowErrs, e)
		}
	}
	return directory.CarpoolImportItem{
		ImportItem: directory.ImportItem{Row: r.row, SourceKey: directory.CarpoolSourcePrefix + a.NationalID, Initiative: in, Errors: rowErrs},
		Area:       a,
	}
}

// carpoolType matches a type to the schema's spelling, ignoring case,
// accents and punctuation; "" when it is none of them.
func carpoolType(s string) string {
	k := normName(s)
	if k == "" {
		return ""
	}
	for _, t := range directory.CarpoolAreaTypes {
		if normName(t) == k {
			return t
		}
	}
	switch k {
	case "aire", "aire_covoiturage_officielle", "aire_officielle":
		return "Aire de covoiturage"
	case "parking_relai", "p_r", "pr", "parc_relais":
		return "Parking relais"
	case "autostop", "auto_stop", "arret_auto_stop":
		return "Auto-stop"
	}
	return ""
}

// parseBool reads the schema's booleans and the usual spellings.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "oui", "vrai", "yes", "o", "y", "t":
		return true, true
	case "false", "0", "non", "faux", "no", "n", "f":
		return false, true
	}
	return false, false
}

// parseCount reads a non-negative integer, also written "42.0".
func parseCount(s string) (int, bool) {
	f, ok := parseCoord(s)
	if !ok || f < 0 || f > 100000 || f != float64(int(f)) {
		return 0, false
	}
	return int(f), true
}

// parseDate reads YYYY-MM-DD, or DD/MM/YYYY as French spreadsheets write
// it, into YYYY-MM-DD.
func parseDate(s string) (string, bool) {
	for _, layout := range []string{time.DateOnly, "02/01/2006", "2006/01/02", time.RFC3339, "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Format(time.DateOnly), true
		}
	}
	return "", false
}

// WriteLieuxCovoiturage writes carpool areas as a CSV of the national
// schema: UTF-8, comma, the schema's header, booleans as true/false,
// coordinates with six decimals. Rows whose fields break the schema
// (entries edited since their import) are left out, so that the file
// stays valid.
func WriteLieuxCovoiturage(w io.Writer, each func(yield func(*directory.CarpoolAreaHit) error) error) error {
	bw := bufio.NewWriter(w)
	cw := csv.NewWriter(bw)
	if err := cw.Write(LieuxCovoiturageHeader); err != nil {
		return fmt.Errorf("interchange: write lieux-covoiturage: %w", err)
	}
	rec := make([]string, len(LieuxCovoiturageHeader))
	err := each(func(h *directory.CarpoolAreaHit) error {
		in, a := h.Initiative, h.Area
		if !public(in) || a.Validate() != nil {
			return nil
		}
		hours := a.Hours
		if hours == "" {
			hours = FormatOpeningHours(in.OpeningHours)
		}
		rec[0] = a.NationalID
		rec[1] = escapeCell(a.LocalID)
		rec[2] = escapeCell(in.Name)
		rec[3] = escapeCell(in.Address)
		rec[4] = escapeCell(a.Commune)
		rec[5] = a.INSEE
		rec[6] = a.Type
		rec[7] = a.UpdatedOn
		rec[8] = strconv.FormatBool(a.Open)
		rec[9] = a.SourceSIREN
		rec[10] = strconv.FormatFloat(in.Position.Lon, 'f', 6, 64)
		rec[11] = strconv.FormatFloat(in.Position.Lat, 'f', 6, 64)
		rec[12] = optInt(a.Places)
		rec[13] = optInt(a.PMRPlaces)
		rec[14] = optInt(a.MaxStayMinutes)
		rec[15] = escapeCell(hours)
		rec[16] = escapeCell(a.Owner)
		rec[17] = ""
		if a.Lighting != nil {
			rec[17] = strconv.FormatBool(*a.Lighting)
		}
		rec[18] = escapeCell(a.Comment)
		return cw.Write(rec)
	})
	if err != nil {
		return fmt.Errorf("interchange: write lieux-covoiturage: %w", err)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("interchange: write lieux-covoiturage: %w", err)
	}
	return bw.Flush()
}

func optInt(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}
