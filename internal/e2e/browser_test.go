package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	browserpkg "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// stepTimeout bounds every browser step, so a broken page fails fast
// instead of hanging the run.
const stepTimeout = 15 * time.Second

// chromiumPath finds the browser: SHARINGCITY_CHROMIUM, Debian's
// /usr/bin/chromium, or chromium in PATH.
func chromiumPath() string {
	if p := os.Getenv("SHARINGCITY_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// browser is the headless Chromium the tests share; each person in a flow
// gets a tab in its own browser context, so cookies and storage are never
// shared, between people or between tests.
type browser struct {
	ctx context.Context
}

// sharedBrowser is started by the first test that needs it and closed by
// TestMain: one Chromium for the run instead of one per test, whose start
// costs seconds of CPU under load.
type sharedBrowser struct {
	once  sync.Once
	b     *browser
	err   error
	close func()
}

// shared is the run's browser; TestMain owns its end.
var shared sharedBrowser

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.close != nil {
		shared.close()
	}
	os.Exit(code)
}

// startBrowser returns the run's browser, starting it on first use.
func startBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath()
	if path == "" {
		t.Skip("no Chromium: set SHARINGCITY_CHROMIUM or install Debian's chromium package (CI always has it)")
	}
	shared.once.Do(func() { shared.b, shared.close, shared.err = launchBrowser(path) })
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.b
}

func launchBrowser(path string) (*browser, func(), error) {
	dir, err := os.MkdirTemp("", "sharingcity-e2e-chromium-")
	if err != nil {
		return nil, nil, err
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(dir),
	)
	ctx, cancel := chromedp.NewContext(allocCtx)
	closeAll := func() { cancel(); cancelAlloc(); os.RemoveAll(dir) }
	// The browser's life is bound to the context of its first run, so that
	// run has no timeout; a start that hangs is caught by the watchdog.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			closeAll()
			return nil, nil, fmt.Errorf("start chromium %s: %w", path, err)
		}
	case <-time.After(30 * time.Second):
		closeAll()
		return nil, nil, fmt.Errorf("start chromium %s: no answer after 30 s", path)
	}
	return &browser{ctx: ctx}, closeAll, nil
}

// tab is one person's window: its own cookies, a desktop viewport, and the
// JavaScript errors its pages threw.
type tab struct {
	t    *testing.T
	name string
	ctx  context.Context
	base string

	mu         sync.Mutex
	exceptions []string
}

func (b *browser) newTab(t *testing.T, name, base string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	tb := &tab{t: t, name: name, ctx: ctx, base: base}
	exceptions := chromedp.Events(ctx, runtime.ExceptionThrown)
	logs := chromedp.Events(ctx, cdplog.EntryAdded)
	tb.do("open", chromedp.EmulateViewport(1280, 900), chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// A resident of Grenoble: the browser asks for French first.
		ua, err := cdp.Call(ctx, t, browserpkg.GetVersion, cdp.Empty{})
		if err != nil {
			return err
		}
		_, err = cdp.Call(ctx, t, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{
			UserAgent: ua.UserAgent, AcceptLanguage: "fr-FR,fr;q=0.9,en;q=0.5",
		})
		if err != nil {
			return err
		}
		// The browser's log has what scripts do not throw: refused
		// resources (CSP), failed loads, deprecations.
		_, err = cdp.Call(ctx, t, cdplog.Enable, cdp.Empty{})
		return err
	}))
	go func() {
		for ev, err := range logs {
			if err != nil {
				return
			}
			e := ev.Entry
			if e.Level != cdplog.EntryLevelError || strings.HasSuffix(e.URL, "/favicon.ico") {
				continue
			}
			// A page answered with an error status is logged too; whether
			// that status is right is for the test to say, not the log.
			if e.Source == cdplog.EntrySourceNetwork && e.URL == tb.documentURL() {
				continue
			}
			tb.mu.Lock()
			tb.exceptions = append(tb.exceptions, fmt.Sprintf("%s: %s (%s)", e.Source, e.Text, e.URL))
			tb.mu.Unlock()
		}
	}()
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			d := ev.ExceptionDetails
			msg := d.Text
			if d.Exception != nil && d.Exception.Description != "" {
				msg = d.Exception.Description
			}
			tb.mu.Lock()
			tb.exceptions = append(tb.exceptions, fmt.Sprintf("%s (%s:%d)", msg, d.URL, d.LineNumber))
			tb.mu.Unlock()
		}
	}()
	return tb
}

// do runs actions with the step timeout and fails the test on error.
func (tb *tab) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		tb.t.Fatalf("%s: %s: %v (page %s)", tb.name, what, err, tb.location())
	}
}

