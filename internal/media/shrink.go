package media

import (
	"image"

	"golang.org/x/image/draw"
)

// resize returns src scaled so that its longest side is at most side,
// never enlarged, as a fresh RGBA image at the origin.
//
// CatmullRom on its own is slow and hungry on a big photo: x/image/draw
// keeps a temporary of dstWidth×srcHeight×32 bytes (150 MB for a 12
// megapixel photo shrunk to 1600 px) and weighs ten source pixels per
// output pixel. So a photo at least twice too large is first averaged
// down by a whole factor (box filter: exact, no aliasing, a single pass
// over the bytes), and CatmullRom only does the last step of less than 2×,
// as image libraries such as libvips do.
func resize(src image.Image, side int) *image.RGBA {
	b := src.Bounds()
	w, h := fit(b.Dx(), b.Dy(), side)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
		return dst
	}
	if k := max(b.Dx(), b.Dy()) / side; k >= 2 {
		src = shrink(src, k)
		b = src.Bounds()
	}
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	return dst
}

// shrink averages src over k×k blocks. The decoders' own types are
// handled plane by plane; any other type is converted to RGBA first.
func shrink(src image.Image, k int) image.Image {
	b := src.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := ceilDiv(w, k), ceilDiv(h, k)
	if b.Min == (image.Point{}) {
		switch m := src.(type) {
		case *image.YCbCr:
			out := image.NewYCbCr(image.Rect(0, 0, dw, dh), m.SubsampleRatio)
			cw, ch := chromaSize(w, h, m.SubsampleRatio)
			shrinkPlane(out.Y, out.YStride, m.Y, m.YStride, w, h, 1, k)
			shrinkPlane(out.Cb, out.CStride, m.Cb, m.CStride, cw, ch, 1, k)
			shrinkPlane(out.Cr, out.CStride, m.Cr, m.CStride, cw, ch, 1, k)
			return out
		case *image.Gray:
			out := image.NewGray(image.Rect(0, 0, dw, dh))
			shrinkPlane(out.Pix, out.Stride, m.Pix, m.Stride, w, h, 1, k)
			return out
		case *image.RGBA:
			out := image.NewRGBA(image.Rect(0, 0, dw, dh))
			shrinkPlane(out.Pix, out.Stride, m.Pix, m.Stride, w, h, 4, k)
			return out
		case *image.NRGBA:
			// Averaging must weigh colour by alpha, or transparent pixels
			// (often black) would darken the edges: premultiply in place
			// (the decoded picture is ours), which makes it an RGBA.
			premultiply(m.Pix)
			out := image.NewRGBA(image.Rect(0, 0, dw, dh))
			shrinkPlane(out.Pix, out.Stride, m.Pix, m.Stride, w, h, 4, k)
			return out
		}
	}
	rgba := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(rgba, rgba.Bounds(), src, b.Min, draw.Src)
	return shrink(rgba, k)
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// chromaSize is the size of the Cb and Cr planes of a w×h YCbCr image at
// the origin, as image.NewYCbCr lays them out.
func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return ceilDiv(w, 2), h
	case image.YCbCrSubsampleRatio420:
		return ceilDiv(w, 2), ceilDiv(h, 2)
	case image.YCbCrSubsampleRatio440:
		return w, ceilDiv(h, 2)
	case image.YCbCrSubsampleRatio411:
		return ceilDiv(w, 4), h
	case image.YCbCrSubsampleRatio410:
		return ceilDiv(w, 4), ceilDiv(h, 2)
	}
	return w, h
}

// shrinkPlane averages a w×h plane of interleaved channels (1 or 4) over
// k×k blocks into dst, rounding; blocks on the right and bottom edges may
// be partial and are averaged over what they hold. The output of a plane
// of ceil(w/s) columns is ceil(w/(s·k)) = ceil(ceil(w/k)/s) columns, so
// subsampled chroma planes keep matching their luma plane.
func shrinkPlane(dst []uint8, dstStride int, src []uint8, srcStride, w, h, ch, k int) {
	dw, dh := ceilDiv(w, k), ceilDiv(h, k)
	acc := make([]uint32, dw*ch)
	for dy := 0; dy < dh; dy++ {
		clear(acc)
		y0, y1 := dy*k, min(dy*k+k, h)
		for y := y0; y < y1; y++ {
			row := src[y*srcStride : y*srcStride+w*ch]
			for dx := 0; dx < dw; dx++ {
				a := acc[dx*ch : dx*ch+ch]
				x1 := min(dx*k+k, w)
				for i := dx * k * ch; i < x1*ch; i += ch {
					for c := range a {
						a[c] += uint32(row[i+c])
					}
				}
			}
		}
		out := dst[dy*dstStride : dy*dstStride+dw*ch]
		for dx := 0; dx < dw; dx++ {
			n := uint32((y1 - y0) * (min(dx*k+k, w) - dx*k))
			for c := 0; c < ch; c++ {
				out[dx*ch+c] = uint8((acc[dx*ch+c] + n/2) / n)
			}
		}
	}
}

// premultiply turns NRGBA pixels into RGBA ones, the way color.NRGBA.RGBA
// does, so that averaging and CatmullRom see premultiplied colour.
func premultiply(pix []uint8) {
	for i := 0; i+3 < len(pix); i += 4 {
		a := uint32(pix[i+3])
		if a == 0xff {
			continue
		}
		pix[i] = uint8(uint32(pix[i]) * a / 0xff)
		pix[i+1] = uint8(uint32(pix[i+1]) * a / 0xff)
		pix[i+2] = uint8(uint32(pix[i+2]) * a / 0xff)
	}
}
