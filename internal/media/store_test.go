package media

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/sharingcity/sharingcity/internal/errs"
)

func TestDiskStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	st, err := NewDiskStore(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(TypeJPEG)
	if err := st.Put(ctx, key, strings.NewReader("first"), TypeJPEG); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), key[:2], key[2:4], key)); err != nil {
		t.Fatalf("not sharded by prefix: %v", err)
	}
	// A second Put replaces the file whole.
	if err := st.Put(ctx, key, strings.NewReader("second"), TypeJPEG); err != nil {
		t.Fatal(err)
	}
	rc, info, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(rc)
	rc.Close()
	if string(b) != "second" || info.Size != 6 || info.ContentType != TypeJPEG || info.ModTime.IsZero() {
		t.Fatalf("read %q %+v", b, info)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatalf("deleting a missing key: %v", err)
	}
	_, _, err = st.Open(ctx, key)
	wantKind(t, err, errs.NotFound, "err.not_found")
	if f := files(t, st.Dir()); len(f) != 0 {
		t.Fatalf("left files: %v", f)
	}
}

func TestDiskStoreRefusesBadKeys(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	st, err := NewDiskStore(filepath.Join(root, "media"))
	if err != nil {
		t.Fatal(err)
	}
	// A file outside the store that a traversal would reach.
	secret := filepath.Join(root, "secret.jpg")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	bad := []string{
		"", "a", "../secret.jpg", "../../secret.jpg", "..", "....jpg", ".hidden.jpg",
		"ab/../../secret.jpg", "/etc/passwd", `..\..\secret.jpg`, "abcd/efgh.jpg",
		"ABCDEF.jpg", "abcd\x00.jpg", "abcd .jpg", "abcdé.jpg", strings.Repeat("a", 200) + ".jpg",
	}
	for _, key := range bad {
		t.Run(key, func(t *testing.T) {
			err := st.Put(ctx, key, strings.NewReader("evil"), TypeJPEG)
			wantKind(t, err, errs.Invalid, "")
			if !errors.Is(err, errBadKey) {
				t.Fatalf("cause lost: %v", err)
			}
			_, _, err = st.Open(ctx, key)
			wantKind(t, err, errs.Invalid, "")
			wantKind(t, st.Delete(ctx, key), errs.Invalid, "")
		})
	}
	if b, err := os.ReadFile(secret); err != nil || string(b) != "secret" {
		t.Fatalf("the file outside the store was touched: %q %v", b, err)
	}
	if f := files(t, st.Dir()); len(f) != 0 {
		t.Fatalf("bad keys left files: %v", f)
	}
}

func TestDiskStorePutFailures(t *testing.T) {
	ctx := context.Background()
	st, err := NewDiskStore(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := newKey(TypePNG)
	t.Run("content type must match the key", func(t *testing.T) {
		if err := st.Put(ctx, key, strings.NewReader("x"), TypeJPEG); err == nil {
			t.Fatal("a PNG key took a JPEG")
		}
		if err := st.Put(ctx, "0123456789abcdef", strings.NewReader("x"), ""); err == nil {
			t.Fatal("a key without a known extension was stored")
		}
	})
	t.Run("a failing reader leaves no file", func(t *testing.T) {
		r := io.MultiReader(strings.NewReader("half a photo"), iotest.ErrReader(errors.New("connection reset")))
		if err := st.Put(ctx, key, r, TypePNG); err == nil {
			t.Fatal("no error")
		}
	})
	t.Run("a cancelled context writes nothing", func(t *testing.T) {
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if err := st.Put(cctx, key, strings.NewReader("x"), TypePNG); !errors.Is(err, context.Canceled) {
			t.Fatalf("got %v", err)
		}
	})
	if f := files(t, st.Dir()); len(f) != 0 {
		t.Fatalf("left files (temporary ones included): %v", f)
	}
}

func TestIsKey(t *testing.T) {
	good := newKey(TypeJPEG)
	tests := map[string]bool{
		good:                                    true,
		newKey(TypePNG):                         true,
		"0123456789abcdef0123456789abcdef.jpg":  true,
		"0123456789abcdef0123456789abcdef.gif":  false,
		"0123456789ABCDEF0123456789abcdef.jpg":  false,
		"0123456789abcdef0123456789abcde.jpg":   false,
		"0123456789abcdef0123456789abcdef0.jpg": false,
		"../3456789abcdef0123456789abcdef.jpg":  false,
		"0123456789abcdef0123456789abcdef":      false,
		"":                                      false,
	}
	for key, want := range tests {
		if IsKey(key) != want {
			t.Errorf("IsKey(%q) = %v", key, !want)
		}
	}
}
