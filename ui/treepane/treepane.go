// Package treepane is a windowed bookmark tree: it keeps a flat list of the
// visible rows, updated in place on expand and collapse, and renders only
// the rows inside the viewport, so a keypress costs the same at 100 items
// and at 100,000.
package treepane

import (
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/viewport"
)

// Model is the tree pane.
type Model struct {
	KeyMap KeyMap

	common   common.Common
	t        *tree.Tree
	findings common.FindingIndex

	exp    []bool // expanded folders, by node index
	fexp   []bool // expanded folders while a filter is active
	keep   []bool // nodes shown by the filter; nil when not filtering
	filter string
	nmatch int
	hay    []string // lowercased title, URL and GUID, built on first filter

	rows      []int32 // visible node indices, in display order
	win       viewport.Window
	focused   bool
	highlight int32
}

// New builds a pane over t with the built-in roots expanded one level.
// findings are the check findings of this tree (any side); items that have
// some are marked. t may be nil (an empty pane).
func New(t *tree.Tree, findings ...check.Finding) Model {
	m := Model{
		KeyMap:    DefaultKeyMap(),
		common:    common.New(),
		t:         t,
		findings:  common.IndexFindings(findings),
		highlight: -1,
		win:       viewport.Window{Width: 40, Height: 10},
	}
	if t != nil && t.Len() > 0 {
		m.exp = make([]bool, t.Len())
		m.exp[0] = true
		root := t.Root()
		for k, c := range root.Children {
			if n := t.Node(c); n.Parent == 0 && int(n.Position) == k && n.Kind == tree.KindFolder {
				m.exp[c] = true
			}
		}
		m.rows = m.appendSubtree(m.rows, 0)
	}
	m.updateKeys()
	return m
}

// SetCommon sets the theme and clock.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetTheme sets the theme.
func (m *Model) SetTheme(th *themes.Theme) { m.common.Theme = th }

// SetSize sets the size of the rows area in cells.
func (m *Model) SetSize(w, h int) {
	m.win.SetSize(w, h)
	m.clampOffset()
}

// Width is the width set by SetSize.
func (m Model) Width() int { return m.win.Width }

// Height is the height set by SetSize.
func (m Model) Height() int { return m.win.Height }

// SetFocused says whether the pane has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Tree is the tree shown.
func (m Model) Tree() *tree.Tree { return m.t }

// Len is the number of visible rows.
func (m Model) Len() int { return len(m.rows) }

// Cursor is the row index of the selection.
func (m Model) Cursor() int { return m.win.Cursor }

// Offset is the first row shown.
func (m Model) Offset() int { return m.win.Offset }

// Filter is the active filter query ("" when none).
func (m Model) Filter() string { return m.filter }

// MatchCount is how many items match the active filter.
func (m Model) MatchCount() int { return m.nmatch }

// Findings returns the findings recorded for guid.
func (m Model) Findings(guid string) []check.Finding { return m.findings[guid] }

// SelectedNode is the selected node, or nil.
func (m Model) SelectedNode() *tree.Node {
	if m.win.Cursor < 0 || m.win.Cursor >= len(m.rows) {
		return nil
	}
	return m.t.Node(m.rows[m.win.Cursor])
}

// Selected is the GUID of the selected item ("" when the pane is empty).
func (m Model) Selected() string {
	if n := m.SelectedNode(); n != nil {
		return n.GUID
	}
	return ""
}

// IsExpanded reports whether the folder guid is expanded in the current
// view.
func (m Model) IsExpanded(guid string) bool {
	if m.t == nil {
		return false
	}
	i, ok := m.t.Index(guid)
	return ok && m.expanded()[i]
}

// SetHighlight marks the row of guid (the item selected in the other pane);
// "" or an unknown GUID clears the mark.
func (m *Model) SetHighlight(guid string) {
	m.highlight = -1
	if m.t == nil || guid == "" {
		return
	}
	if i, ok := m.t.Index(guid); ok {
		m.highlight = i
	}
}

// Highlight is the highlighted GUID, or "".
func (m Model) Highlight() string {
	if m.highlight < 0 {
		return ""
	}
	return m.t.Node(m.highlight).GUID
}

