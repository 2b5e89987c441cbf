package web

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/geo"
)

// The initiative form: the same fields for a contribution and a proposed
// change. Form values and directory.Initiative convert both ways, so a
// refused form comes back exactly as typed and an edit form starts filled.

// hoursSlots is how many opening slots the form offers per day: French
// shops and services often close at lunch time, hence two.
const hoursSlots = 2

// initiativeFromForm reads the posted form. Numbers that cannot be read are
// returned as field errors; the service checks everything else.
func initiativeFromForm(f url.Values) (*directory.Initiative, []errs.FieldError) {
	var bad []errs.FieldError
	in := &directory.Initiative{
		Name:        f.Get("name"),
		Summary:     f.Get("summary"),
		Description: strings.ReplaceAll(f.Get("description"), "\r\n", "\n"),
		Categories:  f["categories"],
		Kind:        directory.Kind(f.Get("kind")),
		Address:     f.Get("address"),
		Website:     f.Get("website"),
		Email:       f.Get("email"),
		Phone:       f.Get("phone"),
		Commons: directory.Commons{
			Resource:   strings.ReplaceAll(f.Get("commons_resource"), "\r\n", "\n"),
			Community:  strings.ReplaceAll(f.Get("commons_community"), "\r\n", "\n"),
			Governance: strings.ReplaceAll(f.Get("commons_governance"), "\r\n", "\n"),
		},
	}
	for _, t := range strings.Split(f.Get("tags"), ",") {
		if t = strings.TrimSpace(t); t != "" {
			in.Tags = append(in.Tags, t)
		}
	}
	lat, lon := strings.TrimSpace(f.Get("lat")), strings.TrimSpace(f.Get("lon"))
	if lat != "" || lon != "" {
		la, err1 := pageDecimal(lat)
		lo, err2 := pageDecimal(lon)
		if err1 != nil || err2 != nil {
			bad = append(bad, errs.FieldError{Field: "position", Key: "err.position_number"})
		} else {
			in.Position = geo.Point{Lat: la, Lon: lo}
		}
	}
	if org := strings.TrimSpace(f.Get("organisation_id")); org != "" && org != "0" {
		id, err := strconv.ParseInt(org, 10, 64)
		if err != nil || id < 0 {
			bad = append(bad, errs.FieldError{Field: "organisation_id", Key: "err.organisation_choice"})
		} else {
			in.OrganisationID = id
		}
	}
	hoursOK := true
	for day := 1; day <= 7; day++ {
		for slot := 1; slot <= hoursSlots; slot++ {
			opens, okO := clockOf(f.Get(hoursField("opens", day, slot)))
			closes, okC := clockOf(f.Get(hoursField("closes", day, slot)))
			if opens == "" && closes == "" {
				continue
			}
			if !okO || !okC || opens == "" || closes == "" {
				hoursOK = false
				continue
			}
			in.OpeningHours = append(in.OpeningHours, directory.OpeningHours{Day: day, Opens: opens, Close: closes})
		}
	}
	if !hoursOK {
		bad = append(bad, errs.FieldError{Field: "opening_hours", Key: "err.opening_hours"})
	}
	return in, bad
}

func hoursField(kind string, day, slot int) string {
	return kind + "_" + strconv.Itoa(day) + "_" + strconv.Itoa(slot)
}

// clockOf accepts what people type in a time field without a time picker:
// "9:00", "09:00", "9h", "9h30", "14 h 30"; it returns "HH:MM".
func clockOf(s string) (string, bool) {
	s = strings.ToLower(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if s == "" {
		return "", true
	}
	s = strings.Replace(s, "h", ":", 1)
	if strings.HasSuffix(s, ":") {
		s += "00"
	}
	if !strings.Contains(s, ":") {
		s += ":00"
	}
	hh, mm, _ := strings.Cut(s, ":")
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 || len(mm) != 2 {
		return s, false
	}
	return twoDigits(h) + ":" + twoDigits(m), true
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// initiativeFormValues fills the form with an initiative's content, for editing.
func initiativeFormValues(in *directory.Initiative) url.Values {
	f := url.Values{}
	set := func(k, v string) {
		if v != "" {
			f.Set(k, v)
		}
	}
	set("name", in.Name)
	set("summary", in.Summary)
	set("description", in.Description)
	f["categories"] = append([]string(nil), in.Categories...)
	set("tags", strings.Join(in.Tags, ", "))
	set("kind", string(in.Kind))
	set("address", in.Address)
	if in.Position != (geo.Point{}) {
		f.Set("lat", strconv.FormatFloat(in.Position.Lat, 'f', -1, 64))
		f.Set("lon", strconv.FormatFloat(in.Position.Lon, 'f', -1, 64))
	}
	set("website", in.Website)
	set("email", in.Email)
	set("phone", in.Phone)
	if in.OrganisationID != 0 {
		f.Set("organisation_id", strconv.FormatInt(in.OrganisationID, 10))
	}
	set("commons_resource", in.Commons.Resource)
	set("commons_community", in.Commons.Community)
	set("commons_governance", in.Commons.Governance)
	used := map[int]int{}
	for _, h := range in.OpeningHours {
		if h.Day < 1 || h.Day > 7 || used[h.Day] >= hoursSlots {
			continue
		}
		used[h.Day]++
		f.Set(hoursField("opens", h.Day, used[h.Day]), h.Opens)
		f.Set(hoursField("closes", h.Day, used[h.Day]), h.Close)
	}
	return f
}

// mergeFieldErrors joins the form's own errors with the service's, keeping
// the first message per field.
func mergeFieldErrors(own []errs.FieldError, err error) error {
	if len(own) == 0 {
		return err
	}
	all := append([]errs.FieldError(nil), own...)
	if e, ok := errs.As(err); ok {
		all = append(all, e.Fields...)
	}
	return errs.Fields(all)
}

// hoursRow is one day of the opening hours, in a form or a table.
type hoursRow struct {
	Day   int
	Slots []hoursSlot
}

type hoursSlot struct {
	Slot          int
	Opens, Closes string // values in a table; field names in a form
}

func hoursFormRows() []hoursRow {
	rows := make([]hoursRow, 7)
	for d := 1; d <= 7; d++ {
		rows[d-1].Day = d
		for s := 1; s <= hoursSlots; s++ {
			rows[d-1].Slots = append(rows[d-1].Slots, hoursSlot{Slot: s, Opens: hoursField("opens", d, s), Closes: hoursField("closes", d, s)})
		}
	}
	return rows
}

// hoursTable groups an initiative's slots by day, Monday first; days
// without a slot are left out.
func hoursTable(hs []directory.OpeningHours) []hoursRow {
	var rows []hoursRow
	for d := 1; d <= 7; d++ {
		row := hoursRow{Day: d}
		for _, h := range hs {
			if h.Day == d {
				row.Slots = append(row.Slots, hoursSlot{Opens: h.Opens, Closes: h.Close})
			}
		}
		if len(row.Slots) > 0 {
			rows = append(rows, row)
		}
	}
	return rows
}
