package places_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// fuzzDamaged overwrites bytes of a real database file with patch at off
// and reads it as the preview does: whatever the damage, open, the
// structural check and read give a tree or one line naming the file, never
// a panic.
func fuzzDamaged(f *testing.F, rel string, read func(path string) (*tree.Tree, error)) {
	good, err := os.ReadFile(filepath.Join(testutil.Profile(f, "small-clean", "before"), rel))
	if err != nil {
		f.Fatal(err)
	}
	const page = 32768
	f.Add(uint32(0), []byte("SQLite format 4"))
	f.Add(uint32(28), []byte{0, 0, 0, 1})        // page count in the header
	f.Add(uint32(100), []byte{0x0d, 0, 0, 0, 9}) // page 1's b-tree header
	for k := uint32(1); k*page < uint32(len(good)); k += 5 {
		f.Add(k*page, []byte{0x05, 0xff, 0xff})               // a page's b-tree header
		f.Add(k*page+page/2, bytes.Repeat([]byte{0xa5}, 256)) // cell content
	}
	f.Fuzz(func(t *testing.T, off uint32, patch []byte) {
		b := append([]byte(nil), good...)
		copy(b[int(off)%len(b):], patch)
		dir := t.TempDir()
		path := filepath.Join(dir, filepath.Base(rel))
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		tr, err := read(path)
		if err == nil {
			if tr == nil {
				t.Fatal("no tree and no error")
			}
			return
		}
		var te *tree.Error
		if errors.As(err, &te) {
			return // a cycle: the tree comes with the builder's error
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, path) {
			t.Fatalf("error is not one line naming the file: %q", msg)
		}
	})
}

func FuzzPlacesDamaged(f *testing.F) {
	fuzzDamaged(f, "places.sqlite", func(path string) (*tree.Tree, error) {
		db, err := places.Open(path)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		if _, err := db.Damage(); err != nil {
			return nil, err
		}
		return db.ReadTree(0)
	})
}

func FuzzMirrorDamaged(f *testing.F) {
	fuzzDamaged(f, filepath.Join("weave", "bookmarks.sqlite"), func(path string) (*tree.Tree, error) {
		db, err := mirror.Open(path)
		if err != nil {
			return nil, err
		}
		defer db.Close()
		if _, err := db.Damage(); err != nil {
			return nil, err
		}
		return db.ReadTree(0)
	})
}
