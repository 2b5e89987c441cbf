// Package textsearch holds what every module's full-text search shares:
// French folding and stemming in Go, and the query builders for the two
// engines, FTS5 in SQLite and tsquery in PostgreSQL. Modules index their
// text with WithStems (SQLite) or a generated tsvector using the sc_french
// and sc_simple configurations (PostgreSQL, created by migration 00002),
// and search with QueryTerms and FTS5Match or TSQuery.
package textsearch

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/kljensen/snowball/french"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// MaxQueryWords bounds the work one search may ask for: words past it are ignored.
const MaxQueryWords = 8

// Fold lower-cases s and removes its accents ("Réparation" -> "reparation").
// Searches fold every candidate's name, so ASCII and the accents of French
// take a fast path; other scripts go through Unicode decomposition.
func Fold(s string) string {
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

// Words splits s into lower-case words of letters and digits.
func Words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// Key is the folded text with single spaces between words: it sorts names
// the way readers expect and compares them whatever the accents and case.
func Key(s string) string { return strings.Join(Words(Fold(s)), " ") }

// Stem returns the French stem of a lower-case word. The Snowball stemmer
// keeps the plural "s" or "x" of short words ("vélos"), so it is dropped here.
func Stem(w string) string {
	s := french.Stem(w, false)
	if n := len(s); n > 3 && (s[n-1] == 's' || s[n-1] == 'x') {
		s = s[:n-1]
	}
	return s
}

// WithStems returns s followed by the stems that differ from their word, and
// by the folded forms that differ, so that an FTS5 index of the result finds
// "perceuses" from "perceuse", "œil" from "oeil" (FTS5 removes accents but
// keeps ligatures, which Fold spells out), while a prefix still finds a word
// the stemmer would cut differently.
func WithStems(s string) string {
	ws := Words(s)
	if len(ws) == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + len(s)/2)
	b.WriteString(s)
	add := func(form, than string) {
		if form != than {
			b.WriteByte(' ')
			b.WriteString(form)
		}
	}
	for _, w := range ws {
		st := Stem(w)
		add(st, w)
		if strings.ContainsAny(w, "œæß") {
			f := Fold(w)
			add(f, w)
			add(Fold(st), f)
		}
	}
	return b.String()
}

// QueryTerms returns, for each word of a search text, the folded forms to
// look for as prefixes. The stem usually begins the word ("perceus" for
// "perceuses"), and then it alone covers both: one prefix instead of two
// keeps common words cheap. One-letter words are dropped unless they are
// all there is ("l'atelier" searches "atelier"). Nil means nothing to search.
func QueryTerms(text string) [][]string {
	ws := Words(text)
	var out [][]string
	for _, w := range ws {
		if len([]rune(w)) < 2 && len(ws) > 1 {
			continue
		}
		word, st := Fold(w), Fold(Stem(w))
		forms := []string{word}
		switch {
		case st == "" || st == word:
		case strings.HasPrefix(word, st):
			forms = []string{st}
		default:
			forms = append(forms, st)
		}
		out = append(out, forms)
		if len(out) == MaxQueryWords {
			break
		}
	}
	return out
}

// FTS5Words is the FTS5 expression requiring every word (any of its forms)
// as a prefix. Forms are letters and digits only, so quoting is safe.
func FTS5Words(terms [][]string) string {
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

// FTS5Match builds an FTS5 query: every word, and every facet expression
// (a token, or tokens joined by OR). Facets are indexed as words so that
// filters are answered by the index; column filters are avoided, since they
// make FTS5 read positions, not just ids.
func FTS5Match(terms [][]string, facets ...string) string {
	parts := make([]string, 0, 1+len(facets))
	if len(terms) > 0 {
		parts = append(parts, FTS5Words(terms))
	}
	for _, f := range facets {
		parts = append(parts, "("+f+")")
	}
	return strings.Join(parts, " AND ")
}

// Facet returns the FTS5 token for a filter value: prefix and value with
// anything but ASCII letters and digits removed, since the tokenizer splits
// on "_" ("zc", "goods_tools" -> "zcgoodstools"). Prefixes start with "z"
// and a letter no French word does after it, so facets never match words.
func Facet(prefix, value string) string {
	var b strings.Builder
	b.Grow(len(prefix) + len(value))
	b.WriteString(prefix)
	for _, r := range strings.ToLower(value) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// AnyFacet joins facet tokens as alternatives for FTS5Match.
func AnyFacet(tokens ...string) string { return strings.Join(tokens, " OR ") }

// TSQuery builds a PostgreSQL tsquery text in the spirit of FTS5Words, to be
// read with to_tsquery('sc_simple', ...), which only folds accents and case.
// weights ("A", say) restricts where the words may be; "" allows anywhere.
func TSQuery(terms [][]string, weights string) string {
	parts := make([]string, len(terms))
	for i, forms := range terms {
		alts := make([]string, len(forms))
		for j, f := range forms {
			alts[j] = f + ":*" + weights
		}
		parts[i] = "(" + strings.Join(alts, " | ") + ")"
	}
	return strings.Join(parts, " & ")
}
