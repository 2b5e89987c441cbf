package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
)

func TestIngestFormats(t *testing.T) {
	transparent := image.NewNRGBA(image.Rect(0, 0, 300, 200))
	for i := range transparent.Pix {
		if i%4 == 3 {
			transparent.Pix[i] = uint8(i / 4 % 256) // alpha from 0 up
		} else {
			transparent.Pix[i] = 200
		}
	}
	palettedClear := image.NewPaletted(image.Rect(0, 0, 50, 40), color.Palette{color.Transparent, red})
	for i := range palettedClear.Pix {
		palettedClear.Pix[i] = uint8(i % 2)
	}
	tests := []struct {
		name          string
		data          []byte
		ct            string
		w, h, tw, th  int
		wantThumbSame bool
	}{
		{"small jpeg kept at its size", encodeJPEG(t, halves(800, 600)), TypeJPEG, 800, 600, 400, 300, false},
		{"large jpeg shrunk", encodeJPEG(t, photoLike(2400, 1600)), TypeJPEG, 1600, 1067, 400, 267, false},
		{"portrait jpeg shrunk by height", encodeJPEG(t, photoLike(800, 2000)), TypeJPEG, 640, 1600, 160, 400, false},
		{"opaque png becomes jpeg", encodePNG(t, halves(1800, 900)), TypeJPEG, 1600, 800, 400, 200, false},
		{"transparent png stays png", encodePNG(t, transparent), TypePNG, 300, 200, 300, 200, true},
		{"gif first frame", encodeGIF(t, halves(120, 90)), TypeJPEG, 120, 90, 120, 90, true},
		{"transparent gif stays png", encodeGIF(t, palettedClear), TypePNG, 50, 40, 50, 40, true},
		{"gif frame smaller than its screen", partialGIF(t), TypePNG, 100, 80, 100, 80, true},
		{"lossy webp", readTestdata(t, "blue-purple-pink.lossy.webp"), TypeJPEG, 0, 0, 0, 0, false},
		{"webp with alpha", readTestdata(t, "gopher-doc.with-alpha.lossless.webp"), TypePNG, 0, 0, 0, 0, false},
		{"extreme aspect ratio", encodePNG(t, halves(4000, 2)), TypeJPEG, 1600, 1, 400, 1, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, st := newTestProcessor(t, Options{})
			ph, err := p.Ingest(context.Background(), bytes.NewReader(tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if ph.ContentType != tc.ct || !IsKey(ph.Key) || !IsKey(ph.ThumbKey) || ph.Key == ph.ThumbKey {
				t.Fatalf("photo %+v", ph)
			}
			if tc.w != 0 && (ph.Width != tc.w || ph.Height != tc.h || ph.ThumbWidth != tc.tw || ph.ThumbHeight != tc.th) {
				t.Fatalf("sizes %dx%d thumb %dx%d, want %dx%d thumb %dx%d",
					ph.Width, ph.Height, ph.ThumbWidth, ph.ThumbHeight, tc.w, tc.h, tc.tw, tc.th)
			}
			b, m, format, info := stored(t, st, ph.Key)
			if "image/"+format != tc.ct || info.ContentType != tc.ct || int64(len(b)) != ph.Bytes || info.Size != ph.Bytes {
				t.Fatalf("stored %s %+v, photo %+v", format, info, ph)
			}
			if m.Bounds().Dx() != ph.Width || m.Bounds().Dy() != ph.Height {
				t.Fatalf("stored %v, photo says %dx%d", m.Bounds(), ph.Width, ph.Height)
			}
			_, tm, _, _ := stored(t, st, ph.ThumbKey)
			if tm.Bounds().Dx() != ph.ThumbWidth || tm.Bounds().Dy() != ph.ThumbHeight {
				t.Fatalf("thumb %v, photo says %dx%d", tm.Bounds(), ph.ThumbWidth, ph.ThumbHeight)
			}
			if max(ph.ThumbWidth, ph.ThumbHeight) > DefaultThumbSide || max(ph.Width, ph.Height) > DefaultLargeSide {
				t.Fatalf("not shrunk: %+v", ph)
			}
		})
	}
}

func TestIngestColoursSurvive(t *testing.T) {
	p, st := newTestProcessor(t, Options{})
	ph, err := p.Ingest(context.Background(), bytes.NewReader(encodeJPEG(t, halves(2000, 1000))))
	if err != nil {
		t.Fatal(err)
	}
	_, m, _, _ := stored(t, st, ph.Key)
	if !near(m.At(100, 400), red) || !near(m.At(1500, 400), blue) {
		t.Fatalf("colours after resize: %v %v", m.At(100, 400), m.At(1500, 400))
	}
}

func TestIngestRefusals(t *testing.T) {
	jpg := encodeJPEG(t, photoLike(600, 400))
	tests := []struct {
		name string
		data []byte
		key  string
	}{
		{"zero bytes", nil, "err.photo_empty"},
		{"text file named .jpg", []byte("just some notes, not a picture\n"), "err.photo_type"},
		{"html", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"), "err.photo_type"},
		{"svg", []byte(`<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect width="10" height="10"/></svg>`), "err.photo_type"},
		{"svg without prolog", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "err.photo_type"},
		{"pdf", []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"), "err.photo_type"},
		{"bmp", append([]byte("BM"), make([]byte, 100)...), "err.photo_type"},
		{"jpeg magic only", []byte{0xFF, 0xD8, 0xFF, 0xE0}, "err.photo_type"},
		{"truncated jpeg", jpg[:len(jpg)/2], "err.photo_type"},
		{"png with a bad header checksum", func() []byte { b := pngBomb(10, 10); b[29] ^= 0xFF; return b }(), "err.photo_type"},
		{"png header without data", pngBomb(10, 10), "err.photo_type"},
		{"truncated png", func() []byte { b := encodePNG(t, photoLike(200, 200)); return b[:len(b)-200] }(), "err.photo_type"},
		{"gif magic only", []byte("GIF89a"), "err.photo_type"},
		{"webp magic only", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), "err.photo_type"},
		{"png bomb", pngBomb(12000, 12000), "err.photo_too_many_pixels"},
		{"zero width png", pngBomb(0, 10), "err.photo_type"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, st := newTestProcessor(t, Options{})
			ph, err := p.Ingest(context.Background(), bytes.NewReader(tc.data))
			wantKind(t, err, errs.Invalid, tc.key)
			if ph != (Photo{}) {
				t.Fatalf("refusal returned a photo: %+v", ph)
			}
			if f := files(t, st.Dir()); len(f) != 0 {
				t.Fatalf("refusal left files: %v", f)
			}
		})
	}
}

// TestPixelBombRefusedBeforeDecoding proves that the header alone decides:
// decoding 12000×12000 would allocate over 500 MB.
func TestPixelBombRefusedBeforeDecoding(t *testing.T) {
	p, _ := newTestProcessor(t, Options{})
	bomb := pngBomb(12000, 12000)
	if len(bomb) > 100 {
		t.Fatalf("bomb is %d bytes", len(bomb))
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := p.Ingest(context.Background(), bytes.NewReader(bomb))
	runtime.ReadMemStats(&after)
	wantKind(t, err, errs.Invalid, "err.photo_too_many_pixels")
	if e, _ := errs.As(err); e.Args["Max"] != int64(40) {
		t.Fatalf("args %v", e.Args)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("refusing the bomb allocated %d bytes: it was decoded", alloc)
	}
	// Just under the limit passes the header check (and fails later on
	// the missing data, as a damaged file).
	p2, _ := newTestProcessor(t, Options{MaxPixels: 100})
	_, err = p2.Ingest(context.Background(), bytes.NewReader(pngBomb(10, 10)))
	wantKind(t, err, errs.Invalid, "err.photo_type")
	_, err = p2.Ingest(context.Background(), bytes.NewReader(pngBomb(11, 10)))
	wantKind(t, err, errs.Invalid, "err.photo_too_many_pixels")
}

func TestOversizedStopsReading(t *testing.T) {
	head := encodeJPEG(t, photoLike(64, 64))
	for _, max := range []int64{100 << 10, DefaultMaxBytes} {
		t.Run(fmt.Sprint(max), func(t *testing.T) {
			opts := Options{}
			if max != DefaultMaxBytes {
				opts.MaxBytes = max
			}
			p, st := newTestProcessor(t, opts)
			cr := &countingReader{r: io.MultiReader(bytes.NewReader(head), endless{})}
			_, err := p.Ingest(context.Background(), cr)
			wantKind(t, err, errs.Invalid, "err.photo_too_large")
			if cr.n != max+1 {
				t.Fatalf("read %d bytes of an endless upload, want %d", cr.n, max+1)
			}
			if e, _ := errs.As(err); e.Args["Max"] != (max+(1<<20)-1)>>20 {
				t.Fatalf("args %v", e.Args)
			}
			if f := files(t, st.Dir()); len(f) != 0 {
				t.Fatalf("left files: %v", f)
			}
		})
	}
	t.Run("exactly the limit passes", func(t *testing.T) {
		data := encodeJPEG(t, photoLike(300, 200))
		p, _ := newTestProcessor(t, Options{MaxBytes: int64(len(data))})
		if _, err := p.Ingest(context.Background(), bytes.NewReader(data)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("text is refused from its first bytes", func(t *testing.T) {
		p, _ := newTestProcessor(t, Options{})
		cr := &countingReader{r: io.MultiReader(strings.NewReader("hello "), endless{})}
		_, err := p.Ingest(context.Background(), cr)
		wantKind(t, err, errs.Invalid, "err.photo_type")
		if cr.n > sniffLen {
			t.Fatalf("read %d bytes of a text upload", cr.n)
		}
	})
}

func TestExifOrientationTurnsPixels(t *testing.T) {
	src := encodeJPEG(t, halves(64, 32)) // red left, blue right
	tests := []struct {
		o, w, h       int
		first, second image.Point // where red and blue must be
		order         string
	}{
		{o: 1, w: 64, h: 32, first: image.Pt(8, 16), second: image.Pt(56, 16), order: "MM"},
		{o: 6, w: 32, h: 64, first: image.Pt(16, 8), second: image.Pt(16, 56), order: "MM"},
		{o: 6, w: 32, h: 64, first: image.Pt(16, 8), second: image.Pt(16, 56), order: "II"},
		{o: 8, w: 32, h: 64, first: image.Pt(16, 56), second: image.Pt(16, 8), order: "II"},
		{o: 3, w: 64, h: 32, first: image.Pt(56, 16), second: image.Pt(8, 16), order: "MM"},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%d %s", tc.o, tc.order), func(t *testing.T) {
			p, st := newTestProcessor(t, Options{})
			ph, err := p.Ingest(context.Background(), bytes.NewReader(withSegment(src, exifSegment(uint16(tc.o), tc.order))))
			if err != nil {
				t.Fatal(err)
			}
			if ph.Width != tc.w || ph.Height != tc.h {
				t.Fatalf("size %dx%d, want %dx%d", ph.Width, ph.Height, tc.w, tc.h)
			}
			_, m, _, _ := stored(t, st, ph.Key)
			if !near(m.At(tc.first.X, tc.first.Y), red) || !near(m.At(tc.second.X, tc.second.Y), blue) {
				t.Fatalf("orientation %d: %v at %v, %v at %v", tc.o, m.At(tc.first.X, tc.first.Y), tc.first, m.At(tc.second.X, tc.second.Y), tc.second)
			}
		})
	}
}

// TestOutputHasNoExif: a phone photo's EXIF holds where it was taken,
// often a member's home. Neither stored file may carry any of it.
func TestOutputHasNoExif(t *testing.T) {
	in := withSegment(encodeJPEG(t, photoLike(1700, 1000)), exifSegment(6, "MM"))
	if !bytes.Contains(in, []byte("Exif\x00\x00")) || jpegOrientation(in) != 6 {
		t.Fatal("the crafted input lacks its EXIF")
	}
	p, st := newTestProcessor(t, Options{})
	ph, err := p.Ingest(context.Background(), bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{ph.Key, ph.ThumbKey} {
		b, _, _, _ := stored(t, st, k)
		for _, m := range jpegMarkers(t, b) {
			if m >= 0xE1 && m <= 0xEF {
				t.Fatalf("%s keeps an APP%d segment", k, m-0xE0)
			}
		}
		if bytes.Contains(b, []byte("Exif\x00\x00")) || bytes.Contains(b, []byte("MM\x00\x2a")) {
			t.Fatalf("%s carries EXIF", k)
		}
		if jpegOrientation(b) != 1 {
			t.Fatalf("%s still says how to turn it", k)
		}
	}
}

func TestIngestStoreFailureLeavesNothing(t *testing.T) {
	for _, failOn := range []int{1, 2} {
		t.Run(fmt.Sprint(failOn), func(t *testing.T) {
			disk, err := NewDiskStore(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			p := NewProcessor(&failingStore{Store: disk, failOn: failOn}, Options{})
			_, err = p.Ingest(context.Background(), bytes.NewReader(encodeJPEG(t, halves(100, 100))))
			if err == nil || errs.KindOf(err) != errs.Internal {
				t.Fatalf("got %v, want an internal error", err)
			}
			if f := files(t, disk.Dir()); len(f) != 0 {
				t.Fatalf("left files: %v", f)
			}
		})
	}
}

func TestIngestCancelled(t *testing.T) {
	p, st := newTestProcessor(t, Options{MaxConcurrent: 1})
	p.sem <- struct{}{} // every slot taken
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := p.Ingest(ctx, bytes.NewReader(encodeJPEG(t, halves(10, 10))))
	if err == nil || !strings.Contains(err.Error(), "canceled") {
		t.Fatalf("got %v", err)
	}
	if f := files(t, st.Dir()); len(f) != 0 {
		t.Fatalf("left files: %v", f)
	}
}

func TestDeletePhoto(t *testing.T) {
	p, st := newTestProcessor(t, Options{})
	ph, err := p.Ingest(context.Background(), bytes.NewReader(encodeJPEG(t, halves(100, 100))))
	if err != nil {
		t.Fatal(err)
	}
	if f := files(t, st.Dir()); len(f) != 2 {
		t.Fatalf("files %v", f)
	}
	for range 2 { // deleting twice is fine
		if err := p.Delete(context.Background(), ph); err != nil {
			t.Fatal(err)
		}
	}
	if f := files(t, st.Dir()); len(f) != 0 {
		t.Fatalf("left files: %v", f)
	}
	_, _, err = st.Open(context.Background(), ph.Key)
	wantKind(t, err, errs.NotFound, "")
	err = p.Delete(context.Background(), Photo{Key: "../../etc/passwd"})
	wantKind(t, err, errs.Invalid, "")
}

// TestConcurrentIngest runs many uploads at once through a processor that
// decodes two at a time: every photo must come out whole under its own
// keys, with no file shared or lost.
func TestConcurrentIngest(t *testing.T) {
	p, st := newTestProcessor(t, Options{MaxConcurrent: 2})
	const n = 24
	inputs := [][]byte{
		encodeJPEG(t, photoLike(900, 600)),
		encodePNG(t, halves(500, 700)),
		encodeGIF(t, halves(200, 100)),
		readTestdata(t, "blue-purple-pink.lossy.webp"),
	}
	photos := make([]Photo, n)
	errsOut := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			photos[i], errsOut[i] = p.Ingest(context.Background(), bytes.NewReader(inputs[i%len(inputs)]))
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, ph := range photos {
		if errsOut[i] != nil {
			t.Fatalf("ingest %d: %v", i, errsOut[i])
		}
		for _, k := range []string{ph.Key, ph.ThumbKey} {
			if seen[k] {
				t.Fatalf("key %s given twice", k)
			}
			seen[k] = true
			stored(t, st, k)
		}
		if want := photos[i%len(inputs)]; ph.Width != want.Width || ph.Height != want.Height || ph.Bytes != want.Bytes {
			t.Fatalf("same input, different output: %+v vs %+v", ph, want)
		}
	}
	if f := files(t, st.Dir()); len(f) != 2*n {
		t.Fatalf("%d files, want %d", len(f), 2*n)
	}
}

func TestFit(t *testing.T) {
	tests := []struct{ w, h, side, ww, wh int }{
		{4000, 3000, 1600, 1600, 1200},
		{3000, 4000, 1600, 1200, 1600},
		{1600, 1600, 1600, 1600, 1600},
		{100, 50, 1600, 100, 50},
		{10000, 1, 400, 400, 1},
		{1, 1, 400, 1, 1},
	}
	for _, tc := range tests {
		if w, h := fit(tc.w, tc.h, tc.side); w != tc.ww || h != tc.wh {
			t.Errorf("fit(%d,%d,%d) = %d,%d want %d,%d", tc.w, tc.h, tc.side, w, h, tc.ww, tc.wh)
		}
	}
}

func BenchmarkIngest4000x3000JPEG(b *testing.B) {
	data := encodeJPEG(b, photoLike(4000, 3000))
	p, _ := newTestProcessor(b, Options{})
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		ph, err := p.Ingest(context.Background(), bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		_ = p.Delete(context.Background(), ph)
		b.StartTimer()
	}
}

// partialGIF is a 100×80 GIF whose only frame covers 40×30 of it.
func partialGIF(t *testing.T) []byte {
	frame := image.NewPaletted(image.Rect(10, 10, 50, 40), color.Palette{red, blue})
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{
		Image: []*image.Paletted{frame}, Delay: []int{0},
		Config: image.Config{ColorModel: frame.Palette, Width: 100, Height: 80},
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// FuzzIngest feeds damaged pictures to Ingest: it must refuse them as
// Invalid or take them, never panic nor fail otherwise.
func FuzzIngest(f *testing.F) {
	f.Add(encodeJPEG(f, halves(16, 8)))
	f.Add(encodePNG(f, halves(9, 7)))
	f.Add(encodeGIF(f, halves(5, 5)))
	f.Add(readTestdata(f, "blue-purple-pink.lossy.webp"))
	f.Add(withSegment(encodeJPEG(f, halves(8, 8)), exifSegment(6, "II")))
	p, _ := newTestProcessor(f, Options{MaxPixels: 1 << 20, MaxBytes: 1 << 20})
	f.Fuzz(func(t *testing.T, data []byte) {
		ph, err := p.Ingest(context.Background(), bytes.NewReader(data))
		if err != nil && errs.KindOf(err) != errs.Invalid {
			t.Fatalf("%v", err)
		}
		if err == nil {
			_ = p.Delete(context.Background(), ph)
		}
	})
}
