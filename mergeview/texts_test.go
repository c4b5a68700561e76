package mergeview

import (
	"reflect"
	"runtime"
	"testing"
)

// TestConflictTextsParallel checks that the conflict texts the cores fill
// in together (synthetic_40k has 5,928 conflicts, enough to split) are
// the ones one goroutine computes, before and after a choice (whose
// texts also read the view that first saw each conflict).
func TestConflictTextsParallel(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	v := syntheticView(t, "40k")
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
	id, alt := firstChoice(v)
	chosen, err := v.Choose(id, alt)
	if err != nil {
		t.Fatal(err)
	}
	check(chosen)
}