// Select moves the selection to guid, expanding its ancestors and
// scrolling it into view. It reports whether guid is shown (an item hidden
// by the filter, or unknown, cannot be selected).
func (m *Model) Select(guid string) bool {
	if m.t == nil {
		return false
	}
	i, ok := m.t.Index(guid)
	if !ok || i == 0 || (m.keep != nil && !m.keep[i]) {
		return false
	}
	r := m.rowOf(i)
	if r < 0 {
		exp := m.expanded()
		for p := m.t.Node(i).Parent; p >= 0; p = m.t.Node(p).Parent {
			exp[p] = true
		}
		m.rebuild()
		r = m.rowOf(i)
		if r < 0 {
			return false
		}
	}
	m.win.Show(r, len(m.rows))
	m.updateKeys()
	return true
}

// SetFilter shows only the items whose title, URL or GUID contains query
// (case-insensitive), with their ancestors. An empty query clears the
// filter and keeps the selection.
func (m *Model) SetFilter(query string) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == m.filter || m.t == nil {
		m.filter = q
		return
	}
	sel := m.Selected()
	m.filter = q
	if q == "" {
		m.keep, m.fexp, m.nmatch = nil, nil, 0
		m.rebuild()
		m.win.Cursor = 0
		if sel != "" {
			m.Select(sel)
		}
		m.clampOffset()
		m.updateKeys()
		return
	}
	if m.hay == nil {
		m.hay = make([]string, m.t.Len())
		for i := range m.hay {
			n := m.t.Node(int32(i))
			m.hay[i] = strings.ToLower(common.Title(&n.Item) + "\x00" + common.URL(&n.Item) + "\x00" + n.GUID)
		}
	}
	keep := make([]bool, m.t.Len())
	nmatch := 0
	for i := 1; i < len(m.hay); i++ {
		if !strings.Contains(m.hay[i], q) {
			continue
		}
		nmatch++
		for p := int32(i); p >= 0 && !keep[p]; p = m.t.Node(p).Parent {
			keep[p] = true
		}
	}
	m.keep, m.nmatch = keep, nmatch
	m.fexp = make([]bool, len(keep))
	copy(m.fexp, keep)
	m.rebuild()
	m.win.Cursor, m.win.Offset = 0, 0
	if sel == "" || !m.Select(sel) {
		// Land on the first match rather than on an ancestor.
		for r, i := range m.rows {
			if strings.Contains(m.hay[i], q) {
				m.win.Cursor = r
				break
			}
		}
	}
	m.clampOffset()
	m.updateKeys()
}

// Update handles key presses when the pane is focused. Mouse events are
// passed in by the parent through HandleMouse.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	km := m.KeyMap
	if r, ok := km.nav().Target(kp, m.win, len(m.rows)); ok {
		m.MoveTo(r)
		m.updateKeys()
		return m, nil
	}
	switch {
	case key.Matches(kp, km.Expand):
		if !m.expandRow(m.win.Cursor) {
			if n := m.SelectedNode(); n != nil && m.expanded()[m.rows[m.win.Cursor]] && m.win.Cursor+1 < len(m.rows) &&
				m.t.Node(m.rows[m.win.Cursor+1]).Parent == m.rows[m.win.Cursor] {
				m.MoveBy(1)
			}
		}
	case key.Matches(kp, km.Collapse):
		if !m.collapseRow(m.win.Cursor) {
			m.toParent()
		}
	case key.Matches(kp, km.Toggle):
		m.toggleRow(m.win.Cursor)
	case key.Matches(kp, km.ExpandAll):
		m.expandAllBelow(m.win.Cursor)
	case key.Matches(kp, km.Parent):
		m.toParent()
	default:
		return m, nil
	}
	m.updateKeys()
	return m, nil
}

// HandleMouse handles a mouse event whose coordinates are relative to the
// top-left cell of the rows area: the wheel scrolls, a click selects a row,
// a click on the selected folder toggles it. It reports whether anything
// changed.
func (m *Model) HandleMouse(msg tea.MouseMsg) bool {
	switch act, r := m.win.Mouse(msg, len(m.rows), true); act {
	case viewport.MouseWheel:
		return m.ScrollBy(r)
	case viewport.MouseClick:
		if r == m.win.Cursor {
			m.toggleRow(r)
		} else {
			m.win.Cursor = r
		}
		m.updateKeys()
		return true
	}
	return false
}

// ScrollBy scrolls the viewport by delta rows, keeping the selection
// inside it.
func (m *Model) ScrollBy(delta int) bool {
	changed := m.win.ScrollBy(delta, len(m.rows))
	m.updateKeys()
	return changed
}

// MoveBy moves the selection by delta rows.
func (m *Model) MoveBy(delta int) { m.MoveTo(m.win.Cursor + delta) }

