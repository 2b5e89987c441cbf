package interchange

import (
	"reflect"
	"testing"

	"github.com/sharingcity/sharingcity/internal/directory"
)

func slots(day int, pairs ...string) []directory.OpeningHours {
	var out []directory.OpeningHours
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, directory.OpeningHours{Day: day, Opens: pairs[i], Close: pairs[i+1]})
	}
	return out
}

func days(from, to int, pairs ...string) []directory.OpeningHours {
	var out []directory.OpeningHours
	for d := from; d <= to; d++ {
		out = append(out, slots(d, pairs...)...)
	}
	return out
}

func join(parts ...[]directory.OpeningHours) []directory.OpeningHours {
	var out []directory.OpeningHours
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func TestParseOpeningHours(t *testing.T) {
	tests := []struct {
		in   string
		want []directory.OpeningHours
		bad  bool
	}{
		{in: "", want: nil},
		{in: "Mo-Fr 09:00-18:00; Sa 10:00-12:00", want: join(days(1, 5, "09:00", "18:00"), slots(6, "10:00", "12:00"))},
		{in: "Mo,We,Fr 09:00-12:00,14:00-18:00", want: join(slots(1, "09:00", "12:00", "14:00", "18:00"), slots(3, "09:00", "12:00", "14:00", "18:00"), slots(5, "09:00", "12:00", "14:00", "18:00"))},
		{in: "mo-fr 9:00-12:00", want: days(1, 5, "09:00", "12:00")},
		{in: "Mo - Fr 09:00 - 12:00 , 14:00 - 18:00", want: days(1, 5, "09:00", "12:00", "14:00", "18:00")},
		{in: "Lu-Ve 9h-18h30", want: days(1, 5, "09:00", "18:30")},
		{in: "du lundi au vendredi de 9h à 17h", want: days(1, 5, "09:00", "17:00")},
		{in: "Monday to Friday 09:00-17:00", want: days(1, 5, "09:00", "17:00")},
		{in: "Mo-Fr: 09:00-17:00", want: days(1, 5, "09:00", "17:00")},
		{in: "Sa-Mo 10:00-12:00", want: join(slots(1, "10:00", "12:00"), slots(6, "10:00", "12:00"), slots(7, "10:00", "12:00"))},
		{in: "10:00-12:00", want: days(1, 7, "10:00", "12:00")},
		{in: "24/7", want: days(1, 7, "00:00", "23:59")},
		{in: "Mo-Su 08:00-24:00", want: days(1, 7, "08:00", "23:59")},
		{in: "Mo-Fr 09:00-18:00; We off", want: join(days(1, 2, "09:00", "18:00"), days(4, 5, "09:00", "18:00"))},
		{in: "Mo-Fr 09:00-18:00; We 09:00-12:00", want: join(days(1, 2, "09:00", "18:00"), slots(3, "09:00", "12:00"), days(4, 5, "09:00", "18:00"))},
		{in: "Tu-Sa 10:00-20:00; PH off", want: days(2, 6, "10:00", "20:00")},
		{in: "Mo 14:00-18:00,09:00-12:00", want: slots(1, "09:00", "12:00", "14:00", "18:00")},
		{in: "Mo–Fr 09:00–18:00", want: days(1, 5, "09:00", "18:00")},
		{in: "Fr 22:00-02:00", bad: true},
		{in: "Mo 25:00-26:00", bad: true},
		{in: "Mo 12:00-09:00", bad: true},
		{in: "Xx 09:00-12:00", bad: true},
		{in: "Mo", bad: true},
		{in: "Jan-Mar Mo 09:00-12:00", bad: true},
		{in: "Mo 09:00", bad: true},
		{in: "sur rendez-vous", bad: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseOpeningHours(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("want an error, got %v", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestFormatOpeningHours(t *testing.T) {
	tests := []struct {
		in   []directory.OpeningHours
		want string
	}{
		{nil, ""},
		{join(days(1, 5, "09:00", "18:00"), slots(6, "10:00", "12:00")), "Mo-Fr 09:00-18:00; Sa 10:00-12:00"},
		{days(1, 7, "00:00", "23:59"), "Mo-Su 00:00-23:59"},
		{join(slots(1, "09:00", "12:00"), slots(3, "09:00", "12:00"), slots(2, "10:00", "11:00")), "Mo,We 09:00-12:00; Tu 10:00-11:00"},
		{join(days(1, 2, "09:00", "12:00", "14:00", "18:00"), days(4, 6, "09:00", "12:00", "14:00", "18:00")), "Mo,Tu,Th-Sa 09:00-12:00,14:00-18:00"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			got := FormatOpeningHours(tc.in)
			if got != tc.want {
				t.Errorf("got %q", got)
			}
			back, err := ParseOpeningHours(got)
			if err != nil {
				t.Fatal(err)
			}
			if len(back) != len(tc.in) {
				t.Errorf("read back %v", back)
			}
		})
	}
}
