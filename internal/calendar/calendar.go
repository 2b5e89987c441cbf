// Package calendar writes iCalendar feeds (RFC 5545): the reservations of
// bookable resources and the carpool departures members subscribe to.
//
// Times are written in the feed's zone, with its TZID and a VTIMEZONE
// component describing that zone over the feed's dates (one observance per
// change of offset, from Go's zone data), rather than in UTC. The
// platform's times are wall-clock times of the territory (a room booked
// 18:00–20:00 every Tuesday, the 07:40 commute that stays 07:40 across a
// clock change), and with the zone a calendar program keeps that meaning:
// it shows the event's own zone, and a member reading the feed from
// elsewhere still sees 07:40 Europe/Paris beside their local time. UTC
// would give the same instants but lose the zone. RFC 5545 §3.6.5 wants a
// VTIMEZONE for every TZID used; it is built here rather than referring to
// a registry, so any reader can interpret it. A feed whose zone is UTC
// writes times with the Z suffix and no TZID.
//
// The writer is small on purpose: content lines end with CRLF and are
// folded at 75 octets without splitting a UTF-8 sequence (§3.1), TEXT
// values escape backslash, semicolon, comma and newlines (§3.3.11), and
// the properties calendar programs need (UID, DTSTAMP in UTC, DTSTART,
// DTEND, SUMMARY, STATUS) are always there.
package calendar

import (
	"bytes"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Feed is one calendar: its name, its zone and its events.
type Feed struct {
	// ProductID is PRODID, e.g. "-//Sharing City//Booking//FR".
	ProductID string
	// Name is shown by calendar programs as the calendar's name
	// (X-WR-CALNAME).
	Name string
	// Location is the zone times are written in; nil means UTC.
	Location *time.Location
	// Stamp is when the feed was written (DTSTAMP of every event).
	Stamp  time.Time
	Events []Event
}

// Status of an event (§3.8.1.11).
const (
	Confirmed = "CONFIRMED"
	Tentative = "TENTATIVE"
	Cancelled = "CANCELLED"
)

// Event is one VEVENT. UID must stay the same for the same event from one
// reading of the feed to the next, so that calendar programs update it
// instead of adding a copy.
type Event struct {
	UID         string
	Start, End  time.Time
	Summary     string
	Description string // optional
	Status      string // Confirmed, Tentative or Cancelled; optional
}

// Bytes writes the feed.
func (f Feed) Bytes() ([]byte, error) {
	loc := f.Location
	if loc == nil {
		loc = time.UTC
	}
	var w writer
	w.line("BEGIN", nil, "VCALENDAR")
	w.line("VERSION", nil, "2.0")
	w.line("PRODID", nil, escapeText(f.ProductID))
	w.line("CALSCALE", nil, "GREGORIAN")
	if f.Name != "" {
		w.line("X-WR-CALNAME", nil, escapeText(f.Name))
	}
	utc := loc == time.UTC
	if !utc {
		w.line("X-WR-TIMEZONE", nil, escapeText(loc.String()))
	}
	// The zone is described over the events' dates, or at least the
	// feed's date, so that even an empty feed holds one component, as
	// §3.4 requires.
	from, to := f.Stamp, f.Stamp
	for i, e := range f.Events {
		if e.UID == "" {
			return nil, fmt.Errorf("calendar: event %d has no UID", i)
		}
		if e.End.Before(e.Start) {
			return nil, fmt.Errorf("calendar: event %s ends before it starts", e.UID)
		}
		if e.Start.Before(from) {
			from = e.Start
		}
		if e.End.After(to) {
			to = e.End
		}
	}
	if !utc || len(f.Events) == 0 {
		writeTimezone(&w, loc, from, to)
	}
	stamp := f.Stamp.UTC().Format(utcFormat)
	for _, e := range f.Events {
		w.line("BEGIN", nil, "VEVENT")
		w.line("UID", nil, escapeText(e.UID))
		w.line("DTSTAMP", nil, stamp)
		writeTime(&w, "DTSTART", e.Start, loc)
		writeTime(&w, "DTEND", e.End, loc)
		w.line("SUMMARY", nil, escapeText(e.Summary))
		if e.Description != "" {
			w.line("DESCRIPTION", nil, escapeText(e.Description))
		}
		if e.Status != "" {
			w.line("STATUS", nil, e.Status)
		}
		w.line("TRANSP", nil, "OPAQUE")
		w.line("END", nil, "VEVENT")
	}
	w.line("END", nil, "VCALENDAR")
	return w.buf.Bytes(), nil
}

const (
	utcFormat   = "20060102T150405Z"
	localFormat = "20060102T150405"
)

func writeTime(w *writer, name string, t time.Time, loc *time.Location) {
	if loc == time.UTC {
		w.line(name, nil, t.UTC().Format(utcFormat))
		return
	}
	w.line(name, []string{"TZID", paramValue(loc.String())}, t.In(loc).Format(localFormat))
}

// writeTimezone writes the VTIMEZONE of loc between from and to: the
// observance in force at from, then one per change of offset until to.
// Observances are single onsets rather than RRULEs: Go's zone data gives
// the transitions, not the rules, and a feed covers months, not decades.
func writeTimezone(w *writer, loc *time.Location, from, to time.Time) {
	w.line("BEGIN", nil, "VTIMEZONE")
	w.line("TZID", nil, escapeText(loc.String()))
	observance := func(at time.Time) {
		before, after := at.Add(-time.Second).In(loc), at.In(loc)
		name := "STANDARD"
		if after.IsDST() {
			name = "DAYLIGHT"
		}
		_, offFrom := before.Zone()
		abbr, offTo := after.Zone()
		w.line("BEGIN", nil, name)
		// The onset is written in the local time in force before it.
		w.line("DTSTART", nil, at.UTC().Add(time.Duration(offFrom)*time.Second).Format(localFormat))
		w.line("TZOFFSETFROM", nil, utcOffset(offFrom))
		w.line("TZOFFSETTO", nil, utcOffset(offTo))
		if abbr != "" {
			w.line("TZNAME", nil, escapeText(abbr))
		}
		w.line("END", nil, name)
	}
	t := from.In(loc)
	start, _ := t.ZoneBounds()
	if start.IsZero() {
		start = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	observance(start)
	for range 500 { // bounded: two changes a year over any feed's range
		_, end := t.ZoneBounds()
		if end.IsZero() || end.After(to) {
			break
		}
		observance(end)
		t = end.In(loc)
	}
	w.line("END", nil, "VTIMEZONE")
}

func utcOffset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	s := fmt.Sprintf("%s%02d%02d", sign, sec/3600, sec/60%60)
	if sec%60 != 0 {
		s += fmt.Sprintf("%02d", sec%60)
	}
	return s
}

// escapeText escapes a TEXT value (§3.3.11): backslash, semicolon and
// comma get a backslash, every line break (CRLF, CR or LF) becomes \n, and
// other control characters, which TEXT cannot hold, are dropped.
func escapeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' || c == ';' || c == ',':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\r':
			b.WriteString(`\n`)
			if i+1 < len(s) && s[i+1] == '\n' {
				i++
			}
		case c == '\n':
			b.WriteString(`\n`)
		case c == '\t' || c >= 0x20 && c != 0x7f:
			b.WriteByte(c)
		}
	}
	return strings.ToValidUTF8(b.String(), "\uFFFD")
}

