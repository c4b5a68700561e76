package mergeview

import (
	"context"
	"reflect"
	"runtime"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestConflictTextsParallel checks that the conflict texts the cores fill
// in together (synthetic_40k has 5,928 conflicts, enough to split) are
// the ones one goroutine computes, before and after a choice (whose
// texts also read the view that first saw each conflict).
func TestConflictTextsParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	in, err := testutil.LoadReplays(testutil.Shared(t, "fixtures", "bench", "synthetic_40k.json.gz"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := in.Local.Build()
	if err != nil {
		t.Fatal(err)
	}
	r, err := in.Remote.Build()
	if err != nil {
		t.Fatal(err)
	}
	v, err := New(context.Background(), Input{Local: l, Remote: r})
	if err != nil {
		t.Fatal(err)
	}
	check := func(v *View) {
		t.Helper()
		got := v.Conflicts()
		if len(got) < 4096 {
			t.Fatalf("%d conflicts: too few to be split", len(got))
		}
		for i := range v.conflicts {
			if want := v.texted(&v.conflicts[i]); !reflect.DeepEqual(got[i], want) {
				t.Fatalf("conflict %d (%s): filled in parallel\n%+v\nalone\n%+v", i, want.ID, got[i], want)
			}
		}
	}
	check(v)
	var id, alt string
	for _, c := range v.Conflicts() {
		if c.Choosable {
			for _, a := range c.Alternatives {
				if a.ID != c.Current {
					id, alt = c.ID, a.ID
				}
			}
			break
		}
	}
	chosen, err := v.Choose(id, alt)
	if err != nil {
		t.Fatal(err)
	}
	check(chosen)
}
