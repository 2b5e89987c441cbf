package media

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Handler serves stored files at /{key}; mount it under a prefix with
// http.StripPrefix, e.g. mux.Handle("GET /media/", http.StripPrefix("/media", p.Handler())).
//
// A key is random and its bytes never change, so responses are cached for
// a year as immutable. Files are served with their stored type, nosniff and
// inline, and a CSP that forbids any active content, so that even a file
// that somehow got past Ingest cannot run script on our origin.
func (p *Processor) Handler() http.Handler {
	return http.HandlerFunc(p.serve)
}

func (p *Processor) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, http.StatusText(http.StatusMethodNotAllowed), http.StatusMethodNotAllowed)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/")
	if !IsKey(key) {
		http.NotFound(w, r)
		return
	}
	rc, info, err := p.store.Open(r.Context(), key)
	if err != nil {
		if errs.Is(err, errs.NotFound) || errs.Is(err, errs.Invalid) {
			http.NotFound(w, r)
			return
		}
		p.opts.Logger.ErrorContext(r.Context(), "media: serve", "key", key, "err", err)
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	defer rc.Close()

	h := w.Header()
	h.Set("Content-Type", info.ContentType)
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Disposition", "inline")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+key+`"`)

	// A file from the disk store can seek: ServeContent then answers
	// ranges, HEAD and conditional requests (ETag, If-Modified-Since).
	if rs, ok := rc.(io.ReadSeeker); ok {
		http.ServeContent(w, r, "", info.ModTime, rs)
		return
	}
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, `"`+key+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if info.Size > 0 {
		h.Set("Content-Length", strconv.FormatInt(info.Size, 10))
	}
	if r.Method == http.MethodHead {
		return
	}
	if _, err := io.Copy(w, rc); err != nil {
		p.opts.Logger.DebugContext(r.Context(), "media: serve copy", "key", key, "err", err)
	}
}