// paramValue quotes a parameter value when it holds a character that
// would end it (§3.2); double quotes, which no value can hold, are dropped.
func paramValue(s string) string {
	s = strings.ReplaceAll(s, `"`, "")
	if strings.ContainsAny(s, ";:,") {
		return `"` + s + `"`
	}
	return s
}

// maxLine is the longest content line in octets, CRLF not counted (§3.1).
const maxLine = 75

type writer struct{ buf bytes.Buffer }

// line writes "NAME;PARAM=VALUE:value" folded: no line longer than 75
// octets, a continuation line starting with a space (which counts), and a
// fold never inside a UTF-8 sequence.
func (w *writer) line(name string, params []string, value string) {
	var l strings.Builder
	l.WriteString(name)
	for i := 0; i+1 < len(params); i += 2 {
		l.WriteString(";" + params[i] + "=" + params[i+1])
	}
	l.WriteString(":" + value)
	w.buf.WriteString(fold(l.String()))
}

// fold splits a content line into lines of at most 75 octets, each ended
// by CRLF.
func fold(s string) string {
	var b strings.Builder
	b.Grow(len(s) + len(s)/maxLine*3 + 2)
	limit := maxLine
	for len(s) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		if cut == 0 { // not UTF-8: cut anywhere rather than loop
			cut = limit
		}
		b.WriteString(s[:cut])
		b.WriteString("\r\n ")
		s = s[cut:]
		limit = maxLine - 1 // the leading space of the next line counts
	}
	b.WriteString(s)
	b.WriteString("\r\n")
	return b.String()
}
