package directory

import (
	"bytes"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// A search for the commonest words on PostgreSQL needs to know only that
// more than countCap names match (then the page is the newest name
// matches and the total is capped); counting them in the database read
// one heap page per match or two, several milliseconds. The in-memory
// index can often tell instead: for names whose words Go and PostgreSQL
// split and fold alike, a name Go finds is one PostgreSQL finds. Go's
// count over those names is then a lower bound of PostgreSQL's, and when
// it passes the cap, so does PostgreSQL's, whatever the other names hold.
// When it does not, the database counts as before.

// sameWordsInPostgres reports whether PostgreSQL's ts_prefixes (sc_simple
// and sc_french, migration 00002) sees the name as the same words as
// textsearch.Key does: letters separated by spaces and plain punctuation,
// and numbers standing alone between spaces ("Jardin partagé 27"). Other
// digits are left out (PostgreSQL reads "lyon-69" as "lyon" and "-69", and
// "vélo2" as one word it does not unaccent), as are dots, slashes and "@"
// (hosts, paths and e-mail addresses are single tokens there), and any
// letter whose folding might differ from unaccent's.
func sameWordsInPostgres(name []byte) bool {
	for i := 0; i < len(name); {
		c := name[i]
		if c < utf8.RuneSelf {
			switch {
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == ' ', c == '\'', c == '-', c == ',', c == '&', c == '(', c == ')':
				i++
				continue
			case '0' <= c && c <= '9':
				j := i
				for j < len(name) && '0' <= name[j] && name[j] <= '9' {
					j++
				}
				if (i > 0 && name[i-1] != ' ') || (j < len(name) && name[j] != ' ') {
					return false
				}
				i = j
				continue
			}
			return false
		}
		// Past U+0250, Fold takes its Unicode path for the whole name,
		// which keeps ligatures that unaccent spells out.
		r, n := utf8.DecodeRune(name[i:])
		if r >= 0x250 || !strings.ContainsRune(latinAccented, unicode.ToLower(r)) {
			return false
		}
		i += n
	}
	return true
}

// latinAccented are the letters textsearch.Fold and PostgreSQL's unaccent
// both turn into the same plain letters.
const latinAccented = "àáâãäåæçèéêëìíîïñòóôõöøœùúûüýÿß"

// namesMatchMore reports whether more than n published names that f
// admits surely match every term (each a list of forms, any of which may
// begin a word of the name), looking at no more than scan of the names f
// admits: past that, a word is rare enough for the database to count.
// False means "not known".
func (m *memIndex) namesMatchMore(terms [][]string, f memFilter, n, scan int) bool {
	if len(terms) == 0 {
		return false
	}
	for _, forms := range terms {
		for _, form := range forms {
			if utf8.RuneCountInString(form) < 2 {
				return false // a prefix query in PostgreSQL, which skips one-letter words
			}
		}
	}
	// A word that has not met a twentieth of n in the first tenth of the
	// scan will hardly pass n in the rest: stop there, as "not known" is
	// always a safe answer (the database counts). Without this, a rare
	// pair of words scanned all the names: 1.7 ms of the 3.8 ms of its
	// uncached search on PostgreSQL.
	probe := scan / 10
	masks := make([]uint16, len(terms))
	for t, forms := range terms {
		for _, form := range forms {
			masks[t] |= wordStartBit(form)
		}
	}
	found, looked := 0, 0
	for i := range m.size() {
		if !f.admits(m.facets[i]) {
			continue // two bytes read: the names of a filter's few are all a word is tested on
		}
		if looked == scan || (probe > 0 && looked == probe && found*20 < n) {
			return false
		}
		looked++
		if m.mayHaveAll(i, masks) && nameHasAll(m.name(i), terms) {
			if found++; found > n {
				return true
			}
		}
	}
	return false
}

// An entry's facets are its categories and kind in two bytes, so that
// the in-memory names can tell "more than countCap" with a filter too
// (PostgreSQL then skips counting the filtered name group, ~965 buffers
// for "partage" in the category food; SQLite skips walking 1,001
// matches twice): bit i is Categories[i], and the top four bits are the
// kind's position in Kinds plus one (0: unknown). A category or kind the
// lists do not hold is left out: no filter can ask for it (checkFilter),
// and an entry left out of a filter only lowers the in-memory count.
const (
	facetKindShift = 12
	facetCatMask   = 1<<facetKindShift - 1
)

// memFacets encodes a row's categories (as stored, ",food,energy,") and kind.
// The bytes are compared, not converted: the index build reads 100,000
// rows without a string each.
func memFacets(categories, kind []byte) uint16 {
	var f uint16
	for c := range bytes.SplitSeq(categories, []byte(",")) {
		if i := slices.IndexFunc(Categories, func(s string) bool { return s == string(c) }); i >= 0 && i < facetKindShift {
			f |= 1 << i
		}
	}
	if i := slices.IndexFunc(Kinds, func(k Kind) bool { return string(k) == string(kind) }); i >= 0 && i+1 < 1<<(16-facetKindShift) {
		f |= uint16(i+1) << facetKindShift
	}
	return f
}

// memFilter is a search's filters over entries' facets: any of the
// categories (a mask of facet bits) and any of the kinds (a mask of kind
// codes); zero masks admit everything.
type memFilter struct {
	cats, kinds uint16
}

// newMemFilter returns the filter of a query, or false when the in-memory
// index cannot apply it: organisations are not held (an organisation's
// entries are few, and GIN reads them quickly).
func newMemFilter(cats []string, kinds []Kind, organisationID int64) (memFilter, bool) {
	var f memFilter
	if organisationID != 0 {
		return f, false
	}
	for _, c := range cats {
		i := slices.Index(Categories, c)
		if i < 0 || i >= facetKindShift {
			return f, false
		}
		f.cats |= 1 << i
	}
	for _, k := range kinds {
		i := slices.Index(Kinds, k)
		if i < 0 || i+1 >= 1<<(16-facetKindShift) {
			return f, false
		}
		f.kinds |= 1 << (i + 1)
	}
	return f, true
}

// admits reports whether an entry with facets x passes the filter.
func (f memFilter) admits(x uint16) bool {
	return (f.cats == 0 || x&f.cats != 0) && (f.kinds == 0 || f.kinds&(1<<(x>>facetKindShift)) != 0)
}

// filteredNamesMatchMore is namesMatchMore for a search's words and
// filters, up to countCap; false (not known) without an index.
func (m *memIndex) filteredNamesMatchMore(terms [][]string, q Query) bool {
	if m == nil {
		return false
	}
	f, ok := newMemFilter(q.Categories, q.Kinds, q.OrganisationID)
	return ok && m.namesMatchMore(terms, f, countCap, memNameScan)
}

// An entry's word starts are one bit for the first two bytes of each
// word of its name (hashed into 16 bits): a form that begins a word of
// the name has its bit there, so an entry without it is skipped before
// strings.Index reads its name. The check of "partage" in one category
// read ~7,800 names to find 1,001 and was 45 % of that search's CPU on
// PostgreSQL (1 ms a request, the 26 November afternoon).
func wordStartsOf(key string) uint16 {
	var s uint16
	for i := 0; i+1 < len(key); i++ {
		if i == 0 || key[i-1] == ' ' {
			s |= wordStartBit(key[i:])
		}
	}
	return s
}

// wordStartBit is the bit of a word or form of at least two bytes.
func wordStartBit(w string) uint16 {
	return 1 << ((uint(w[0])*31 + uint(w[1])) & 15)
}

// mayHaveAll reports whether entry i's name may hold a word start of
// every term (each a mask of its forms' bits): false when it surely does
// not, or when it is not to be counted in memory.
func (m *memIndex) mayHaveAll(i int, masks []uint16) bool {
	s := m.starts[i]
	for _, mask := range masks {
		if s&mask == 0 {
			return false
		}
	}
	return s != 0
}

// nameHasAll reports whether every term has a form that begins a word of
// key (words separated by single spaces).
func nameHasAll(key string, terms [][]string) bool {
	for _, forms := range terms {
		if !wordStarts(key, forms) {
			return false
		}
	}
	return true
}

// wordStarts reports whether a form (letters and digits, no space)
// begins a word of key. strings.Index looks for it in the whole name at
// once: 30 ns a name where splitting it into words cost 150 (and a
// byte loop 60), under load, and a filtered common word's check reads
// ~7,800 names to find 1,001 in one category.
func wordStarts(key string, forms []string) bool {
	for _, f := range forms {
		for from := 0; from < len(key); {
			i := strings.Index(key[from:], f)
			if i < 0 {
				break
			}
			if i += from; i == 0 || key[i-1] == ' ' {
				return true
			}
			from = i + 1
		}
	}
	return false
}
