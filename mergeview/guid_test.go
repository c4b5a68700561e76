package mergeview

import (
	"testing"

	"github.com/bmtui/bmtui/sync/merge"
)

// The screen builds its view without a generator; the command line's
// preview and apply use merge.StableGUID. Both must name every replacement
// alike (issue 12, defect 2).
func TestDefaultReplacementGUIDsAreStable(t *testing.T) {
	v := newView(t, dogearInput(t, "invalid_guids"))
	replaced := 0
	for _, r := range v.Rows() {
		for _, m := range r.Marks {
			if m.Kind != MarkReplaced || m.Old == "invalid copy" {
				continue
			}
			want, err := merge.StableGUID(m.Old)
			if err != nil {
				t.Fatal(err)
			}
			if m.New != want || r.GUID() != want {
				t.Errorf("%q replaced by %s (row %s), want merge.StableGUID's %s", m.Old, m.New, r.GUID(), want)
			}
			replaced++
		}
	}
	if replaced == 0 {
		t.Fatal("no replaced GUID in invalid_guids: the test checks nothing")
	}
	for _, s := range v.Steps() {
		if s.Kind != merge.EventGUIDReplaced {
			continue
		}
		if want, _ := merge.StableGUID(s.Event.GUID); s.Event.Other != want {
			t.Errorf("step replaces %q by %s, want %s", s.Event.GUID, s.Event.Other, want)
		}
	}
}
