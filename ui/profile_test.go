package ui_test

import (
	"errors"
	"testing"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/ui"
)

// appInput is what the commands show of a loaded profile (as serve/app's
// Input builds it; ui itself never sees a profile).
func appInput(p *load.Profile) ui.AppInput {
	in := ui.SourcesInput("demo", p.Local, p.Remote)
	in.Notes = p.Notes
	in.Times = p.Clocks
	in.Damage = p.Damage
	return in
}

// TestSourcesInputTreeError: a tree error on either side leaves both trees
// viewable and the merge closed.
func TestSourcesInputTreeError(t *testing.T) {
	p := demoProfile(t)
	if a := ui.NewApp(appInput(p), opts()); !a.CanMerge() {
		t.Fatal("the demo profile cannot be merged")
	}
	cycle := errors.New("a cycle")
	for _, side := range []string{"local", "remote"} {
		local, remote := *p.Local, *p.Remote
		if side == "local" {
			local.TreeErr = cycle
		} else {
			remote.TreeErr = cycle
		}
		in := ui.SourcesInput("demo", &local, &remote)
		a := ui.NewApp(in, opts())
		if a.CanMerge() || !errors.Is(in.MergeErr, cycle) || in.Local == nil || in.Remote == nil {
			t.Errorf("%s tree error: can merge %v, merge error %v", side, a.CanMerge(), in.MergeErr)
		}
	}
}
