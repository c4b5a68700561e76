package ui_test

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// demoNow is the moment the demo profile is opened.
var demoNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// demoProfile creates the demo profile in the test's temporary folder and
// loads it with fixed times; each call loads its own, so no test sees
// another's trees.
func demoProfile(t testing.TB) *load.Profile {
	t.Helper()
	dir, err := demo.Create(t.TempDir()+"/demo", demoNow)
	if err != nil {
		t.Fatal(err)
	}
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	tm := demo.TimesFor(demoNow)
	p, err := load.Open(paths, tree.Clocks{Local: tm.Now, Remote: tm.Now})
	if err != nil {
		t.Fatal(err)
	}
	// Only the trees are used.
	p.Close()
	p.Places, p.Mirror = nil, nil
	return p
}

func mergeInput(t testing.TB) ui.MergeInput { return mergeInputOf(demoProfile(t)) }

func mergeInputOf(p *load.Profile) ui.MergeInput {
	return ui.MergeInput{
		ProfileName: "demo", Local: p.Local.Tree, Remote: p.Remote.Tree,
		Times: p.Clocks,
	}
}

// runAll delivers each message in turn with everything its commands
// produce before the next.
func runAll(m tea.Model, msgs ...tea.Msg) tea.Model {
	for _, msg := range msgs {
		m = teamsg.Drain(m, msg)
	}
	return m
}

// started builds the merge screen, sizes it and runs the first merge.
func started(t testing.TB, in ui.MergeInput, o ui.Options, w, h int) *ui.MergeScreen {
	t.Helper()
	m := ui.NewMergeScreen(in, o)
	var tm tea.Model = m
	tm = teamsg.Drain(tm, tea.WindowSizeMsg{Width: w, Height: h})
	for _, msg := range teamsg.Collect(m.Init()) {
		tm = teamsg.Drain(tm, msg)
	}
	if m.Busy() || m.MergeView() == nil {
		t.Fatalf("merge did not finish: busy %v, err %v", m.Busy(), m.Err())
	}
	return m
}

func TestMergeScreenGolden(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	golden.RequireEqual(t, content(m))
}

func TestMergeScreenFlipConflict(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	// Go to the rename conflict on bmkMdn______.
	for i := 0; i < m.Conflicts().Len() && m.Conflicts().Selected().GUID != demo.Expect.ValueConflict; i++ {
		teamsg.Drain(m, keys("n")[0])
	}
	c := m.Conflicts().Selected()
	if c == nil || c.ID != "value:"+demo.Expect.ValueConflict {
		t.Fatalf("selected conflict %+v", c)
	}
	if m.Merged().Selected() != demo.Expect.ValueConflict || m.Local().Selected() != demo.Expect.ValueConflict ||
		m.Remote().Selected() != demo.Expect.ValueConflict {
		t.Fatalf("panes do not follow the conflict: %q %q %q", m.Local().Selected(), m.Merged().Selected(), m.Remote().Selected())
	}
	before := m.MergeView().Lookup(demo.Expect.ValueConflict).Title()
	if before != demo.Expect.ValueRemTitle {
		t.Fatalf("merged title %q before flipping", before)
	}
	var other int
	for k, a := range c.Alternatives {
		if a.ID != c.Current {
			other = k
		}
	}
	teamsg.Drain(m, keys(string(rune('1' + other)))[0])
	after := m.MergeView().Lookup(demo.Expect.ValueConflict).Title()
	if after != demo.Expect.ValueLocalTitle {
		t.Fatalf("merged title %q after flipping", after)
	}
	if !strings.Contains(content(m), demo.Expect.ValueLocalTitle) {
		t.Fatal("the merged pane does not show the flipped title")
	}
	if s := m.MergeView().Summary(); s.ConflictsDecided != 1 {
		t.Fatalf("summary %+v", s)
	}
	teamsg.Drain(m, keys("u")[0])
	if got := m.MergeView().Lookup(demo.Expect.ValueConflict).Title(); got != before || len(m.MergeView().Resolutions()) != 0 {
		t.Fatalf("undo: title %q, resolutions %v", got, m.MergeView().Resolutions())
	}
}

