package main

import (
	"context"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/load"
)

// TestSalvageScreenCallback: the app's salvage callback previews the
// damaged fixture with the counts the screen confirms, its Write writes
// the salvage (the profile then reads as undamaged), and a viewer's plan
// has no Write.
func TestSalvageScreenCallback(t *testing.T) {
	dir := unpackDamagedProfile(t, "a-bookmarks-leaf")
	p := &load.Profile{Paths: load.Paths{Dir: dir}}
	salvage := salvagePlan(context.Background())

	view, err := salvage(p, false)
	if err != nil {
		t.Fatal(err)
	}
	if view.Write != nil {
		t.Error("a plan without write has a Write")
	}
	plan, err := salvage(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if plan.Write == nil || plan.Counts.Items == 0 || plan.Counts.Items != len(plan.Items) || plan.Counts.FromBackups == 0 {
		t.Fatalf("plan: write %v, counts %+v, %d items", plan.Write != nil, plan.Counts, len(plan.Items))
	}
	out, err := plan.Write()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "bmtui undo restores them") {
		t.Errorf("outcome %q", out)
	}
	code, after, _ := runCLI(t, "salvage", "--profile", dir)
	if code != exitOK || !strings.Contains(after, "nothing is damaged\n") {
		t.Errorf("after the write: exit %d\n%s", code, after)
	}
	again, err := salvage(p, true)
	if err != nil {
		t.Fatal(err)
	}
	if again.Write != nil {
		t.Error("an undamaged profile is offered a write")
	}
}
