package load_test

import (
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

// BenchmarkOpenLarge40k is what opening a 40k profile costs: snapshot both
// databases, read and build both trees, check them.
func BenchmarkOpenLarge40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		b.Fatal(err)
	}
	t := time.Unix(1700007200, 0)
	for b.Loop() {
		p, err := load.Open(paths, tree.Clocks{Local: t, Remote: t})
		if err != nil {
			b.Fatal(err)
		}
		if p.Local.Tree.Len() < 40000 || p.Remote.Tree.Len() < 40000 {
			b.Fatalf("trees too small: %d, %d", p.Local.Tree.Len(), p.Remote.Tree.Len())
		}
		p.Close()
	}
}

// BenchmarkOpenLarge40kChecked is the open plus SQLite's structural check
// of both files, which runs in the background from the open on (what
// validate waits for).
func BenchmarkOpenLarge40kChecked(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		b.Fatal(err)
	}
	t := time.Unix(1700007200, 0)
	for b.Loop() {
		p, err := load.Open(paths, tree.Clocks{Local: t, Remote: t})
		if err != nil {
			b.Fatal(err)
		}
		if l, r, err := p.Damage(); err != nil || l != nil || r != nil {
			b.Fatal(l, r, err)
		}
		p.Close()
	}
}
