package interchange

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/directory"
)

// categoryLabels maps the labels open-data files use, in French and English,
// to the slugs of directory.Categories. Each slug also matches itself.
var categoryLabels = map[string][]string{
	"mobility":          {"mobilité", "mobilités", "transport", "transports", "mobilité et transports", "déplacements"},
	"food":              {"alimentation", "nourriture", "agriculture", "alimentation et agriculture", "food and agriculture", "alimentaire"},
	"housing":           {"logement", "habitat", "habitat partagé", "logement et habitat"},
	"goods_tools":       {"goods & tools", "goods", "tools", "biens", "outils", "objets", "biens et outils", "objets et outils", "prêt d'objets", "partage d'objets"},
	"skills_services":   {"skills & services", "skills", "services", "compétences", "compétences et services", "savoir-faire", "entraide"},
	"spaces":            {"space", "espaces", "lieux", "lieu", "tiers-lieux", "tiers-lieu", "espaces partagés"},
	"money_finance":     {"money & finance", "money", "finance", "monnaie", "monnaie et finance", "finance solidaire", "monnaie locale"},
	"knowledge_culture": {"knowledge & culture", "knowledge", "culture", "savoirs", "savoirs et culture", "connaissance et culture", "connaissances et culture", "éducation", "éducation et culture"},
	"energy":            {"énergie", "énergies"},
	"waste_repair":      {"waste & repair", "waste", "repair", "déchets", "réparation", "déchets et réparation", "réemploi", "recyclage", "réparation et réemploi", "repair café", "économie circulaire"},
	"commons":           {"communs", "commun", "biens communs", "bien commun"},
}

var kindLabels = map[directory.Kind][]string{
	directory.KindAssociation:   {"asso", "associatif", "associative", "loi 1901", "association loi 1901"},
	directory.KindCompany:       {"entreprise", "société", "business", "enterprise", "commerce", "commerçant", "sarl", "sas", "sa", "scop", "scic", "eurl", "entreprise de l'ess", "micro-entreprise", "auto-entrepreneur"},
	directory.KindPublicService: {"service public", "public service", "collectivité", "mairie", "municipal", "municipalité", "service municipal", "établissement public", "public", "administration"},
	directory.KindCollective:    {"collectif", "collectif citoyen", "groupe informel", "informal group", "citizen collective"},
	directory.KindCommons:       {"commun", "communs", "bien commun", "biens communs"},
}

// labelKey folds a label for the category and kind tables: normName, and
// plural "s" dropped from each word so "Espace" and "espaces" match.
func labelKey(s string) string {
	words := strings.Split(normName(s), "_")
	for i, w := range words {
		if len(w) > 3 && strings.HasSuffix(w, "s") {
			words[i] = w[:len(w)-1]
		}
	}
	return strings.Join(words, "_")
}

// vocab holds the folded label tables, built once per read.
type vocab struct {
	categories map[string]string
	kinds      map[string]directory.Kind
	match      *matcher
}

func newVocab() *vocab {
	v := &vocab{categories: map[string]string{}, kinds: map[string]directory.Kind{}, match: newMatcher()}
	for _, c := range directory.Categories {
		v.categories[labelKey(c)] = c
		for _, l := range categoryLabels[c] {
			v.categories[labelKey(l)] = c
		}
	}
	for _, k := range directory.Kinds {
		v.kinds[labelKey(string(k))] = k
		for _, l := range kindLabels[k] {
			v.kinds[labelKey(l)] = k
		}
	}
	return v
}

// category returns the slug for a label, or the label itself so that the
// service's validation names what it did not recognise.
func (v *vocab) category(label string) string {
	if c, ok := v.categories[labelKey(label)]; ok {
		return c
	}
	return label
}

func (v *vocab) kind(label string) directory.Kind {
	if k, ok := v.kinds[labelKey(label)]; ok {
		return k
	}
	return directory.Kind(label)
}

