package geocode

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/territory"
	"github.com/sharingcity/sharingcity/internal/textsearch"
)

// Initiatives is what the address book needs of the directory: its search
// of published initiatives, whose text includes their addresses.
type Initiatives interface {
	Search(ctx context.Context, ter *territory.Territory, q directory.Query) (directory.Result, error)
}

// Book answers from the territory's own known addresses: those of the
// directory's published initiatives (public data), read through the
// directory's service. It needs no network.
type Book struct {
	dir Initiatives
}

// NewBook returns the offline geocoder over the directory.
func NewBook(dir Initiatives) *Book { return &Book{dir: dir} }

// bookScan bounds how many initiatives one lookup reads.
const bookScan = 100

func (b *Book) Search(ctx context.Context, r Request) ([]Candidate, error) {
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	words := textsearch.Words(textsearch.Fold(r.Query))
	if len(words) == 0 {
		return []Candidate{}, nil
	}
	c := r.centre()
	res, err := b.dir.Search(ctx, r.Territory, directory.Query{Text: r.Query, Near: &c, Limit: bookScan})
	if err != nil {
		if errs.Is(err, errs.Invalid) {
			return []Candidate{}, nil // a query the directory cannot read finds nothing here
		}
		return nil, fmt.Errorf("geocode: address book: %w", err)
	}
	seen := map[string]bool{}
	var cs []Candidate
	for _, h := range res.Items {
		in := h.Initiative
		if in == nil || strings.TrimSpace(in.Address) == "" {
			continue
		}
		key := textsearch.Key(in.Address)
		if seen[key] {
			continue
		}
		// The directory matched the words anywhere (name, description):
		// keep initiatives whose address holds most of them.
		score := addressScore(words, textsearch.Words(textsearch.Fold(in.Address)))
		if score < 0.5 {
			continue
		}
		seen[key] = true
		cs = append(cs, Candidate{Label: strings.TrimSpace(in.Address), Position: in.Position, Score: score})
	}
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].Score > cs[j].Score })
	return Within(cs, r.Territory, r.Limit), nil
}

// addressScore is the share of the query's words that start a word of the
// address ("rep" matches "republique"; "12" must be "12").
func addressScore(query, address []string) float64 {
	found := 0
	for _, q := range query {
		for _, a := range address {
			if a == q || (!isNumber(q) && strings.HasPrefix(a, q)) {
				found++
				break
			}
		}
	}
	return float64(found) / float64(len(query))
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
