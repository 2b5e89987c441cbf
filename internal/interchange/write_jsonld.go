package interchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/territory"
)

var schemaDays = [8]string{"", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

type postalAddress struct {
	Type          string `json:"@type"`
	StreetAddress string `json:"streetAddress"`
}

type geoCoordinates struct {
	Type      string  `json:"@type"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

type hoursSpec struct {
	Type      string   `json:"@type"`
	DayOfWeek []string `json:"dayOfWeek"`
	Opens     string   `json:"opens"`
	Closes    string   `json:"closes"`
}

// node is one schema.org entity. Organisations are typed both Organization
// and Place: schema.org puts geo and openingHoursSpecification on Place and
// email on Organization, and a multi-typed node may carry both. Commons and
// shared spaces are Places only, so they carry no email (Place has none).
type node struct {
	Type         any            `json:"@type"`
	ID           string         `json:"@id"`
	Identifier   string         `json:"identifier"`
	Name         string         `json:"name"`
	Description  string         `json:"description,omitempty"`
	URL          string         `json:"url,omitempty"`
	Email        string         `json:"email,omitempty"`
	Telephone    string         `json:"telephone,omitempty"`
	Address      *postalAddress `json:"address,omitempty"`
	Geo          geoCoordinates `json:"geo"`
	OpeningHours []hoursSpec    `json:"openingHoursSpecification,omitempty"`
	Keywords     []string       `json:"keywords,omitempty"`
}

// WriteJSONLD writes the initiatives as a schema.org JSON-LD document: an
// @graph of Organization/Place nodes with address, geo, opening hours and
// keywords (categories and tags). Only the initiative's public contact
// fields are written; members, authors and moderation data never are.
func WriteJSONLD(w io.Writer, ter *territory.Territory, each Each, opts WriteOptions) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`{"@context":"https://schema.org","@graph":[`)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	n := 0
	err := each(func(in *directory.Initiative) error {
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
		if err := enc.Encode(jsonLDNode(ter, in, opts)); err != nil {
			return err
		}
		buf.Truncate(buf.Len() - 1)
		_, err := bw.Write(buf.Bytes())
		return err
	})
	if err != nil {
		return fmt.Errorf("interchange: write json-ld: %w", err)
	}
	bw.WriteString("\n]}\n")
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("interchange: write json-ld: %w", err)
	}
	return nil
}

func jsonLDNode(ter *territory.Territory, in *directory.Initiative, opts WriteOptions) node {
	nd := node{
		Type:       []string{"Organization", "Place"},
		ID:         PageURL(opts.BaseURL, ter.Slug, in.ID),
		Identifier: strconv.FormatInt(in.ID, 10),
		Name:       in.Name,
		URL:        in.Website,
		Email:      in.Email,
		Telephone:  in.Phone,
		Geo:        geoCoordinates{Type: "GeoCoordinates", Latitude: in.Position.Lat, Longitude: in.Position.Lon},
	}
	if isPlace(in) {
		nd.Type, nd.Email = "Place", ""
	}
	nd.Description = in.Summary
	if nd.Description == "" {
		nd.Description = in.Description
	}
	if in.Address != "" {
		nd.Address = &postalAddress{Type: "PostalAddress", StreetAddress: in.Address}
	}
	nd.OpeningHours = hoursSpecs(in.OpeningHours)
	nd.Keywords = append(append([]string(nil), in.Categories...), in.Tags...)
	return nd
}

func isPlace(in *directory.Initiative) bool {
	if in.Kind == directory.KindCommons {
		return true
	}
	for _, c := range in.Categories {
		if c == "spaces" || c == "commons" {
			return true
		}
	}
	return false
}

// hoursSpecs groups days sharing the same slot into one specification.
func hoursSpecs(hours []directory.OpeningHours) []hoursSpec {
	byTime := map[string]*hoursSpec{}
	var order []string
	sorted := append([]directory.OpeningHours(nil), hours...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Day < sorted[j].Day })
	for _, h := range sorted {
		if h.Day < 1 || h.Day > 7 {
			continue
		}
		k := h.Opens + "-" + h.Close
		s, ok := byTime[k]
		if !ok {
			s = &hoursSpec{Type: "OpeningHoursSpecification", Opens: h.Opens, Closes: h.Close}
			byTime[k] = s
			order = append(order, k)
		}
		day := "https://schema.org/" + schemaDays[h.Day]
		if len(s.DayOfWeek) == 0 || s.DayOfWeek[len(s.DayOfWeek)-1] != day {
			s.DayOfWeek = append(s.DayOfWeek, day)
		}
	}
	sort.Strings(order)
	out := make([]hoursSpec, 0, len(order))
	for _, k := range order {
		out = append(out, *byTime[k])
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
