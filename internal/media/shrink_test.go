package media

import (
	"fmt"
	"image"
	"image/color"
	"image/draw"

	xdraw "golang.org/x/image/draw"
	"testing"
)

// TestResizeEveryDecodedType runs the box pre-shrink and CatmullRom over
// each image type the decoders return, with odd sizes so that the last
// blocks are partial: sizes must be right and a flat colour must stay flat.
func TestResizeEveryDecodedType(t *testing.T) {
	const w, h = 1669, 501
	r := image.Rect(0, 0, w, h)
	ycbcr := func(ratio image.YCbCrSubsampleRatio) image.Image {
		m := image.NewYCbCr(r, ratio)
		fill(m.Y, 150)
		fill(m.Cb, 90)
		fill(m.Cr, 200)
		return m
	}
	wantYCbCr := func() color.RGBA {
		cr, cg, cb := color.YCbCrToRGB(150, 90, 200)
		return color.RGBA{cr, cg, cb, 255}
	}()
	uniform := func(m draw.Image, c color.Color) image.Image {
		draw.Draw(m, m.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
		return m
	}
	tests := []struct {
		name string
		src  image.Image
		want color.RGBA // premultiplied
	}{
		{"ycbcr 4:2:0", ycbcr(image.YCbCrSubsampleRatio420), wantYCbCr},
		{"ycbcr 4:2:2", ycbcr(image.YCbCrSubsampleRatio422), wantYCbCr},
		{"ycbcr 4:4:4", ycbcr(image.YCbCrSubsampleRatio444), wantYCbCr},
		{"ycbcr 4:4:0", ycbcr(image.YCbCrSubsampleRatio440), wantYCbCr},
		{"ycbcr 4:1:1", ycbcr(image.YCbCrSubsampleRatio411), wantYCbCr},
		{"ycbcr 4:1:0", ycbcr(image.YCbCrSubsampleRatio410), wantYCbCr},
		{"gray", uniform(image.NewGray(r), color.Gray{77}), color.RGBA{77, 77, 77, 255}},
		{"rgba", uniform(image.NewRGBA(r), red), red},
		{"nrgba half transparent", uniform(image.NewNRGBA(r), color.NRGBA{200, 100, 50, 128}), color.RGBA{100, 50, 25, 128}},
		{"paletted", uniform(image.NewPaletted(r, color.Palette{blue, red}), blue), blue},
		{"cmyk", uniform(image.NewCMYK(r), color.CMYK{0, 255, 255, 0}), color.RGBA{255, 0, 0, 255}},
		{"rgba not at the origin", uniform(image.NewRGBA(image.Rect(10, 20, 10+w, 20+h)), red), red},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := resize(tc.src, 400)
			if m.Bounds() != image.Rect(0, 0, 400, 120) {
				t.Fatalf("bounds %v", m.Bounds())
			}
			for _, p := range []image.Point{{0, 0}, {200, 60}, {399, 119}} {
				if got := m.RGBAAt(p.X, p.Y); !within2(got, tc.want) {
					t.Fatalf("at %v: %v, want %v", p, got, tc.want)
				}
			}
		})
	}
}

func TestShrinkPlaneAverages(t *testing.T) {
	// 5×3, one channel, k=2: blocks 2×2, 1×2 (right), 2×1 (bottom), 1×1.
	src := []uint8{
		0, 10, 20, 30, 40,
		2, 12, 22, 32, 42,
		100, 110, 120, 130, 140,
	}
	dst := make([]uint8, 3*2)
	shrinkPlane(dst, 3, src, 5, 5, 3, 1, 2)
	want := []uint8{6, 26, 41, 105, 125, 140}
	if fmt.Sprint(dst) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", dst, want)
	}
}

func fill(b []uint8, v uint8) {
	for i := range b {
		b[i] = v
	}
}

func within2(a, b color.RGBA) bool {
	d := func(x, y uint8) bool { return int(x)-int(y) <= 2 && int(y)-int(x) <= 2 }
	return d(a.R, b.R) && d(a.G, b.G) && d(a.B, b.B) && d(a.A, b.A)
}

// TestPreShrinkMatchesCatmullRom compares the two-step resize with a
// CatmullRom pass over the full picture: a stride or chroma mistake in the
// box step would show as a large difference.
func TestPreShrinkMatchesCatmullRom(t *testing.T) {
	for name, src := range map[string]image.Image{
		"ycbcr": photoLike(1501, 999),
		"rgba":  halves(1499, 1001),
	} {
		t.Run(name, func(t *testing.T) {
			got := resize(src, 350)
			want := image.NewRGBA(got.Bounds())
			xdraw.CatmullRom.Scale(want, want.Bounds(), src, src.Bounds(), xdraw.Src, nil)
			var sum int
			for i := range got.Pix {
				d := int(got.Pix[i]) - int(want.Pix[i])
				sum += max(d, -d)
			}
			mean := float64(sum) / float64(len(got.Pix))
			t.Logf("mean difference %.3f", mean)
			if mean > 2 {
				t.Fatalf("mean difference %.2f per channel", mean)
			}
		})
	}
}
