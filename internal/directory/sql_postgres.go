package directory

import (
	"context"
	"math"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/sharingcity/sharingcity/internal/textsearch"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// PostgreSQL: a partial GiST index on point(lon, lat) of published rows,
// and the prefix tsvectors in the side table initiative_search (kept by
// triggers, GIN-indexed; migrations 00023 and 00028), so that the
// initiatives rows stay narrow enough for shared buffers. Queries must
// spell "status = 'published'" and "point(i.lon, i.lat)" as the indexes do.
//
// The side table also copies what a ranked search filters and ranks on
// (territory_id, status, name_key, tags, categories, kind,
// organisation_id, under the same names), so that rankedPostgres reads it
// alone, aliased i, with the same conditions, until it has a page's ids.
// Both tsvectors also hold the categories, kind and organisation as facet
// lexemes ('#c:food', '#k:company', '#o:12'; migration 00029), which a
// filtered ranked search ANDs into its words (see pgFacets).

// inAllPG tests the words of a query on initiatives (alias i) through the
// side table, for the searches that filter or order on other columns.
const inAllPG = `EXISTS (SELECT 1 FROM initiative_search s WHERE s.initiative_id = i.id AND s.search @@ to_tsquery('simple', ?))`

// Word conditions on the side table itself (alias i). search holds every
// lexeme of search_name, so a name match is a match.
const (
	sideFrom = ` FROM initiative_search i WHERE `
	sideAll  = ` AND i.search @@ to_tsquery('simple', ?)`
)

// sideWords are the word conditions of a ranked search on the side table
// with their arguments: every word (all), every word in the name (name),
// and all but name. A filter's facets (see pgFacets) are ANDed into the
// first two, so that GIN reads only the filtered matches.
type sideWords struct {
	all, name, notName         string
	allArgs, nameArgs, notArgs []any
}

func newSideWords(tsq, facets string) sideWords {
	match := func(col string) (string, []any) {
		if facets == "" {
			return ` AND i.` + col + ` @@ to_tsquery('simple', ?)`, []any{tsq}
		}
		return ` AND i.` + col + ` @@ (to_tsquery('simple', ?) && ?::tsquery)`, []any{tsq, facets}
	}
	var w sideWords
	w.all, w.allArgs = match("search")
	w.name, w.nameArgs = match("search_name")
	w.notName = w.all + ` AND NOT i.search_name @@ to_tsquery('simple', ?)`
	w.notArgs = append(append([]any(nil), w.allArgs...), tsq)
	return w
}

// pgFacets is the tsquery of a search's filters as the side table's facet
// lexemes (initiative_facets, migration 00029): '#c:food', '#k:company',
// '#o:12'; quoted, so that no text search parser splits them. Empty
// without a filter.
func pgFacets(cats []string, kinds []Kind, organisationID int64) string {
	var parts []string
	oneOf := func(prefix string, vals []string) {
		if len(vals) == 0 {
			return
		}
		alts := make([]string, len(vals))
		for i, v := range vals {
			alts[i] = tsLexeme(prefix + v)
		}
		parts = append(parts, "("+strings.Join(alts, " | ")+")")
	}
	oneOf("#c:", cats)
	ks := make([]string, len(kinds))
	for i, k := range kinds {
		ks[i] = string(k)
	}
	oneOf("#k:", ks)
	if organisationID != 0 {
		oneOf("#o:", []string{itoa(organisationID)})
	}
	return strings.Join(parts, " & ")
}

// tsLexeme quotes a lexeme for tsquery input.
func tsLexeme(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `'`, `''`) + "'"
}

const pgBox = `point(i.lon, i.lat) <@ box(point(?, ?), point(?, ?))`

func pgBoxArgs(b geo.BBox) []any { return []any{b.MinLon, b.MinLat, b.MaxLon, b.MaxLat} }

