package main

import (
	"bufio"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/bmtui/bmtui/internal/benchscale"
	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

// TestWrittenFixtureReadsBack writes copies of the 10k bench fixture and
// reads them back: the records are the copies', every one, in order.
func TestWrittenFixtureReadsBack(t *testing.T) {
	in, err := replay.Load(testutil.Shared(t, "fixtures", "bench", "synthetic_10k.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []int{1, 3} {
		copies, err := benchscale.Replicate(in, k)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "scaled.json")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		w := bufio.NewWriter(f)
		if err := writeFixture(w, "test", copies); err != nil {
			t.Fatal(err)
		}
		if err := w.Flush(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		back, err := replay.Load(path)
		if err != nil {
			t.Fatal(err)
		}
		// A separator's content is its position: the format has no
		// title for it, and the merge reads none.
		for _, side := range []*replay.Side{copies.Local, copies.Remote} {
			for i := range side.Items {
				if c := side.Items[i].Content; c != nil && c.Kind == tree.ContentSeparator {
					side.Items[i].Content = &tree.Content{Kind: tree.ContentSeparator}
				}
			}
		}
		if !reflect.DeepEqual(back, copies) {
			t.Errorf("%d copies: the fixture read back differs from what was written", k)
		}
		roots := 0
		for _, it := range in.Local.Items {
			if tree.IsBuiltInRoot(it.GUID) {
				roots++
			}
		}
		if got, want := len(back.Local.Items), k*len(in.Local.Items)-(k-1)*roots; got != want {
			t.Errorf("%d copies: %d local items, want %d", k, got, want)
		}
	}
}
