package ui_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/ui"
)

// selectConflict moves the conflicts cursor to id.
func selectConflict(t *testing.T, m *ui.MergeScreen, id string) *mergeview.Conflict {
	t.Helper()
	for i := 0; i < m.Conflicts().Len() && m.Conflicts().Selected().ID != id; i++ {
		teamsg.Drain(m, keys("n")[0])
	}
	c := m.Conflicts().Selected()
	if c == nil || c.ID != id {
		t.Fatalf("no conflict %s", id)
	}
	return c
}

// otherAlt is the number key of an alternative not in effect.
func otherAlt(c *mergeview.Conflict) string {
	for k, a := range c.Alternatives {
		if a.ID != c.Current {
			return string(rune('1' + k))
		}
	}
	return ""
}

// TestOnResolveAndSetResolutions: one screen's choices and undos are
// reported through OnResolve; handed to another screen with
// SetResolutionsMsg they re-merge it, are not reported back, and say who
// made them.
func TestOnResolveAndSetResolutions(t *testing.T) {
	var events []ui.ResolveEvent
	in := mergeInput(t)
	in.OnResolve = func(e ui.ResolveEvent) tea.Cmd { events = append(events, e); return nil }
	op := started(t, in, opts(), 140, 40)

	var echoed int
	vin := in // the same trees, as a shared session has
	vin.OnResolve = func(ui.ResolveEvent) tea.Cmd { echoed++; return nil }
	vo := opts()
	vo.ReadOnly = true
	viewer := started(t, vin, vo, 140, 40)

	id := "value:" + demo.Expect.ValueConflict
	c := selectConflict(t, op, id)
	teamsg.Drain(op, keys(otherAlt(c))[0])
	if len(events) != 1 {
		t.Fatalf("%d events after a choice", len(events))
	}
	e := events[0]
	if e.Undo || e.Action() != "choose" || e.Resolution.Conflict != id || e.Resolution.Choice != "local" || e.Resolution.Label == "" ||
		len(e.Resolutions) != 1 || e.Resolutions[0] != e.Resolution {
		t.Fatalf("event %+v", e)
	}
	if got := op.MergeView().Resolutions(); len(got) != 1 || got[0].Conflict != id {
		t.Fatalf("operator's resolutions %v", got)
	}

	// The viewer takes the list (without labels, as a redacted session
	// gets it) and re-merges.
	bare := []mergeview.Resolution{{Conflict: id, Choice: "local"}}
	teamsg.Drain(viewer, ui.SetResolutionsMsg{Resolutions: bare, By: "helper@example"})
	if got := viewer.MergeView().Lookup(demo.Expect.ValueConflict).Title(); got != demo.Expect.ValueLocalTitle {
		t.Fatalf("viewer's merged title %q", got)
	}
	if vc := viewer.MergeView().Conflict(id); vc == nil || !vc.Decided || vc.Current != "local" {
		t.Fatalf("viewer's conflict %+v", vc)
	}
	if r := viewer.MergeView().Resolutions(); len(r) != 1 || r[0].Label == "" {
		t.Fatalf("viewer's resolutions %+v (the label comes from its own merge)", r)
	}
	if s := viewer.Status(); !strings.HasPrefix(s, "helper@example chose: ") {
		t.Fatalf("viewer's status %q", s)
	}
	if out := content(viewer); !strings.Contains(out, "helper@example chose") || !strings.Contains(out, "✓ 1 decided") {
		t.Fatalf("viewer's screen:\n%s", out)
	}
	if echoed != 0 {
		t.Fatal("SetResolutionsMsg was reported through OnResolve")
	}

	// The echo of the operator's own change changes nothing.
	v := op.MergeView()
	if _, cmd := op.Update(ui.SetResolutionsMsg{Resolutions: bare, By: "me"}); cmd != nil || op.Busy() || op.MergeView() != v {
		t.Fatal("the same list re-merged")
	}
	if len(events) != 1 {
		t.Fatal("the echo was reported")
	}

	// Undo.
	teamsg.Drain(op, keys("u")[0])
	if len(events) != 2 || !events[1].Undo || events[1].Action() != "undo" || events[1].Resolution.Conflict != id || len(events[1].Resolutions) != 0 {
		t.Fatalf("undo event %+v", events[1:])
	}
	teamsg.Drain(viewer, ui.SetResolutionsMsg{By: "helper@example"})
	if got := viewer.MergeView().Lookup(demo.Expect.ValueConflict).Title(); got != demo.Expect.ValueRemTitle || len(viewer.MergeView().Resolutions()) != 0 {
		t.Fatalf("viewer after undo: title %q, resolutions %v", got, viewer.MergeView().Resolutions())
	}
	if s := viewer.Status(); !strings.HasPrefix(s, "helper@example undid: ") {
		t.Fatalf("viewer's status after undo %q", s)
	}

	// Several changes at once (a fresh merge) and a list replacing a
	// decision of the screen's own still being merged.
	three := []mergeview.Resolution{
		{Conflict: id, Choice: "local"},
		{Conflict: "deletion:" + demo.Expect.DeletedLocally, Choice: "keep"},
		{Conflict: "deletion:" + demo.Expect.ChangedLocallyDeletedRemotely, Choice: "delete"},
	}
	teamsg.Drain(viewer, ui.SetResolutionsMsg{Resolutions: three, By: "alice"})
	if s := viewer.MergeView().Summary(); s.ConflictsDecided != 3 || !sameIDs(viewer.MergeView().Resolutions(), three) {
		t.Fatalf("after three: %+v %v", s, viewer.MergeView().Resolutions())
	}
	selectConflict(t, op, "deletion:"+demo.Expect.DeletedLocally)
	_, cmd := op.Update(keys("1")[0]) // keep Archive: merging
	stale := teamsg.Collect(cmd)
	teamsg.Drain(op, ui.SetResolutionsMsg{Resolutions: three, By: "alice"})
	for _, msg := range stale {
		teamsg.Drain(op, msg) // the superseded merge's result is discarded
	}
	if op.Busy() || !sameIDs(op.MergeView().Resolutions(), three) {
		t.Fatalf("operator's resolutions %v", op.MergeView().Resolutions())
	}
}

