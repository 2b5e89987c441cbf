package directory

import (
	"context"
	"fmt"
	"sort"
)

// rankedSQLiteMem is rankedSQLite with the territory's in-memory index:
// FTS5 gives the matching ids, newest first, without the territory facet
// (intersecting it with every word's list cost more than all the rest: 10
// to 20 ms for a common word), the index keeps the territory's and holds
// what ranks them, and only the page is read from the table. Same results
// in the same order as rankedSQLite.
func (s *SQLStore) rankedSQLiteMem(ctx context.Context, territoryID int64, q Query, terms [][]string, filters []string) (Result, error) {
	m := q.mem
	var res Result
	match := ftsMatch(terms, filters)
	nameMatch := ftsNameMatch(terms, filters)
	var inName []int64
	var err error
	// The in-memory names that pass the filter and the cap: so do FTS5's
	// (see memnames.go; its name column holds every word of the name),
	// and only the page's matches are walked, not 1,001 of every column
	// and 1,001 of the name.
	many := m.filteredNamesMatchMore(terms, q)
	if many {
		res.Total, res.TotalCapped = countCap, true
		if inName, err = s.ftsIDs(ctx, m, nameMatch, 0, q.Offset+q.Limit); err != nil {
			return res, err
		}
	} else {
		all, err := s.ftsIDs(ctx, m, match, 0, countCap+1)
		if err != nil {
			return res, err
		}
		res.Total, res.TotalCapped = min(len(all), countCap), len(all) > countCap
		if !res.TotalCapped {
			res.Items, err = s.byIDs(ctx, territoryID, rankIDs(m, terms, all, q.Limit, q.Offset))
			return res, err
		}
		// Enough of the name group for the page when it is too large to
		// rank (then it is newest first), all of it otherwise.
		if inName, err = s.ftsIDs(ctx, m, nameMatch, 0, max(countCap+1, q.Offset+q.Limit)); err != nil {
			return res, err
		}
		many = len(inName) > countCap
	}
	var ids []int64
	switch {
	case many:
		ids = inName[min(q.Offset, len(inName)):min(q.Offset+q.Limit, len(inName))]
	default:
		ids = rankIDs(m, terms, inName, q.Limit, q.Offset)
	}
	if len(ids) < q.Limit {
		n := len(inName)
		if many { // a deep page: count the name group exactly
			whole, err := s.ftsIDs(ctx, m, nameMatch, 0, 0)
			if err != nil {
				return res, err
			}
			n = len(whole)
		}
		rest, err := s.ftsIDs(ctx, m, "("+match+") NOT ("+nameMatch+")", max(0, q.Offset-n), q.Limit-len(ids))
		if err != nil {
			return res, err
		}
		ids = append(ids, rest...)
	}
	res.Items, err = s.byIDs(ctx, territoryID, ids)
	return res, err
}

// ftsIDs returns the ids that match, newest first, of the territory's
// published initiatives (those m holds): limit of them (0: all) after
// skipping skip.
func (s *SQLStore) ftsIDs(ctx context.Context, m *memIndex, match string, skip, limit int) ([]int64, error) {
	rows, err := s.q.Query(ctx, `SELECT rowid FROM initiatives_fts WHERE initiatives_fts MATCH ? ORDER BY rowid DESC`, match)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() && (limit == 0 || len(out) < limit) {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		if _, ok := m.find(id); !ok {
			continue
		}
		if skip > 0 {
			skip--
			continue
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// rankIDs orders ids by relevance, best first then newest, and returns
// the page.
func rankIDs(m *memIndex, terms [][]string, ids []int64, limit, offset int) []int64 {
	type scored struct {
		id    int64
		score float64
	}
	cands := make([]scored, 0, len(ids))
	for _, id := range ids {
		i, ok := m.find(id)
		if !ok {
			continue
		}
		cands = append(cands, scored{id, relevance(terms, m.name(i), m.tags(i))})
	}
	sort.Slice(cands, func(a, b int) bool {
		if cands[a].score != cands[b].score {
			return cands[a].score > cands[b].score
		}
		return cands[a].id > cands[b].id
	})
	if offset >= len(cands) {
		return nil
	}
	cands = cands[offset:min(len(cands), offset+limit)]
	out := make([]int64, len(cands))
	for i, c := range cands {
		out[i] = c.id
	}
	return out
}
