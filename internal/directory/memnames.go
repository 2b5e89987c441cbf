package directory

import (
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

// namesMatchMore reports whether more than n published names surely match
// every term (each a list of forms, any of which may begin a word of the
// name), looking at no more than scan names: past that, a word is rare
// enough for the database to count. False means "not known".
func (m *memIndex) namesMatchMore(terms [][]string, n, scan int) bool {
	if len(terms) == 0 {
		return false
	}
	for _, forms := range terms {
		for _, f := range forms {
			if utf8.RuneCountInString(f) < 2 {
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
	found := 0
	for i := range min(scan, m.size()) {
		if probe > 0 && i == probe && found*20 < n {
			return false
		}
		if m.sameWords[i] && nameHasAll(m.name(i), terms) {
			if found++; found > n {
				return true
			}
		}
	}
	return false
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

func wordStarts(key string, forms []string) bool {
	for start := 0; start < len(key); {
		w := key[start:]
		if sp := strings.IndexByte(w, ' '); sp >= 0 {
			w = w[:sp]
		}
		for _, f := range forms {
			if strings.HasPrefix(w, f) {
				return true
			}
		}
		start += len(w) + 1
	}
	return false
}
