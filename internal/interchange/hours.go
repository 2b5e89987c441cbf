package interchange

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/directory"
)

var errHours = errors.New("interchange: opening hours not understood")

// dayNames maps OpenStreetMap's two-letter days and common French and
// English spellings to 1 (Monday) .. 7 (Sunday).
var dayNames = map[string]int{
	"mo": 1, "tu": 2, "we": 3, "th": 4, "fr": 5, "sa": 6, "su": 7,
	"lu": 1, "ma": 2, "me": 3, "je": 4, "ve": 5, "di": 7,
	"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7,
	"lun": 1, "mar": 2, "mer": 3, "jeu": 4, "ven": 5, "sam": 6, "dim": 7,
	"monday": 1, "tuesday": 2, "wednesday": 3, "thursday": 4, "friday": 5, "saturday": 6, "sunday": 7,
	"lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6, "dimanche": 7,
}

var osmDays = [8]string{"", "Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"}

// Spaces around "-" and "," are noise: "Mo - Fr 9h - 12h , 14h-18h".
var hoursSpaces = regexp.MustCompile(`\s*([-,])\s*`)

// Words people write between days or times: "du lundi au vendredi de 9h à
// 12h", "Monday to Friday", "lundi et mardi".
var (
	hoursFrom = regexp.MustCompile(`(?i)(^|\s)(du|de|from)\s+`)
	hoursTo   = regexp.MustCompile(`(?i)\s+(au|à|a|to)\s+`)
	hoursAnd  = regexp.MustCompile(`(?i)\s+(et|and)\s+`)
)

// ParseOpeningHours reads the simple form of OpenStreetMap's opening_hours
// ("Mo-Fr 09:00-12:00,14:00-18:00; Sa 10:00-12:00", "24/7", "Sa off"),
// also with French days and times ("Lu-Ve 9h-18h"). As in OSM, a later rule
// replaces what an earlier one said for the same days, and a rule without
// days applies to every day. Holiday rules (PH, SH) are ignored; months,
// weeks and times past midnight are refused. Slots come out by day, then
// opening time.
func ParseOpeningHours(s string) ([]directory.OpeningHours, error) {
	s = strings.NewReplacer("–", "-", "—", "-", "||", ";", "\n", ";").Replace(strings.TrimSpace(s))
	if s == "" {
		return nil, nil
	}
	var week [8][]directory.OpeningHours
	for _, rule := range strings.Split(s, ";") {
		rule = hoursFrom.ReplaceAllString(rule, "$1")
		rule = hoursTo.ReplaceAllString(rule, "-")
		rule = hoursAnd.ReplaceAllString(rule, ",")
		rule = hoursSpaces.ReplaceAllString(strings.TrimSpace(rule), "$1")
		var words []string
		for _, w := range strings.Fields(rule) {
			if w = strings.Trim(w, ":"); w != "" {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			continue
		}
		if rule == "24/7" {
			for d := 1; d <= 7; d++ {
				week[d] = []directory.OpeningHours{{Day: d, Opens: "00:00", Close: "23:59"}}
			}
			continue
		}
		first := strings.ToLower(words[0])
		if first == "ph" || first == "sh" || strings.HasPrefix(first, "ph,") || strings.HasPrefix(first, "sh,") {
			continue
		}
		days := []int{1, 2, 3, 4, 5, 6, 7}
		if c := first[0]; c >= 'a' && c <= 'z' && !isClosed(first) {
			var err error
			if days, err = parseDays(first); err != nil {
				return nil, err
			}
			words = words[1:]
		}
		var slots []directory.OpeningHours
		switch {
		case len(words) == 0:
			return nil, errHours
		case len(words) == 1 && isClosed(strings.ToLower(words[0])):
		default:
			ranges := strings.Split(strings.Join(words, ","), ",")
			for _, r := range ranges {
				if r == "" {
					continue
				}
				opens, closes, err := parseTimeRange(r)
				if err != nil {
					return nil, err
				}
				slots = append(slots, directory.OpeningHours{Opens: opens, Close: closes})
			}
		}
		for _, d := range days {
			week[d] = week[d][:0:0]
			for _, sl := range slots {
				sl.Day = d
				week[d] = append(week[d], sl)
			}
		}
	}
	var out []directory.OpeningHours
	for d := 1; d <= 7; d++ {
		sort.Slice(week[d], func(i, j int) bool { return week[d][i].Opens < week[d][j].Opens })
		out = append(out, week[d]...)
	}
	return out, nil
}

func isClosed(w string) bool {
	return w == "off" || w == "closed" || w == "fermé" || w == "ferme"
}

// parseDays reads "mo-fr", "mo,we,fr", "sa-mo" (wrapping over Sunday).
func parseDays(s string) ([]int, error) {
	var days []int
	seen := [8]bool{}
	for _, part := range strings.Split(s, ",") {
		from, to, isRange := strings.Cut(part, "-")
		a, ok := dayNames[strings.TrimSuffix(from, ".")]
		if !ok {
			return nil, errHours
		}
		b := a
		if isRange {
			if b, ok = dayNames[strings.TrimSuffix(to, ".")]; !ok {
				return nil, errHours
			}
		}
		for d := a; ; d = d%7 + 1 {
			if !seen[d] {
				seen[d] = true
				days = append(days, d)
			}
			if d == b {
				break
			}
		}
	}
	return days, nil
}

// parseTimeRange reads "09:00-18:00", "9h-18h30", "9.30-12"; "24:00" closes
// at 23:59, the last minute a clock can name.
func parseTimeRange(s string) (string, string, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return "", "", errHours
	}
	opens, ok1 := parseClock(a)
	closes, ok2 := parseClock(b)
	if closes == "24:00" {
		closes = "23:59"
	}
	if !ok1 || !ok2 || opens == "24:00" || opens >= closes {
		return "", "", errHours
	}
	return opens, closes, nil
}

