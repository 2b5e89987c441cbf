package i18n

import (
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
)

func TestEveryMessageInBothLanguages(t *testing.T) {
	b := MustLoad()
	fr, en := b.Keys("fr"), b.Keys("en")
	have := map[string]map[string]bool{"fr": {}, "en": {}}
	for _, k := range fr {
		have["fr"][k] = true
	}
	for _, k := range en {
		have["en"][k] = true
	}
	for _, k := range fr {
		if !have["en"][k] {
			t.Errorf("%q has no English text", k)
		}
	}
	for _, k := range en {
		if !have["fr"][k] {
			t.Errorf("%q has no French text", k)
		}
	}
}

func TestTranslate(t *testing.T) {
	b := MustLoad()
	fr, en := b.Localizer("fr"), b.Localizer("en")
	if got := fr.T("err.too_long", "Max", 12); got != "12 caractères au plus." {
		t.Fatalf("fr template: %q", got)
	}
	if got := en.T("err.too_long", "Max", 12); got != "at most 12 characters." {
		t.Fatalf("en template: %q", got)
	}
	if got := fr.T("no.such.key"); got != "no.such.key" {
		t.Fatalf("missing key shows %q", got)
	}
	if b.Localizer("de").Lang() != "fr" {
		t.Fatal("unknown language does not fall back to French")
	}
	err := errs.Fields([]errs.FieldError{{Field: "email", Key: "err.email_format", Row: 3}})
	if got := en.Err(err); !strings.Contains(got, "Row 3:") || !strings.Contains(got, "E-mail address: invalid e-mail address.") {
		t.Fatalf("field error message: %q", got)
	}
	if got := fr.Err(errs.Wrap(errs.Internal, "err.internal", nil)); !strings.Contains(got, "inattendue") {
		t.Fatalf("internal: %q", got)
	}
}

func TestMatch(t *testing.T) {
	cases := map[string]string{
		"en-GB,en;q=0.9":    "en",
		"fr-FR,fr;q=0.9,en": "fr",
		"de-DE,de;q=0.9,en": "en",
		"":                  "",
		"zz;;;q=bad,,":      "",
	}
	for in, want := range cases {
		if got := Match(in); got != want {
			t.Errorf("Match(%q) = %q, want %q", in, got, want)
		}
	}
}