func (s *SQLStore) searchPostgres(ctx context.Context, territoryID int64, q Query) (Result, error) {
	terms := textsearch.QueryTerms(q.Text)
	box, hasBox := searchBox(q)
	ranked := q.Sort == SortRelevance && len(terms) > 0 && !hasBox && q.Near == nil
	w := &where{}
	w.add("i.territory_id = ?", territoryID)
	w.add("i.status = 'published'")
	w.filter(q.Categories, q.Kinds)
	if q.OrganisationID != 0 {
		w.add("i.organisation_id = ?", q.OrganisationID)
	}
	if hasBox {
		w.add(pgBox, pgBoxArgs(box)...)
	}
	if ranked {
		return s.rankedPostgres(ctx, territoryID, w, terms, tsQuery(terms), q)
	}
	if len(terms) > 0 {
		w.add(inAllPG, tsQuery(terms))
	}
	extra, extraArgs := "0.0", []any(nil)
	if q.Near != nil {
		expr, args := planarAt(*q.Near).sql()
		extra, extraArgs = expr, args
		if q.RadiusM > 0 {
			w.add(expr+" <= ?", append(args, radiusDeg2(q.RadiusM))...)
		}
	}
	return s.searchWhere(ctx, territoryID, q, terms, w, extra, extraArgs)
}

// rankedPostgres is rankedSQLite for PostgreSQL: matches ranked for at
// most countCap of them; past that, name matches first, newest first.
// base holds the conditions but the words, on columns the side table
// copies (see sideFrom): every query here reads initiative_search alone
// until it has the page's ids, then the page's rows by primary key. The
// commonest words are known to pass the cap from the in-memory names and
// their facets, with a category or kind filter too (a match in the name
// is a match: search holds every lexeme of search_name), and read nothing
// to count; the others read their matches once, up to the cap, which
// both counts and ranks them. The name group's queries test search_name
// alone.
func (s *SQLStore) rankedPostgres(ctx context.Context, territoryID int64, base *where, terms [][]string, tsq string, q Query) (Result, error) {
	var res Result
	words := newSideWords(tsq, pgFacets(q.Categories, q.Kinds, q.OrganisationID))
	baseSQL := base.String()
	args := func(extra ...any) []any { return append(append([]any(nil), base.args...), extra...) }
	var n int
	var err error
	filtered := len(q.Categories) > 0 || len(q.Kinds) > 0 || q.OrganisationID != 0
	// The in-memory names that pass the filter and the cap: so do the
	// database's (see memnames.go).
	many := q.mem.filteredNamesMatchMore(terms, q)
	nameCounted := false
	countName := func() (err error) {
		n, many, err = s.countCapped(ctx, `SELECT 1`+sideFrom+baseSQL+words.name, args(words.nameArgs...)...)
		nameCounted = true
		return err
	}
	if filtered && !many {
		// Not known in memory: count the filtered name group first (GIN
		// reads only its matches, see pgFacets), so that a common word
		// past the cap skips reading its candidates (847 of 1,995
		// buffers for "partage" in the category food).
		if err := countName(); err != nil {
			return res, err
		}
	}
	if !many {
		// The ranked page reads every match while there are at most
		// countCap: read them once, to count and to rank (a rare pair of
		// words costs one query). Past the cap, the name group is counted
		// for the pages below.
		cands, err := s.rankedCandidates(ctx, terms, `SELECT i.initiative_id, i.name_key, i.tags`+sideFrom+baseSQL+words.all+` LIMIT ?`,
			args(append(words.allArgs, countCap+1)...)...)
		if err != nil {
			return res, err
		}
		if len(cands) <= countCap {
			res.Total = len(cands)
			res.Items, err = s.rankedSlice(ctx, territoryID, cands, q.Limit, q.Offset)
			return res, err
		}
		if !nameCounted {
			if err := countName(); err != nil {
				return res, err
			}
		}
	}
	res.Total, res.TotalCapped = countCap, true
	page := func(cond string, condArgs []any, ranked bool, limit, offset int) ([]Hit, error) {
		if ranked {
			return s.rankedPage(ctx, territoryID, terms, limit, offset,
				`SELECT i.initiative_id, i.name_key, i.tags`+sideFrom+baseSQL+cond, args(condArgs...)...)
		}
		return s.hits(ctx, `SELECT `+s.cols()+`, 0.0 FROM (SELECT i.initiative_id`+sideFrom+baseSQL+cond+
			` ORDER BY i.initiative_id DESC LIMIT ? OFFSET ?) p JOIN initiatives i ON i.id = p.initiative_id ORDER BY i.id DESC`,
			args(append(condArgs, limit, offset)...)...)
	}
	if q.Offset < n || many {
		if res.Items, err = page(words.name, words.nameArgs, !many, q.Limit, q.Offset); err != nil {
			return res, err
		}
	}
	if len(res.Items) < q.Limit {
		if many { // a deep page: count the name group exactly
			if err := s.q.QueryRow(ctx, `SELECT COUNT(*)`+sideFrom+baseSQL+words.name,
				pgCustomPlan(args(words.nameArgs...))...).Scan(&n); err != nil {
				return res, err
			}
		}
		rest, err := page(words.notName, words.notArgs, false, q.Limit-len(res.Items), max(0, q.Offset-n))
		if err != nil {
			return res, err
		}
		res.Items = append(res.Items, rest...)
	}
	return res, nil
}

