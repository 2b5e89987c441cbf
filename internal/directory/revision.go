package directory

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/geo"
)

// content is the editable part of an initiative, as kept in a revision's
// JSON snapshot. Status and dates are not content: restoring an old
// revision does not unpublish an entry.
type content struct {
	Name           string         `json:"name"`
	Summary        string         `json:"summary,omitempty"`
	Description    string         `json:"description,omitempty"`
	Categories     []string       `json:"categories"`
	Tags           []string       `json:"tags,omitempty"`
	Kind           Kind           `json:"kind"`
	Address        string         `json:"address,omitempty"`
	Position       geo.Point      `json:"position"`
	OpeningHours   []OpeningHours `json:"opening_hours,omitempty"`
	Website        string         `json:"website,omitempty"`
	Email          string         `json:"email,omitempty"`
	Phone          string         `json:"phone,omitempty"`
	OrganisationID int64          `json:"organisation_id,omitempty"`
	Commons        Commons        `json:"commons"`
}

func contentOf(in *Initiative) content {
	return content{
		Name: in.Name, Summary: in.Summary, Description: in.Description,
		Categories: in.Categories, Tags: in.Tags, Kind: in.Kind, Address: in.Address,
		Position: in.Position, OpeningHours: in.OpeningHours, Website: in.Website,
		Email: in.Email, Phone: in.Phone, OrganisationID: in.OrganisationID, Commons: in.Commons,
	}
}

func (c content) applyTo(in *Initiative) {
	in.Name, in.Summary, in.Description = c.Name, c.Summary, c.Description
	in.Categories, in.Tags, in.Kind, in.Address = c.Categories, c.Tags, c.Kind, c.Address
	in.Position, in.OpeningHours, in.Website = c.Position, c.OpeningHours, c.Website
	in.Email, in.Phone, in.OrganisationID, in.Commons = c.Email, c.Phone, c.OrganisationID, c.Commons
}

// encodeContent is the snapshot stored with a revision.
func encodeContent(in *Initiative) (string, error) {
	b, err := json.Marshal(contentOf(in))
	return string(b), err
}

// decodeContent reads a snapshot into an Initiative holding only content.
func decodeContent(s string) (Initiative, error) {
	var c content
	var in Initiative
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		return in, fmt.Errorf("revision snapshot: %w", err)
	}
	c.applyTo(&in)
	return in, nil
}

// Diff lists the fields that differ between two versions, as readable text,
// in the order a form shows them.
func Diff(old, new *Initiative) []FieldChange {
	var out []FieldChange
	add := func(field, o, n string) {
		if o != n {
			out = append(out, FieldChange{Field: field, Old: o, New: n})
		}
	}
	add("name", old.Name, new.Name)
	add("summary", old.Summary, new.Summary)
	add("description", old.Description, new.Description)
	add("categories", strings.Join(old.Categories, ", "), strings.Join(new.Categories, ", "))
	add("tags", strings.Join(old.Tags, ", "), strings.Join(new.Tags, ", "))
	add("kind", string(old.Kind), string(new.Kind))
	add("address", old.Address, new.Address)
	add("position", positionText(old.Position), positionText(new.Position))
	add("opening_hours", hoursText(old.OpeningHours), hoursText(new.OpeningHours))
	add("website", old.Website, new.Website)
	add("email", old.Email, new.Email)
	add("phone", old.Phone, new.Phone)
	add("organisation_id", idText(old.OrganisationID), idText(new.OrganisationID))
	add("commons.resource", old.Commons.Resource, new.Commons.Resource)
	add("commons.community", old.Commons.Community, new.Commons.Community)
	add("commons.governance", old.Commons.Governance, new.Commons.Governance)
	return out
}

func positionText(p geo.Point) string {
	if p == (geo.Point{}) {
		return ""
	}
	return strconv.FormatFloat(p.Lat, 'f', 6, 64) + ", " + strconv.FormatFloat(p.Lon, 'f', 6, 64)
}

func hoursText(hs []OpeningHours) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = strconv.Itoa(h.Day) + " " + h.Opens + "-" + h.Close
	}
	return strings.Join(parts, "; ")
}

func idText(id int64) string {
	if id == 0 {
		return ""
	}
	return strconv.FormatInt(id, 10)
}
