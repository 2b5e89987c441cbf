package media

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestHandler(t *testing.T) {
	p, st := newTestProcessor(t, Options{})
	ph, err := p.Ingest(context.Background(), bytes.NewReader(encodeJPEG(t, halves(300, 200))))
	if err != nil {
		t.Fatal(err)
	}
	want, _, _, _ := stored(t, st, ph.Key)
	mux := http.NewServeMux()
	mux.Handle("/media/", http.StripPrefix("/media", p.Handler()))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	get := func(t *testing.T, method, path string, hdr map[string]string) (*http.Response, []byte) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, b
	}

	t.Run("stored photo", func(t *testing.T) {
		res, body := get(t, "GET", "/media/"+ph.Key, nil)
		if res.StatusCode != 200 || !bytes.Equal(body, want) {
			t.Fatalf("status %d, %d bytes", res.StatusCode, len(body))
		}
		for h, v := range map[string]string{
			"Content-Type":            "image/jpeg",
			"Cache-Control":           "public, max-age=31536000, immutable",
			"X-Content-Type-Options":  "nosniff",
			"Content-Disposition":     "inline",
			"Content-Security-Policy": "default-src 'none'; sandbox",
		} {
			if got := res.Header.Get(h); got != v {
				t.Errorf("%s: %q, want %q", h, got, v)
			}
		}
	})
	t.Run("thumbnail and HEAD", func(t *testing.T) {
		res, body := get(t, "HEAD", "/media/"+ph.ThumbKey, nil)
		if res.StatusCode != 200 || len(body) != 0 || res.Header.Get("Content-Type") != "image/jpeg" || res.ContentLength <= 0 {
			t.Fatalf("status %d, length %d", res.StatusCode, res.ContentLength)
		}
	})
	t.Run("revalidation", func(t *testing.T) {
		res, _ := get(t, "GET", "/media/"+ph.Key, nil)
		res, body := get(t, "GET", "/media/"+ph.Key, map[string]string{"If-None-Match": res.Header.Get("ETag")})
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("range", func(t *testing.T) {
		res, body := get(t, "GET", "/media/"+ph.Key, map[string]string{"Range": "bytes=0-9"})
		if res.StatusCode != http.StatusPartialContent || !bytes.Equal(body, want[:10]) {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	for _, path := range []string{
		"/media/0123456789abcdef0123456789abcdef.jpg", // well formed, unknown
		"/media/" + ph.Key[:10],
		"/media/" + ph.Key + "x",
		"/media/../go.mod",
		"/media/%2e%2e%2fgo.mod",
		"/media/%2e%2e/%2e%2e/" + ph.Key,
		"/media/",
		"/media/" + ph.Key[:32] + ".gif",
	} {
		t.Run("404 "+path, func(t *testing.T) {
			res, _ := get(t, "GET", path, nil)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d", res.StatusCode)
			}
		})
	}
	t.Run("POST", func(t *testing.T) {
		res, _ := get(t, "POST", "/media/"+ph.Key, nil)
		if res.StatusCode != http.StatusMethodNotAllowed {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
	t.Run("deleted photo", func(t *testing.T) {
		if err := p.Delete(context.Background(), ph); err != nil {
			t.Fatal(err)
		}
		res, _ := get(t, "GET", "/media/"+ph.Key, nil)
		if res.StatusCode != http.StatusNotFound {
			t.Fatalf("status %d", res.StatusCode)
		}
	})
}
