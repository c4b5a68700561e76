package ui_test

import (
	"bytes"
	"image/color"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
	"github.com/bmtui/bmtui/ui/internal/uitest"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func input(t *testing.T, fixture string) ui.ExplorerInput {
	t.Helper()
	l, r := uitest.Sides(t, fixture)
	return ui.ExplorerInput{
		ProfileName:  "test.default",
		Local:        l,
		Remote:       r,
		LocalReport:  uitest.Report(tree.Local, l),
		RemoteReport: uitest.Report(tree.Remote, r),
	}
}

func opts() ui.Options {
	return ui.Options{Theme: "mono", Now: func() time.Time { return now }}
}

func send(m tea.Model, msgs ...tea.Msg) tea.Model {
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		// Run jump commands synchronously (the problems list answers
		// enter with a JumpMsg).
		if cmd != nil {
			if out := cmd(); out != nil {
				if _, ok := out.(tea.QuitMsg); !ok {
					if _, isBatch := out.(tea.BatchMsg); !isBatch {
						m, _ = m.Update(out)
					}
				}
			}
		}
	}
	return m
}

func keys(s ...string) []tea.Msg {
	var out []tea.Msg
	for _, k := range s {
		switch k {
		case "tab":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyTab})
		case "enter":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyEnter})
		case "esc":
			out = append(out, tea.KeyPressMsg{Code: tea.KeyEscape})
		default:
			for _, r := range k {
				out = append(out, tea.KeyPressMsg{Code: r, Text: string(r)})
			}
		}
	}
	return out
}

func content(m tea.Model) string { return ansi.Strip(m.View().Content) }

