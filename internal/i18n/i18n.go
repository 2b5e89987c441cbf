// Package i18n translates the interface: French first, English too. Each
// module keeps its own message files (locales/<module>.<lang>.json) so that
// modules never edit each other's texts.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"

	"github.com/sharingcity/sharingcity/internal/errs"
)

//go:embed locales/*.json
var locales embed.FS

// Languages the interface speaks, the default first.
var Languages = []string{"fr", "en"}

// Bundle holds every message in every language.
type Bundle struct {
	bundle     *goi18n.Bundle
	localizers map[string]*Localizer
	keys       map[string]map[string]bool // lang -> message ids
}

// Load reads the embedded message files.
func Load() (*Bundle, error) {
	b := &Bundle{
		bundle:     goi18n.NewBundle(language.French),
		localizers: map[string]*Localizer{},
		keys:       map[string]map[string]bool{},
	}
	b.bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	files, err := fs.Glob(locales, "locales/*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		data, err := locales.ReadFile(f)
		if err != nil {
			return nil, err
		}
		mf, err := b.bundle.ParseMessageFileBytes(data, f)
		if err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", f, err)
		}
		lang := mf.Tag.String()
		if b.keys[lang] == nil {
			b.keys[lang] = map[string]bool{}
		}
		for _, m := range mf.Messages {
			if b.keys[lang][m.ID] {
				return nil, fmt.Errorf("i18n: %s: message %q defined twice", f, m.ID)
			}
			b.keys[lang][m.ID] = true
		}
	}
	for _, lang := range Languages {
		b.localizers[lang] = &Localizer{lang: lang, l: goi18n.NewLocalizer(b.bundle, lang), keys: b.keys[lang]}
	}
	return b, nil
}

// MustLoad is Load for tests and start-up, where a broken message file is a bug.
func MustLoad() *Bundle {
	b, err := Load()
	if err != nil {
		panic(err)
	}
	return b
}

// Localizer returns the localizer for lang, falling back to French.
func (b *Bundle) Localizer(lang string) *Localizer {
	if l, ok := b.localizers[lang]; ok {
		return l
	}
	return b.localizers["fr"]
}

// Keys returns the sorted message ids of a language (for tests).
func (b *Bundle) Keys(lang string) []string {
	out := make([]string, 0, len(b.keys[lang]))
	for k := range b.keys[lang] {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Match picks the best supported language from an Accept-Language header.
func Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil {
		return ""
	}
	for _, t := range tags {
		base, _ := t.Base()
		for _, l := range Languages {
			if base.String() == l {
				return l
			}
		}
	}
	return ""
}

// Supported reports whether lang is one of Languages.
func Supported(lang string) bool {
	for _, l := range Languages {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer translates messages into one language.
type Localizer struct {
	lang string
	l    *goi18n.Localizer
	keys map[string]bool
}

// Lang is the language code ("fr", "en").
func (l *Localizer) Lang() string { return l.lang }

// T translates key. Args are alternating name, value pairs filling the
// message template; a "Count" argument also chooses the plural form. A
// missing message shows its key, so it is noticed and never breaks a page.
func (l *Localizer) T(key string, args ...any) string {
	var data map[string]any
	if len(args) == 1 {
		if m, ok := args[0].(map[string]any); ok {
			data = m
		}
	} else if len(args) > 1 {
		data = make(map[string]any, len(args)/2)
		for i := 0; i+1 < len(args); i += 2 {
			data[fmt.Sprint(args[i])] = args[i+1]
		}
	}
	cfg := &goi18n.LocalizeConfig{MessageID: key, TemplateData: data}
	if c, ok := data["Count"]; ok {
		cfg.PluralCount = c
	}
	s, err := l.l.Localize(cfg)
	if err != nil || s == "" {
		return key
	}
	return s
}

// Has reports whether key is translated in this language.
func (l *Localizer) Has(key string) bool { return l.keys[key] }

// Err returns the user's message for err: the translated key of an errs
// error (with its field errors), or a generic message for anything else.
func (l *Localizer) Err(err error) string {
	e, ok := errs.As(err)
	if !ok {
		return l.T("err.internal")
	}
	msg := l.T(e.Key, e.Args)
	if len(e.Fields) > 0 {
		parts := make([]string, 0, len(e.Fields))
		for _, f := range e.Fields {
			parts = append(parts, l.FieldErr(f))
		}
		msg += " " + strings.Join(parts, " ; ")
	}
	return msg
}

// FieldErr returns "Field: message" for one field error.
func (l *Localizer) FieldErr(f errs.FieldError) string {
	label := l.T("field." + f.Field)
	if label == "field."+f.Field {
		label = f.Field
	}
	msg := label + " : " + l.T(f.Key, f.Args)
	if l.lang == "en" {
		msg = label + ": " + l.T(f.Key, f.Args)
	}
	if f.Row > 0 {
		msg = l.T("err.row", "Row", f.Row) + " " + msg
	}
	return msg
}
