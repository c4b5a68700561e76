package dupes

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// TestFindParallelSameReport: describing the copies groups on several
// goroutines gives the report one goroutine gives, group for group, in
// the same order, the other kinds included.
func TestFindParallelSameReport(t *testing.T) {
	var menu []spec
	for f := range 40 {
		var kids []spec
		for b := range 12 {
			url := fmt.Sprintf("https://site%d.example/%d", b%5, b%7)
			for c := range 1 + (f+b)%3 {
				kids = append(kids, bm(fmt.Sprintf("b%03d%03d%03d_", f, b, c), fmt.Sprintf("Page %d", b%7), url, int64(1+c+b)))
			}
		}
		menu = append(menu, fo(fmt.Sprintf("f%03d________", f), fmt.Sprintf("Folder %d", f%30), kids...))
	}
	tr := places(t, menu)
	in := Input{Tree: tr, Side: tree.Local}
	one := find(in, 1)
	c := one.Counts()
	if c[Copies] < 100 || c[SameURL] == 0 || c[TwinFolders] == 0 {
		t.Fatalf("the tree should have every kind of group: %v", c)
	}
	for _, w := range []int{2, 3, 7} {
		if got := find(in, w); !reflect.DeepEqual(got, one) {
			t.Errorf("%d workers: the report differs from one worker's", w)
		}
	}
	if got := Find(in); !reflect.DeepEqual(got, one) {
		t.Errorf("Find: the report differs from one worker's")
	}
}
