package ui_test

import (
	"bytes"
	"io"

	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/ui"
)

func TestAppSwitchesScreens(t *testing.T) {
	a := ui.NewApp(appInput(demoProfile(t)), opts())
	var m tea.Model = a
	m = teamsg.Drain(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	if a.Screen() != "explorer" || !strings.Contains(content(a), "m merge preview") {
		t.Fatalf("screen %s; help:\n%s", a.Screen(), content(a))
	}
	m = teamsg.Drain(m, keys("m")[0])
	if a.Screen() != "merge" || a.Merge() == nil || a.Merge().MergeView() == nil {
		t.Fatalf("m: screen %s", a.Screen())
	}
	if !strings.Contains(content(a), "Merged · ") || !strings.Contains(content(a), "e explorer") {
		t.Fatalf("merge screen not shown:\n%s", content(a))
	}
	m = teamsg.Drain(m, keys("e")[0])
	if a.Screen() != "explorer" || !strings.Contains(content(a), "Remote (Sync mirror)") {
		t.Fatalf("e: screen %s", a.Screen())
	}
	// The merge stays: m comes back to it at once.
	v := a.Merge().MergeView()
	teamsg.Drain(m, keys("m")[0])
	if a.Screen() != "merge" || a.Merge().MergeView() != v {
		t.Fatal("the merge was redone")
	}
}

func TestAppWithoutMirrorHasNoMerge(t *testing.T) {
	p := *demoProfile(t)
	p.Remote = nil
	a := ui.NewApp(appInput(&p), opts())
	teamsg.Drain(a, tea.WindowSizeMsg{Width: 120, Height: 30})
	teamsg.Drain(a, keys("m")[0])
	if a.Screen() != "explorer" || a.CanMerge() || strings.Contains(content(a), "merge preview") {
		t.Fatalf("merge offered without a mirror: screen %s", a.Screen())
	}
}

// conflictIndex finds a conflict's place in p's merge's list.
func conflictIndex(t *testing.T, p *load.Profile, id string) int {
	m := started(t, mergeInputOf(p), opts(), 140, 40)
	for i, c := range m.MergeView().Conflicts() {
		if c.ID == id {
			return i
		}
	}
	t.Fatalf("no conflict %s", id)
	return -1
}

// The renderer sends only the cells that change, skipping unchanged ones
// (often spaces) with cursor moves: the flows wait for single words that
// only appear once the awaited state is drawn, and assert on the final
// model and its view.

// TestFlowMergeFlipConflict opens the demo profile in the app, goes to the
// merge, to the rename conflict, flips it and sees the merged pane change.
func TestFlowMergeFlipConflict(t *testing.T) {
	want := "value:" + demo.Expect.ValueConflict
	p := demoProfile(t)
	k := conflictIndex(t, p, want)
	a := ui.NewApp(appInput(p), opts())
	tm0 := teatest.NewTestModel(t, a, teatest.WithInitialTermSize(140, 40), pinned())
	tm := record(t, tm0)
	tm.wait("Sync")
	tm0.Type("m")
	tm.wait("deduped") // the summary bar of the finished merge
	tm0.Type(strings.Repeat("n", k))
	tm0.Type("1") // keep the local title
	tm.wait("merged:")
	tm0.Type("q")
	tm.final()
	fm := tm0.FinalModel(t).(*ui.App)
	ms := fm.Merge()
	if got := ms.MergeView().Lookup(demo.Expect.ValueConflict).Title(); got != demo.Expect.ValueLocalTitle {
		t.Fatalf("merged title %q", got)
	}
	if r := ms.MergeView().Resolutions(); len(r) != 1 || r[0].Conflict != want || r[0].Choice != "local" {
		t.Fatalf("resolutions %v", r)
	}
	if ms.Merged().Selected() != demo.Expect.ValueConflict {
		t.Fatalf("merged pane on %q", ms.Merged().Selected())
	}
	// The merged pane shows the row with the local title, renamed on the
	// server (✎), decided by the user (✓).
	if out := content(fm); !strings.Contains(out, "MDN (renamed locally) ✎ ✓") || !strings.Contains(out, "✓ 1 decided") {
		t.Fatalf("the merged pane did not change:\n%s", out)
	}
}

// TestFlowMergeStepThrough steps through the demo merge.
func TestFlowMergeStepThrough(t *testing.T) {
	ms := ui.NewMergeScreen(mergeInput(t), opts())
	tm0 := teatest.NewTestModel(t, ms, teatest.WithInitialTermSize(140, 40), pinned())
	tm := record(t, tm0)
	tm.wait("deduped")
	tm0.Type("gs...")
	tm0.Send(tea.KeyPressMsg{Code: tea.KeyLeft})
	tm0.Type("b") // breakpoint on the item of the step
	tm.wait("stepping")
	tm0.Type("r") // to the next step that involves it, or the end
	tm0.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	tm0.Type("q")
	tm.final()
	fm := tm0.FinalModel(t).(*ui.MergeScreen)
	if fm.StepMode() || len(fm.Breakpoints()) != 1 || fm.Step() < 2 {
		t.Fatalf("step mode %v, breakpoints %v, step %d", fm.StepMode(), fm.Breakpoints(), fm.Step())
	}
	found := false
	for _, g := range fm.MergeView().Steps()[fm.Step()].GUIDs {
		found = found || g == fm.Breakpoints()[0]
	}
	if !found && fm.Step() != len(fm.MergeView().Steps())-1 {
		t.Fatalf("r stopped at step %d, which does not involve %s", fm.Step(), fm.Breakpoints()[0])
	}
}

// TestFlowMergeReadOnly: the action keys are absent and ignored.
func TestFlowMergeReadOnly(t *testing.T) {
	o := opts()
	o.ReadOnly = true
	ms := ui.NewMergeScreen(mergeInput(t), o)
	tm0 := teatest.NewTestModel(t, ms, teatest.WithInitialTermSize(140, 40), pinned())
	tm := record(t, tm0)
	tm.wait("deduped")
	tm0.Type("12uAyn")
	tm0.Type("q")
	out := tm.final()
	fm := tm0.FinalModel(t).(*ui.MergeScreen)
	if len(fm.MergeView().Resolutions()) != 0 || fm.LastApplyRequest() != nil || fm.Confirming() || fm.Conflicts().Cursor() != 1 {
		t.Fatalf("read-only screen acted (or n did not move): cursor %d", fm.Conflicts().Cursor())
	}
	for _, s := range []string{"choose", "apply…", "Apply", "[1]"} {
		if strings.Contains(out, s) {
			t.Errorf("read-only output shows %q", s)
		}
	}
}

// recorder keeps all of a test model's output: each wait looks at what
// came after the previous match, and all of it is there at the end.
type recorder struct {
	t    *testing.T
	tm   *teatest.TestModel
	all  bytes.Buffer
	mark int
}

func record(t *testing.T, tm *teatest.TestModel) *recorder { return &recorder{t: t, tm: tm} }

func (r *recorder) wait(s string) {
	r.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := io.ReadAll(io.TeeReader(r.tm.Output(), &r.all)); err != nil {
			r.t.Fatal(err)
		}
		if i := bytes.Index(r.all.Bytes()[r.mark:], []byte(s)); i >= 0 {
			r.mark += i + len(s)
			return
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("%q not shown after 5s; output since the last match:\n%s", s, ansi.Strip(string(r.all.Bytes()[r.mark:])))
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// final quits and returns the whole output, stripped.
func (r *recorder) final() string {
	r.t.Helper()
	if _, err := io.Copy(&r.all, r.tm.FinalOutput(r.t, teatest.WithFinalTimeout(5*time.Second))); err != nil {
		r.t.Fatal(err)
	}
	return ansi.Strip(r.all.String())
}

func readAll(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return ansi.Strip(string(b))
}

func TestAppStatusMsgOnEveryScreen(t *testing.T) {
	a := ui.NewApp(appInput(demoProfile(t)), opts())
	var m tea.Model = a
	m = teamsg.Drain(m, tea.WindowSizeMsg{Width: 140, Height: 40})
	m = teamsg.Drain(m, ui.StatusMsg{Text: "applied: the merge is written"})
	if !strings.Contains(content(a), "applied: the merge is written") {
		t.Fatalf("explorer does not show the status:\n%s", content(a))
	}
	m = teamsg.Drain(m, keys("m")[0])
	teamsg.Drain(m, ui.StatusMsg{Text: "not applied: Firefox is running"})
	if a.Screen() != "merge" || !strings.Contains(content(a), "not applied: Firefox is running") {
		t.Fatalf("merge screen does not show the status:\n%s", content(a))
	}
}
