package geocode

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// Addok is a client of the BAN/addok search API (api-adresse.data.gouv.fr
// and self-hosted Addok servers): GET {base}/search/?q=&lat=&lon=&limit=
// answers a GeoJSON FeatureCollection of points whose properties carry a
// label and a score.
type Addok struct {
	base   string
	client *http.Client
}

// Addok answers are small; anything larger is not one.
const maxAddokBody = 1 << 20

// NewAddok returns a client of the service at base (for example
// "https://api-adresse.data.gouv.fr"). A nil client gets a 5-second timeout.
func NewAddok(base string, client *http.Client) (*Addok, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(base), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("geocode: geocoder URL %q: want http(s)://host[/path]", base)
	}
	if client == nil {
		client = &http.Client{Timeout: 5 * time.Second}
	}
	return &Addok{base: u.String(), client: client}, nil
}

type addokAnswer struct {
	Type     string `json:"type"`
	Features []struct {
		Geometry struct {
			Type        string    `json:"type"`
			Coordinates []float64 `json:"coordinates"`
		} `json:"geometry"`
		Properties struct {
			Label string  `json:"label"`
			Score float64 `json:"score"`
		} `json:"properties"`
	} `json:"features"`
}

func (a *Addok) Search(ctx context.Context, r Request) ([]Candidate, error) {
	if err := r.Normalize(); err != nil {
		return nil, err
	}
	c := r.centre()
	q := url.Values{}
	q.Set("q", r.Query)
	q.Set("lat", strconv.FormatFloat(c.Lat, 'f', 6, 64))
	q.Set("lon", strconv.FormatFloat(c.Lon, 'f', 6, 64))
	// Answers outside the territory are dropped: ask for more.
	q.Set("limit", strconv.Itoa(min(50, r.Limit*4)))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, a.base+"/search/?"+q.Encode(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		// The URL holds the address typed: keep it out of errors and logs.
		return nil, fmt.Errorf("%w: %s", ErrUnavailable, redact(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxAddokBody))
		return nil, fmt.Errorf("%w: status %d", ErrUnavailable, resp.StatusCode)
	}
	var ans addokAnswer
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAddokBody)).Decode(&ans); err != nil {
		return nil, fmt.Errorf("%w: answer: %v", ErrUnavailable, err)
	}
	if ans.Type != "FeatureCollection" {
		return nil, fmt.Errorf("%w: answer of type %q", ErrUnavailable, ans.Type)
	}
	cs := make([]Candidate, 0, len(ans.Features))
	for _, f := range ans.Features {
		g := f.Geometry
		if g.Type != "Point" || len(g.Coordinates) < 2 || strings.TrimSpace(f.Properties.Label) == "" {
			continue
		}
		cs = append(cs, Candidate{Label: strings.TrimSpace(f.Properties.Label),
			Position: geo.Point{Lat: g.Coordinates[1], Lon: g.Coordinates[0]}, Score: f.Properties.Score})
	}
	return Within(cs, r.Territory, r.Limit), nil
}

// redact drops the URL (and so the query) from a transport error.
func redact(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Op + ": " + ue.Err.Error()
	}
	return "request failed"
}
