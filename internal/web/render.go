package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/account"
	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/i18n"
	"github.com/sharingcity/sharingcity/internal/territory"
)

//go:embed templates
var templateFS embed.FS

// views are the parsed pages: each page file is parsed over a clone of the
// layout and partials, so pages can define the same block names. A clone
// copies every parse tree (html/template escapes them in place), about
// 130 kB a page: pages are checked at start-up, then parsed again for
// good on first use, so that an instance serving the API and a few pages
// does not keep fifty copies (7 MB of live heap, 14 MB of RSS).
type views struct {
	base  *template.Template
	files map[string]string // page name -> file

	mu    sync.Mutex
	pages map[string]*template.Template
}

// page returns the parsed page name.
func (v *views) page(name string) (*template.Template, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.pages[name]; ok {
		return t, nil
	}
	f, ok := v.files[name]
	if !ok {
		return nil, fmt.Errorf("web: unknown page %q", name)
	}
	t, err := parsePage(v.base, f)
	if err != nil {
		return nil, err
	}
	v.pages[name] = t
	return t, nil
}

func parsePage(base *template.Template, file string) (*template.Template, error) {
	t, err := base.Clone()
	if err != nil {
		return nil, err
	}
	if _, err := t.ParseFS(templateFS, file); err != nil {
		return nil, fmt.Errorf("web: template %s: %w", file, err)
	}
	return t, nil
}

var funcs = template.FuncMap{
	"join":  strings.Join,
	"lower": strings.ToLower,
	"date": func(t time.Time, lang string) string {
		if t.IsZero() {
			return ""
		}
		if lang == "en" {
			return t.Format("2 Jan 2006")
		}
		return t.Format("02/01/2006")
	},
	"datetime": func(t time.Time, lang string) string {
		if t.IsZero() {
			return ""
		}
		if lang == "en" {
			return t.Format("2 Jan 2006 15:04")
		}
		return t.Format("02/01/2006 15:04")
	},
	"has": func(list []string, v string) bool {
		for _, x := range list {
			if x == v {
				return true
			}
		}
		return false
	},
	"query": url.QueryEscape,
	"dict": func(kv ...any) map[string]any {
		m := make(map[string]any, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			m[fmt.Sprint(kv[i])] = kv[i+1]
		}
		return m
	},
	"add": func(a, b int) int { return a + b },
	"seq": func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = i + 1
		}
		return out
	},
}

func loadViews() (*views, error) {
	base, err := template.New("base").Funcs(funcs).ParseFS(templateFS, "templates/*.html")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	files, err := fs.Glob(templateFS, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	v := &views{base: base, files: map[string]string{}, pages: map[string]*template.Template{}}
	for _, f := range files {
		if _, err := parsePage(base, f); err != nil { // a broken page stops the start
			return nil, err
		}
		v.files[strings.TrimSuffix(path.Base(f), ".html")] = f
	}
	return v, nil
}

// Page is what every template receives.
type Page struct {
	L         *i18n.Localizer
	Lang      string
	Title     string
	Territory *territory.Territory
	Actor     access.Actor
	User      *account.User
	Path      string // current path and query, for the language switch
	Flash     string
	Errors    []string          // messages shown above a form
	Fields    map[string]string // field -> message, shown next to inputs
	FieldList []FieldMessage    // the same, in order, for the summary above the form
	Form      url.Values        // what the user typed, to fill the form again
	Data      any
	Version   string
	Scripts   []string // extra scripts under /static/
	Styles    []string // extra stylesheets under /static/
	Unread    int      // unread messages in the page's territory, for the header badge
}

func (s *Server) newPage(r *http.Request, title string) *Page {
	lang := langFrom(r.Context())
	p := &Page{
		L:       s.I18n.Localizer(lang),
		Lang:    lang,
		Title:   title,
		Actor:   actorFrom(r.Context()),
		User:    userFrom(r.Context()),
		Path:    r.URL.Path,
		Version: s.cfg.Version,
		Form:    url.Values{},
	}
	if _, ok := r.Context().Value(ctxActor).(access.Actor); ok {
		p.Flash = s.sessions.PopString(r.Context(), "flash")
	}
	p.Unread = s.unread(r, p.Actor)
	return p
}

// unread counts the signed-in user's unread messages in the territory of
// the path, if any; a failure only hides the badge.
func (s *Server) unread(r *http.Request, a access.Actor) int {
	slug := r.PathValue("slug")
	if a.UserID == 0 || slug == "" || s.Messages == nil {
		return 0
	}
	t, err := s.Territories.Get(r.Context(), slug)
	if err != nil {
		return 0
	}
	n, err := s.Messages.UnreadCount(r.Context(), a, t)
	if err != nil {
		s.Log.Warn("unread count", "err", err)
		return 0
	}
	return n
}

// LangURL returns the current page in another language.
func (p *Page) LangURL(lang string) string {
	return p.Path + "?lang=" + lang
}

// Can reports whether the viewer holds min in the page's territory.
func (p *Page) Can(min string) bool {
	if p.Territory == nil {
		return p.Actor.PlatformAdmin
	}
	return p.Actor.Can(p.Territory.ID, access.Role(min))
}

// Value returns the submitted value of a form field.
func (p *Page) Value(field string) string { return p.Form.Get(field) }

// FieldError returns the message for field, if any.
func (p *Page) FieldError(field string) string { return p.Fields[field] }

// setErr puts err's messages on the page: field errors next to inputs and,
// with a link to each field, in the summary above the form.
func (p *Page) setErr(err error) {
	e, ok := errs.As(err)
	if !ok {
		p.Errors = append(p.Errors, p.L.Err(err))
		return
	}
	p.Errors = append(p.Errors, p.L.T(e.Key, e.Args))
	if len(e.Fields) == 0 {
		return
	}
	if p.Fields == nil {
		p.Fields = map[string]string{}
	}
	for _, f := range e.Fields {
		msg := capitalize(p.L.T(f.Key, f.Args))
		label := p.L.T("field." + f.Field)
		if label == "field."+f.Field {
			label = f.Field
		}
		p.FieldList = append(p.FieldList, FieldMessage{Field: f.Field, Label: label, Message: msg})
		if p.Fields[f.Field] == "" {
			p.Fields[f.Field] = msg
		}
	}
}

// FieldMessage is one entry of a form's error summary.
type FieldMessage struct{ Field, Label, Message string }

func capitalize(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError {
		return s
	}
	return string(unicode.ToUpper(r)) + s[size:]
}

// render executes a page into a buffer first, so a template error becomes a
// clean 500 instead of half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p *Page) {
	t, err := s.views.page(name)
	if err != nil {
		s.Log.Error("unknown page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		s.Log.Error("render", "page", name, "request_id", requestID(r.Context()), "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// flash stores a message shown on the next page.
func (s *Server) flash(r *http.Request, msg string) { s.sessions.Put(r.Context(), "flash", msg) }

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps redirects on this site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return "/"
	}
	return next
}
