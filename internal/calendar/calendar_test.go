package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-ical"
)

func TestEscapeText(t *testing.T) {
	for _, tc := range []struct{ name, in, want string }{
		{"plain", "Perceuse", "Perceuse"},
		{"accents and emoji", "🚗 Gare → Échirolles", "🚗 Gare → Échirolles"},
		{"comma", "Salle Hébert, 1er étage", `Salle Hébert\, 1er étage`},
		{"semicolon", "a;b", `a\;b`},
		{"backslash", `C:\temp`, `C:\\temp`},
		{"LF", "one\ntwo", `one\ntwo`},
		{"CRLF", "one\r\ntwo", `one\ntwo`},
		{"lone CR", "one\rtwo", `one\ntwo`},
		{"all together", "a\\b;c,d\r\ne", `a\\b\;c\,d\ne`},
		{"controls dropped, tab kept", "a\x00b\x1bc\td\x7f", "abc\td"},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := escapeText(tc.in); got != tc.want {
				t.Errorf("escapeText(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestFold(t *testing.T) {
	for _, tc := range []struct {
		name, in string
	}{
		{"short", "SUMMARY:Perceuse"},
		{"exactly 75", "SUMMARY:" + strings.Repeat("a", 75-8)},
		{"76", "SUMMARY:" + strings.Repeat("a", 76-8)},
		{"long ASCII", "DESCRIPTION:" + strings.Repeat("0123456789", 30)},
		{"two-byte letters", "SUMMARY:" + strings.Repeat("é", 120)},
		{"three-byte arrows, odd start", "SUMMARY:x" + strings.Repeat("→", 90)},
		{"four-byte emoji", "SUMMARY:" + strings.Repeat("🚗", 60)},
		{"mixed", "SUMMARY:🚗 " + strings.Repeat("Gare de Grenoble → Échirolles, ", 8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := fold(tc.in)
			if !strings.HasSuffix(out, "\r\n") {
				t.Fatalf("no CRLF at the end: %q", out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\r\n"), "\r\n")
			var joined strings.Builder
			for i, l := range lines {
				if len(l) > maxLine {
					t.Errorf("line %d has %d octets: %q", i, len(l), l)
				}
				if !utf8.ValidString(l) {
					t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
				}
				if strings.ContainsAny(l, "\r\n") {
					t.Errorf("line %d holds a bare CR or LF", i)
				}
				if i > 0 {
					if !strings.HasPrefix(l, " ") {
						t.Fatalf("continuation line %d does not start with a space: %q", i, l)
					}
					l = l[1:]
				}
				joined.WriteString(l)
			}
			if joined.String() != tc.in {
				t.Errorf("unfolded %q, want %q", joined.String(), tc.in)
			}
			// Folding only when needed, and as late as possible.
			if len(tc.in) <= maxLine && len(lines) != 1 {
				t.Errorf("%d octets folded into %d lines", len(tc.in), len(lines))
			}
			for i, l := range lines[:len(lines)-1] {
				next, _ := utf8.DecodeRuneInString(strings.TrimPrefix(lines[i+1], " "))
				if len(l)+utf8.RuneLen(next) <= maxLine {
					t.Errorf("line %d folded early (%d octets, next rune fits)", i, len(l))
				}
			}
		})
	}
}

func TestUTCOffset(t *testing.T) {
	for sec, want := range map[int]string{0: "+0000", 3600: "+0100", 7200: "+0200", -18000: "-0500", 19800: "+0530", 561: "+000921"} {
		if got := utcOffset(sec); got != want {
			t.Errorf("utcOffset(%d) = %q, want %q", sec, got, want)
		}
	}
}

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestFeed writes feeds and reads them back with go-ical's decoder, which
// unfolds lines and unescapes TEXT: what goes in comes out.
func TestFeed(t *testing.T) {
	paris := mustLoad(t, "Europe/Paris")
	stamp := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	long := "🚗 " + strings.Repeat("Gare de Grenoble, quai n°2; → Échirolles \\ centre\n", 4)
	events := []Event{
		{UID: "reservation-1@demo", Start: time.Date(2026, 3, 16, 9, 0, 0, 0, paris), End: time.Date(2026, 3, 16, 11, 30, 0, 0, paris),
			Summary: "Réservé (2/2)", Status: Confirmed},
		{UID: "reservation-2@demo", Start: time.Date(2026, 3, 28, 10, 0, 0, 0, paris), End: time.Date(2026, 3, 30, 10, 0, 0, 0, paris),
			Summary: long, Description: "pending", Status: Tentative},
	}
	for _, tc := range []struct {
		name     string
		loc      *time.Location
		events   []Event
		wantTZID string // "" for UTC times
		wantTZ   bool   // a VTIMEZONE
		wantDST  string // DTSTART of a DAYLIGHT observance, when one is expected
	}{
		{"Paris across the spring change", paris, events, "Europe/Paris", true, "20260329T020000"},
		{"UTC", time.UTC, events, "", false, ""},
		{"nil location is UTC", nil, events, "", false, ""},
		{"empty feed in Paris", paris, nil, "", true, ""},
		{"empty feed in UTC still has a component", time.UTC, nil, "", true, ""},
		{"New York", mustLoad(t, "America/New_York"), events, "America/New_York", true, "20260308T020000"},
		{"Kolkata, no changes", mustLoad(t, "Asia/Kolkata"), events, "Asia/Kolkata", true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data, err := Feed{ProductID: "-//Sharing City//Test//FR", Name: "Testville, centre", Location: tc.loc, Stamp: stamp, Events: tc.events}.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			for i, l := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
				if len(l) > maxLine || !utf8.ValidString(l) || strings.ContainsAny(l, "\r\n") {
					t.Errorf("line %d: %q", i, l)
				}
			}
			if bytes.Count(data, []byte("\n")) != bytes.Count(data, []byte("\r\n")) {
				t.Error("a line ends without CR")
			}
			cal, err := ical.NewDecoder(bytes.NewReader(data)).Decode()
			if err != nil {
				t.Fatalf("decode: %v\n%s", err, data)
			}
			if v := cal.Props.Get("X-WR-CALNAME"); v == nil || v.Value != `Testville\, centre` {
				t.Errorf("calendar name %+v", v)
			}
			var tz *ical.Component
			for _, c := range cal.Children {
				if c.Name == ical.CompTimezone {
					tz = c
				}
			}
			if (tz != nil) != tc.wantTZ {
				t.Fatalf("VTIMEZONE: %v, want %v\n%s", tz != nil, tc.wantTZ, data)
			}
			if tc.wantDST != "" {
				found := false
				for _, c := range tz.Children {
					found = found || c.Name == ical.CompTimezoneDaylight && c.Props.Get(ical.PropDateTimeStart).Value == tc.wantDST
				}
				if !found {
					t.Errorf("no DAYLIGHT observance at %s:\n%s", tc.wantDST, data)
				}
			}
			got := cal.Events()
			if len(got) != len(tc.events) {
				t.Fatalf("%d events, want %d", len(got), len(tc.events))
			}
			for i, ev := range got {
				want := tc.events[i]
				if uid, _ := ev.Props.Text(ical.PropUID); uid != want.UID {
					t.Errorf("UID %q, want %q", uid, want.UID)
				}
				if s, _ := ev.Props.Text(ical.PropSummary); s != want.Summary {
					t.Errorf("summary %q, want %q", s, want.Summary)
				}
				if d, _ := ev.Props.Text(ical.PropDescription); d != want.Description {
					t.Errorf("description %q, want %q", d, want.Description)
				}
				if st := ev.Props.Get(ical.PropDateTimeStamp); st == nil || st.Value != "20260301T093000Z" {
					t.Errorf("DTSTAMP %+v", st)
				}
				if tzid := ev.Props.Get(ical.PropDateTimeStart).Params.Get(ical.PropTimezoneID); tzid != tc.wantTZID {
					t.Errorf("TZID %q, want %q", tzid, tc.wantTZID)
				}
				start, err := ev.DateTimeStart(nil)
				if err != nil || !start.Equal(want.Start) {
					t.Errorf("start %v (%v), want %v", start, err, want.Start)
				}
				end, err := ev.DateTimeEnd(nil)
				if err != nil || !end.Equal(want.End) {
					t.Errorf("end %v (%v), want %v", end, err, want.End)
				}
			}
		})
	}
}

func TestFeedRefusesBadEvents(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	for name, e := range map[string]Event{
		"no UID":            {Start: now, End: now.Add(time.Hour)},
		"ends before start": {UID: "x", Start: now, End: now.Add(-time.Hour)},
	} {
		if _, err := (Feed{Stamp: now, Events: []Event{e}}).Bytes(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
