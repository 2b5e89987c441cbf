// Package interchange reads and writes a territory's initiatives in open-data
// formats: CSV and GeoJSON in, GeoJSON, CSV and JSON-LD (schema.org) out.
//
// Readers only parse: they turn messy files (French or English column names,
// any common delimiter, UTF-8 or Windows-1252, decimal commas) into
// initiatives and report what they could not understand, row by row. Content
// rules (required name, known categories, position inside the territory) stay
// with the directory service, which validates every row before writing.
package interchange

import (
	"sort"
	"strings"
	"unicode"

	"github.com/sharingcity/sharingcity/internal/directory"
	"golang.org/x/text/unicode/norm"
)

// Limits keep a hostile or broken file from exhausting memory.
const (
	MaxRows       = 100_000
	MaxFieldBytes = 1 << 20 // one cell or property value
	MaxRowErrors  = 1000    // past this, the file is refused as a whole
	// maxRecordBytes bounds one CSV record or GeoJSON feature while it is
	// being read, before fields can be measured.
	maxRecordBytes = 32 << 20
	// headerScan is how many leading records may be titles or notes before
	// the header row.
	headerScan = 10
)

// Item is one parsed row or feature. Row is its 1-based data row (the first
// row after the header, or the first feature); SourceKey is the file's own
// identifier for it, empty when the file has none.
type Item struct {
	Row        int
	SourceKey  string
	Initiative directory.Initiative
}

// ReadOptions tune ReadCSV and ReadGeoJSON.
type ReadOptions struct {
	// Map names the column (CSV) or property (GeoJSON) to read a field from,
	// overriding the synonyms: {"name": "Nom usuel", "lat": "Y_WGS84"}.
	// Keys are the names Fields returns, or any of their synonyms.
	Map map[string]string
	// DefaultKind and DefaultCategories fill rows whose file gives none,
	// for files listing one kind of place (say, every repair café).
	DefaultKind       directory.Kind
	DefaultCategories []string
}

// CSVOptions is the name the CSV reader's callers know ReadOptions by.
type CSVOptions = ReadOptions

type field int

const (
	fID field = iota
	fName
	fSummary
	fDescription
	fCategories
	fTags
	fKind
	fAddress
	fLat
	fLon
	fGeo
	fOpeningHours
	fWebsite
	fEmail
	fPhone
	fResource
	fCommunity
	fGovernance
	numFields
)

var fieldNames = [numFields]string{
	"id", "name", "summary", "description", "categories", "tags", "kind", "address",
	"lat", "lon", "geo", "opening_hours", "website", "email", "phone",
	"resource", "community", "governance",
}

// Fields lists the field names ReadOptions.Map accepts as keys.
func Fields() []string { return append([]string(nil), fieldNames[:]...) }

// synonyms lists, per field, the column names it is read from, most specific
// first: when a file has both "website" and "url", the earlier one wins. They
// are written as people write them and normalised once by newMatcher.
var synonyms = [numFields][]string{
	fID:           {"id", "source_id", "identifiant", "ref", "référence", "reference", "uid", "objectid", "gid", "fid"},
	fName:         {"name", "nom", "titre", "title", "nom de l'initiative", "nom initiative", "nom de la structure", "nom structure", "raison sociale", "dénomination", "libellé", "intitulé"},
	fSummary:      {"summary", "résumé", "description courte", "short description", "accroche", "chapô", "sous-titre"},
	fDescription:  {"description", "description longue", "long description", "présentation", "détails", "details"},
	fCategories:   {"categories", "catégories", "catégorie", "category", "catégorie(s)", "type", "types", "thématique", "thématiques", "thème", "thèmes", "theme", "secteur", "domaine"},
	fTags:         {"tags", "tag", "mots-clés", "mots-clefs", "mot-clé", "keywords", "étiquettes"},
	fKind:         {"kind", "type de structure", "type structure", "statut juridique", "forme juridique", "forme", "statut", "structure", "nature juridique"},
	fAddress:      {"address", "adresse", "adresse complète", "full address", "adresse postale", "street address"},
	fLat:          {"latitude", "lat", "y", "lat wgs84", "latitude wgs84"},
	fLon:          {"longitude", "lon", "lng", "long", "x", "lon wgs84", "longitude wgs84"},
	fGeo:          {"geo", "coordonnées", "coordonnees", "geo_point_2d", "geo point", "geopoint", "coordinates", "coords", "position", "point", "géolocalisation"},
	fOpeningHours: {"opening_hours", "opening hours", "horaires", "horaires d'ouverture", "heures d'ouverture", "hours", "ouverture"},
	fWebsite:      {"website", "site web", "site", "site internet", "web", "url", "lien"},
	fEmail:        {"email", "e-mail", "courriel", "mail", "adresse email", "adresse e-mail", "adresse mail", "mél", "contact email"},
	fPhone:        {"phone", "téléphone", "telephone", "tel", "tél", "numéro de téléphone", "phone number"},
	fResource:     {"resource", "ressource", "ressource partagée", "shared resource", "commons resource"},
	fCommunity:    {"community", "communauté", "commons community"},
	fGovernance:   {"governance", "gouvernance", "règles", "règles de gouvernance", "rules", "commons governance"},
}

