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
	"github.com/bmtui/bmtui/ui/treepane"
)

type row struct {
	guid  string
	depth int
	kind  tree.Kind
	label string
	state string
	marks []string
}

// src lists rows in pre-order with their depths, as the merged pane does.
type src struct {
	treepane.Outline
	rows []row
}

func newSrc(rows []row) src {
	return src{treepane.NewOutline(len(rows), func(i int) int { return rows[i].depth }), rows}
}

func (s src) Len() int          { return len(s.rows) }
func (s src) Depth(i int) int   { return s.rows[i].depth }
func (s src) GUID(i int) string { return s.rows[i].guid }
func (s src) Index(g string) (int, bool) {
	for i, r := range s.rows {
		if r.guid == g {
			return i, true
		}
	}
	return 0, false
}
func (s src) Item(i int, th *themes.Theme) treepane.Item {
	r := s.rows[i]
	it := treepane.Item{Kind: r.kind, Label: r.label, State: treepane.Badge{Text: r.state}}
	for _, m := range r.marks {
		it.Badges = append(it.Badges, treepane.Badge{Text: m, Style: th.Styles.Warning})
	}
	return it
}

var sample = []row{
	{"root________", 0, tree.KindFolder, "root", "", nil},
	{"menu________", 1, tree.KindFolder, "Bookmarks Menu", "↓", nil},
	{"fldA________", 2, tree.KindFolder, "Folder A", "·", nil},
	{"bmkA1_______", 3, tree.KindBookmark, "A one", "↑", []string{"+"}},
	{"bmkA2_______", 3, tree.KindBookmark, "A two", "·", nil},
	{"bmkB________", 2, tree.KindBookmark, "B", "↓", []string{"✎", "→"}},
	{"toolbar_____", 1, tree.KindFolder, "Bookmarks Toolbar", "·", nil},
	{"sep_________", 2, tree.KindSeparator, "────────", "·", nil},
	{"unfiled_____", 1, tree.KindFolder, "Other Bookmarks", "·", nil},
}

func newRowsPane() treepane.Model {
	m := treepane.New(common.Common{Theme: themes.Mono(true)})
	m.SetStateColumn(true)
	m.SetSize(36, 8)
	m.SetFocused(true)
	m.SetSource(newSrc(sample))
	return m
}

func TestOutlineGolden(t *testing.T) {
	m := newRowsPane()
	m.Select("bmkA2_______")
	m.SetHighlight("bmkB________")
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestOutlineFilterKeepsAncestors(t *testing.T) {
	m := newRowsPane()
	m.SetFilter(func(i int) bool { return len(sample[i].marks) > 0 })
	if m.MatchCount() != 2 || m.Len() != 4 { // menu, fldA, bmkA1, bmkB
		t.Fatalf("%d matches, %d rows:\n%s", m.MatchCount(), m.Len(), ansi.Strip(m.View()))
	}
	if m.Selected() != "menu________" { // still shown (an ancestor): kept
		t.Fatalf("selected %q", m.Selected())
	}
	m.MoveBy(2)
	m.SetFilter(nil)
	if m.Selected() != "bmkA1_______" || m.Len() != 8 {
		t.Fatalf("after clearing: selected %q, %d rows", m.Selected(), m.Len())
	}
}

func TestOutlineKeysAndSourceSwap(t *testing.T) {
	m := newRowsPane()
	// Collapse the menu, move down to the toolbar.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if m.Selected() != "toolbar_____" || m.IsExpanded("menu________") {
		t.Fatalf("selected %q, menu open %v", m.Selected(), m.IsExpanded("menu________"))
	}
	// A new source (a re-merge) keeps the selection and what is open.
	next := append([]row(nil), sample...)
	next = append(next[:4], next[5:]...) // bmkA2 gone
	m.SetSource(newSrc(next))
	if m.Selected() != "toolbar_____" || m.IsExpanded("menu________") || !m.IsExpanded("toolbar_____") {
		t.Fatalf("after swap: selected %q", m.Selected())
	}
	if strings.Count(ansi.Strip(m.View()), "\n") != 7 {
		t.Fatal("view is not 8 lines")
	}
}
