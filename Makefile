# sharingcity: `make run` serves the demo on http://localhost:8080,
# `make test` runs every test (PostgreSQL too when SHARINGCITY_TEST_POSTGRES is set).

GO      ?= go
VENDOR  := internal/web/static/vendor
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)

.PHONY: run build assets test test-short e2e bench fuzz lint clean

run: build
	./sharingcity serve

build: assets
	$(GO) build -ldflags "-X main.version=$(VERSION)" -o sharingcity ./cmd/sharingcity

# Front-end libraries come from the npm registry (web/package-lock.json)
# and are copied next to our own static files, then embedded in the binary.
assets: $(VENDOR)/.stamp

$(VENDOR)/.stamp: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/leaflet/images $(VENDOR)/markercluster
	cp web/node_modules/leaflet/dist/leaflet.js web/node_modules/leaflet/dist/leaflet.css $(VENDOR)/leaflet/
	cp web/node_modules/leaflet/dist/images/*.png $(VENDOR)/leaflet/images/
	cp web/node_modules/leaflet.markercluster/dist/leaflet.markercluster.js \
	   web/node_modules/leaflet.markercluster/dist/MarkerCluster.css \
	   web/node_modules/leaflet.markercluster/dist/MarkerCluster.Default.css $(VENDOR)/markercluster/
	touch $@

# -race turns on checkptr, which checks every unsafe pointer conversion:
# modernc.org/sqlite is C translated to Go and converts pointers all the
# time, so the check took about 60% of the SQLite tests' CPU. It stays on
# for every other package, and the race detector for all of them.
RACE := -race -gcflags='modernc.org/...=-d=checkptr=0'

test: assets
	$(GO) vet ./...
	$(GO) test $(RACE) -count=1 -timeout 20m ./...

test-short: assets
	$(GO) test -count=1 -short ./...

e2e: assets
	$(GO) test -count=1 -run E2E -v ./internal/e2e/

bench: assets
	$(GO) test -run '^$$' -bench . -benchtime 2s ./internal/...

fuzz:
	$(GO) test -run '^$$' -fuzz FuzzReadCSV -fuzztime 30s ./internal/interchange/
	$(GO) test -run '^$$' -fuzz FuzzReadGeoJSON -fuzztime 30s ./internal/interchange/

clean:
	rm -rf sharingcity $(VENDOR) web/node_modules
