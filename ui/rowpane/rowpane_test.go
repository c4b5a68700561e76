package rowpane_test

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/rowpane"
)

type row struct {
	guid  string
	depth int
	kind  tree.Kind
	label string
	state string
	marks []string
}

type src []row

func (s src) Len() int          { return len(s) }
func (s src) Depth(i int) int   { return s[i].depth }
func (s src) GUID(i int) string { return s[i].guid }
func (s src) Index(g string) (int, bool) {
	for i, r := range s {
		if r.guid == g {
			return i, true
		}
	}
	return 0, false
}
func (s src) Item(i int, th *themes.Theme) rowpane.Item {
	it := rowpane.Item{Kind: s[i].kind, Label: s[i].label, State: rowpane.Badge{Text: s[i].state}}
	for _, m := range s[i].marks {
		it.Badges = append(it.Badges, rowpane.Badge{Text: m, Style: th.Styles.Warning})
	}
	return it
}

var sample = src{
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

func newPane() rowpane.Model {
	m := rowpane.New(common.Common{Theme: themes.Mono(true)})
	m.SetStateColumn(true)
	m.SetSize(36, 8)
	m.SetFocused(true)
	m.SetSource(sample)
	return m
}

func TestGolden(t *testing.T) {
	m := newPane()
	m.Select("bmkA2_______")
	m.SetHighlight("bmkB________")
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestFilterKeepsAncestors(t *testing.T) {
	m := newPane()
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

func TestKeysAndSourceSwap(t *testing.T) {
	m := newPane()
	// Collapse the menu, move down to the toolbar.
	m, _ = m.Update(tea.KeyPressMsg{Code: tea.KeyLeft})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if m.Selected() != "toolbar_____" || m.IsExpanded("menu________") {
		t.Fatalf("selected %q, menu open %v", m.Selected(), m.IsExpanded("menu________"))
	}
	// A new source (a re-merge) keeps the selection and what is open.
	next := append(src(nil), sample...)
	next = append(next[:4], next[5:]...) // bmkA2 gone
	m.SetSource(next)
	if m.Selected() != "toolbar_____" || m.IsExpanded("menu________") || !m.IsExpanded("toolbar_____") {
		t.Fatalf("after swap: selected %q", m.Selected())
	}
	if strings.Count(ansi.Strip(m.View()), "\n") != 7 {
		t.Fatal("view is not 8 lines")
	}
}