// stopWords are dropped from names and labels so that "Nom de la structure"
// and "nom structure", or "Déchets et réparation" and "dechets_reparation",
// compare equal.
var stopWords = map[string]bool{
	"de": true, "la": true, "le": true, "les": true, "du": true, "des": true, "d": true, "l": true,
	"et": true, "and": true, "of": true, "the": true,
}

// normName folds a column name or label to lower-case ASCII words joined by
// "_", without accents or stop words.
func normName(s string) string {
	s = norm.NFD.String(s)
	var b strings.Builder
	var word []rune
	flush := func() {
		if len(word) == 0 {
			return
		}
		w := string(word)
		word = word[:0]
		if stopWords[w] {
			return
		}
		if b.Len() > 0 {
			b.WriteByte('_')
		}
		b.WriteString(w)
	}
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r):
			// accents, once decomposed
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			word = append(word, unicode.ToLower(r))
		case r == 'œ' || r == 'Œ':
			word = append(word, 'o', 'e')
		default:
			flush()
		}
	}
	flush()
	return b.String()
}

// matcher assigns columns (or property names) to fields.
type matcher struct {
	byName map[string]field // normalised synonym -> field
	rank   map[string]int   // normalised synonym -> position in its list
}

func newMatcher() *matcher {
	m := &matcher{byName: map[string]field{}, rank: map[string]int{}}
	for f, names := range synonyms {
		for i, n := range names {
			k := normName(n)
			if _, dup := m.byName[k]; !dup {
				m.byName[k] = field(f)
				m.rank[k] = i
			}
		}
	}
	return m
}

// fieldOf resolves a Map key ("lat", "latitude", "Latitude") to a field.
func (m *matcher) fieldOf(key string) (field, bool) {
	k := normName(key)
	for f, n := range fieldNames {
		if normName(n) == k {
			return field(f), true
		}
	}
	f, ok := m.byName[k]
	return f, ok
}

// assign returns, per field, the index of the column it is read from (-1
// when none). Explicit mappings come first; then each field takes the
// column matching its earliest synonym, and a column serves one field only.
// missing lists the columns named in explicit that are not in names.
func (m *matcher) assign(names []string, explicit map[string]string) (cols [numFields]int, missing []string, badKeys []string) {
	for i := range cols {
		cols[i] = -1
	}
	taken := make([]bool, len(names))
	normed := make([]string, len(names))
	for i, n := range names {
		normed[i] = normName(n)
	}
	keys := make([]string, 0, len(explicit))
	for k := range explicit {
		keys = append(keys, k)
	}
	sort.Strings(keys) // errors in a stable order
	for _, key := range keys {
		col := explicit[key]
		f, ok := m.fieldOf(key)
		if !ok {
			badKeys = append(badKeys, key)
			continue
		}
		idx := -1
		for i, n := range names {
			if strings.TrimSpace(n) == strings.TrimSpace(col) {
				idx = i
				break
			}
		}
		if idx < 0 {
			for i, n := range normed {
				if n != "" && n == normName(col) {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			missing = append(missing, col)
			continue
		}
		cols[f] = idx
		taken[idx] = true
	}
	for f := range cols {
		if cols[f] >= 0 {
			continue
		}
		best, bestRank := -1, 1<<30
		for i, n := range normed {
			if taken[i] {
				continue
			}
			if g, ok := m.byName[n]; ok && g == field(f) && m.rank[n] < bestRank {
				best, bestRank = i, m.rank[n]
			}
		}
		if best >= 0 {
			cols[f] = best
			taken[best] = true
		}
	}
	return cols, missing, badKeys
}

// known counts the names that match a synonym, to tell a header row from a
// title line above it.
func (m *matcher) known(names []string) int {
	n := 0
	for _, s := range names {
		if _, ok := m.byName[normName(s)]; ok {
			n++
		}
	}
	return n
}

// MessageKeys lists the i18n keys this package's errors carry (besides the
// shared err.too_long, err.opening_hours and err.format_unknown), and the
// field names it reports, so the message files can be checked for them.
var MessageKeys = []string{
	"err.import_empty", "err.import_columns", "err.import_column_missing", "err.import_column_unknown",
	"err.import_field_unknown", "err.import_too_many_rows", "err.import_too_many_errors", "err.import_record_too_large",
	"err.csv_format", "err.geojson_format", "err.geojson_type", "err.geojson_feature", "err.geojson_properties",
	"err.geojson_value_type", "err.geometry_missing", "err.geometry_format", "err.geometry_type",
	"err.coordinates_format", "err.coordinates_range", "err.format_unreadable",
	"field.id", "field.lat", "field.lon", "field.geo", "field.row", "field.map",
	"field.resource", "field.community", "field.governance",
}