func TestExplorerGolden(t *testing.T) {
	m := ui.NewExplorer(input(t, "multiple_parents"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(m, keys("tab")...)
	golden.RequireEqual(t, content(m))
}

func TestExplorerProblemsGolden(t *testing.T) {
	m := ui.NewExplorer(input(t, "reupload_replace"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 32})
	m = send(m, keys("P", "?")...)
	golden.RequireEqual(t, content(m))
}

func TestExplorerNoRemoteGolden(t *testing.T) {
	in := input(t, "reupload_replace")
	in.Remote, in.RemoteReport = nil, check.Report{}
	in.Notes = []string{"Firefox is running: showing a snapshot"}
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	m = send(m, keys("tab")...) // nowhere to go: stays on local
	e := m.(*ui.Explorer)
	if e.Focus() != "local" || e.KeyMap().FocusNext.Enabled() {
		t.Fatalf("focus %s, tab enabled %v with a single pane", e.Focus(), e.KeyMap().FocusNext.Enabled())
	}
	golden.RequireEqual(t, content(m))
}

func TestViewSetsTerminalModes(t *testing.T) {
	m := ui.NewExplorer(input(t, "multiple_parents"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 80, Height: 24})
	v := m.View()
	if !v.AltScreen || v.MouseMode != tea.MouseModeCellMotion || v.WindowTitle != "bmtui — test.default" {
		t.Fatalf("view modes: alt %v mouse %v title %q", v.AltScreen, v.MouseMode, v.WindowTitle)
	}
	if cmd := m.Init(); cmd == nil {
		t.Fatal("Init does not ask for the background colour")
	}
	for i, line := range strings.Split(v.Content, "\n") {
		if w := ansi.StringWidth(line); w > 80 {
			t.Errorf("line %d is %d cells wide", i, w)
		}
	}
	if n := strings.Count(v.Content, "\n") + 1; n > 24 {
		t.Errorf("%d lines on a 24-line terminal", n)
	}
}

var colourSGR = regexp.MustCompile(`\x1b\[[0-9;:]*(3[0-9]|4[0-9]|9[0-7]|10[0-7])[;:m]`)

func TestNoColorEmitsNoColour(t *testing.T) {
	o := opts()
	o.Theme, o.NoColor = "default", true
	m := ui.NewExplorer(input(t, "reupload_replace"), o)
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(m, keys("P")...)
	if c := m.View().Content; colourSGR.MatchString(c) {
		t.Fatalf("colour escape in NO_COLOR output: %q", colourSGR.FindString(c))
	}
	// The default theme does colour.
	m = ui.NewExplorer(input(t, "reupload_replace"), ui.Options{})
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	if !strings.Contains(m.View().Content, "\x1b[") {
		t.Fatal("the default theme emits no styling")
	}
	// NO_COLOR from the session's environment.
	m = send(m, tea.EnvMsg{"NO_COLOR=1"})
	if e := m.(*ui.Explorer); e.Theme().Name != "mono" {
		t.Fatalf("theme %s after NO_COLOR in EnvMsg", e.Theme().Name)
	}
}

func TestBackgroundColourPicksVariant(t *testing.T) {
	m := ui.NewExplorer(input(t, "multiple_parents"), ui.Options{})
	if !m.(*ui.Explorer).Theme().IsDark {
		t.Fatal("starts light")
	}
	m = send(m, tea.BackgroundColorMsg{Color: color.White})
	if m.(*ui.Explorer).Theme().IsDark {
		t.Fatal("white background kept the dark variant")
	}
	m = send(m, tea.BackgroundColorMsg{Color: color.Black})
	if !m.(*ui.Explorer).Theme().IsDark {
		t.Fatal("black background kept the light variant")
	}
}

func TestUnknownThemeFallsBack(t *testing.T) {
	m := ui.NewExplorer(input(t, "multiple_parents"), ui.Options{Theme: "nope"})
	e := m.(*ui.Explorer)
	if e.ThemeError() == nil || e.Theme().Name != "default" {
		t.Fatalf("theme %s, err %v", e.Theme().Name, e.ThemeError())
	}
}

func TestSelectionHighlightsOtherPane(t *testing.T) {
	in := input(t, "reupload_replace")
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(m, keys("j")...)
	e := m.(*ui.Explorer)
	sel := e.Local().Selected()
	if in.Remote.Lookup(sel) != nil && e.Remote().Highlight() != sel {
		t.Fatalf("remote highlight %q, local selected %q", e.Remote().Highlight(), sel)
	}
	if e.Details().GUID() != sel {
		t.Fatalf("details show %q, want %q", e.Details().GUID(), sel)
	}
}

func TestMouseClickFocusesAndSelects(t *testing.T) {
	m := ui.NewExplorer(input(t, "reupload_replace"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	// Row 3 of the remote pane: x inside the right half, y = notes(0) +
	// border(1) + 2.
	m = send(m, tea.MouseClickMsg{X: 60, Y: 3, Button: tea.MouseLeft})
	e := m.(*ui.Explorer)
	if e.Focus() != "remote" || e.Remote().Cursor() != 2 {
		t.Fatalf("click: focus %s, remote cursor %d", e.Focus(), e.Remote().Cursor())
	}
	m = send(m, tea.MouseWheelMsg{X: 10, Y: 5, Button: tea.MouseWheelDown})
	if e := m.(*ui.Explorer); e.Focus() != "remote" {
		t.Fatal("the wheel moved the focus")
	}
}

func TestFilterAppliesToBothPanes(t *testing.T) {
	m := ui.NewExplorer(input(t, "reupload_replace"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	m = send(m, keys("/")...)
	e := m.(*ui.Explorer)
	if !e.Filtering() || e.KeyMap().Quit.Enabled() {
		t.Fatal("not filtering, or q still bound while typing")
	}
	m = send(m, keys("kkkk")...)
	e = m.(*ui.Explorer)
	if e.FilterQuery() != "kkkk" || e.Remote().Selected() != "bookmarkKKKK" {
		t.Fatalf("filter %q: remote selected %q", e.FilterQuery(), e.Remote().Selected())
	}
	m = send(m, keys("enter")...)
	if e := m.(*ui.Explorer); e.Filtering() || e.FilterQuery() != "kkkk" {
		t.Fatal("enter did not keep the filter")
	}
	m = send(m, keys("esc")...)
	if e := m.(*ui.Explorer); e.FilterQuery() != "" || e.KeyMap().ClearFilter.Enabled() {
		t.Fatal("esc did not clear the filter")
	}
}

// pinned are the program options every teatest flow uses: a fixed colour
// profile and TERM, so output does not depend on the machine.
func pinned() teatest.TestOption {
	return teatest.WithProgramOptions(
		tea.WithColorProfile(colorprofile.ANSI256),
		tea.WithEnvironment([]string{"TERM=xterm-256color", "COLORTERM="}),
	)
}

func waitFor(t *testing.T, tm *teatest.TestModel, s string) {
	t.Helper()
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		return bytes.Contains(b, []byte(s))
	}, teatest.WithDuration(5*time.Second), teatest.WithCheckInterval(10*time.Millisecond))
}

func TestFlowNavigateProblemsJumpFilter(t *testing.T) {
	in := input(t, "multiple_parents")
	tm := teatest.NewTestModel(t, ui.NewExplorer(in, ui.Options{Now: func() time.Time { return now }}),
		teatest.WithInitialTermSize(110, 32), pinned())
	waitFor(t, tm, "Remote (Sync mirror)")

	// The local tree of this fixture is empty: go to the remote pane.
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	waitFor(t, tm, "needsMerge")
	// To the last row (folderCCCCCC) and expand it.
	tm.Type("Gl")
	waitFor(t, tm, "bookmarkDDDD")

	// Open the problems panel, take the second problem, jump.
	tm.Type("P")
	waitFor(t, tm, "multipleParents")
	tm.Type("j")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "next pane")

	// Filter both panes.
	tm.Type("/")
	waitFor(t, tm, "apply filter")
	tm.Type("gggg")
	waitFor(t, tm, "remote matches")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	waitFor(t, tm, "clear filter")
	// Remember what the filter found, then clear it with esc.
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEscape})
	waitFor(t, tm, "folderCCCCCC")
	tm.Type("q")

	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second))
	e, ok := fm.(*ui.Explorer)
	if !ok {
		t.Fatalf("final model is %T", fm)
	}
	if e.Focus() != "remote" {
		t.Errorf("focus %s after the jump, want remote", e.Focus())
	}
	if !e.ProblemsOpen() {
		t.Error("problems panel closed")
	}
	if e.FilterQuery() != "" || e.Remote().Selected() != "bookmarkGGGG" {
		t.Errorf("after esc: filter %q, selected %q (want the filter's match kept)", e.FilterQuery(), e.Remote().Selected())
	}
	if !e.Remote().IsExpanded("folderCCCCCC") {
		t.Error("folderCCCCCC was not expanded")
	}
}

