// Package directory is the map and directory of a territory's sharing
// initiatives and commons: entries contributed by residents, validated by
// moderators, kept as revisions, searchable by text and place.
package directory

import (
	"net/mail"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// Categories is the default taxonomy of a territory (DESIGN.md, module 1).
var Categories = []string{
	"mobility", "food", "housing", "goods_tools", "skills_services", "spaces",
	"money_finance", "knowledge_culture", "energy", "waste_repair", "commons",
}

// Kind is the legal or social form of an initiative.
type Kind string

const (
	KindAssociation   Kind = "association"
	KindCompany       Kind = "company"
	KindPublicService Kind = "public_service"
	KindCollective    Kind = "collective"
	KindCommons       Kind = "commons"
)

// Kinds lists the valid kinds.
var Kinds = []Kind{KindAssociation, KindCompany, KindPublicService, KindCollective, KindCommons}

// Status is where an initiative stands in moderation.
type Status string

const (
	StatusPending   Status = "pending"   // contributed, waiting for a moderator
	StatusPublished Status = "published" // visible on the map
	StatusRejected  Status = "rejected"  // refused, with a reason
	StatusArchived  Status = "archived"  // no longer active, kept for history
)

// Commons describes, for a commons, the shared resource and how it is governed.
type Commons struct {
	Resource   string `json:"resource,omitempty"`
	Community  string `json:"community,omitempty"`
	Governance string `json:"governance,omitempty"`
}

// OpeningHours is one weekly slot: Day is 1 (Monday) to 7 (Sunday), times
// are "HH:MM" in the territory's time zone.
type OpeningHours struct {
	Day   int    `json:"day"`
	Opens string `json:"opens"`
	Close string `json:"closes"`
}

// Initiative is an entry of the directory. Fields are the editable content;
// what the system sets (ids, status, dates) follows.
type Initiative struct {
	ID             int64          `json:"id"`
	TerritoryID    int64          `json:"-"`
	Name           string         `json:"name"`
	Summary        string         `json:"summary"`
	Description    string         `json:"description"` // Markdown source
	Categories     []string       `json:"categories"`
	Tags           []string       `json:"tags"`
	Kind           Kind           `json:"kind"`
	Address        string         `json:"address"`
	Position       geo.Point      `json:"position"`
	OpeningHours   []OpeningHours `json:"opening_hours,omitempty"`
	Website        string         `json:"website,omitempty"`
	Email          string         `json:"email,omitempty"` // the initiative's public contact, not a member's
	Phone          string         `json:"phone,omitempty"`
	OrganisationID int64          `json:"organisation_id,omitempty"`
	Commons        Commons        `json:"commons"`

	Status       Status    `json:"status"`
	RejectReason string    `json:"reject_reason,omitempty"`
	SourceKey    string    `json:"-"` // identifies an imported row, so a re-import updates instead of duplicating
	MapJamID     int64     `json:"mapjam_id,omitempty"`
	CreatedBy    int64     `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	Revision     int       `json:"revision"` // number of the current revision
}

// Validate checks the editable content, trimming it first. The territory's
// boundary is checked by the service, which knows it.
func (in *Initiative) Validate() error {
	var v errs.Validator
	in.Name = strings.TrimSpace(in.Name)
	in.Summary = strings.TrimSpace(in.Summary)
	in.Address = strings.TrimSpace(in.Address)
	in.Website = strings.TrimSpace(in.Website)
	in.Email = strings.TrimSpace(in.Email)
	in.Phone = strings.TrimSpace(in.Phone)

	v.Check(in.Name != "", "name", "err.required")
	v.Check(utf8.RuneCountInString(in.Name) <= 160, "name", "err.too_long", "Max", 160)
	v.Check(utf8.RuneCountInString(in.Summary) <= 300, "summary", "err.too_long", "Max", 300)
	v.Check(utf8.RuneCountInString(in.Description) <= 20000, "description", "err.too_long", "Max", 20000)
	v.Check(utf8.RuneCountInString(in.Address) <= 300, "address", "err.too_long", "Max", 300)
	v.Check(in.Position.Valid() && !(in.Position.Lat == 0 && in.Position.Lon == 0), "position", "err.position_required")

	in.Categories = cleanList(in.Categories, 11, 40)
	v.Check(len(in.Categories) > 0, "categories", "err.category_required")
	for _, c := range in.Categories {
		v.Check(isCategory(c), "categories", "err.category_unknown", "Category", c)
	}
	in.Tags = cleanList(in.Tags, 20, 40)
	for i, t := range in.Tags {
		in.Tags[i] = strings.ToLower(t)
	}
	valid := false
	for _, k := range Kinds {
		valid = valid || in.Kind == k
	}
	v.Check(valid, "kind", "err.kind_unknown")
	if in.Website != "" {
		u, err := url.Parse(in.Website)
		v.Check(err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "", "website", "err.url_format")
	}
	if in.Email != "" {
		a, err := mail.ParseAddress(in.Email)
		v.Check(err == nil && a.Address == in.Email, "email", "err.email_format")
	}
	v.Check(len(in.Phone) <= 40, "phone", "err.too_long", "Max", 40)
	for _, h := range in.OpeningHours {
		v.Check(h.Day >= 1 && h.Day <= 7 && validClock(h.Opens) && validClock(h.Close) && h.Opens < h.Close, "opening_hours", "err.opening_hours")
	}
	v.Check(len(in.OpeningHours) <= 21, "opening_hours", "err.opening_hours")
	c := &in.Commons
	c.Resource, c.Community, c.Governance = strings.TrimSpace(c.Resource), strings.TrimSpace(c.Community), strings.TrimSpace(c.Governance)
	v.Check(len(c.Resource)+len(c.Community)+len(c.Governance) <= 20000, "commons", "err.too_long", "Max", 20000)
	return v.Err()
}

func isCategory(c string) bool {
	for _, k := range Categories {
		if k == c {
			return true
		}
	}
	return false
}

func validClock(s string) bool {
	if len(s) != 5 || s[2] != ':' {
		return false
	}
	_, err := time.Parse("15:04", s)
	return err == nil
}

// cleanList trims, drops empty and duplicate entries, and bounds the list.
func cleanList(in []string, maxItems, maxLen int) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s == "" || seen[s] || utf8.RuneCountInString(s) > maxLen {
			continue
		}
		seen[s] = true
		out = append(out, s)
		if len(out) == maxItems {
			break
		}
	}
	return out
}
