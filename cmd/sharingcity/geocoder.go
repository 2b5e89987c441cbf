package main

import (
	"log/slog"

	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geocode"
)

// newGeocoder returns how addresses typed in listings searches are found:
// the deployment's BAN/addok service when one is configured, backed by the
// territory's own addresses (the directory's published initiatives), which
// alone answer without one, so the demo works offline.
func newGeocoder(url string, dir *directory.Service, log *slog.Logger) (geocode.Geocoder, error) {
	book := geocode.NewBook(dir)
	if url == "" {
		return book, nil
	}
	addok, err := geocode.NewAddok(url, nil)
	if err != nil {
		return nil, usageError{err.Error()}
	}
	return geocode.Fallback{First: addok, Then: book, Log: log}, nil
}
