package rdex

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Error is an RDEX error: a name from the protocol's list, the parameter
// at fault, and messages for the client's developer and for its user. It
// is written as {"error": {"name", "message_debug", "message_user",
// "field"}} with the HTTP status the name stands for.
type Error struct {
	Name  string
	Field string
	Debug string
	User  string
}

// RDEX error names used here.
const (
	ErrAccessDenied          = "access_denied"
	ErrInternal              = "internal_error"
	ErrInvalidInput          = "invalid_input"
	ErrMissingMandatoryField = "missing_mandatory_field"
	ErrSignatureMismatch     = "signature_mismatch"
	ErrTimestampTooSkewed    = "timestamp_too_skewed"
	ErrTooManyRequests       = "too_many_requests" // not in RDEX's list: a rate limit
	ErrUnsupportedHTTPVerb   = "unsupported_http_verb"
)

var errorStatus = map[string]int{
	ErrAccessDenied:          401,
	ErrInternal:              500,
	ErrInvalidInput:          400,
	ErrMissingMandatoryField: 400,
	ErrSignatureMismatch:     401,
	ErrTimestampTooSkewed:    401,
	ErrTooManyRequests:       429,
	ErrUnsupportedHTTPVerb:   405,
}

func (e *Error) Error() string {
	if e.Field != "" {
		return "rdex: " + e.Name + " (" + e.Field + "): " + e.Debug
	}
	return "rdex: " + e.Name + ": " + e.Debug
}

// Status is the HTTP status RDEX gives the error.
func (e *Error) Status() int {
	if s, ok := errorStatus[e.Name]; ok {
		return s
	}
	return 400
}

func missing(field string) *Error {
	return &Error{Name: ErrMissingMandatoryField, Field: field, Debug: field + " is required"}
}

func invalid(field, debug string) *Error {
	return &Error{Name: ErrInvalidInput, Field: field, Debug: debug}
}

// ParseQuery reads the p[...] parameters of a journeys search. Presence
// and values are checked; authentication (timestamp, apikey, signature)
// is the handler's.
func ParseQuery(v url.Values) (Query, *Error) {
	var q Query
	var err *Error
	if q.Driver, err = state(v, "p[driver][state]"); err != nil {
		return q, err
	}
	if q.Passenger, err = state(v, "p[passenger][state]"); err != nil {
		return q, err
	}
	if !q.Driver && !q.Passenger {
		return q, invalid("p[driver][state]", "p[driver][state] or p[passenger][state] must be 1")
	}
	if q.From, err = point(v, "from"); err != nil {
		return q, err
	}
	if q.To, err = point(v, "to"); err != nil {
		return q, err
	}
	switch f := Frequency(strings.ToLower(strings.TrimSpace(v.Get("p[frequency]")))); f {
	case "":
		q.Frequency = Both
	case Punctual, Regular, Both:
		q.Frequency = f
	default:
		return q, invalid("p[frequency]", "p[frequency] must be punctual, regular or both")
	}
	for d, name := range dayNames {
		key := "p[days][" + name + "]"
		if !v.Has(key) {
			continue
		}
		on, err := state(v, key)
		if err != nil {
			return q, err
		}
		q.Days[d] = on
	}
	if q.Outward, err = window(v, "outward"); err != nil {
		return q, err
	}
	if hasPrefix(v, "p[return]") {
		ret, err := window(v, "return")
		if err != nil {
			return q, err
		}
		if !ret.MinDate.IsZero() && !q.Outward.MinDate.IsZero() && ret.MinDate.Before(q.Outward.MinDate) {
			return q, invalid("p[return][mindate]", "the return's mindate must not be before the outward's mindate")
		}
		q.Return = &ret
	}
	return q, nil
}

