package directory

import (
	"testing"

	"github.com/sharingcity/sharingcity/internal/textsearch"
)

func TestFold(t *testing.T) {
	cases := map[string]string{
		"Réparation":      "reparation",
		"ÉNERGIE":         "energie",
		"Cœur de Lyon":    "coeur de lyon",
		"Straße":          "strasse",
		"Ångström":        "angstrom",
		"Łódź":            "łodz", // Ł has no decomposition
		"Ελληνικά":        "ελληνικα",
		"plain ascii 123": "plain ascii 123",
		"Vélo-école n°3":  "velo-ecole n°3",
	}
	for in, want := range cases {
		if got := textsearch.Fold(in); got != want {
			t.Errorf("textsearch.Fold(%q) = %q, want %q", in, got, want)
		}
	}
}
