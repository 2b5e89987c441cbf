package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sharingcity/sharingcity/internal/access"
	"github.com/sharingcity/sharingcity/internal/directory"
	"github.com/sharingcity/sharingcity/internal/geo"
)

func TestMapCacheGzip(t *testing.T) {
	e := newTestEnv(t, nil)
	items := make([]directory.ImportItem, 40)
	for i := range items {
		items[i] = directory.ImportItem{Row: i + 1, Initiative: directory.Initiative{
			Name: fmt.Sprintf("Atelier vélo %d", i), Kind: directory.KindAssociation, Categories: []string{"mobility"},
			Position: geo.Point{Lat: 45.17 + float64(i)*0.001, Lon: 5.70 + float64(i)*0.001}}}
	}
	if _, err := e.directory.Import(context.Background(), access.SystemActor(), e.ter, items, false); err != nil {
		t.Fatal(err)
	}
	path := "/api/v1/territories/test/initiatives?bbox=5.69,45.16,5.75,45.21"
	// A transport that does not decompress, to see what is on the wire.
	c := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	plain := e.get(c, path)
	plainBody := readBody(plain)
	zipped := e.get(c, path, "Accept-Encoding", "br;q=1.0, gzip;q=0.8")
	if zipped.Header.Get("Content-Encoding") != "gzip" || zipped.Header.Get("Vary") != "Accept-Encoding" {
		t.Fatalf("gzip headers: %v", zipped.Header)
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	zipped.Body.Close()
	if string(unzipped) != plainBody || !strings.Contains(plainBody, "Atelier vélo 39") {
		t.Fatalf("gzip body differs from the plain one:\n%s\n%s", unzipped, plainBody)
	}
	if plain.Header.Get("ETag") == zipped.Header.Get("ETag") {
		t.Fatalf("both representations have ETag %s", plain.Header.Get("ETag"))
	}
	if z := e.get(c, path, "Accept-Encoding", "gzip;q=0"); z.Header.Get("Content-Encoding") != "" {
		t.Fatalf("gzip;q=0 got %q", z.Header.Get("Content-Encoding"))
	}
	// Either ETag revalidates, whatever the encoding asked.
	for _, etag := range []string{plain.Header.Get("ETag"), zipped.Header.Get("ETag"), `"x", ` + zipped.Header.Get("ETag"), "*"} {
		for _, enc := range []string{"", "gzip"} {
			resp := e.get(c, path, "If-None-Match", etag, "Accept-Encoding", enc)
			body := readBody(resp)
			if resp.StatusCode != http.StatusNotModified || body != "" || resp.Header.Get("Content-Encoding") != "" {
				t.Errorf("If-None-Match %s, Accept-Encoding %q: %d %q %v", etag, enc, resp.StatusCode, body, resp.Header)
			}
		}
	}
	if resp := e.get(c, path, "If-None-Match", `"other"`); resp.StatusCode != http.StatusOK {
		t.Errorf("another ETag: status %d", resp.StatusCode)
	}
}

func TestAcceptsGzip(t *testing.T) {
	cases := []struct {
		in   []string
		want bool
	}{
		{nil, false},
		{[]string{"gzip"}, true},
		{[]string{"gzip, deflate, br"}, true},
		{[]string{"br", "gzip;q=0.5"}, true},
		{[]string{"deflate, br"}, false},
		{[]string{"gzip;q=0"}, false},
		{[]string{"gzip; q=0.000"}, false},
		{[]string{"x-gzip"}, true},
		{[]string{"gzipped"}, false},
	}
	for _, tc := range cases {
		if got := acceptsGzip(tc.in); got != tc.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

// TestTileCacheBound: whatever entries and aliases arrive, the cache stays
// within its size, and an evicted entry takes its aliases with it.
func TestTileCacheBound(t *testing.T) {
	c := newTileCache(64<<10, 16<<10)
	body := bytes.Repeat([]byte("x"), 2000)
	for i := range 200 {
		e := c.newEntry(fmt.Sprintf("1/1/tile%d", i), body)
		c.put(e)
		for j := range 20 {
			c.alias(aliasKey{territory: 1, version: 1, query: fmt.Sprintf("bbox=%d,%d", i, j)}, e)
		}
		if c.bytes > c.maxBytes {
			t.Fatalf("after %d entries: %d bytes > %d", i+1, c.bytes, c.maxBytes)
		}
		if n := len(e.aliases); n > maxAliasesPerEntry {
			t.Fatalf("%d aliases", n)
		}
	}
	total := 0
	for el := c.ll.Front(); el != nil; el = el.Next() {
		e := el.Value.(*tileEntry)
		total += e.size()
		for _, a := range e.aliases {
			if c.aliases[a] != el {
				t.Fatalf("alias %v does not point to its entry", a)
			}
		}
	}
	if total != c.bytes || len(c.items) != c.ll.Len() {
		t.Fatalf("accounting: %d counted, %d summed; %d items, %d in list", c.bytes, total, len(c.items), c.ll.Len())
	}
	n := 0
	for range c.aliases {
		n++
	}
	if n != c.ll.Len()*maxAliasesPerEntry {
		t.Fatalf("%d aliases for %d entries", n, c.ll.Len())
	}
	if _, ok := c.byAlias(aliasKey{territory: 1, version: 1, query: "bbox=0,0"}); ok {
		t.Fatal("the alias of an evicted entry still answers")
	}
}

// TestTileCacheFill: concurrent misses of one key query once and all get
// the same entry; after a failed build, waiters try on their own.
func TestTileCacheFill(t *testing.T) {
	c := newTileCache(1<<20, 1<<20)
	var calls atomic.Int32
	release := make(chan struct{})
	encode := func() ([]byte, error) {
		calls.Add(1)
		<-release
		return []byte(`{"type":"FeatureCollection"}`), nil
	}
	const n = 50
	got := make([]*tileEntry, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, err := c.fill("k", encode)
			if err != nil {
				t.Error(err)
			}
			got[i] = e
		}()
	}
	for c.waiting("k") < 1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // let the others queue behind the first
	close(release)
	wg.Wait()
	if calls.Load() != 1 {
		t.Fatalf("encode ran %d times", calls.Load())
	}
	for _, e := range got {
		if e == nil || e != got[0] {
			t.Fatal("requests got different entries")
		}
	}

	// A failing first build: the waiters build for themselves.
	calls.Store(0)
	fail := make(chan struct{})
	failing := func() ([]byte, error) {
		if calls.Add(1) == 1 {
			<-fail
			return nil, errors.New("client went away")
		}
		return []byte("{}"), nil
	}
	errc := make(chan error, 2)
	go func() { _, err := c.fill("k2", failing); errc <- err }()
	for c.waiting("k2") < 1 {
		time.Sleep(time.Millisecond)
	}
	go func() { _, err := c.fill("k2", failing); errc <- err }()
	time.Sleep(20 * time.Millisecond)
	close(fail)
	errs := []error{<-errc, <-errc}
	if (errs[0] == nil) == (errs[1] == nil) {
		t.Fatalf("want one failure and one success, got %v", errs)
	}
}

// waiting reports whether key is being built.
func (c *tileCache) waiting(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.filling[key]; ok {
		return 1
	}
	return 0
}

// TestTileCachePlainCopies: entries are stored compressed; plain copies
// stay within their own bound, and one evicted from it is decompressed
// again, byte for byte.
func TestTileCachePlainCopies(t *testing.T) {
	c := newTileCache(1<<20, 8<<10)
	bodies := map[string][]byte{}
	var entries []*tileEntry
	for i := range 20 {
		body := []byte(strings.Repeat(fmt.Sprintf(`{"id":%d,"name":"Atelier %d"},`, i, i*7), 60))
		key := fmt.Sprintf("1/1/tile%d", i)
		bodies[key] = body
		e := c.newEntry(key, bytes.Clone(body))
		if e.gz == nil || len(e.gz) >= len(body) {
			t.Fatalf("entry %d not compressed", i)
		}
		c.put(e)
		entries = append(entries, e)
		if c.plainBytes > c.maxPlain {
			t.Fatalf("plain copies: %d bytes > %d", c.plainBytes, c.maxPlain)
		}
	}
	for round := range 2 {
		for _, e := range entries {
			got, err := c.plainBody(e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, bodies[e.key]) {
				t.Fatalf("round %d, %s: plain body differs", round, e.key)
			}
		}
	}
	total := 0
	for el := c.plain.Front(); el != nil; el = el.Next() {
		total += len(el.Value.(*tileEntry).body)
	}
	if total != c.plainBytes || total > c.maxPlain || total == 0 {
		t.Fatalf("plain accounting: %d summed, %d counted, bound %d", total, c.plainBytes, c.maxPlain)
	}
	c.purge()
	if c.plainBytes != 0 || c.plain.Len() != 0 {
		t.Fatal("purge kept plain copies")
	}
	if got, err := c.plainBody(entries[0]); err != nil || !bytes.Equal(got, bodies[entries[0].key]) {
		t.Fatalf("after purge: %v", err)
	}
}