func sameIDs(a, b []mergeview.Resolution) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Conflict != b[i].Conflict || a[i].Choice != b[i].Choice {
			return false
		}
	}
	return true
}

// TestApplyingElsewhere: while someone else applies, the screen says so,
// the apply key is off and an open confirmation closes.
func TestApplyingElsewhere(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	runAll(m, keys("A")...)
	if !m.Confirming() {
		t.Fatal("no confirmation")
	}
	teamsg.Drain(m, ui.ApplyingMsg{By: "bob (helper@example)"})
	if m.Confirming() || m.KeyMap().Apply.Enabled() {
		t.Fatal("confirmation still open or apply key on while someone else applies")
	}
	if out := content(m); !strings.Contains(out, "bob (helper@example) is applying") {
		t.Fatalf("no applying status:\n%s", out)
	}
	runAll(m, keys("A", "y")...)
	if m.Confirming() || m.LastApplyRequest() != nil {
		t.Fatal("applied while someone else applies")
	}
	teamsg.Drain(m, ui.ApplyingMsg{})
	if !m.KeyMap().Apply.Enabled() || strings.Contains(content(m), "is applying") {
		t.Fatal("apply key still off after the lock was released")
	}
	teamsg.Drain(m, ui.ApplyingMsg{By: "me", Self: true})
	if m.KeyMap().Apply.Enabled() || !strings.Contains(content(m), "applying…") || strings.Contains(content(m), "me is applying") {
		t.Fatalf("own apply:\n%s", content(m))
	}
}

// TestAppSharedBeforeMerge: resolutions and the apply lock sent before the
// merge screen opens are where it starts; the explorer says who applies.
func TestAppSharedBeforeMerge(t *testing.T) {
	a := ui.NewApp(appInput(demoProfile(t)), opts())
	teamsg.Drain(a, tea.WindowSizeMsg{Width: 140, Height: 40})
	id := "value:" + demo.Expect.ValueConflict
	teamsg.Drain(a, ui.SetResolutionsMsg{Resolutions: []mergeview.Resolution{{Conflict: id, Choice: "local"}}, By: "alice"})
	teamsg.Drain(a, ui.ApplyingMsg{By: "bob"})
	if !strings.Contains(content(a), "bob is applying") {
		t.Fatalf("explorer does not say who applies:\n%s", content(a))
	}
	teamsg.Drain(a, keys("m")[0])
	ms := a.Merge()
	if ms == nil || ms.MergeView() == nil {
		t.Fatal("no merge")
	}
	if r := ms.MergeView().Resolutions(); len(r) != 1 || r[0].Conflict != id {
		t.Fatalf("merge started from %v", r)
	}
	if ms.KeyMap().Apply.Enabled() || !strings.Contains(content(a), "bob is applying") {
		t.Fatal("the merge screen does not know bob applies")
	}
}