// MoveTo selects row r (clamped) and scrolls it into view.
func (m *Model) MoveTo(r int) {
	if len(m.rows) == 0 {
		m.win.Cursor, m.win.Offset = 0, 0
		return
	}
	m.win.MoveTo(r, len(m.rows))
	m.updateKeys()
}

// ExpandSelected expands the selected folder.
func (m *Model) ExpandSelected() bool { r := m.expandRow(m.win.Cursor); m.updateKeys(); return r }

// CollapseSelected collapses the selected folder.
func (m *Model) CollapseSelected() bool { r := m.collapseRow(m.win.Cursor); m.updateKeys(); return r }

// ExpandAllSelected expands every folder below the selection.
func (m *Model) ExpandAllSelected() { m.expandAllBelow(m.win.Cursor); m.updateKeys() }

func (m *Model) expanded() []bool {
	if m.keep != nil {
		return m.fexp
	}
	return m.exp
}

// visibleChild reports whether child c at position k of folder i is shown:
// its first listing under its real parent, and kept by the filter.
func (m *Model) visibleChild(i int32, k int, c int32) bool {
	n := m.t.Node(c)
	return n.Parent == i && int(n.Position) == k && (m.keep == nil || m.keep[c])
}

func (m *Model) hasVisibleChildren(i int32) bool {
	for k, c := range m.t.Node(i).Children {
		if m.visibleChild(i, k, c) {
			return true
		}
	}
	return false
}

// appendSubtree appends the visible descendants of i (not i) in display
// order.
func (m *Model) appendSubtree(dst []int32, i int32) []int32 {
	exp := m.expanded()
	for k, c := range m.t.Node(i).Children {
		if !m.visibleChild(i, k, c) {
			continue
		}
		dst = append(dst, c)
		if exp[c] {
			dst = m.appendSubtree(dst, c)
		}
	}
	return dst
}

func (m *Model) rebuild() {
	m.rows = m.rows[:0]
	if m.t != nil && m.t.Len() > 0 {
		m.rows = m.appendSubtree(m.rows, 0)
	}
	if m.win.Cursor >= len(m.rows) {
		m.win.Cursor = max(len(m.rows)-1, 0)
	}
}

func (m *Model) rowOf(i int32) int {
	for r, x := range m.rows {
		if x == i {
			return r
		}
	}
	return -1
}

// subtreeEnd is the row after the last visible descendant of row r.
func (m *Model) subtreeEnd(r int) int {
	lvl := m.t.Node(m.rows[r]).Level
	end := r + 1
	for end < len(m.rows) && m.t.Node(m.rows[end]).Level > lvl {
		end++
	}
	return end
}

func (m *Model) expandRow(r int) bool {
	if r < 0 || r >= len(m.rows) {
		return false
	}
	i := m.rows[r]
	exp := m.expanded()
	if m.t.Node(i).Kind != tree.KindFolder || exp[i] || !m.hasVisibleChildren(i) {
		return false
	}
	exp[i] = true
	sub := m.appendSubtree(nil, i)
	m.rows = append(m.rows[:r+1], append(sub, m.rows[r+1:]...)...)
	return true
}

func (m *Model) collapseRow(r int) bool {
	if r < 0 || r >= len(m.rows) {
		return false
	}
	i := m.rows[r]
	exp := m.expanded()
	if !exp[i] || m.t.Node(i).Kind != tree.KindFolder {
		return false
	}
	exp[i] = false
	end := m.subtreeEnd(r)
	m.rows = append(m.rows[:r+1], m.rows[end:]...)
	m.clampOffset()
	return true
}

func (m *Model) toggleRow(r int) {
	if !m.collapseRow(r) {
		m.expandRow(r)
	}
}

func (m *Model) expandAllBelow(r int) {
	if r < 0 || r >= len(m.rows) {
		return
	}
	i := m.rows[r]
	if m.t.Node(i).Kind != tree.KindFolder {
		return
	}
	exp := m.expanded()
	var mark func(int32)
	mark = func(i int32) {
		exp[i] = true
		for k, c := range m.t.Node(i).Children {
			if m.visibleChild(i, k, c) && m.t.Node(c).Kind == tree.KindFolder {
				mark(c)
			}
		}
	}
	mark(i)
	end := m.subtreeEnd(r)
	sub := m.appendSubtree(nil, i)
	tail := append([]int32(nil), m.rows[end:]...)
	m.rows = append(append(m.rows[:r+1], sub...), tail...)
}

func (m *Model) toParent() {
	n := m.SelectedNode()
	if n == nil || n.Parent <= 0 {
		return
	}
	lvl := n.Level
	for r := m.win.Cursor - 1; r >= 0; r-- {
		if m.t.Node(m.rows[r]).Level < lvl {
			m.MoveTo(r)
			return
		}
	}
}

