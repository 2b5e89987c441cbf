package media

import (
	"image"
	"image/color"
	"testing"
)

func TestJPEGOrientation(t *testing.T) {
	jpg := encodeJPEG(t, halves(16, 8))
	for o := 1; o <= 8; o++ {
		for _, order := range []string{"II", "MM"} {
			if got := jpegOrientation(withSegment(jpg, exifSegment(uint16(o), order))); got != o {
				t.Errorf("orientation %d %s read as %d", o, order, got)
			}
		}
	}
	seg := exifSegment(6, "MM")
	tests := map[string][]byte{
		"no exif":           jpg,
		"out of range":      withSegment(jpg, exifSegment(9, "MM")),
		"zero":              withSegment(jpg, exifSegment(0, "II")),
		"not a jpeg":        []byte("hello"),
		"empty":             nil,
		"bad byte order":    withSegment(jpg, append(append([]byte{}, seg[:10]...), append([]byte("XX"), seg[12:]...)...)),
		"segment too long":  withSegment(jpg[:2], []byte{0xFF, 0xE1, 0xFF, 0xFF, 'E', 'x'}),
		"segment too short": withSegment(jpg[:2], []byte{0xFF, 0xE1, 0x00, 0x01}),
	}
	for name, data := range tests {
		if got := jpegOrientation(data); got != 1 {
			t.Errorf("%s: %d, want 1", name, got)
		}
	}
	// Every truncation of a valid segment is read without a panic.
	full := withSegment(jpg, seg)
	for n := range len(seg) + 2 {
		_ = jpegOrientation(full[:n])
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	f.Add(withSegment(encodeJPEG(f, halves(8, 8)), exifSegment(6, "II")))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x10})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

// TestOrient checks all eight orientations on a 3×2 picture whose pixels
// are all different: each must land where the EXIF specification says.
func TestOrient(t *testing.T) {
	// Stored pixels:  a b c
	//                 d e f
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	names := "abcdef"
	for i := range 6 {
		src.SetRGBA(i%3, i/3, color.RGBA{uint8(i), 0, 0, 255})
	}
	want := map[int][]string{ // rows of the upright picture
		1: {"abc", "def"},
		2: {"cba", "fed"},
		3: {"fed", "cba"},
		4: {"def", "abc"},
		5: {"ad", "be", "cf"},
		6: {"da", "eb", "fc"},
		7: {"fc", "eb", "da"},
		8: {"cf", "be", "ad"},
	}
	for o, rows := range want {
		m := orient(src, o)
		var got []string
		for y := 0; y < m.Bounds().Dy(); y++ {
			row := ""
			for x := 0; x < m.Bounds().Dx(); x++ {
				row += string(names[m.RGBAAt(x, y).R])
			}
			got = append(got, row)
		}
		if len(got) != len(rows) {
			t.Errorf("orientation %d: %v, want %v", o, got, rows)
			continue
		}
		for i := range rows {
			if got[i] != rows[i] {
				t.Errorf("orientation %d: %v, want %v", o, got, rows)
				break
			}
		}
	}
}