func TestMergeScreenFollowsDedupedPair(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	// Focus the local pane (tab from merged goes to remote, then
	// conflicts, then local) and select the local duplicate.
	runAll(m, keys("tab", "tab", "tab")...)
	if m.Focus() != "local" {
		t.Fatalf("focus %s", m.Focus())
	}
	// Select it through the filter: type its GUID.
	runAll(m, keys("/")...)
	runAll(m, keys(demo.Expect.DedupeLocal)...)
	runAll(m, keys("enter")...)
	if m.Local().Selected() != demo.Expect.DedupeLocal {
		t.Fatalf("local selected %q", m.Local().Selected())
	}
	// The filter hides the remote item (another GUID): clear it, keeping
	// the selection, and the merged and remote panes follow.
	runAll(m, keys("esc")...)
	if m.Local().Selected() != demo.Expect.DedupeLocal {
		t.Fatalf("local selected %q after clearing the filter", m.Local().Selected())
	}
	if m.Remote().Selected() != demo.Expect.DedupeRemote || m.Merged().Selected() != demo.Expect.DedupeRemote {
		t.Fatalf("deduped pair not followed: merged %q remote %q", m.Merged().Selected(), m.Remote().Selected())
	}
	if !strings.Contains(m.Explain().Text(), "same as the server's") {
		t.Fatalf("explain does not say it was deduped:\n%s", m.Explain().Text())
	}
}

func TestMergeScreenChangedOnly(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	all := m.Merged().Len()
	runAll(m, keys("c")...)
	if n := m.Merged().MatchCount(); !m.ChangedOnly() || n == 0 || n >= m.MergeView().Summary().Items {
		t.Fatalf("changed only: %v, %d matches of %d items", m.ChangedOnly(), n, m.MergeView().Summary().Items)
	}
	if strings.Contains(content(m), "Zürich tram map") {
		t.Fatal("an unchanged item is shown")
	}
	runAll(m, keys("c")...)
	if m.ChangedOnly() || m.Merged().Len() != all {
		t.Fatalf("show all: %d rows, want %d", m.Merged().Len(), all)
	}
}

