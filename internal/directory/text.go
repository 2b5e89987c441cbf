package directory

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

func trimSpace(s string) string { return strings.TrimSpace(s) }

// fold lower-cases s and removes its accents ("Réparation" -> "reparation").
// Search scores every candidate's name with it, so ASCII and the accents of
// French take a fast path; other scripts go through Unicode decomposition.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r < utf8.RuneSelf:
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			b.WriteByte(byte(r))
		case r < 0x250:
			b.WriteString(foldLatin(r))
		default:
			return foldUnicode(s)
		}
	}
	return b.String()
}

// latinFolds maps the Latin-1 and Latin Extended-A letters to plain ones.
var latinFolds = strings.NewReplacer(
	"à", "a", "á", "a", "â", "a", "ã", "a", "ä", "a", "å", "a", "æ", "ae", "ç", "c",
	"è", "e", "é", "e", "ê", "e", "ë", "e", "ì", "i", "í", "i", "î", "i", "ï", "i",
	"ñ", "n", "ò", "o", "ó", "o", "ô", "o", "õ", "o", "ö", "o", "ø", "o", "œ", "oe",
	"ù", "u", "ú", "u", "û", "u", "ü", "u", "ý", "y", "ÿ", "y", "ß", "ss",
)

func foldLatin(r rune) string {
	l := string(unicode.ToLower(r))
	if f := latinFolds.Replace(l); f != l {
		return f
	}
	return foldUnicode(l)
}

func foldUnicode(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, strings.ToLower(s))
	if err != nil {
		return strings.ToLower(s)
	}
	return out
}

// words splits s into lower-case words of letters and digits.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// nameKey is the folded name with single spaces: it sorts names the way
// readers expect and matches an imported row to an existing entry.
func nameKey(s string) string { return strings.Join(words(fold(s)), " ") }

// stem returns the French stem of a lower-case word. The Snowball stemmer
// keeps the plural "s" of short words ("vélos"), so it is dropped here.
func stem(w string) string {
	s := french.Stem(w, false)
	if n := len(s); n > 3 && (s[n-1] == 's' || s[n-1] == 'x') {
		s = s[:n-1]
	}
	return s
}

// withStems returns s followed by the stems that differ from their word, so
// that an index of the result finds "réparations" from "réparation" while a
// prefix still finds a word the stemmer would cut differently.
func withStems(s string) string {
	ws := words(s)
	if len(ws) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	b.WriteString(s)
	for _, w := range ws {
		if st := stem(w); st != w {
			b.WriteByte(' ')
			b.WriteString(st)
		}
	}
	return b.String()
}

// maxQueryWords bounds the work one search may ask for.
const maxQueryWords = 8

// queryTerms returns, for each word of a search text, the forms to look
// for as prefixes. The stem usually begins the word ("partag" for
// "partagé"), and then it alone covers both: one prefix to look up instead
// of two keeps common words cheap. One-letter words are dropped unless they
// are all there is ("l'atelier").
func queryTerms(text string) [][]string {
	ws := words(text)
	var out [][]string
	for _, w := range ws {
		if len([]rune(w)) < 2 && len(ws) > 1 {
			continue
		}
		word, st := fold(w), fold(stem(w))
		forms := []string{word}
		switch {
		case st == "" || st == word:
		case strings.HasPrefix(word, st):
			forms = []string{st}
		default:
			forms = append(forms, st)
		}
		out = append(out, forms)
		if len(out) == maxQueryWords {
			break
		}
	}
	return out
}

// ftsWords is the FTS5 expression requiring every word as a prefix.
func ftsWords(terms [][]string) string {
	parts := make([]string, len(terms))
	for i, forms := range terms {
		alts := make([]string, len(forms))
		for j, f := range forms {
			alts[j] = `"` + f + `"*`
		}
		parts[i] = strings.Join(alts, " OR ")
		if len(alts) > 1 {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " AND ")
}

// ftsMatch builds an FTS5 query: every word, and the facet tokens. Column
// filters are avoided: they make FTS5 read positions, not just ids.
func ftsMatch(terms [][]string, facets []string) string {
	parts := make([]string, 0, 1+len(facets))
	if len(terms) > 0 {
		parts = append(parts, ftsWords(terms))
	}
	for _, f := range facets {
		parts = append(parts, "("+f+")")
	}
	return strings.Join(parts, " AND ")
}

// ftsNameMatch is ftsMatch with every word in the name.
func ftsNameMatch(terms [][]string, facets []string) string {
	return strings.Join(append([]string{"name : (" + ftsWords(terms) + ")"}, wrap(facets)...), " AND ")
}

func wrap(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = "(" + x + ")"
	}
	return out
}

// tsQuery builds a PostgreSQL tsquery for to_tsquery('simple', ...): the
// index holds every prefix of 2 to 12 letters of each word, so a searched
// word is looked up exactly, cut to 12 letters; a single letter, which has
// no entry, falls back to a prefix query.
func tsQuery(terms [][]string) string {
	parts := make([]string, len(terms))
	for i, forms := range terms {
		alts := make([]string, len(forms))
		for j, f := range forms {
			r := []rune(f)
			switch {
			case len(r) < 2:
				alts[j] = f + ":*"
			case len(r) > 12:
				alts[j] = string(r[:12])
			default:
				alts[j] = f
			}
		}
		parts[i] = "(" + strings.Join(alts, " | ") + ")"
	}
	return strings.Join(parts, " & ")
}

// Facet tokens: letters only, since the FTS5 tokenizer splits on "_".
func territoryFacet(id int64) string { return "zt" + itoa(id) }
func categoryFacet(c string) string  { return "zc" + strings.ReplaceAll(c, "_", "") }
func kindFacet(k Kind) string        { return "zk" + strings.ReplaceAll(string(k), "_", "") }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// joinList stores a list as ",a,b," so that LIKE '%,a,%' finds an item.
func joinList(xs []string) string {
	if len(xs) == 0 {
		return ""
	}
	return "," + strings.Join(xs, ",") + ","
}

func splitList(s string) []string {
	s = strings.Trim(s, ",")
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}
