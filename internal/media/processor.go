package media

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"runtime"

	"golang.org/x/image/webp"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Options tune a Processor; zero fields take the defaults.
type Options struct {
	// MaxBytes is the largest upload accepted (default 10 MiB).
	MaxBytes int64
	// MaxPixels is the largest width×height accepted, read from the header
	// before any decoding, so a small file that claims to be huge (a
	// decompression bomb) costs nothing (default 40 megapixels).
	MaxPixels int64
	// LargeSide and ThumbSide are the longest sides of the display-size
	// picture and the thumbnail (defaults 1600 and 400). Smaller pictures
	// are never enlarged.
	LargeSide int
	ThumbSide int
	// Quality of the JPEG output, 1 to 100 (default 82).
	Quality int
	// MaxConcurrent bounds how many pictures are decoded at once: a 40
	// megapixel PNG needs 160 MB while it is resized (default GOMAXPROCS).
	MaxConcurrent int
	Logger        *slog.Logger
}

// Defaults used by NewProcessor for zero Options fields.
const (
	DefaultMaxBytes  = 10 << 20
	DefaultMaxPixels = 40_000_000
	DefaultLargeSide = 1600
	DefaultThumbSide = 400
	DefaultQuality   = 82
)

func (o *Options) defaults() {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxPixels
	}
	if o.LargeSide <= 0 {
		o.LargeSide = DefaultLargeSide
	}
	if o.ThumbSide <= 0 {
		o.ThumbSide = DefaultThumbSide
	}
	if o.Quality <= 0 || o.Quality > 100 {
		o.Quality = DefaultQuality
	}
	if o.MaxConcurrent <= 0 {
		o.MaxConcurrent = runtime.GOMAXPROCS(0)
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// Processor checks, resizes and stores uploaded photos. It is safe for
// concurrent use.
type Processor struct {
	store Store
	opts  Options
	sem   chan struct{}
}

// NewProcessor returns a processor writing to store.
func NewProcessor(store Store, opts Options) *Processor {
	opts.defaults()
	return &Processor{store: store, opts: opts, sem: make(chan struct{}, opts.MaxConcurrent)}
}

// Options returns the options in force, defaults filled in (pages show
// MaxBytes next to the file input).
func (p *Processor) Options() Options { return p.opts }

// sniffLen is what http.DetectContentType looks at.
const sniffLen = 512

// Ingest reads one uploaded picture from r, checks it by its content,
// resizes it to the display size and a thumbnail, and stores both under
// fresh random keys. It reads at most MaxBytes+1 bytes of r.
//
// Refusals are errs.Invalid with key "err.photo_empty",
// "err.photo_too_large" (Args Max, in MB), "err.photo_type" (not a JPEG,
// PNG, WebP or GIF, or a damaged one) or "err.photo_too_many_pixels" (Args
// Max, in megapixels). Nothing is stored unless Ingest succeeds.
func (p *Processor) Ingest(ctx context.Context, r io.Reader) (Photo, error) {
	data, err := p.read(r)
	if err != nil {
		return Photo{}, err
	}
	format, cfg, err := p.check(data)
	if err != nil {
		return Photo{}, err
	}

	// Bytes are read before taking a slot, so a slow client never holds
	// one; only the decoding, which needs the memory, is bounded.
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return Photo{}, fmt.Errorf("media: ingest: %w", ctx.Err())
	}
	large, thumb, ct, err := p.process(data, format, cfg)
	<-p.sem
	if err != nil {
		return Photo{}, err
	}

	ph := Photo{
		Key: newKey(ct), ThumbKey: newKey(ct), ContentType: ct,
		Width: large.w, Height: large.h, ThumbWidth: thumb.w, ThumbHeight: thumb.h,
		Bytes: int64(len(large.data)),
	}
	if err := p.store.Put(ctx, ph.Key, bytes.NewReader(large.data), ct); err != nil {
		return Photo{}, fmt.Errorf("media: ingest: store: %w", err)
	}
	if err := p.store.Put(ctx, ph.ThumbKey, bytes.NewReader(thumb.data), ct); err != nil {
		// Leave nothing behind: the caller never learns the first key.
		if derr := p.store.Delete(context.WithoutCancel(ctx), ph.Key); derr != nil {
			p.opts.Logger.Error("media: orphan photo", "key", ph.Key, "err", derr)
		}
		return Photo{}, fmt.Errorf("media: ingest: store thumbnail: %w", err)
	}
	return ph, nil
}

// Delete removes both files of ph. Missing files are not an error.
func (p *Processor) Delete(ctx context.Context, ph Photo) error {
	var all []error
	for _, k := range []string{ph.Key, ph.ThumbKey} {
		if k == "" {
			continue
		}
		if err := p.store.Delete(ctx, k); err != nil {
			all = append(all, err)
		}
	}
	if err := errors.Join(all...); err != nil {
		return fmt.Errorf("media: delete photo: %w", err)
	}
	return nil
}