func parseClock(s string) (string, bool) {
	s = strings.ToLower(s)
	h, m, found := s, "", false
	for _, sep := range []string{":", "h", "."} {
		if h, m, found = strings.Cut(s, sep); found {
			break
		}
	}
	if !found {
		h, m = s, ""
	}
	if m == "" {
		m = "0"
	}
	if len(h) == 0 || len(h) > 2 || len(m) > 2 {
		return "", false
	}
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || hh < 0 || mm < 0 || mm > 59 || hh > 24 || (hh == 24 && mm != 0) {
		return "", false
	}
	return strconv.Itoa(100 + hh)[1:] + ":" + strconv.Itoa(100 + mm)[1:], true
}

// FormatOpeningHours writes slots in OpenStreetMap's opening_hours form,
// grouping days that share the same times: "Mo-Fr 09:00-18:00; Sa 10:00-12:00".
// ParseOpeningHours reads it back to the same slots. Invalid days are skipped.
func FormatOpeningHours(hours []directory.OpeningHours) string {
	var week [8][]string
	for _, h := range hours {
		if h.Day >= 1 && h.Day <= 7 {
			week[h.Day] = append(week[h.Day], h.Opens+"-"+h.Close)
		}
	}
	var times [8]string
	for d := 1; d <= 7; d++ {
		sort.Strings(week[d])
		times[d] = strings.Join(week[d], ",")
	}
	var rules []string
	done := [8]bool{}
	for d := 1; d <= 7; d++ {
		if done[d] || times[d] == "" {
			continue
		}
		// Collect every day with the same times, as runs of consecutive days.
		var spans []string
		for e := d; e <= 7; e++ {
			if done[e] || times[e] != times[d] {
				continue
			}
			end := e
			for end+1 <= 7 && !done[end+1] && times[end+1] == times[d] {
				end++
			}
			for k := e; k <= end; k++ {
				done[k] = true
			}
			switch {
			case end == e:
				spans = append(spans, osmDays[e])
			case end == e+1:
				spans = append(spans, osmDays[e], osmDays[end])
			default:
				spans = append(spans, osmDays[e]+"-"+osmDays[end])
			}
			e = end
		}
		rules = append(rules, strings.Join(spans, ",")+" "+times[d])
	}
	return strings.Join(rules, "; ")
}
