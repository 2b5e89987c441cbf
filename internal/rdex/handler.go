package rdex

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Searcher finds the journeys of a territory that match a query; the
// carpool module implements it. An errs.Invalid error is reported to the
// client as invalid_input; any other as internal_error.
type Searcher interface {
	Journeys(ctx context.Context, territoryID int64, q Query) ([]Journey, error)
}

// Clients finds the client an API key belongs to, or returns an
// errs.NotFound error. *Service implements it.
type Clients interface {
	ByAPIKey(ctx context.Context, apiKey string) (*Client, error)
}

// Options tune the handler.
type Options struct {
	// PublicURL is the site's address as clients see it
	// ("https://partage.example.org"), which they include in the URL they
	// sign. Empty: taken from the request (scheme, Host), which is right
	// unless a proxy rewrites them.
	PublicURL string
	// MaxSkew is how far a request's timestamp may be from now, either
	// way (default 5 minutes): a captured request cannot be replayed later.
	MaxSkew time.Duration
	// Operator and Origin fill the journeys that leave them empty: the
	// platform's name and its host name ("partage.example.org").
	Operator, Origin string
	// MaxJourneys caps the answer (default 100).
	MaxJourneys int
	Now         func() time.Time
	Log         *slog.Logger
}

// NewHandler returns the handler of `GET /rdex/journeys`.
func NewHandler(s Searcher, c Clients, opts Options) http.Handler {
	if opts.MaxSkew <= 0 {
		opts.MaxSkew = 5 * time.Minute
	}
	if opts.MaxJourneys <= 0 {
		opts.MaxJourneys = 100
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &handler{search: s, clients: c, opts: opts}
}

type handler struct {
	search  Searcher
	clients Clients
	opts    Options
}

// result wraps each journey as RDEX lists them: [{"journeys": {...}}].
type result struct {
	Journeys Journey `json:"journeys"`
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, &Error{Name: ErrUnsupportedHTTPVerb, Debug: r.Method + " is not supported", User: "unsupported request"})
		return
	}
	client, q, rerr := h.authenticate(r)
	if rerr != nil {
		h.opts.Log.InfoContext(r.Context(), "rdex: refused", "name", rerr.Name, "field", rerr.Field, "remote", r.RemoteAddr)
		writeError(w, rerr)
		return
	}
	journeys, err := h.search.Journeys(r.Context(), client.TerritoryID, q)
	if err != nil {
		if errs.KindOf(err) == errs.Invalid {
			writeError(w, &Error{Name: ErrInvalidInput, Debug: err.Error(), User: "invalid search"})
			return
		}
		h.opts.Log.ErrorContext(r.Context(), "rdex: search", "client", client.Name, "territory", client.TerritoryID, "err", err)
		writeError(w, &Error{Name: ErrInternal, Debug: "the search failed", User: "the search failed, try again later"})
		return
	}
	if len(journeys) > h.opts.MaxJourneys {
		journeys = journeys[:h.opts.MaxJourneys]
	}
	out := make([]result, len(journeys))
	for i, j := range journeys {
		if j.Operator == "" {
			j.Operator = h.opts.Operator
		}
		if j.Origin == "" {
			j.Origin = h.opts.Origin
		}
		out[i] = result{Journeys: j}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}