// splitList splits a cell holding several values. A "|" anywhere means the
// list is "|"-separated (what WriteCSV writes, so values may hold commas);
// otherwise ";" then "," separate.
func splitList(s string) []string {
	sep := ","
	switch {
	case strings.Contains(s, "|"):
		sep = "|"
	case strings.Contains(s, ";"):
		sep = ";"
	}
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// cleanText trims and drops control characters (PostgreSQL refuses NUL in
// text; the others only break layouts), keeping tabs and newlines in
// multi-line text.
func cleanText(s string, multiline bool) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || r == '\u00a0' || (unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\t'))) {
			clean = false
			break
		}
	}
	if !clean {
		s = strings.Map(func(r rune) rune {
			switch {
			case r == '\u00a0':
				return ' '
			case r == '\n' || r == '\t':
				if multiline {
					return r
				}
				return ' '
			case unicode.IsControl(r):
				return -1
			}
			return r
		}, s)
	}
	return strings.TrimSpace(s)
}

// parseCoord reads one coordinate, accepting a decimal comma ("45,76"), a
// degree sign and stray spaces.
func parseCoord(s string) (float64, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '\u00a0' || r == '°' {
			return -1
		}
		return r
	}, s)
	if strings.Contains(s, ",") {
		if strings.Contains(s, ".") || strings.Count(s, ",") > 1 {
			return 0, false
		}
		s = strings.Replace(s, ",", ".", 1)
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// parseGeoPair reads a single-cell position: "lat,lon" (OpenDataSoft's
// geo_point_2d), "lat;lon", "lat lon", "[lat, lon]", decimal commas as in
// "45,76, 4,83", or WKT "POINT(lon lat)".
func parseGeoPair(s string) (lat, lon float64, ok bool) {
	s = strings.TrimSpace(s)
	if len(s) > 5 && strings.EqualFold(s[:5], "POINT") {
		inner := strings.Trim(strings.TrimSpace(s[5:]), "()")
		parts := strings.Fields(inner)
		if len(parts) < 2 || len(parts) > 3 {
			return 0, 0, false
		}
		x, ok1 := parseCoord(parts[0])
		y, ok2 := parseCoord(parts[1])
		return y, x, ok1 && ok2
	}
	s = strings.Trim(s, "[]() ")
	var parts []string
	switch {
	case strings.Contains(s, ";"):
		parts = strings.Split(s, ";")
	case strings.Count(s, ",") == 1:
		parts = strings.Split(s, ",")
	case strings.Count(s, ",") == 3 && !strings.Contains(s, "."):
		p := strings.Split(s, ",")
		parts = []string{p[0] + "," + p[1], p[2] + "," + p[3]}
	case !strings.Contains(s, ","):
		parts = strings.Fields(s)
	}
	if len(parts) != 2 {
		return 0, 0, false
	}
	lat, ok1 := parseCoord(parts[0])
	lon, ok2 := parseCoord(parts[1])
	return lat, lon, ok1 && ok2
}

// normWebsite adds the scheme that spreadsheets often leave out
// ("www.example.org"); anything else is left for validation to judge.
func normWebsite(s string) string {
	if s == "" || strings.Contains(s, "://") || strings.ContainsAny(s, " @") || !strings.Contains(s, ".") {
		return s
	}
	return "https://" + s
}

func normEmail(s string) string {
	if len(s) > 7 && strings.EqualFold(s[:7], "mailto:") {
		return strings.TrimSpace(s[7:])
	}
	return s
}

// formulaStart reports a value a spreadsheet would run as a formula. Numbers
// and phone numbers ("+33 4 72 10 30 30", "-4.5") are data, not formulas.
func formulaStart(s string) bool {
	if s == "" {
		return false
	}
	switch s[0] {
	case '=', '@', '\t', '\r':
		return true
	case '+', '-':
		return strings.Trim(s, "+-0123456789 .,()/") != ""
	case '\'':
		return formulaStart(s[1:])
	}
	return false
}

// escapeCell defuses CSV formula injection (a leading "'" makes spreadsheets
// show text); unescapeCell undoes it so our own files read back unchanged.
func escapeCell(s string) string {
	if formulaStart(s) {
		return "'" + s
	}
	return s
}

func unescapeCell(s string) string {
	if len(s) > 1 && s[0] == '\'' && formulaStart(s[1:]) {
		return s[1:]
	}
	return s
}