func hasPrefix(v url.Values, prefix string) bool {
	for k := range v {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// CheckDates refuses a window whose last date is already past on the
// given day (the client's mistake, or a replay of an old search): the
// answer would always be empty. A day's slack covers time zones.
func (q Query) CheckDates(today time.Time) *Error {
	limit := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)
	if !q.Outward.MaxDate.IsZero() && q.Outward.MaxDate.Before(limit) {
		return invalid("p[outward][maxdate]", "p[outward][maxdate] is in the past")
	}
	if q.Return != nil && !q.Return.MaxDate.IsZero() && q.Return.MaxDate.Before(limit) {
		return invalid("p[return][maxdate]", "p[return][maxdate] is in the past")
	}
	return nil
}

// state reads a required 0/1 flag (true/false accepted too).
func state(v url.Values, key string) (bool, *Error) {
	if !v.Has(key) {
		return false, missing(key)
	}
	switch strings.ToLower(strings.TrimSpace(v.Get(key))) {
	case "1", "true":
		return true, nil
	case "0", "false":
		return false, nil
	}
	return false, invalid(key, key+" must be 0 or 1")
}

func point(v url.Values, name string) (Point, *Error) {
	var p Point
	latKey, lonKey := "p["+name+"][latitude]", "p["+name+"][longitude]"
	for _, c := range []struct {
		key   string
		dst   *float64
		limit float64
	}{{latKey, &p.Lat, 90}, {lonKey, &p.Lon, 180}} {
		s := strings.TrimSpace(v.Get(c.key))
		if s == "" {
			return p, missing(c.key)
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.Abs(f) > c.limit {
			return p, invalid(c.key, c.key+" must be a WGS84 coordinate in decimal degrees")
		}
		*c.dst = f
	}
	return p, nil
}

// window reads p[way][mindate], maxdate and the per-day mintime and
// maxtime. A time given for no day (p[outward][mintime]) applies to every
// day that gives none.
func window(v url.Values, way string) (Window, *Error) {
	var w Window
	var err *Error
	prefix := "p[" + way + "]"
	if w.MinDate, err = date(v, prefix+"[mindate]"); err != nil {
		return w, err
	}
	if w.MaxDate, err = date(v, prefix+"[maxdate]"); err != nil {
		return w, err
	}
	if !w.MinDate.IsZero() && !w.MaxDate.IsZero() && w.MaxDate.Before(w.MinDate) {
		return w, invalid(prefix+"[maxdate]", "maxdate must not be before mindate")
	}
	all, err := timeRange(v, prefix)
	if err != nil {
		return w, err
	}
	for d, name := range dayNames {
		tr, err := timeRange(v, prefix+"["+name+"]")
		if err != nil {
			return w, err
		}
		if tr == nil {
			tr = all
		}
		w.Times[d] = tr
	}
	return w, nil
}

func date(v url.Values, key string) (time.Time, *Error) {
	s := strings.TrimSpace(v.Get(key))
	if s == "" {
		return time.Time{}, nil
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return time.Time{}, invalid(key, key+" must be a date YYYY-MM-DD")
	}
	return t, nil
}

// timeRange reads prefix[mintime] and prefix[maxtime]; nil when neither
// is given. A missing bound is the start or the end of the day.
func timeRange(v url.Values, prefix string) (*TimeRange, *Error) {
	minS, maxS := strings.TrimSpace(v.Get(prefix+"[mintime]")), strings.TrimSpace(v.Get(prefix+"[maxtime]"))
	if minS == "" && maxS == "" {
		return nil, nil
	}
	tr := &TimeRange{Max: 24*time.Hour - time.Second}
	var err *Error
	if minS != "" {
		if tr.Min, err = timeOfDay(prefix+"[mintime]", minS); err != nil {
			return nil, err
		}
	}
	if maxS != "" {
		if tr.Max, err = timeOfDay(prefix+"[maxtime]", maxS); err != nil {
			return nil, err
		}
	}
	if tr.Max < tr.Min {
		return nil, invalid(prefix+"[maxtime]", "maxtime must not be before mintime")
	}
	return tr, nil
}

// timeOfDay reads "HH:MM:SS" or "HH:MM".
func timeOfDay(key, s string) (time.Duration, *Error) {
	for _, layout := range []string{time.TimeOnly, "15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute + time.Duration(t.Second())*time.Second, nil
		}
	}
	return 0, invalid(key, key+" must be a time HH:MM:SS")
}