func (m *Model) clampOffset() { m.win.Clamp(len(m.rows)) }

// updateKeys enables exactly the bindings that can act now.
func (m *Model) updateKeys() {
	km := &m.KeyMap
	km.nav().Enable(m.win.Cursor, len(m.rows))
	sel := m.SelectedNode()
	if sel == nil {
		for _, b := range []*key.Binding{&km.Expand, &km.Collapse, &km.Toggle, &km.ExpandAll, &km.Parent} {
			b.SetEnabled(false)
		}
		return
	}
	i := m.rows[m.win.Cursor]
	folder := sel.Kind == tree.KindFolder
	hasKids := folder && m.hasVisibleChildren(i)
	open := m.expanded()[i]
	km.Expand.SetEnabled(hasKids)
	km.Collapse.SetEnabled((folder && open) || sel.Parent > 0)
	km.Toggle.SetEnabled(hasKids)
	km.ExpandAll.SetEnabled(hasKids)
	km.Parent.SetEnabled(sel.Parent > 0)
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	return m.win.Render(len(m.rows), 8, m.renderRow, func() string {
		msg := "(empty tree)"
		if m.keep != nil {
			msg = "(no match for \"" + m.filter + "\")"
		}
		return viewport.Note(m.common.Theme.Styles.Muted, msg, m.win.Width)
	})
}

func (m Model) renderRow(r int) string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	i := m.rows[r]
	n := m.t.Node(i)
	selected := r == m.win.Cursor

	var gutter strings.Builder
	if selected {
		gutter.WriteString(g.Cursor)
	} else {
		gutter.WriteByte(' ')
	}
	if i == m.highlight {
		gutter.WriteString(g.Highlight)
	} else {
		gutter.WriteByte(' ')
	}
	indent := strings.Repeat("  ", max(int(n.Level)-1, 0))
	glyph := common.KindGlyph(th.Glyphs, n.Kind, m.expanded()[i], n.Kind == tree.KindFolder && !m.hasVisibleChildren(i))
	label := common.SingleLine(common.Label(&n.Item))
	if n.Kind == tree.KindSeparator && common.Title(&n.Item) == "" {
		label = "────────"
	}
	untitled := common.Title(&n.Item) == "" && common.URL(&n.Item) == ""

	var marks []string
	var markStyles []lipgloss.Style
	if untitled {
		marks = append(marks, n.GUID)
		markStyles = append(markStyles, st.Muted)
	}
	if fs := m.findings[n.GUID]; len(fs) > 0 {
		s := g.Problem
		if len(fs) > 1 {
			s += strconv.Itoa(len(fs))
		}
		marks = append(marks, s)
		markStyles = append(markStyles, st.Error)
	}
	if n.NeedsMerge {
		marks = append(marks, g.Changed)
		markStyles = append(markStyles, st.Warning)
	}
	if n.Validity != tree.Valid {
		marks = append(marks, g.Invalid+n.Validity.String())
		markStyles = append(markStyles, st.Error)
	}
	if !n.Syncable {
		marks = append(marks, g.NonSyncable)
		markStyles = append(markStyles, st.NonSyncable)
	}

	if selected {
		var b strings.Builder
		b.WriteString(gutter.String())
		b.WriteString(indent)
		b.WriteString(glyph)
		b.WriteByte(' ')
		b.WriteString(label)
		for _, s := range marks {
			b.WriteByte(' ')
			b.WriteString(s)
		}
		return viewport.Selected(st, m.focused, b.String(), m.win.Width)
	}

	labelStyle := st.Text
	switch {
	case len(m.findings[n.GUID]) > 0:
		labelStyle = st.Error
	case i == m.highlight:
		labelStyle = st.Highlight
	case !n.Syncable:
		labelStyle = st.NonSyncable
	}
	var b strings.Builder
	if i == m.highlight {
		b.WriteString(st.Highlight.Render(gutter.String()))
	} else {
		b.WriteString(gutter.String())
	}
	b.WriteString(indent)
	if n.Kind == tree.KindFolder {
		b.WriteString(st.Accent.Render(glyph))
	} else {
		b.WriteString(st.Muted.Render(glyph))
	}
	b.WriteByte(' ')
	b.WriteString(labelStyle.Render(label))
	for k, s := range marks {
		b.WriteByte(' ')
		b.WriteString(markStyles[k].Render(s))
	}
	return viewport.Fit(b.String(), m.win.Width)
}
