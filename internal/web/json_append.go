package web

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/territory"
)

// The search endpoint writes its hits with the appenders below rather than
// encoding/json: reflection over initiativeJSON's 24 fields was a sixth of
// a "near me"'s CPU and most of its encoder's allocations (bench/README.md,
// the 26 November afternoon round). They write exactly the bytes
// json.Encoder writes for initiativeJSON (HTML escaped, floats and times
// spelled alike, omitempty honoured), which TestAppendHitMatchesEncoder
// checks field by field; initiativeJSON stays the contract.

// appendHit appends what json.Encoder.Encode writes for
// {"initiative": initiativeJSON(in, false), "distance_m": *d} (d nil: no
// distance), newline included.
func appendHit(b []byte, slug string, in *directory.Initiative, d *float64) []byte {
	b = append(b, `{"initiative":{"id":`...)
	b = strconv.AppendInt(b, in.ID, 10)
	b = appendKeyString(b, `,"name":`, in.Name)
	b = appendKeyString(b, `,"summary":`, in.Summary)
	b = appendKeyString(b, `,"description":`, in.Description)
	b = appendStrings(append(b, `,"categories":`...), in.Categories)
	b = appendStrings(append(b, `,"tags":`...), in.Tags)
	b = appendKeyString(b, `,"kind":`, string(in.Kind))
	b = appendKeyString(b, `,"address":`, in.Address)
	b = appendFloat(append(b, `,"lat":`...), in.Position.Lat)
	b = appendFloat(append(b, `,"lon":`...), in.Position.Lon)
	b = append(b, `,"opening_hours":`...)
	if len(in.OpeningHours) == 0 {
		b = append(b, "[]"...)
	} else {
		b = appendMarshal(b, in.OpeningHours)
	}
	b = appendOmitEmpty(b, `,"website":`, in.Website)
	b = appendOmitEmpty(b, `,"email":`, in.Email)
	b = appendOmitEmpty(b, `,"phone":`, in.Phone)
	if in.OrganisationID != 0 {
		b = strconv.AppendInt(append(b, `,"organisation_id":`...), in.OrganisationID, 10)
	}
	if in.Commons != (directory.Commons{}) {
		b = appendMarshal(append(b, `,"commons":`...), &in.Commons)
	}
	b = appendKeyString(b, `,"status":`, string(in.Status))
	b = appendOmitEmpty(b, `,"reject_reason":`, in.RejectReason)
	if in.MapJamID != 0 {
		b = strconv.AppendInt(append(b, `,"mapjam_id":`...), in.MapJamID, 10)
	}
	b = strconv.AppendInt(append(b, `,"revision":`...), int64(in.Revision), 10)
	b = appendTime(append(b, `,"created_at":`...), in.CreatedAt)
	b = appendTime(append(b, `,"updated_at":`...), in.UpdatedAt)
	// The slug is a territory's: lower-case letters, digits and hyphens,
	// nothing to escape.
	b = append(b, `,"url":"/t/`...)
	b = append(b, slug...)
	b = strconv.AppendInt(append(b, "/initiatives/"...), in.ID, 10)
	b = append(b, `"}`...)
	if d != nil {
		b = appendFloat(append(b, `,"distance_m":`...), *d)
	}
	return append(b, "}\n"...)
}

// canAppendHits reports whether appendHit can write the page: a territory
// slug that needs no escaping, times JSON can hold and finite numbers, as
// the directory keeps them. Otherwise the caller takes encoding/json, which
// escapes or refuses the same way it always did.
func canAppendHits(ter *territory.Territory, hits []directory.Hit, withDistance bool) bool {
	for i := 0; i < len(ter.Slug); i++ {
		if c := ter.Slug[i]; c < 0x20 || c >= utf8.RuneSelf || !htmlSafe(c) {
			return false
		}
	}
	for _, h := range hits {
		in := h.Initiative
		if !finite(in.Position.Lat) || !finite(in.Position.Lon) || (withDistance && !finite(h.DistanceM)) ||
			!jsonYear(in.CreatedAt) || !jsonYear(in.UpdatedAt) {
			return false
		}
	}
	return true
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }

// jsonYear is time.Time.MarshalJSON's range.
func jsonYear(t time.Time) bool { y := t.Year(); return y >= 0 && y <= 9999 }

func appendKeyString(b []byte, key, s string) []byte {
	return appendJSONString(append(b, key...), s)
}

func appendOmitEmpty(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return appendKeyString(b, key, s)
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendMarshal appends the rare nested values (opening hours, commons)
// as encoding/json writes them; they cannot fail.
func appendMarshal(b []byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		return append(b, "null"...)
	}
	return append(b, j...)
}

// appendFloat spells f as encoding/json does: shortest form, exponent
// only below 1e-6 or from 1e21, "e-07" shortened to "e-7".
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}

func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// htmlSafe reports an ASCII byte encoding/json writes as is (with HTML
// escaping on, as json.Encoder has by default).
func htmlSafe(c byte) bool {
	return c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping (so
// the output is also safe inside HTML): <, > and & as \u00XX, control
// characters escaped, invalid UTF-8 as U+FFFD, U+2028 and U+2029 escaped
// for JSONP.
func appendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if htmlSafe(c) {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '\\', '"':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
