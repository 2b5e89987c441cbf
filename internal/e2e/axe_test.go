package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// axeRun runs axe-core on the whole document with the WCAG 2.1 A/AA rules
// (what RGAA 4.1 asks) and the best practices, and keeps what the report
// needs of each violation.
const axeRun = `axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}).then(r => {
  const keep = v => ({
    id: v.id, impact: v.impact || '', help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), html: n.html, summary: n.failureSummary || ''}))
  });
  return {violations: r.violations.map(keep), incomplete: r.incomplete.map(keep)};
})`

type axeResult struct {
	Violations []axeViolation `json:"violations"`
	Incomplete []axeViolation `json:"incomplete"` // what axe-core could not decide: for a person to review
}

type axeViolation struct {
	ID     string    `json:"id"`
	Impact string    `json:"impact"`
	Help   string    `json:"help"`
	Nodes  []axeNode `json:"nodes"`
}

type axeNode struct {
	Target  string `json:"target"`
	HTML    string `json:"html"`
	Summary string `json:"summary"`
}

// checker checks pages: accessibility with axe-core, JavaScript errors, and
// screenshots when asked for.
type checker struct {
	axe   string // axe.min.js
	shots string // directory for screenshots, or ""
	// waived are known, reported page bugs owned by another package that a
	// test tolerates until they are fixed: logged, not failed.
	waived []waiver
}

// waiver tolerates one axe-core rule on the elements whose selector ends
// with target and whose HTML holds html.
type waiver struct {
	rule, target, html, why string
}

// waiverFor returns the waiver that covers every node of v, or nil.
func (c *checker) waiverFor(v axeViolation) *waiver {
	for i, w := range c.waived {
		ok := w.rule == v.ID && len(v.Nodes) > 0
		for _, n := range v.Nodes {
			ok = ok && strings.HasSuffix(n.Target, w.target) && strings.Contains(n.HTML, w.html)
		}
		if ok {
			return &c.waived[i]
		}
	}
	return nil
}

func newChecker(t *testing.T) *checker {
	t.Helper()
	path := filepath.Join(repoRoot(t), "web", "node_modules", "axe-core", "axe.min.js")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("axe-core is not installed (%v): run `make assets` or `cd web && npm ci`", err)
	}
	c := &checker{axe: string(src), shots: os.Getenv("SHARINGCITY_E2E_SCREENSHOTS")}
	if c.shots != "" {
		if err := os.MkdirAll(c.shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// check runs axe-core on the tab's page and fails the test on any serious
// or critical violation, and on JavaScript errors the page threw; lesser
// violations are logged. It does not stop the test, so one run reports
// every page's findings.
func (c *checker) check(tb *tab, label string) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 30*time.Second)
	defer cancel()
	// A DevTools evaluation is not bound by the page's Content-Security-Policy.
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`typeof axe !== "undefined"`))
	if err == nil && !loaded {
		err = chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void](c.axe))
	}
	if err != nil {
		tb.t.Fatalf("%s: inject axe-core on %s: %v", tb.name, label, err)
	}
	res, err := chromedp.Run(ctx, chromedp.Evaluate[axeResult](axeRun, chromedp.EvalAwaitPromise))
	if err != nil {
		tb.t.Fatalf("%s: axe-core on %s: %v", tb.name, label, err)
	}
	loc := tb.location()
	if len(res.Incomplete) > 0 {
		var review []string
		for _, v := range res.Incomplete {
			review = append(review, fmt.Sprintf("%s (%d)", v.ID, len(v.Nodes)))
		}
		tb.t.Logf("axe-core leaves for review on %s: %s", label, strings.Join(review, ", "))
	}
	vs := res.Violations
	for _, v := range vs {
		var b strings.Builder
		fmt.Fprintf(&b, "axe %s on %s (%s): %s: %s", v.Impact, label, loc, v.ID, v.Help)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    %s  %s\n      %s", n.Target, shortenHTML(n.HTML), strings.ReplaceAll(n.Summary, "\n", " / "))
		}
		if w := c.waiverFor(v); w != nil {
			tb.t.Logf("KNOWN BUG (%s), waived: %s", w.why, b.String())
		} else if v.Impact == "serious" || v.Impact == "critical" {
			tb.t.Error(b.String())
		} else {
			tb.t.Log(b.String())
		}
	}
	if ex := tb.takeExceptions(); len(ex) > 0 {
		tb.t.Errorf("browser errors on %s (%s):\n  %s", label, loc, strings.Join(ex, "\n  "))
	}
}

var spaces = regexp.MustCompile(`\s+`)

func shortenHTML(s string) string {
	s = spaces.ReplaceAllString(s, " ")
	if len(s) > 160 {
		return s[:157] + "..."
	}
	return s
}

// screenshot saves the page as a phone (390×844) and a desktop (1280×900)
// would show it, when SHARINGCITY_E2E_SCREENSHOTS names a directory.
func (c *checker) screenshot(tb *tab, name string) {
	tb.t.Helper()
	if c.shots == "" {
		return
	}
	for _, vp := range []struct {
		label         string
		width, height int64
		mobile        bool
	}{{"phone", 390, 844, true}, {"desktop", 1280, 900, false}} {
		opts := []chromedp.EmulateViewportOption{}
		if vp.mobile {
			opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateScale(2))
		}
		tb.do("resize to "+vp.label, chromedp.EmulateViewport(vp.width, vp.height, opts...), chromedp.Sleep(300*time.Millisecond))
		buf := run(tb, "screenshot", chromedp.FullScreenshot(100))
		file := filepath.Join(c.shots, fmt.Sprintf("%s-%s.png", name, vp.label))
		if err := os.WriteFile(file, buf, 0o644); err != nil {
			tb.t.Fatal(err)
		}
	}
}

// snapshot saves the viewport as it is, without resizing (which would
// make a map redraw), when screenshots are asked for.
func (c *checker) snapshot(tb *tab, name string) {
	tb.t.Helper()
	if c.shots == "" {
		return
	}
	buf := run(tb, "screenshot", chromedp.CaptureScreenshot())
	if err := os.WriteFile(filepath.Join(c.shots, name+".png"), buf, 0o644); err != nil {
		tb.t.Fatal(err)
	}
}
