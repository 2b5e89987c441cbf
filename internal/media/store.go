package media

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/sharingcity/sharingcity/internal/errs"
)

// Store keeps files by key. The disk store is the default; an
// S3-compatible store can satisfy the same interface later. Keys are made
// by this package (see IsKey) but every store checks them again.
//
// Open of an unknown key returns an errs.NotFound error; Delete of an
// unknown key succeeds, so a retried clean-up never fails.
type Store interface {
	Put(ctx context.Context, key string, r io.Reader, contentType string) error
	Open(ctx context.Context, key string) (io.ReadCloser, Info, error)
	Delete(ctx context.Context, key string) error
}

// Info describes a stored file.
type Info struct {
	Size        int64
	ContentType string
	ModTime     time.Time
}

// errBadKey is the cause behind an Invalid error for a key that could
// escape the store's directory or is not one of ours.
var errBadKey = errors.New("media: malformed key")

// maxKeyLen bounds keys well under every file system's name limit.
const maxKeyLen = 128

// checkStoreKey accepts keys of lowercase letters, digits, '-', '_' and
// '.', at least 5 long, not starting with '.', at most maxKeyLen. No '/' or
// '\\' can appear, so no key names a path outside its shard directory.
func checkStoreKey(key string) error {
	if len(key) < 5 || len(key) > maxKeyLen || key[0] == '.' {
		return errs.Wrap(errs.Invalid, "err.invalid_input", fmt.Errorf("%w: %q", errBadKey, key))
	}
	for _, c := range []byte(key) {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.') {
			return errs.Wrap(errs.Invalid, "err.invalid_input", fmt.Errorf("%w: %q", errBadKey, key))
		}
	}
	return nil
}

// DiskStore keeps each file under dir/ab/cd/<key>, where ab and cd are the
// key's first four characters: random keys spread evenly, so no directory
// grows past a few thousand entries even with millions of photos.
//
// It keeps no metadata beside the file: the content type is read from the
// key's extension, and Put refuses a content type that disagrees with it.
type DiskStore struct {
	dir string
}

// NewDiskStore returns a store rooted at dir, creating it if needed.
func NewDiskStore(dir string) (*DiskStore, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("media: disk store %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("media: disk store %s: %w", dir, err)
	}
	return &DiskStore{dir: abs}, nil
}

// Dir returns the store's root directory (for backups and logs).
func (s *DiskStore) Dir() string { return s.dir }

func (s *DiskStore) path(key string) (string, error) {
	if err := checkStoreKey(key); err != nil {
		return "", err
	}
	return filepath.Join(s.dir, key[0:2], key[2:4], key), nil
}

// Put writes r under key. It writes a temporary file in the same directory,
// syncs it and renames it, so a reader never sees half a file and a crash
// leaves at worst a stray temporary file, never a truncated photo.
func (s *DiskStore) Put(ctx context.Context, key string, r io.Reader, contentType string) (err error) {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if ct := typeOfKey(key); ct == "" || ct != contentType {
		return fmt.Errorf("media: put %s: content type %q does not match the key's %q", key, contentType, ct)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err = io.Copy(tmp, ctxReader{ctx, r}); err != nil {
		return fmt.Errorf("media: put %s: write: %w", key, err)
	}
	if err = tmp.Chmod(0o640); err != nil {
		return fmt.Errorf("media: put %s: %w", key, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("media: put %s: sync: %w", key, err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("media: put %s: close: %w", key, err)
	}
	if err = os.Rename(tmp.Name(), p); err != nil {
		return fmt.Errorf("media: put %s: rename: %w", key, err)
	}
	return nil
}

// Open returns the file under key. The reader is an *os.File, so callers
// that want ranges can assert io.ReadSeeker.
func (s *DiskStore) Open(ctx context.Context, key string) (io.ReadCloser, Info, error) {
	p, err := s.path(key)
	if err != nil {
		return nil, Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	f, err := os.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Info{}, errs.Wrap(errs.NotFound, "err.not_found", fmt.Errorf("media: open %s: %w", key, err))
	}
	if err != nil {
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, Info{}, fmt.Errorf("media: open %s: %w", key, err)
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, Info{}, errs.Wrap(errs.NotFound, "err.not_found", fmt.Errorf("media: open %s: not a regular file", key))
	}
	ct := typeOfKey(key)
	if ct == "" {
		ct = "application/octet-stream"
	}
	return f, Info{Size: st.Size(), ContentType: ct, ModTime: st.ModTime().UTC()}, nil
}

// Delete removes the file under key; a missing file is not an error.
func (s *DiskStore) Delete(ctx context.Context, key string) error {
	p, err := s.path(key)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media: delete %s: %w", key, err)
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