// authenticate checks, in this order, that the mandatory parameters are
// there, the API key is known, the timestamp is fresh and the signature
// right, and only then reads the search: a client that cannot sign learns
// nothing about the parameters.
func (h *handler) authenticate(r *http.Request) (*Client, Query, *Error) {
	v := r.URL.Query()
	for _, key := range []string{"timestamp", "apikey", "signature"} {
		if strings.TrimSpace(v.Get(key)) == "" {
			return nil, Query{}, missing(key)
		}
	}
	client, err := h.clients.ByAPIKey(r.Context(), v.Get("apikey"))
	if err != nil {
		if errs.KindOf(err) == errs.NotFound {
			return nil, Query{}, &Error{Name: ErrAccessDenied, Field: "apikey", Debug: "invalid apikey", User: "access denied"}
		}
		h.opts.Log.ErrorContext(r.Context(), "rdex: client lookup", "err", err)
		return nil, Query{}, &Error{Name: ErrInternal, Debug: "client lookup failed", User: "try again later"}
	}
	ts, perr := strconv.ParseInt(strings.TrimSpace(v.Get("timestamp")), 10, 64)
	if perr != nil {
		return nil, Query{}, invalid("timestamp", "timestamp must be Unix seconds")
	}
	if skew := h.opts.Now().Sub(time.Unix(ts, 0)); skew > h.opts.MaxSkew || skew < -h.opts.MaxSkew {
		return nil, Query{}, &Error{Name: ErrTimestampTooSkewed, Field: "timestamp",
			Debug: "timestamp differs from the server's clock by more than " + h.opts.MaxSkew.String(), User: "access denied"}
	}
	if !VerifyRequest(r, h.opts.PublicURL, client.PrivateKey) {
		return nil, Query{}, &Error{Name: ErrSignatureMismatch, Field: "signature", Debug: "signature mismatch", User: "access denied"}
	}
	q, qerr := ParseQuery(v)
	if qerr == nil {
		qerr = q.CheckDates(h.opts.Now())
	}
	if qerr != nil {
		return nil, Query{}, qerr
	}
	return client, q, nil
}

// WriteError answers with an RDEX error, for a wrapper that refuses a
// request before the handler sees it (a rate limit).
func WriteError(w http.ResponseWriter, e *Error) { writeError(w, e) }

func writeError(w http.ResponseWriter, e *Error) {
	user := e.User
	if user == "" {
		user = e.Debug
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(e.Status())
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]string{
		"name": e.Name, "message_debug": e.Debug, "message_user": user, "field": e.Field,
	}})
}

// Sign returns RDEX's signature of a URL: the lower-case hexadecimal
// HMAC-SHA256 of the URL keyed by the private key. A client signs the whole
// URL it is about to request, then appends "&signature=" and the result.
func Sign(rawURL, privateKey string) string {
	m := hmac.New(sha256.New, []byte(privateKey))
	m.Write([]byte(rawURL))
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyRequest checks a request's signature parameter. The signed URL is
// the request's, at publicURL (or at the scheme and host the request came
// to, when empty), without the signature parameter, with the other
// parameters in the order and encoding they were sent. Clients that signed
// the URL before percent-encoding it (brackets written as such) are
// accepted too.
func VerifyRequest(r *http.Request, publicURL, privateKey string) bool {
	got, err := hex.DecodeString(strings.ToLower(strings.TrimSpace(r.URL.Query().Get("signature"))))
	if err != nil || len(got) != sha256.Size {
		return false
	}
	query := withoutParam(r.URL.RawQuery, "signature")
	path := r.URL.EscapedPath()
	var bases []string
	if publicURL != "" {
		bases = append(bases, strings.TrimRight(publicURL, "/"))
	}
	bases = append(bases, requestBase(r))
	for _, base := range bases {
		signed := base + path + "?" + query
		candidates := []string{signed}
		if plain, err := url.QueryUnescape(signed); err == nil && plain != signed {
			candidates = append(candidates, plain)
		}
		for _, c := range candidates {
			m := hmac.New(sha256.New, []byte(privateKey))
			m.Write([]byte(c))
			if hmac.Equal(m.Sum(nil), got) {
				return true
			}
		}
	}
	return false
}

// requestBase is "scheme://host" as the request reached us, trusting a
// proxy's X-Forwarded-Proto (it can only change the string compared, not
// forge a signature).
func requestBase(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	if p := r.Header.Get("X-Forwarded-Proto"); p == "https" || p == "http" {
		scheme = p
	}
	return scheme + "://" + r.Host
}

// withoutParam removes every name=value pair of a raw query whose name
// is name, keeping the others untouched and in order.
func withoutParam(rawQuery, name string) string {
	parts := strings.Split(rawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		k, _, _ := strings.Cut(p, "=")
		if dk, err := url.QueryUnescape(k); err == nil && dk == name {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}
