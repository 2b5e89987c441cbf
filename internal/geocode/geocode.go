// Package geocode turns an address typed by a member into positions on the
// territory's map. A deployment may point it at a geocoder that speaks the
// French BAN/addok API (Addok); without one, or when that service cannot be
// reached, the territory's own known addresses (those of the directory's
// published initiatives) answer, so the demo works offline. Every answer is
// restricted to the territory's boundary.
package geocode

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// Request is one address to find.
type Request struct {
	Query     string
	Territory *territory.Territory // its boundary bounds the answers; the offline book reads its addresses
	Near      *geo.Point           // prefer answers near here (default: the territory's centre)
	Limit     int                  // default DefaultLimit, at most MaxLimit
}

// Candidate is one place an address may mean.
type Candidate struct {
	Label    string    `json:"label"`
	Position geo.Point `json:"position"`
	Score    float64   `json:"score"` // 0 to 1, higher is a better match
}

// Geocoder finds the candidates of an address, best first.
type Geocoder interface {
	Search(ctx context.Context, r Request) ([]Candidate, error)
}

// Query bounds.
const (
	MinQueryLen  = 3
	MaxQueryLen  = 200
	DefaultLimit = 5
	MaxLimit     = 20
)

// Normalize cleans a request and checks it; the geocoders call it, so
// callers may too without harm.
func (r *Request) Normalize() error {
	r.Query = strings.Join(strings.FieldsFunc(r.Query, func(c rune) bool {
		return unicode.IsSpace(c) || unicode.IsControl(c)
	}), " ")
	var v errs.Validator
	n := utf8.RuneCountInString(r.Query)
	v.Check(n >= MinQueryLen && n <= MaxQueryLen, "address", "geocode.err_query", "Min", MinQueryLen, "Max", MaxQueryLen)
	v.Check(r.Territory != nil, "address", "geocode.err_query", "Min", MinQueryLen, "Max", MaxQueryLen)
	if r.Near != nil {
		v.Check(r.Near.Valid(), "near", "err.point_format")
	}
	if r.Limit == 0 {
		r.Limit = DefaultLimit
	}
	v.Check(r.Limit > 0 && r.Limit <= MaxLimit, "limit", "err.limit_range", "Max", MaxLimit)
	return v.Err()
}

// centre is where answers are preferred.
func (r *Request) centre() geo.Point {
	if r.Near != nil {
		return *r.Near
	}
	return r.Territory.BBox.Center()
}

// Within keeps the candidates inside the territory's boundary, at most limit.
func Within(cs []Candidate, ter *territory.Territory, limit int) []Candidate {
	out := make([]Candidate, 0, min(len(cs), limit))
	for _, c := range cs {
		if len(out) == limit {
			break
		}
		if c.Position.Valid() && ter.BBox.Contains(c.Position) {
			out = append(out, c)
		}
	}
	return out
}

// Fallback asks First, and Then when First fails or finds nothing: a remote
// geocoder backed by the territory's own addresses. A failure of First is
// logged (without the address typed, which may be a member's home).
type Fallback struct {
	First, Then Geocoder
	Log         *slog.Logger
}

func (f Fallback) Search(ctx context.Context, r Request) ([]Candidate, error) {
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	cs, err := f.First.Search(ctx, r)
	if err == nil && len(cs) > 0 {
		return cs, nil
	}
	if err != nil {
		if ctx.Err() != nil || errs.KindOf(err) == errs.Invalid {
			return nil, err
		}
		if f.Log != nil {
			f.Log.Warn("geocode: remote geocoder failed, using the territory's addresses", "territory", r.Territory.Slug, "err", err)
		}
	}
	return f.Then.Search(ctx, r)
}

// ErrUnavailable is returned when a remote geocoder cannot answer.
var ErrUnavailable = errors.New("geocode: geocoder unavailable")