// run runs one action that returns a value, with the step timeout.
func run[T any](tb *tab, what string, action chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, action)
	if err != nil {
		tb.t.Fatalf("%s: %s: %v (page %s)", tb.name, what, err, tb.location())
	}
	return v
}

// eval evaluates a JavaScript expression and decodes its value.
func eval[T any](tb *tab, expr string) T {
	tb.t.Helper()
	return run(tb, "evaluate "+shorten(expr), chromedp.Evaluate[T](expr))
}

// documentURL is the address of the page in the tab, without fragment.
func (tb *tab) documentURL() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href.split("#")[0]`))
	if err != nil {
		return ""
	}
	return loc
}

// path is the path of the page in the tab.
func (tb *tab) path() string {
	tb.t.Helper()
	return eval[string](tb, `location.pathname`)
}

func (tb *tab) location() string {
	ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
	defer cancel()
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return "?"
	}
	return loc
}

// open navigates to a path of the test server and waits for the page.
func (tb *tab) open(path string) {
	tb.t.Helper()
	tb.do("open "+path, chromedp.Navigate(tb.base+path), chromedp.WaitReady(chromedp.CSS("body")))
}

// openStatus navigates to a path and returns the HTTP status of the page.
func (tb *tab) openStatus(path string) int {
	tb.t.Helper()
	resp := run(tb, "open "+path, chromedp.NavigateResponse(tb.base+path))
	tb.do("wait for "+path, chromedp.WaitReady(chromedp.CSS("body")))
	if resp == nil {
		return 0
	}
	return int(resp.Status)
}

// click moves the mouse onto the first visible element matching sel and
// clicks, as a person would.
func (tb *tab) click(sel string) {
	tb.t.Helper()
	tb.waitFor("a visible "+sel, fmt.Sprintf(`[...document.querySelectorAll(%q)].some(e => e.getClientRects().length > 0)`, sel))
	xy := eval[[]float64](tb, fmt.Sprintf(`(() => {
		const e = [...document.querySelectorAll(%q)].find(e => e.getClientRects().length > 0);
		// Scroll the window only: scrollIntoView would also scroll boxes
		// with hidden overflow, such as a map's, behind the map's back.
		let r = e.getClientRects()[0];
		if (r.top < 0 || r.bottom > innerHeight) { scrollBy(0, r.top - innerHeight / 2); r = e.getClientRects()[0]; }
		return [r.left + r.width / 2, r.top + r.height / 2] })()`, sel))
	tb.do("click "+sel, chromedp.MouseClickXY(xy[0], xy[1]))
}

// clickAndWait clicks an element and waits for the page it leads to.
func (tb *tab) clickAndWait(sel string) {
	tb.t.Helper()
	before := eval[float64](tb, `performance.timeOrigin`)
	tb.click(sel)
	tb.waitNavigated(before)
}

// submit submits the form holding sel and waits for the next page.
func (tb *tab) submit(sel string) {
	tb.t.Helper()
	before := eval[float64](tb, `performance.timeOrigin`)
	tb.do("submit "+sel, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).form.requestSubmit()`, sel)))
	tb.waitNavigated(before)
}

// waitNavigated waits until a new document whose load is complete replaced
// the one that started at before.
func (tb *tab) waitNavigated(before float64) {
	tb.t.Helper()
	tb.waitFor("the next page", fmt.Sprintf(`performance.timeOrigin !== %v && document.readyState === "complete"`, before))
}

// text returns the text content of the first element matching sel, or "".
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	return eval[string](tb, fmt.Sprintf(`(document.querySelector(%q) || {}).innerText || ""`, sel))
}

// waitFor polls a JavaScript condition until it is true. It evaluates
// afresh each time, so it survives the navigations it may be waiting for.
func (tb *tab) waitFor(what, cond string) {
	tb.t.Helper()
	deadline := time.Now().Add(stepTimeout)
	var last error
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(tb.ctx, 2*time.Second)
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	tb.t.Fatalf("%s: waiting for %s: timeout (last error: %v) (page %s)", tb.name, what, last, tb.location())
}

// fill sets form fields by id, as typing would.
func (tb *tab) fill(fields map[string]string) {
	tb.t.Helper()
	for id, v := range fields {
		tb.do("fill #"+id,
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.getElementById(%q).value = ""`, id)),
			chromedp.SendKeys(chromedp.ID(id), v))
	}
}

// takeExceptions returns and forgets the JavaScript errors seen so far.
func (tb *tab) takeExceptions() []string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	ex := tb.exceptions
	tb.exceptions = nil
	return ex
}

func shorten(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		return s[:57] + "..."
	}
	return s
}

// repoRoot walks up from the working directory to the folder with go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}
