package treepane_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/uitest"
	"github.com/bmtui/bmtui/ui/treepane"
)

func key(s string) tea.KeyPressMsg {
	switch s {
	case "down":
		return tea.KeyPressMsg{Code: tea.KeyDown}
	case "up":
		return tea.KeyPressMsg{Code: tea.KeyUp}
	case "right":
		return tea.KeyPressMsg{Code: tea.KeyRight}
	case "left":
		return tea.KeyPressMsg{Code: tea.KeyLeft}
	case "enter":
		return tea.KeyPressMsg{Code: tea.KeyEnter}
	case "space":
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	case "backspace":
		return tea.KeyPressMsg{Code: tea.KeyBackspace}
	case "pgdown":
		return tea.KeyPressMsg{Code: tea.KeyPgDown}
	case "end":
		return tea.KeyPressMsg{Code: tea.KeyEnd}
	case "ctrl+d":
		return tea.KeyPressMsg{Code: 'd', Mod: tea.ModCtrl}
	}
	r := []rune(s)[0]
	return tea.KeyPressMsg{Code: r, Text: s}
}

func press(m treepane.Model, keys ...string) treepane.Model {
	for _, k := range keys {
		m, _ = m.Update(key(k))
	}
	return m
}

func newPane(t *testing.T, fixture string, remote bool) treepane.Model {
	t.Helper()
	l, r := uitest.Sides(t, fixture)
	tr, side := l, tree.Local
	if remote {
		tr, side = r, tree.Remote
	}
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetSource(treepane.NewTreeSource(tr, uitest.Report(side, tr).Findings...))
	m.SetSize(50, 14)
	m.SetFocused(true)
	return m
}

