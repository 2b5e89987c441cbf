package rdex

import (
	"net/url"
	"testing"
	"time"
)

// base is a valid search, Lyon to Villeurbanne.
func base() url.Values {
	return url.Values{
		"p[driver][state]":            {"1"},
		"p[passenger][state]":         {"0"},
		"p[from][latitude]":           {"45.7606"},
		"p[from][longitude]":          {"4.8595"},
		"p[to][latitude]":             {"45.7719"},
		"p[to][longitude]":            {"4.8902"},
		"p[outward][mindate]":         {"2026-12-01"},
		"p[outward][maxdate]":         {"2026-12-05"},
		"p[frequency]":                {"regular"},
		"p[days][monday]":             {"1"},
		"p[outward][monday][mintime]": {"07:00:00"},
		"p[outward][monday][maxtime]": {"08:30:00"},
	}
}

func TestParseQuery(t *testing.T) {
	q, err := ParseQuery(base())
	if err != nil {
		t.Fatal(err)
	}
	want := Query{Driver: true, From: Point{45.7606, 4.8595}, To: Point{45.7719, 4.8902}, Frequency: Regular}
	want.Days[time.Monday] = true
	want.Outward.MinDate = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	want.Outward.MaxDate = time.Date(2026, 12, 5, 0, 0, 0, 0, time.UTC)
	if q.Driver != want.Driver || q.Passenger || q.From != want.From || q.To != want.To || q.Frequency != Regular ||
		q.Days != want.Days || !q.Outward.MinDate.Equal(want.Outward.MinDate) || !q.Outward.MaxDate.Equal(want.Outward.MaxDate) {
		t.Fatalf("query = %+v", q)
	}
	if tr := q.Outward.Times[time.Monday]; tr == nil || tr.Min != 7*time.Hour || tr.Max != 8*time.Hour+30*time.Minute {
		t.Fatalf("monday = %+v", tr)
	}
	if q.Outward.Times[time.Tuesday] != nil {
		t.Fatalf("tuesday has a window: %+v", q.Outward.Times[time.Tuesday])
	}

	// A time for no day applies to every day without its own; frequency defaults to both.
	v := base()
	v.Del("p[frequency]")
	v.Set("p[outward][mintime]", "06:00")
	q, err = ParseQuery(v)
	if err != nil || q.Frequency != Both || q.Outward.Times[time.Friday] == nil || q.Outward.Times[time.Friday].Min != 6*time.Hour ||
		q.Outward.Times[time.Friday].Max != 24*time.Hour-time.Second || q.Outward.Times[time.Monday].Min != 7*time.Hour {
		t.Fatalf("default window: %+v %v", q, err)
	}

	cases := []struct {
		name, key, value string // value "" deletes the key
		errName, field   string
	}{
		{"no driver state", "p[driver][state]", "", ErrMissingMandatoryField, "p[driver][state]"},
		{"bad driver state", "p[driver][state]", "yes", ErrInvalidInput, "p[driver][state]"},
		{"nobody searched", "p[driver][state]", "0", ErrInvalidInput, "p[driver][state]"},
		{"no passenger state", "p[passenger][state]", "", ErrMissingMandatoryField, "p[passenger][state]"},
		{"no from latitude", "p[from][latitude]", "", ErrMissingMandatoryField, "p[from][latitude]"},
		{"from latitude out of range", "p[from][latitude]", "91", ErrInvalidInput, "p[from][latitude]"},
		{"to longitude not a number", "p[to][longitude]", "4,89", ErrInvalidInput, "p[to][longitude]"},
		{"no to longitude", "p[to][longitude]", "", ErrMissingMandatoryField, "p[to][longitude]"},
		{"frequency", "p[frequency]", "daily", ErrInvalidInput, "p[frequency]"},
		{"mindate format", "p[outward][mindate]", "01/12/2026", ErrInvalidInput, "p[outward][mindate]"},
		{"maxdate before mindate", "p[outward][maxdate]", "2026-11-30", ErrInvalidInput, "p[outward][maxdate]"},
		{"mintime format", "p[outward][monday][mintime]", "7h", ErrInvalidInput, "p[outward][monday][mintime]"},
		{"maxtime before mintime", "p[outward][monday][maxtime]", "06:00:00", ErrInvalidInput, "p[outward][monday][maxtime]"},
		{"day flag", "p[days][sunday]", "maybe", ErrInvalidInput, "p[days][sunday]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v := base()
			if tc.value == "" {
				v.Del(tc.key)
			} else {
				v.Set(tc.key, tc.value)
			}
			_, err := ParseQuery(v)
			if err == nil || err.Name != tc.errName || err.Field != tc.field {
				t.Fatalf("error = %+v, want %s on %s", err, tc.errName, tc.field)
			}
			if err.Status() != 400 {
				t.Fatalf("status %d", err.Status())
			}
		})
	}
}

