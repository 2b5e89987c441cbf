package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestRenderErrorClientGone checks that a failure caused by the client
// leaving (its request's context canceled) is not logged as the server's
// error, and is counted as 499, while the same failure with the client
// still there is a logged 500 that hides its cause.
func TestRenderErrorClientGone(t *testing.T) {
	e := newTestEnv(t, nil)
	var logged bytes.Buffer
	e.srv.Log = slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cause := fmt.Errorf("directory: map box: %w", context.Canceled)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest(http.MethodGet, "/api/v1/territories/test/initiatives", nil).WithContext(ctx)
	w := httptest.NewRecorder()
	e.srv.renderError(w, r, cause)
	if w.Code != statusClientClosed || w.Body.Len() != 0 {
		t.Errorf("client gone: %d %q, want %d and no body", w.Code, w.Body.String(), statusClientClosed)
	}
	if logged.Len() != 0 {
		t.Errorf("client gone: logged %q", logged.String())
	}

	r = httptest.NewRequest(http.MethodGet, "/api/v1/territories/test/initiatives", nil)
	w = httptest.NewRecorder()
	e.srv.renderError(w, r, errors.New("disk on fire"))
	if w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "fire") {
		t.Errorf("server failure: %d %q", w.Code, w.Body.String())
	}
	if !strings.Contains(logged.String(), "level=ERROR") || !strings.Contains(logged.String(), "disk on fire") {
		t.Errorf("server failure: logged %q", logged.String())
	}
}