func TestFlowJumpSelectsFinding(t *testing.T) {
	in := input(t, "reupload_replace")
	tm := teatest.NewTestModel(t, ui.NewExplorer(in, opts()), teatest.WithInitialTermSize(100, 30), pinned())
	waitFor(t, tm, "Local (Places)")
	tm.Type("P")
	waitFor(t, tm, "invalidItems")
	tm.Type("G") // the last problem is on the remote side
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	want := in.RemoteReport.Findings[len(in.RemoteReport.Findings)-1].GUID
	waitFor(t, tm, "╔═ ") // the remote pane takes the focus (double border in mono)
	tm.Type("q")
	e := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*ui.Explorer)
	if e.Focus() != "remote" || e.Remote().Selected() != want || e.Details().GUID() != want {
		t.Fatalf("after jump: focus %s, remote selected %q, details %q; want %q",
			e.Focus(), e.Remote().Selected(), e.Details().GUID(), want)
	}
	if e.Local().Highlight() != want && in.Local.Lookup(want) != nil {
		t.Fatalf("local pane does not highlight %s", want)
	}
}

func TestFlowNoRemoteAndResize(t *testing.T) {
	in := input(t, "reupload_replace")
	in.Remote, in.RemoteReport = nil, check.Report{}
	tm := teatest.NewTestModel(t, ui.NewExplorer(in, opts()), teatest.WithInitialTermSize(80, 24), pinned())
	waitFor(t, tm, "never synced")
	tm.Send(tea.WindowSizeMsg{Width: 60, Height: 16})
	tm.Type("jj")
	tm.Send(tea.KeyPressMsg{Code: 'c', Mod: tea.ModCtrl})
	e := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(*ui.Explorer)
	if e.Local().Cursor() != 2 || e.Local().Width() != 58 {
		t.Fatalf("cursor %d, pane width %d", e.Local().Cursor(), e.Local().Width())
	}
}

