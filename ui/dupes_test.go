package ui_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

type dupeItem struct {
	guid, parent, title, url string
	kind                     tree.Kind
	added                    time.Time
}

// dupesTree builds a local tree: a storm's copies in Work, twin News
// folders on the toolbar, a URL in two folders.
func dupesTree(t testing.TB) *tree.Tree {
	t.Helper()
	day := func(d int) time.Time { return time.Date(2026, 1, d, 9, 0, 0, 0, time.UTC) }
	items := []dupeItem{
		{tree.MenuGUID, tree.RootGUID, "", "", tree.KindFolder, day(1)},
		{tree.ToolbarGUID, tree.RootGUID, "", "", tree.KindFolder, day(1)},
		{tree.UnfiledGUID, tree.RootGUID, "", "", tree.KindFolder, day(1)},
		{tree.MobileGUID, tree.RootGUID, "", "", tree.KindFolder, day(1)},
		{"fldWork_____", tree.MenuGUID, "Work", "", tree.KindFolder, day(1)},
		{"bmkGo2______", "fldWork_____", "Go", "https://go.dev/", tree.KindBookmark, day(9)},
		{"bmkGo1______", "fldWork_____", "Go", "https://go.dev/", tree.KindBookmark, day(2)},
		{"bmkGo3______", "fldWork_____", "Go", "https://go.dev/", tree.KindBookmark, day(9)},
		{"bmkRust_____", "fldWork_____", "Rust", "https://rust-lang.org/", tree.KindBookmark, day(3)},
		{"fldNews_____", tree.ToolbarGUID, "News", "", tree.KindFolder, day(1)},
		{"bmkLwn______", "fldNews_____", "LWN", "https://lwn.net/", tree.KindBookmark, day(4)},
		{"fldNews2____", tree.ToolbarGUID, "News", "", tree.KindFolder, day(9)},
		{"bmkLwn2_____", "fldNews2____", "LWN", "https://lwn.net/", tree.KindBookmark, day(9)},
		{"bmkRead_____", tree.UnfiledGUID, "Rust", "https://rust-lang.org/", tree.KindBookmark, day(5)},
	}
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	for _, it := range items {
		if err := b.Item(tree.Item{GUID: it.guid, Kind: it.kind, Info: &tree.Info{Title: it.title, URL: it.url,
			DateAdded: it.added.UnixMicro(), SyncStatus: tree.SyncStatusNormal}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, it := range items {
		if err := b.Structure(it.guid, it.parent); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func dupesScreen(t testing.TB, plan func(*dupes.Report) (*ui.DupesFix, error)) (tea.Model, *dupes.Report) {
	tr := dupesTree(t)
	r := dupes.Find(dupes.Input{Tree: tr, Side: tree.Local, Other: tr})
	var m tea.Model = ui.NewDupesScreen(ui.DupesInput{Profile: "test.default", Report: r, Plan: plan}, opts())
	m, _ = m.Update(tea.WindowSizeMsg{Width: 120, Height: 24})
	return m, r
}

// TestDupesScreen: the groups, the copies of the selected one with their
// provenance and the keeper marked; 1-9 and enter choose the keeper, x
// leaves a group alone, F previews and y writes once.
func TestDupesScreen(t *testing.T) {
	writes := 0
	plan := func(r *dupes.Report) (*ui.DupesFix, error) {
		return &ui.DupesFix{Lines: []string{"removes 3 items, moves 1, restores 0 folders"}, Write: func() (string, error) {
			writes++
			return "fixed and verified", nil
		}}, nil
	}
	m, r := dupesScreen(t, plan)
	if len(r.Groups) != 3 {
		t.Fatalf("groups %d, want copies, twins and same-url", len(r.Groups))
	}
	golden.RequireEqual(t, content(m))
	g := r.Group("copies:bmkGo1______")
	if g == nil || g.Keeper().GUID != "bmkGo1______" {
		t.Fatalf("copies group %+v", g)
	}
	m = drive(t, m, keys("3")...)
	if g.Keeper().GUID != "bmkGo3______" {
		t.Fatalf("3 kept %s", g.Keeper().GUID)
	}
	m = drive(t, m, keys("h", "h", "enter")...)
	if g.Keeper().GUID != "bmkGo2______" {
		t.Fatalf("enter on the first copy kept %s", g.Keeper().GUID)
	}
	if !strings.Contains(content(m), "copies:bmkGo1______ keeps bmkGo2______") {
		t.Errorf("the choice is not shown:\n%s", content(m))
	}
	m = drive(t, m, keys("x")...)
	if g.Fix || r.ToFix() != 1 {
		t.Fatalf("x left fix %v, %d to fix", g.Fix, r.ToFix())
	}
	m = drive(t, m, keys("x", "j")...)
	if !g.Fix || m.(*ui.DupesScreen).Selected() != "twin-folders:fldNews2____" {
		t.Fatalf("x again: fix %v; j selected %q", g.Fix, m.(*ui.DupesScreen).Selected())
	}
	m = drive(t, m, keys("F")...)
	if v := content(m); !strings.Contains(v, "removes 3 items") || !strings.Contains(v, "y/enter") {
		t.Fatalf("F shows no preview:\n%s", v)
	}
	m = drive(t, m, keys("n")...)
	m = drive(t, m, keys("F", "y")...)
	if writes != 1 || !strings.Contains(content(m), "fixed and verified") {
		t.Fatalf("%d writes:\n%s", writes, content(m))
	}
	m = drive(t, m, keys("F", "y", "2")...)
	if tw := r.Group("twin-folders:fldNews2____"); writes != 1 || tw.Keeper().GUID != "fldNews_____" {
		t.Fatalf("after the write: %d writes, twin keeper %s", writes, tw.Keeper().GUID)
	}
}

// TestDupesScreenReadOnly: without a fix callback, F is not offered; a
// failed plan says why.
func TestDupesScreenReadOnly(t *testing.T) {
	m, _ := dupesScreen(t, nil)
	m = drive(t, m, keys("F")...)
	if v := content(m); strings.Contains(v, "F fix") || !strings.Contains(v, "read-only") {
		t.Errorf("read-only screen:\n%s", v)
	}
	m, _ = dupesScreen(t, func(*dupes.Report) (*ui.DupesFix, error) { return nil, errors.New("Firefox is running") })
	m = drive(t, m, keys("F")...)
	if v := content(m); !strings.Contains(v, "cannot fix: Firefox is running") {
		t.Errorf("failed plan:\n%s", v)
	}
}

// TestDupesFromExplorer: D runs the caller's search once and shows the
// dupes screen; e goes back to the explorer, D again shows the same.
func TestDupesFromExplorer(t *testing.T) {
	finds := 0
	in := salvageAppInput(t)
	in.Dupes = func() (*ui.DupesInput, error) {
		finds++
		tr := dupesTree(t)
		return &ui.DupesInput{Profile: "test.default", Report: dupes.Find(dupes.Input{Tree: tr, Side: tree.Local})}, nil
	}
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 140, Height: 32})
	if !strings.Contains(content(m), "D duplicates") {
		t.Errorf("the explorer does not offer D:\n%s", content(m))
	}
	m = drive(t, m, keys("D")...)
	a := m.(*ui.App)
	if a.Screen() != "dupes" || finds != 1 || !strings.Contains(content(m), "Copies · copies:bmkGo1______") {
		t.Fatalf("screen %q after %d finds:\n%s", a.Screen(), finds, content(m))
	}
	if !strings.Contains(content(m), "e/esc explorer") || !strings.Contains(content(m), "read-only") {
		t.Errorf("help:\n%s", content(m))
	}
	m = drive(t, m, keys("e")...)
	if got := m.(*ui.App).Screen(); got != "explorer" {
		t.Fatalf("e went to %q", got)
	}
	m = drive(t, m, keys("D")...)
	if got := m.(*ui.App).Screen(); got != "dupes" || finds != 1 {
		t.Fatalf("D again: %q, %d finds", got, finds)
	}
}
