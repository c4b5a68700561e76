package mirror_test

import (
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/mirror"
)

// BenchmarkLarge40k opens both large-40k databases (snapshot copy
// included) and builds both trees.
func BenchmarkLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	placesPath := filepath.Join(dir, "places.sqlite")
	mirrorPath := filepath.Join(dir, "weave", "bookmarks.sqlite")
	const now = 1_800_000_000_000

	b.Run("snapshot/places", func(b *testing.B) {
		for b.Loop() {
			s, err := places.TakeSnapshot("places.sqlite", placesPath)
			if err != nil {
				b.Fatal(err)
			}
			s.Remove()
		}
	})
	b.Run("snapshot/mirror", func(b *testing.B) {
		for b.Loop() {
			s, err := places.TakeSnapshot("bookmarks.sqlite", mirrorPath)
			if err != nil {
				b.Fatal(err)
			}
			s.Remove()
		}
	})
	b.Run("open/places", func(b *testing.B) {
		for b.Loop() {
			db, err := places.Open(placesPath)
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("open/mirror", func(b *testing.B) {
		for b.Loop() {
			db, err := mirror.Open(mirrorPath)
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("readtree/places", func(b *testing.B) {
		db, err := places.Open(placesPath)
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
	b.Run("readtree/mirror", func(b *testing.B) {
		db, err := mirror.Open(mirrorPath)
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
