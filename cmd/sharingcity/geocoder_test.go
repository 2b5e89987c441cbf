package main

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/sharingcity/sharingcity/internal/geocode"
)

func TestNewGeocoder(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	if g, err := newGeocoder("", nil, log); err != nil {
		t.Fatal(err)
	} else if _, ok := g.(*geocode.Book); !ok {
		t.Errorf("without a URL: %T, want the directory's addresses", g)
	}
	if g, err := newGeocoder("https://api-adresse.data.gouv.fr", nil, log); err != nil {
		t.Fatal(err)
	} else if f, ok := g.(geocode.Fallback); !ok || f.First == nil || f.Then == nil {
		t.Errorf("with a URL: %#v, want the geocoder backed by the directory", g)
	}
	var usage usageError
	if _, err := newGeocoder("ftp://example.org", nil, log); !errors.As(err, &usage) {
		t.Errorf("bad URL: %v", err)
	}
}
