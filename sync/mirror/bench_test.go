package mirror_test

import (
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// BenchmarkLarge40k opens both large-40k databases (snapshot copy
// included) and builds both trees.
func BenchmarkLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	placesPath := filepath.Join(dir, "places.sqlite")
	mirrorPath := filepath.Join(dir, "weave", "bookmarks.sqlite")
	const now = 1_800_000_000_000

	type reader interface {
		ReadTree(nowMs int64) (*tree.Tree, error)
		Close() error
	}
	readers := []struct {
		name, what, path string
		open             func(path string) (reader, error)
	}{
		{"places", places.What, placesPath, func(p string) (reader, error) { return places.Open(p) }},
		{"mirror", mirror.What, mirrorPath, func(p string) (reader, error) { return mirror.Open(p) }},
	}
	for _, r := range readers {
		b.Run("snapshot/"+r.name, func(b *testing.B) {
			for b.Loop() {
				s, err := dbsnap.TakeSnapshot(r.what, r.path)
				if err != nil {
					b.Fatal(err)
				}
				s.Remove()
			}
		})
	}
	for _, r := range readers {
		b.Run("open/"+r.name, func(b *testing.B) {
			for b.Loop() {
				db, err := r.open(r.path)
				if err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
		})
	}
	for _, r := range readers {
		b.Run("readtree/"+r.name, func(b *testing.B) {
			db, err := r.open(r.path)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			for b.Loop() {
				if _, err := db.ReadTree(now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			pdb, err := places.Open(placesPath)
			if err != nil {
				b.Fatal(err)
			}
			mdb, err := mirror.Open(mirrorPath)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := pdb.ReadTree(now); err != nil {
				b.Fatal(err)
			}
			if _, err := mdb.ReadTree(now); err != nil {
				b.Fatal(err)
			}
			pdb.Close()
			mdb.Close()
		}
	})
}
