package e2e

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestE2EAxeFindsViolations checks the checker: on a page with an image
// without text alternative and an unlabelled field, axe-core must report
// both, so a green run means the pages were really examined.
func TestE2EAxeFindsViolations(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end test")
	}
	c := newChecker(t)
	b := startBrowser(t)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!doctype html><html lang="fr"><head><title>Mauvaise page</title></head><body><main>
<h1>Mauvaise page</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><form><input name="q"></form></main></body></html>`))
	}))
	defer ts.Close()
	tb := b.newTab(t, "checker", ts.URL)
	tb.open("/")
	if err := chromedp.Do(tb.ctx, chromedp.Evaluate[chromedp.Void](c.axe)); err != nil {
		t.Fatal(err)
	}
	res := run(tb, "axe", chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	found := map[string]string{}
	for _, v := range res.Violations {
		found[v.ID] = v.Impact
	}
	for _, id := range []string{"image-alt", "label"} {
		if imp := found[id]; imp != "critical" && imp != "serious" {
			t.Errorf("axe-core did not report %s as serious or critical (got %q); all: %v", id, imp, found)
		}
	}
	if !strings.Contains(run(tb, "title", chromedp.Title()), "Mauvaise") {
		t.Error("the test page did not load")
	}
}