func TestSchedule(t *testing.T) {
	var s Schedule
	s.SetDay(time.Monday, 7*time.Hour+40*time.Minute, 8*time.Hour)
	s.SetDay(time.Sunday, -time.Hour, 25*time.Hour)
	if s.Monday.MinTime != "07:40:00" || s.Monday.MaxTime != "08:00:00" || s.Sunday.MinTime != "00:00:00" || s.Sunday.MaxTime != "23:59:59" {
		t.Fatalf("schedule = %+v %+v", s.Monday, s.Sunday)
	}
	var d Days
	d.Set(time.Friday)
	if !d.Has(time.Friday) || d.Has(time.Monday) || d.Friday != 1 {
		t.Fatalf("days = %+v", d)
	}
}

func TestWithoutParam(t *testing.T) {
	cases := map[string]string{
		"timestamp=1&apikey=k&p%5Bx%5D=1&signature=abc": "timestamp=1&apikey=k&p%5Bx%5D=1",
		"signature=abc&timestamp=1":                     "timestamp=1",
		"timestamp=1&signature=abc&apikey=k":            "timestamp=1&apikey=k",
		"timestamp=1&signatures=x":                      "timestamp=1&signatures=x",
	}
	for in, want := range cases {
		if got := withoutParam(in, "signature"); got != want {
			t.Errorf("withoutParam(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseReturn(t *testing.T) {
	q, err := ParseQuery(base())
	if err != nil || q.Return != nil {
		t.Fatalf("no return asked: %+v %v", q.Return, err)
	}
	v := base()
	v.Set("p[return][mindate]", "2026-12-01")
	v.Set("p[return][maxdate]", "2026-12-06")
	v.Set("p[return][monday][mintime]", "17:00:00")
	v.Set("p[return][monday][maxtime]", "18:30:00")
	v.Set("p[return][friday][mintime]", "16:00")
	q, err = ParseQuery(v)
	if err != nil || q.Return == nil {
		t.Fatalf("return: %+v %v", q.Return, err)
	}
	r := q.Return
	if !r.MaxDate.Equal(time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)) || r.Times[time.Monday].Min != 17*time.Hour ||
		r.Times[time.Friday].Min != 16*time.Hour || r.Times[time.Friday].Max != 24*time.Hour-time.Second || r.Times[time.Sunday] != nil {
		t.Fatalf("return window %+v", r)
	}
	for _, tc := range []struct{ name, key, value, field string }{
		{"return mindate format", "p[return][mindate]", "tomorrow", "p[return][mindate]"},
		{"return before outward", "p[return][mindate]", "2026-11-30", "p[return][mindate]"},
		{"return maxdate before mindate", "p[return][maxdate]", "2026-11-30", "p[return][maxdate]"},
		{"return maxtime before mintime", "p[return][monday][maxtime]", "16:00:00", "p[return][monday][maxtime]"},
		{"return time format", "p[return][sunday][mintime]", "25:00", "p[return][sunday][mintime]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := url.Values{}
			for k, x := range v {
				w[k] = x
			}
			w.Set(tc.key, tc.value)
			_, err := ParseQuery(w)
			if err == nil || err.Name != ErrInvalidInput || err.Field != tc.field || err.Status() != 400 {
				t.Fatalf("error = %+v, want invalid_input on %s", err, tc.field)
			}
		})
	}
	// A window already over.
	q, _ = ParseQuery(v)
	if err := q.CheckDates(time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatalf("dates ahead refused: %v", err)
	}
	if err := q.CheckDates(time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)); err == nil || err.Field != "p[outward][maxdate]" {
		t.Fatalf("past outward: %v", err)
	}
	q.Outward.MaxDate = time.Time{}
	if err := q.CheckDates(time.Date(2026, 12, 9, 10, 0, 0, 0, time.UTC)); err == nil || err.Field != "p[return][maxdate]" {
		t.Fatalf("past return: %v", err)
	}
}