// storedRoots builds a tree whose built-in roots carry the titles Places
// stores for them ("menu", "toolbar", …), with one bookmark in the menu.
func storedRoots(t *testing.T) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder, Info: &tree.Info{Title: ""}})
	for _, r := range []struct{ guid, title string }{
		{tree.MenuGUID, "menu"}, {tree.ToolbarGUID, "toolbar"}, {tree.UnfiledGUID, "unfiled"}, {tree.MobileGUID, "mobile"},
	} {
		if err := b.Item(tree.Item{GUID: r.guid, Kind: tree.KindFolder, Info: &tree.Info{Title: r.title}}); err != nil {
			t.Fatal(err)
		}
		if err := b.Structure(r.guid, tree.RootGUID); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Item(tree.Item{GUID: "bookmarkAAAA", Kind: tree.KindBookmark, Info: &tree.Info{Title: "Mozilla", URL: "https://www.mozilla.org/"}}); err != nil {
		t.Fatal(err)
	}
	if err := b.Structure("bookmarkAAAA", tree.MenuGUID); err != nil {
		t.Fatal(err)
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// The built-in roots read as Firefox names them, whatever Places stores
// as their titles; the details panel gives the GUID.
func TestExplorerNamesRootsAsFirefox(t *testing.T) {
	l, r := storedRoots(t), storedRoots(t)
	in := ui.ExplorerInput{ProfileName: "test.default", Local: l, Remote: r,
		LocalReport: check.Report{Side: tree.Local, Findings: []check.Finding{
			{Side: tree.Local, GUID: tree.ToolbarGUID, Kind: check.Orphan, Detail: "test finding"},
		}}}
	m := send(ui.NewExplorer(in, opts()), tea.WindowSizeMsg{Width: 120, Height: 44})
	view := content(m)
	for _, want := range []string{"▾ Bookmarks Menu", "Bookmarks Toolbar", "Other Bookmarks", "Mobile Bookmarks",
		"Title       Bookmarks Menu", "GUID        menu________"} {
		if !strings.Contains(view, want) {
			t.Errorf("explorer does not show %q:\n%s", want, view)
		}
	}
	for _, stored := range []string{"▾ menu", "▸ menu", "▾ toolbar", "▸ toolbar", "▸ unfiled", "▸ mobile", "(menu)"} {
		if strings.Contains(view, stored) {
			t.Errorf("explorer shows the stored title %q:\n%s", stored, view)
		}
	}
	// A child's parent and a finding on a root, by name.
	m = send(m, keys("j")...)
	if view = content(m); !strings.Contains(view, "menu________ (Bookmarks Menu)") {
		t.Errorf("details do not name the parent root:\n%s", view)
	}
	m = send(m, keys("P")...)
	if view = content(m); !strings.Contains(view, "Bookmarks Toolbar (toolbar_____)") {
		t.Errorf("problems do not name the root:\n%s", view)
	}
}