func TestMergeScreenStepThrough(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	steps := m.MergeView().Steps()
	if len(steps) < 3 {
		t.Fatalf("%d steps", len(steps))
	}
	// Breakpoint on the move conflict's item, from the merged pane.
	m.Merged() // (the merged pane has the focus)
	runAll(m, keys("/")...)
	runAll(m, keys(demo.Expect.MoveConflict)...)
	runAll(m, keys("enter", "b", "esc")...)
	if bp := m.Breakpoints(); len(bp) != 1 || bp[0] != demo.Expect.MoveConflict {
		t.Fatalf("breakpoints %v", bp)
	}
	// Enter step mode at the top and run to the breakpoint.
	runAll(m, keys("g", "s")...)
	if !m.StepMode() {
		t.Fatal("not stepping")
	}
	runAll(m, keys(",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",", ",")...)
	start := m.Step()
	runAll(m, tea.KeyPressMsg{Code: tea.KeyRight})
	if m.Step() != start+1 {
		t.Fatalf("→: step %d, want %d", m.Step(), start+1)
	}
	s := steps[m.Step()]
	if sel := m.Merged().Selected(); len(s.GUIDs) > 0 && sel != s.GUIDs[0] && m.MergeView().RowIndex(s.GUIDs[0]) >= 0 {
		t.Fatalf("merged pane on %q, step is about %v", sel, s.GUIDs)
	}
	runAll(m, keys("r")...)
	want := m.MergeView().Breakpoint(demo.Expect.MoveConflict)
	if want <= start+1 {
		// the item's first step was already passed: the run goes to a later one or the end
		t.Logf("breakpoint step %d, started at %d", want, start)
	}
	found := false
	for _, g := range steps[m.Step()].GUIDs {
		found = found || g == demo.Expect.MoveConflict
	}
	if !found {
		t.Fatalf("stopped at step %d (%v), not on the breakpoint", m.Step(), steps[m.Step()].GUIDs)
	}
	if m.Merged().Selected() != demo.Expect.MoveConflict {
		t.Fatalf("merged pane on %q at the breakpoint", m.Merged().Selected())
	}
	if !strings.Contains(content(m), "Steps · ") || !strings.Contains(m.Explain().Text(), "Step ") {
		t.Fatal("the step panel or the step explanation is missing")
	}
	runAll(m, keys("esc")...)
	if m.StepMode() {
		t.Fatal("esc did not leave step mode")
	}
}

func TestMergeScreenReadOnly(t *testing.T) {
	o := opts()
	o.ReadOnly = true
	m := started(t, mergeInput(t), o, 140, 40)
	k := m.KeyMap()
	if k.Choose.Enabled() || k.Undo.Enabled() || k.Apply.Enabled() {
		t.Fatal("action keys enabled in read-only mode")
	}
	out := content(m)
	for _, s := range []string{"choose", "apply", "[1]", "undo choice"} {
		if strings.Contains(out, s) {
			t.Errorf("read-only screen shows %q:\n%s", s, out)
		}
	}
	runAll(m, keys("1", "2", "u", "A", "y")...)
	if m.Busy() || len(m.MergeView().Resolutions()) != 0 || m.Confirming() || m.LastApplyRequest() != nil {
		t.Fatal("read-only screen acted on an action key")
	}
	// Viewing still works.
	runAll(m, keys("n", "c", "s")...)
	if !m.StepMode() || !m.ChangedOnly() {
		t.Fatal("viewing keys do not work in read-only mode")
	}
}

func TestMergeScreenApplyConfirm(t *testing.T) {
	var got *ui.ApplyRequestedMsg
	in := mergeInput(t)
	in.OnApply = func(msg ui.ApplyRequestedMsg) tea.Cmd { got = &msg; return nil }
	m := started(t, in, opts(), 140, 40)
	runAll(m, keys("A")...)
	if !m.Confirming() || !strings.Contains(content(m), "Apply this merge?") {
		t.Fatal("no confirmation dialog")
	}
	runAll(m, keys("n")...)
	if m.Confirming() || got != nil {
		t.Fatal("cancel did not close the dialog, or applied")
	}
	// Decide a conflict, then apply.
	runAll(m, keys("1")...) // keep the deleted folder Archive
	runAll(m, keys("A", "y")...)
	if got == nil || m.LastApplyRequest() == nil {
		t.Fatal("no ApplyRequestedMsg after confirming")
	}
	if len(got.Resolutions) != 1 || got.View != m.MergeView() || got.Summary.ConflictsDecided != 1 {
		t.Fatalf("apply request %+v", got.Resolutions)
	}
}

func TestMergeScreenStaleResultDiscarded(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	// Choose twice before the first merge comes back: only the second
	// result (which includes both decisions) is taken.
	_, c1 := m.Update(keys("1")[0]) // keep the folder Archive
	first := teamsg.Collect(c1)
	for m.Conflicts().Selected().ID != "deletion:"+demo.Expect.ChangedLocallyDeletedRemotely {
		runAll(m, keys("n")...) // still busy: the conflicts of the shown merge
	}
	_, c2 := m.Update(keys("2")[0]) // delete the curry
	second := teamsg.Collect(c2)
	if !m.Busy() {
		t.Fatal("not busy while merging")
	}
	for _, msg := range first {
		m.Update(msg) // stale: ignored
	}
	if !m.Busy() || len(m.MergeView().Resolutions()) != 0 {
		t.Fatal("a stale result was taken")
	}
	for _, msg := range second {
		teamsg.Drain(m, msg)
	}
	if m.Busy() || len(m.MergeView().Resolutions()) != 2 {
		t.Fatalf("busy %v, resolutions %v", m.Busy(), m.MergeView().Resolutions())
	}
}

func TestMergeScreenFitsSmallTerminals(t *testing.T) {
	in := mergeInput(t)
	for _, sz := range [][2]int{{80, 24}, {60, 16}, {40, 8}} {
		m := started(t, in, opts(), sz[0], sz[1])
		for _, ks := range [][]string{nil, {"s"}, {"A"}} {
			runAll(m, keys(ks...)...)
			v := m.View()
			lines := strings.Split(v.Content, "\n")
			if len(lines) > sz[1] {
				t.Errorf("%dx%d %v: %d lines", sz[0], sz[1], ks, len(lines))
			}
			for i, l := range lines {
				if w := ansi.StringWidth(l); w > sz[0] {
					t.Errorf("%dx%d %v: line %d is %d cells", sz[0], sz[1], ks, i, w)
				}
			}
			runAll(m, keys("esc")...)
		}
		if !strings.Contains(content(m), "next conflict") {
			t.Errorf("%dx%d: help bar lost:\n%s", sz[0], sz[1], content(m))
		}
	}
}

func TestMergeScreenStepGolden(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 120, 36)
	runAll(m, keys("g", "s", ".", ".")...)
	golden.RequireEqual(t, content(m))
}

// TestMergeScreenIgnoresAnotherScreensResult: a screen that replaced
// another (over SSH, after a reload) restarts its request counter; a merge
// the old screen started must not land on the new one.
func TestMergeScreenIgnoresAnotherScreensResult(t *testing.T) {
	in := mergeInput(t)
	old := started(t, in, opts(), 140, 40)
	fresh := started(t, in, opts(), 140, 40)
	_, c1 := old.Update(keys("1")[0])
	fromOld := teamsg.Collect(c1)
	_, c2 := fresh.Update(keys("1")[0]) // same request number as old's
	fromFresh := teamsg.Collect(c2)
	for _, msg := range fromOld {
		fresh.Update(msg)
	}
	if !fresh.Busy() || len(fresh.MergeView().Resolutions()) != 0 {
		t.Fatal("the new screen took the old screen's merge")
	}
	for _, msg := range fromFresh {
		teamsg.Drain(fresh, msg)
	}
	if fresh.Busy() || len(fresh.MergeView().Resolutions()) != 1 {
		t.Fatal("the new screen did not take its own merge")
	}
}

// Moving through the conflicts panel with its own keys selects each
// conflict's item in the panes (the panel reports the selection as a
// message), in every mode the screen has.
func TestMergeScreenConflictsPanelReportsSelection(t *testing.T) {
	m := started(t, mergeInput(t), opts(), 140, 40)
	runAll(m, keys("tab", "tab")...) // merged -> remote -> conflicts
	if m.Focus() != "conflicts" || m.Conflicts().Len() < 2 {
		t.Fatalf("focus %s, %d conflicts", m.Focus(), m.Conflicts().Len())
	}
	first := m.Conflicts().Selected().ID
	runAll(m, keys("j")...)
	c := m.Conflicts().Selected()
	if c.ID == first {
		t.Fatal("j did not move the conflicts panel")
	}
	if m.Merged().Selected() != c.GUID && m.Local().Selected() != c.GUID && m.Remote().Selected() != c.GUID {
		t.Fatalf("no pane shows %s: %q %q %q", c.GUID, m.Local().Selected(), m.Merged().Selected(), m.Remote().Selected())
	}
	// Modes: the filter, the dialog and the step-through each take the
	// keyboard and give it back.
	for _, step := range []struct {
		keys []string
		want func() bool
	}{
		{[]string{"/"}, m.Filtering},
		{[]string{"esc"}, func() bool { return !m.Filtering() }},
		{[]string{"A"}, m.Confirming},
		{[]string{"n"}, func() bool { return !m.Confirming() && m.Status() == "apply cancelled" }},
		{[]string{"s"}, m.StepMode},
		{[]string{"."}, func() bool { return m.StepMode() && m.Step() > 0 }},
		{[]string{"esc"}, func() bool { return !m.StepMode() }},
	} {
		runAll(m, keys(step.keys...)...)
		if !step.want() {
			t.Fatalf("after %v: filtering %v, confirming %v, stepping %v", step.keys, m.Filtering(), m.Confirming(), m.StepMode())
		}
	}
}
