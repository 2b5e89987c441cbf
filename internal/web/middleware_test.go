package web

import (
	"net/http"
	"strings"
	"testing"
)

// TestSecurityHeaders checks the headers every answer carries: a page its
// document policies, the API its own (data, never framed), both HSTS when
// served over TLS.
func TestSecurityHeaders(t *testing.T) {
	e := newTestEnv(t, nil)
	for _, secure := range []bool{false, true} {
		e.srv.cfg.SecureCookies = secure
		for path, want := range map[string]map[string]string{
			"/t/test/": {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
				"Referrer-Policy": "strict-origin-when-cross-origin", "Permissions-Policy": "geolocation=(self), camera=(), microphone=()"},
			"/api/v1/territories/test": {"X-Content-Type-Options": "nosniff",
				"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "X-Frame-Options": "", "Permissions-Policy": ""},
			"/api/openapi.json": {"Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'", "X-Frame-Options": ""},
			// The API's documentation is a page, with its stylesheet.
			"/api/docs": {"X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin"},
		} {
			resp := e.get(http.DefaultClient, path)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Request-Id") == "" {
				t.Errorf("%s: status %d, request id %q", path, resp.StatusCode, resp.Header.Get("X-Request-Id"))
			}
			for name, v := range want {
				if got := resp.Header.Get(name); got != v {
					t.Errorf("%s: %s %q, want %q", path, name, got, v)
				}
			}
			if !isAPIData(path) && !strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") {
				t.Errorf("%s: Content-Security-Policy %q", path, resp.Header.Get("Content-Security-Policy"))
			}
			if hsts := resp.Header.Get("Strict-Transport-Security"); (hsts != "") != secure {
				t.Errorf("%s over TLS %v: Strict-Transport-Security %q", path, secure, hsts)
			}
		}
	}
}
