// Package media takes in the photos that members upload, checks them by
// content (never by name), shrinks them to a display size and a thumbnail,
// re-encodes them without any metadata (a phone's EXIF carries the GPS
// position of the member's home) and keeps them behind a Store.
//
// The package has no tables: a module that shows photos (offers) keeps the
// keys of a Photo in its own rows and serves the files through Handler.
package media

import (
	"crypto/rand"
	"encoding/hex"
	"path"
)

// Photo is one ingested picture: a display-size file and a thumbnail, both
// of the same ContentType. Width, Height and Bytes describe the display-size
// file; the thumbnail's size lets pages reserve its space before it loads.
type Photo struct {
	Key         string `json:"key"`
	ThumbKey    string `json:"thumb_key"`
	Width       int    `json:"width"`
	Height      int    `json:"height"`
	ThumbWidth  int    `json:"thumb_width"`
	ThumbHeight int    `json:"thumb_height"`
	ContentType string `json:"content_type"`
	Bytes       int64  `json:"bytes"`
}

// The formats that Ingest writes. Whatever came in (JPEG, PNG, WebP, GIF)
// leaves as one of these two, so browsers everywhere show it.
const (
	TypeJPEG = "image/jpeg"
	TypePNG  = "image/png"
)

// extension returns the ending of a key for content type ct. The disk
// store keeps no metadata file, so the key itself carries the type.
func extension(ct string) string {
	switch ct {
	case TypeJPEG:
		return ".jpg"
	case TypePNG:
		return ".png"
	}
	return ""
}

// typeOfKey returns the content type that a key's extension stands for, or
// "" for an extension that we never write.
func typeOfKey(key string) string {
	switch path.Ext(key) {
	case ".jpg":
		return TypeJPEG
	case ".png":
		return TypePNG
	}
	return ""
}

// keyRandomBytes gives keys 128 random bits: unguessable, so a file's URL is
// its only capability, and never reused, so its bytes never change.
const keyRandomBytes = 16

// newKey returns a fresh random key for content type ct, e.g.
// "3f9c0d...e1.jpg" (32 lowercase hex digits and an extension).
func newKey(ct string) string {
	var b [keyRandomBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails since Go 1.24
	return hex.EncodeToString(b[:]) + extension(ct)
}

// IsKey reports whether key has the shape of a key that Ingest makes. The
// handler answers 404 to anything else without asking the store.
func IsKey(key string) bool {
	ext := path.Ext(key)
	if typeOfKey(key) == "" || len(key) != 2*keyRandomBytes+len(ext) {
		return false
	}
	for _, c := range []byte(key[:2*keyRandomBytes]) {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}