func TestInitialView(t *testing.T) {
	m := newPane(t, "multiple_parents", true)
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestEmptyTree(t *testing.T) {
	m := newPane(t, "multiple_parents", false)
	if m.Selected() != "" || m.Len() != 0 {
		t.Fatalf("empty tree: selected %q, %d rows", m.Selected(), m.Len())
	}
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestNavigateExpandCollapse(t *testing.T) {
	m := newPane(t, "reupload_replace", true)
	first := m.Selected()
	m = press(m, "j", "down")
	if m.Cursor() != 2 {
		t.Fatalf("cursor %d after two downs", m.Cursor())
	}
	m = press(m, "k")
	if m.Cursor() != 1 {
		t.Fatalf("cursor %d after up", m.Cursor())
	}
	m = press(m, "g")
	if m.Selected() != first {
		t.Fatalf("top: %q, want %q", m.Selected(), first)
	}
	n := m.Len()
	// The first root is expanded one level: collapse it, then expand it.
	m = press(m, "h")
	if m.IsExpanded(first) || m.Len() >= n {
		t.Fatalf("collapse: expanded=%v rows %d (was %d)", m.IsExpanded(first), m.Len(), n)
	}
	m = press(m, "l")
	if !m.IsExpanded(first) || m.Len() != n {
		t.Fatalf("expand: expanded=%v rows %d (want %d)", m.IsExpanded(first), m.Len(), n)
	}
	m = press(m, "enter")
	if m.IsExpanded(first) {
		t.Fatal("enter did not toggle")
	}
	m = press(m, "space")
	if !m.IsExpanded(first) {
		t.Fatal("space did not toggle")
	}
	m = press(m, "*")
	all := m.Len()
	m = press(m, "G")
	if m.Cursor() != all-1 {
		t.Fatalf("bottom: cursor %d of %d", m.Cursor(), all)
	}
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestParentAndLeftGoesUp(t *testing.T) {
	m := newPane(t, "reupload_replace", true)
	m = press(m, "j") // a child of the first root
	child := m.Selected()
	m = press(m, "p")
	if m.Cursor() != 0 {
		t.Fatalf("parent: cursor %d", m.Cursor())
	}
	m = press(m, "j", "left")
	if m.Cursor() != 0 {
		t.Fatalf("left on a leaf should go to the parent, cursor %d (child %s)", m.Cursor(), child)
	}
	m = press(m, "j", "backspace")
	if m.Cursor() != 0 {
		t.Fatalf("backspace: cursor %d", m.Cursor())
	}
}

func TestSelectExpandsAncestorsAndScrolls(t *testing.T) {
	tr := uitest.Synthetic(2000, 10)
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetSource(treepane.NewTreeSource(tr))
	m.SetSize(40, 10)
	// A deep item: find one at level >= 4.
	var deep string
	tr.Walk(func(i int32, n *tree.Node) bool {
		if n.Level >= 4 && n.Kind == tree.KindBookmark {
			deep = n.GUID
			return false
		}
		return true
	})
	if !m.Select(deep) {
		t.Fatalf("Select(%s) failed", deep)
	}
	if m.Selected() != deep {
		t.Fatalf("selected %q", m.Selected())
	}
	if c, o := m.Cursor(), m.Offset(); c < o || c >= o+10 {
		t.Fatalf("cursor %d outside viewport at %d", c, o)
	}
	if m.Select("nope________") {
		t.Fatal("selected an unknown GUID")
	}
}

func TestPagingKeys(t *testing.T) {
	tr := uitest.Synthetic(500, 10)
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetSource(treepane.NewTreeSource(tr))
	m.SetSize(40, 10)
	m.SetFocused(true)
	m = press(m, "L") // expand everything below the first root
	m = press(m, "pgdown")
	if m.Cursor() != 10 {
		t.Fatalf("pgdown: cursor %d", m.Cursor())
	}
	m = press(m, "ctrl+d")
	if m.Cursor() != 15 {
		t.Fatalf("ctrl+d: cursor %d", m.Cursor())
	}
	m = press(m, "end")
	if m.Cursor() != m.Len()-1 || m.Offset() != m.Len()-10 {
		t.Fatalf("end: cursor %d offset %d of %d", m.Cursor(), m.Offset(), m.Len())
	}
}

func TestFilter(t *testing.T) {
	tr := uitest.Synthetic(300, 10)
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetSource(treepane.NewTreeSource(tr))
	m.SetSize(50, 12)
	m.SetQuery("BOOKMARK 25")
	// Matches "Bookmark 25" and "Bookmark 250".."Bookmark 259" that exist.
	if m.MatchCount() == 0 {
		t.Fatal("no matches")
	}
	golden.RequireEqual(t, ansi.Strip(m.View()))
	for r := 0; r < m.Len(); r++ {
		m.MoveTo(r)
		if m.Selected() == "item00000001" {
			t.Fatal("a non-matching leaf is shown")
		}
	}
	// GUIDs match too.
	m.SetQuery("item00000002")
	if m.MatchCount() != 1 || m.Selected() != "item00000002" {
		t.Fatalf("guid filter: %d matches, selected %q", m.MatchCount(), m.Selected())
	}
	m.SetQuery("")
	if m.Selected() != "item00000002" {
		t.Fatalf("clearing the filter lost the selection: %q", m.Selected())
	}
	m.SetQuery("zzzz")
	if m.Len() != 0 || m.Selected() != "" {
		t.Fatal("no-match filter shows rows")
	}
}

func TestHighlightAndMouse(t *testing.T) {
	m := newPane(t, "reupload_replace", true)
	m = press(m, "j", "j")
	target := m.Selected()
	m = press(m, "g")
	m.SetHighlight(target)
	if m.Highlight() != target {
		t.Fatalf("highlight %q", m.Highlight())
	}
	if !m.HandleMouse(tea.MouseClickMsg{X: 5, Y: 2, Button: tea.MouseLeft}) || m.Selected() != target {
		t.Fatalf("click selected %q, want %q", m.Selected(), target)
	}
	m.HandleMouse(tea.MouseWheelMsg{Button: tea.MouseWheelDown})
	if m.Cursor() < m.Offset() {
		t.Fatal("wheel left the cursor outside the viewport")
	}
}

func TestDisabledKeysAtTop(t *testing.T) {
	m := newPane(t, "reupload_replace", true)
	if m.KeyMap.Up.Enabled() || m.KeyMap.Top.Enabled() {
		t.Fatal("up/top enabled on the first row")
	}
	if !m.KeyMap.Down.Enabled() {
		t.Fatal("down disabled")
	}
	if m.KeyMap.Parent.Enabled() {
		t.Fatal("parent enabled on a top-level row")
	}
	m = press(m, "G")
	if m.KeyMap.Down.Enabled() {
		t.Fatal("down enabled on the last row")
	}
}

// An empty query clears any filter, a predicate's too; a query needs a
// Searchable source.
func TestQueryAndPredicate(t *testing.T) {
	tr := uitest.Synthetic(300, 10)
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetSource(treepane.NewTreeSource(tr))
	all := m.Len()
	m.SetFilter(func(i int) bool { return i%7 == 0 })
	if !m.Filtering() || m.Query() != "" {
		t.Fatalf("predicate: filtering %v, query %q", m.Filtering(), m.Query())
	}
	m.SetQuery("")
	if m.Filtering() || m.Len() != all {
		t.Fatalf("empty query kept the predicate: %d rows of %d", m.Len(), all)
	}
	rows := treepane.New(common.Common{Theme: themes.Mono(true)})
	rows.SetSource(newSrc(sample))
	rows.SetQuery("menu")
	if rows.Len() != 0 || rows.MatchCount() != 0 || !strings.Contains(ansi.Strip(rows.View()), `no match for "menu"`) {
		t.Fatalf("a source without text matched: %d rows\n%s", rows.Len(), ansi.Strip(rows.View()))
	}
}