// memNameScan bounds the names the in-memory index looks at to decide
// that a word is in more than countCap of them: a word that needs more
// is rare enough for the database to count quickly.
const memNameScan = 30_000

// pgCustomPlan makes PostgreSQL plan a query for its arguments, each time:
// pgx would otherwise prepare it once per connection, and after five runs
// PostgreSQL may switch to a generic plan that does not know how common
// the searched word is (a bitmap of half the table for "partage", 55 ms,
// where reading the table until 1,001 matches takes 1.5 ms). The unnamed
// statement also saves the round trip that describes a prepared one.
func pgCustomPlan(args []any) []any {
	return append([]any{pgx.QueryExecModeExec}, args...)
}

func (s *SQLStore) mapFilterPostgres(w *where, territoryID int64, box geo.BBox, f Filter) {
	w.add("i.status = 'published'")
	w.add(pgBox, pgBoxArgs(box)...)
	w.add("i.territory_id = ?", territoryID)
	if terms := textsearch.QueryTerms(f.Text); len(terms) > 0 {
		w.add(inAllPG, tsQuery(terms))
	}
	w.filter(f.Categories, f.Kinds)
}

func (s *SQLStore) inBoxPostgres(ctx context.Context, territoryID int64, box geo.BBox, f Filter, limit int) ([]MapPoint, error) {
	w := &where{}
	s.mapFilterPostgres(w, territoryID, box, f)
	return s.points(ctx, `SELECT i.id, i.name, i.lat, i.lon, i.categories, i.kind FROM initiatives i
		WHERE `+w.String()+` LIMIT ?`, append(w.args, limit)...)
}

// nearPostgres walks the GiST index in order of distance (KNN). That
// distance is in raw degrees, where a degree of longitude counts as much as
// one of latitude; the true distance is between cos(lat) times it and it.
// So candidates are read until the last one, shrunk by cos(lat), is
// farther than the limit-th best true distance.
func (s *SQLStore) nearPostgres(ctx context.Context, territoryID int64, p geo.Point, limit int) ([]Hit, error) {
	cosLat := math.Cos(math.Min(89, math.Abs(p.Lat)+1) * math.Pi / 180)
	n := 2*limit + 8
	for {
		rows, err := s.q.Query(ctx, `SELECT `+s.cols()+`, point(i.lon, i.lat) <-> point(?, ?) AS raw
			FROM initiatives i WHERE i.status = 'published' AND i.territory_id = ?
			ORDER BY point(i.lon, i.lat) <-> point(?, ?) LIMIT ?`, p.Lon, p.Lat, territoryID, p.Lon, p.Lat, n)
		if err != nil {
			return nil, err
		}
		var hits []Hit
		var last float64
		for rows.Next() {
			in, err := scanInitiative(rows, &last)
			if err != nil {
				rows.Close()
				return nil, err
			}
			hits = append(hits, Hit{Initiative: in})
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		exhausted := len(hits) < n
		hits = nearest(hits, p, limit)
		if exhausted || len(hits) < limit || hits[len(hits)-1].DistanceM <= last*cosLat*metresPerDegree {
			return hits, nil
		}
		n *= 4
	}
}
