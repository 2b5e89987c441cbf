package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
	"github.com/sharingcity/sharingcity/internal/i18n"
)

// statusClientClosed is the status logged for a request whose client left
// before it was answered (nginx's 499; no client sees it).
const statusClientClosed = 499

// statusOf is the one place where error kinds become HTTP statuses.
func statusOf(k errs.Kind) int {
	switch k {
	case errs.Invalid:
		return http.StatusBadRequest
	case errs.NotFound:
		return http.StatusNotFound
	case errs.Forbidden:
		return http.StatusForbidden
	case errs.Conflict:
		return http.StatusConflict
	case errs.Unauthenticated:
		return http.StatusUnauthorized
	case errs.TooManyRequests:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// apiError is the JSON body of every API error.
type apiError struct {
	Error apiErrorBody `json:"error"`
}

type apiErrorBody struct {
	Code      string          `json:"code"`
	Message   string          `json:"message"`
	Fields    []apiFieldError `json:"fields,omitempty"`
	RequestID string          `json:"request_id,omitempty"`
}

type apiFieldError struct {
	Field   string `json:"field"`
	Row     int    `json:"row,omitempty"`
	Message string `json:"message"`
}

func wantsJSON(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json")
}

// localizer for r: the language chosen by withSession, or the browser's.
func (s *Server) localizer(r *http.Request) *i18n.Localizer {
	if l, ok := r.Context().Value(ctxLang).(string); ok {
		return s.I18n.Localizer(l)
	}
	if l := i18n.Match(r.Header.Get("Accept-Language")); l != "" {
		return s.I18n.Localizer(l)
	}
	return s.I18n.Localizer("fr")
}

// renderError answers err with its status and a message in the user's
// language; internal causes are logged, never shown.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, err error) {
	kind := errs.KindOf(err)
	status := statusOf(kind)
	if errors.Is(err, http.ErrHandlerTimeout) {
		status = http.StatusServiceUnavailable
	}
	if status >= 500 && r.Context().Err() != nil {
		// The client went away (or the server is stopping) and the work
		// stopped with it: not the server's failure. The access log says
		// 499, as nginx does for a client that closed the request; nobody
		// reads the body.
		s.Log.Debug("request abandoned", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", err)
		w.WriteHeader(statusClientClosed)
		return
	}
	if status >= 500 {
		s.Log.Error("request failed", "request_id", requestID(r.Context()), "path", r.URL.Path, "err", err)
		err = errs.E(errs.Internal, "err.internal")
	}
	loc := s.localizer(r)
	if wantsJSON(r) {
		body := apiError{Error: apiErrorBody{Code: kind.String(), Message: loc.Err(err), RequestID: requestID(r.Context())}}
		if e, ok := errs.As(err); ok {
			body.Error.Message = loc.T(e.Key, e.Args)
			for _, f := range e.Fields {
				body.Error.Fields = append(body.Error.Fields, apiFieldError{Field: f.Field, Row: f.Row, Message: loc.T(f.Key, f.Args)})
			}
		}
		writeJSON(w, status, body)
		return
	}
	if status == http.StatusUnauthorized && r.Method == http.MethodGet {
		http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	p := s.newPage(r, loc.T("err.title"))
	p.Data = struct {
		Status  int
		Message string
	}{status, loc.Err(err)}
	s.render(w, r, status, "error", p)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONAs(w, status, "application/json; charset=utf-8", v)
}

func writeJSONAs(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