// read takes at most MaxBytes+1 bytes: one more than allowed tells an
// oversized upload without reading the rest of it. The first bytes are
// sniffed before the rest is read, so a file that is plainly not a picture
// is refused at once.
func (p *Processor) read(r io.Reader) ([]byte, error) {
	lr := io.LimitReader(r, p.opts.MaxBytes+1)
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(lr, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	head = head[:n]
	if n == 0 {
		return nil, errs.E(errs.Invalid, "err.photo_empty")
	}
	if _, ok := imageFormat(head); !ok {
		return nil, errs.E(errs.Invalid, "err.photo_type")
	}
	buf := bytes.NewBuffer(make([]byte, 0, 64<<10))
	buf.Write(head)
	if _, err := buf.ReadFrom(lr); err != nil {
		return nil, fmt.Errorf("media: read upload: %w", err)
	}
	if int64(buf.Len()) > p.opts.MaxBytes {
		return nil, errs.E(errs.Invalid, "err.photo_too_large", "Max", (p.opts.MaxBytes+(1<<20)-1)>>20)
	}
	return buf.Bytes(), nil
}

// imageFormat names the format that the content's first bytes announce,
// among those we accept. SVG and HTML sniff as text and never pass.
func imageFormat(head []byte) (string, bool) {
	switch http.DetectContentType(head) {
	case "image/jpeg":
		return "jpeg", true
	case "image/png":
		return "png", true
	case "image/gif":
		return "gif", true
	case "image/webp":
		return "webp", true
	}
	return "", false
}

// check reads the header of data, and refuses a damaged header or one that
// claims more than MaxPixels, before any pixel is decoded.
func (p *Processor) check(data []byte) (string, image.Config, error) {
	format, _ := imageFormat(data)
	var cfg image.Config
	var err error
	rd := bytes.NewReader(data)
	switch format {
	case "jpeg":
		cfg, err = jpeg.DecodeConfig(rd)
	case "png":
		cfg, err = png.DecodeConfig(rd)
	case "gif":
		cfg, err = gif.DecodeConfig(rd)
	case "webp":
		cfg, err = webp.DecodeConfig(rd)
	default:
		err = errors.New("unknown format")
	}
	if err == nil && (cfg.Width <= 0 || cfg.Height <= 0) {
		err = fmt.Errorf("empty picture %dx%d", cfg.Width, cfg.Height)
	}
	if err != nil {
		return "", cfg, errs.Wrap(errs.Invalid, "err.photo_type", fmt.Errorf("media: %s header: %w", format, err))
	}
	if int64(cfg.Width)*int64(cfg.Height) > p.opts.MaxPixels {
		return "", cfg, errs.E(errs.Invalid, "err.photo_too_many_pixels", "Max", p.opts.MaxPixels/1_000_000)
	}
	return format, cfg, nil
}

// encoded is one output file.
type encoded struct {
	data []byte
	w, h int
}

// process decodes data, turns it upright, and encodes the display size and
// the thumbnail. Pictures with transparency stay PNG (a JPEG would paint
// it black); all others become JPEG. Neither encoder writes metadata, so
// EXIF (with its GPS position) never reaches the stored files.
func (p *Processor) process(data []byte, format string, cfg image.Config) (large, thumb encoded, ct string, err error) {
	// The decoders read hostile bytes; should one of them panic, that file
	// is refused like any damaged one instead of failing the request.
	defer func() {
		if r := recover(); r != nil {
			p.opts.Logger.Error("media: decoder panic", "format", format, "panic", r)
			err = errs.Wrap(errs.Invalid, "err.photo_type", fmt.Errorf("media: %s decoder panic: %v", format, r))
		}
	}()
	var src image.Image
	rd := bytes.NewReader(data)
	switch format {
	case "jpeg":
		src, err = jpeg.Decode(rd)
	case "png":
		src, err = png.Decode(rd)
	case "gif":
		src, err = gif.Decode(rd) // the first frame only
	case "webp":
		src, err = webp.Decode(rd)
	}
	if err != nil {
		return large, thumb, "", errs.Wrap(errs.Invalid, "err.photo_type", fmt.Errorf("media: decode %s: %w", format, err))
	}
	if screen := image.Rect(0, 0, cfg.Width, cfg.Height); format == "gif" && src.Bounds() != screen {
		// A GIF's first frame may cover part of its screen only: place it
		// on the screen as browsers do, the rest left transparent.
		canvas := image.NewRGBA(screen)
		draw.Draw(canvas, src.Bounds().Intersect(screen), src, src.Bounds().Intersect(screen).Min, draw.Src)
		src = canvas
	}
	orientation := 1
	if format == "jpeg" {
		orientation = jpegOrientation(data)
	}
	ct = TypeJPEG
	if op, ok := src.(interface{ Opaque() bool }); ok && !op.Opaque() {
		ct = TypePNG
	}

	// Resize first and turn after: turning the small picture is cheaper.
	lm := orient(resize(src, p.opts.LargeSide), orientation)
	tm := resize(lm, p.opts.ThumbSide)
	if large, err = p.encode(lm, ct); err != nil {
		return large, thumb, "", err
	}
	if thumb, err = p.encode(tm, ct); err != nil {
		return large, thumb, "", err
	}
	return large, thumb, ct, nil
}

// fit returns w×h scaled to a longest side of at most side, keeping the
// aspect ratio and at least one pixel each way.
func fit(w, h, side int) (int, int) {
	long := max(w, h)
	if long <= side {
		return w, h
	}
	nw := max(1, int((int64(w)*int64(side)+int64(long)/2)/int64(long)))
	nh := max(1, int((int64(h)*int64(side)+int64(long)/2)/int64(long)))
	return nw, nh
}

func (p *Processor) encode(m *image.RGBA, ct string) (encoded, error) {
	var buf bytes.Buffer
	var err error
	if ct == TypePNG {
		err = png.Encode(&buf, m)
	} else {
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: p.opts.Quality})
	}
	if err != nil {
		return encoded{}, fmt.Errorf("media: encode %s: %w", ct, err)
	}
	b := m.Bounds()
	return encoded{data: buf.Bytes(), w: b.Dx(), h: b.Dy()}, nil
}
