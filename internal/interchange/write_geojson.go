package interchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/territory"
)

type pointOut struct {
	Type        string     `json:"type"`
	Coordinates [2]float64 `json:"coordinates"`
}

type propertiesOut struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	Summary      string   `json:"summary"`
	Description  string   `json:"description"`
	Categories   []string `json:"categories"`
	Tags         []string `json:"tags"`
	Kind         string   `json:"kind"`
	Address      string   `json:"address"`
	OpeningHours string   `json:"opening_hours,omitempty"`
	Website      string   `json:"website"` // always, so that readers never take url for it
	Email        string   `json:"email,omitempty"`
	Phone        string   `json:"phone,omitempty"`
	Resource     string   `json:"resource,omitempty"`
	Community    string   `json:"community,omitempty"`
	Governance   string   `json:"governance,omitempty"`
	URL          string   `json:"url"`
}

type featureOut struct {
	Type       string        `json:"type"`
	ID         int64         `json:"id"`
	Geometry   pointOut      `json:"geometry"`
	Properties propertiesOut `json:"properties"`
}

// WriteGeoJSON writes an RFC 7946 FeatureCollection of Point features, one
// per initiative, streaming them as they come. Its bbox is the territory's:
// the directory keeps every initiative inside it, and knowing it up front is
// what lets the output stream. Opening hours use OpenStreetMap's syntax,
// which ReadGeoJSON (and OSM tools) read back.
func WriteGeoJSON(w io.Writer, ter *territory.Territory, each Each, opts WriteOptions) error {
	bw := bufio.NewWriter(w)
	bbox, err := json.Marshal(ter.BBox.Array())
	if err != nil {
		return fmt.Errorf("interchange: write geojson: %w", err)
	}
	fmt.Fprintf(bw, `{"type":"FeatureCollection","bbox":%s,"features":[`, bbox)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	n := 0
	err = each(func(in *directory.Initiative) error {
		if !public(in) {
			return nil
		}
		buf.Reset()
		if n > 0 {
			buf.WriteString(",\n")
		} else {
			buf.WriteString("\n")
		}
		n++
		f := featureOut{
			Type:     "Feature",
			ID:       in.ID,
			Geometry: pointOut{Type: "Point", Coordinates: [2]float64{in.Position.Lon, in.Position.Lat}},
			Properties: propertiesOut{
				ID: in.ID, Name: in.Name, Summary: in.Summary, Description: in.Description,
				Categories: nonNil(in.Categories), Tags: nonNil(in.Tags), Kind: string(in.Kind),
				Address: in.Address, OpeningHours: FormatOpeningHours(in.OpeningHours),
				Website: in.Website, Email: in.Email, Phone: in.Phone,
				Resource: in.Commons.Resource, Community: in.Commons.Community, Governance: in.Commons.Governance,
				URL: PageURL(opts.BaseURL, ter.Slug, in.ID),
			},
		}
		if err := enc.Encode(f); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		_, err := bw.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("interchange: write geojson: %w", err)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("interchange: write geojson: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
