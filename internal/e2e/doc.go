// Package e2e holds the end-to-end tests: the whole server in-process on a
// fresh SQLite file, driven by Debian's Chromium through chromedp, with
// axe-core checking every page the flows visit in French and in English.
//
// Run them with `make e2e` (go test -run E2E ./internal/e2e/); they also run
// in `make test`. They skip, saying why, when no Chromium is installed or
// when axe-core has not been installed from npm (`make assets`).
//
// SHARINGCITY_CHROMIUM names the browser binary; SHARINGCITY_E2E_SCREENSHOTS
// names a directory where phone and desktop screenshots of the key pages are
// written.
package e2e
