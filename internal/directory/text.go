package directory

import (
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/textsearch"
)

func trimSpace(s string) string { return strings.TrimSpace(s) }

// nameKey is the folded name with single spaces: it sorts names the way
// readers expect and matches an imported row to an existing entry.
func nameKey(s string) string { return textsearch.Key(s) }

// ftsMatch builds an FTS5 query: every word, and the facet tokens. Column
// filters are avoided: they make FTS5 read positions, not just ids.
func ftsMatch(terms [][]string, facets []string) string {
	parts := make([]string, 0, 1+len(facets))
	if len(terms) > 0 {
		parts = append(parts, textsearch.FTS5Words(terms))
	}
	for _, f := range facets {
		parts = append(parts, "("+f+")")
	}
	return strings.Join(parts, " AND ")
}

// ftsNameMatch is ftsMatch with every word in the name.
func ftsNameMatch(terms [][]string, facets []string) string {
	return strings.Join(append([]string{"name : (" + textsearch.FTS5Words(terms) + ")"}, wrap(facets)...), " AND ")
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

// splitListInto is splitList with the parts appended to *buf, so that the
// lists of a page of rows share one array (the result's capacity ends
// with it: appending to it copies rather than overwrites the next list).
func splitListInto(buf *[]string, s string) []string {
	s = strings.Trim(s, ",")
	start := len(*buf)
	if s == "" {
		if *buf == nil {
			return []string{}
		}
		return (*buf)[start:start:start]
	}
	for {
		part, rest, more := strings.Cut(s, ",")
		*buf = append(*buf, part)
		if !more {
			break
		}
		s = rest
	}
	return (*buf)[start:len(*buf):len(*buf)]
}
