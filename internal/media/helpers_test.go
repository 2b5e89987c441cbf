package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sharingcity/sharingcity/internal/errs"
)

var (
	red  = color.RGBA{220, 20, 20, 255}
	blue = color.RGBA{20, 20, 220, 255}
)

// halves returns a w×h picture whose left half is red and right half blue,
// so a test can tell which way it was turned.
func halves(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := red
			if x >= w/2 {
				c = blue
			}
			m.SetRGBA(x, y, c)
		}
	}
	return m
}

// photoLike returns a w×h picture with gradients and texture, closer to a
// photo than a flat colour, so that JPEG sizes and timings are realistic.
func photoLike(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(2463534242)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			seed ^= seed << 13
			seed ^= seed >> 17
			seed ^= seed << 5
			m.Y[m.YOffset(x, y)] = uint8((x*255/w+y*255/h)/2) + uint8(seed&15)
		}
	}
	for y := 0; y < (h+1)/2; y++ {
		for x := 0; x < (w+1)/2; x++ {
			i := y*m.CStride + x
			m.Cb[i] = uint8(64 + x*128/w)
			m.Cr[i] = uint8(192 - y*128/h)
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeGIF(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := gif.Encode(&b, m, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngChunk frames one PNG chunk with its length and CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	_ = binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	_ = binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// pngBomb is a 60-byte PNG whose header claims w×h RGB pixels: decoding it
// would allocate w*h*4 bytes before noticing that the data is missing.
func pngBomb(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8 bits, truecolour
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, pngChunk("IEND", nil)...)
}

// exifSegment builds an APP1 Exif segment with an Orientation tag and a GPS
// IFD holding a latitude, in the byte order bo ("II" or "MM").
func exifSegment(orientation uint16, order string) []byte {
	var bo binary.AppendByteOrder = binary.BigEndian
	if order == "II" {
		bo = binary.LittleEndian
	}
	t := []byte(order)
	t = bo.AppendUint16(t, 42)
	t = bo.AppendUint32(t, 8) // IFD0 right after the header
	// val is the 4-byte value field, already in the file's byte order.
	entry := func(tag, typ uint16, n uint32, val []byte) {
		t = bo.AppendUint16(t, tag)
		t = bo.AppendUint16(t, typ)
		t = bo.AppendUint32(t, n)
		t = append(t, val...)
	}
	// IFD0 at 8: 2 entries (2+24 bytes) and the next-IFD offset: GPS IFD at 38.
	t = bo.AppendUint16(t, 2)
	entry(0x0112, 3, 1, append(bo.AppendUint16(nil, orientation), 0, 0)) // SHORT, left-aligned
	entry(0x8825, 4, 1, bo.AppendUint32(nil, 38))
	t = bo.AppendUint32(t, 0)
	// GPS IFD at 38: LatitudeRef "N", Latitude at 38+2+24+4 = 68.
	t = bo.AppendUint16(t, 2)
	entry(0x0001, 2, 2, []byte{'N', 0, 0, 0})
	entry(0x0002, 5, 3, bo.AppendUint32(nil, 68))
	t = bo.AppendUint32(t, 0)
	for _, r := range [][2]uint32{{45, 1}, {45, 1}, {1234, 100}} { // 45°45'12.34"
		t = bo.AppendUint32(t, r[0])
		t = bo.AppendUint32(t, r[1])
	}
	payload := append([]byte("Exif\x00\x00"), t...)
	seg := []byte{0xFF, 0xE1}
	seg = binary.BigEndian.AppendUint16(seg, uint16(len(payload)+2))
	return append(seg, payload...)
}

// withSegment inserts seg right after a JPEG's SOI marker, where cameras
// put their APP1.
func withSegment(jpg, seg []byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

// jpegMarkers lists the markers of a JPEG up to its first scan.
func jpegMarkers(t *testing.T, b []byte) []byte {
	t.Helper()
	var ms []byte
	i := 2
	for i+4 <= len(b) {
		if b[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := b[i+1]
		ms = append(ms, m)
		if m == 0xDA {
			return ms
		}
		i += 2 + int(binary.BigEndian.Uint16(b[i+2:]))
	}
	return ms
}

func newTestProcessor(t testing.TB, opts Options) (*Processor, *DiskStore) {
	t.Helper()
	st, err := NewDiskStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return NewProcessor(st, opts), st
}

// stored reads back a key and decodes it.
func stored(t *testing.T, st Store, key string) ([]byte, image.Image, string, Info) {
	t.Helper()
	rc, info, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatalf("open %s: %v", key, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	m, format, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("decode %s: %v", key, err)
	}
	return b, m, format, info
}

// files lists the regular files under dir (temporary files included), so
// a test can prove that a refusal left nothing behind.
func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			out = append(out, strings.TrimPrefix(p, dir))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantKind(t *testing.T, err error, kind errs.Kind, key string) {
	t.Helper()
	e, ok := errs.As(err)
	if !ok || e.Kind != kind || (key != "" && e.Key != key) {
		t.Fatalf("got %v, want %s %s", err, kind, key)
	}
}

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// endless yields zeros forever: an upload that never ends.
type endless struct{}

func (endless) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// failingStore fails Put for keys that match failOn, to test clean-up.
type failingStore struct {
	Store
	puts   int
	failOn int
}

func (f *failingStore) Put(ctx context.Context, key string, r io.Reader, ct string) error {
	f.puts++
	if f.puts == f.failOn {
		return errors.New("disk full")
	}
	return f.Store.Put(ctx, key, r, ct)
}

func near(c color.Color, want color.RGBA) bool {
	r, g, b, _ := c.RGBA()
	d := func(a uint32, b uint8) bool { x := int(a>>8) - int(b); return x > -40 && x < 40 }
	return d(r, want.R) && d(g, want.G) && d(b, want.B)
}
