// Package treepane is the UI's one tree list: a windowed tree over any
// Source (a bookmark tree as it is, a merged tree listed in pre-order). It
// keeps a flat list of the visible rows, updated in place on expand and
// collapse, and renders only the rows inside the viewport, so a keypress
// costs the same at 100 items and at 100,000. What each row shows (state
// column, label, badges) comes from the source; the filter is a query
// over the source's text or any predicate.
package treepane

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/viewport"
)

// Model is the tree pane.
type Model struct {
	KeyMap KeyMap

	common  common.Common
	src     Source
	n       int
	ordered bool // node indices are in display order

	exp    []bool // expanded nodes
	fexp   []bool // expanded nodes while a filter is active
	keep   []bool // nodes shown by the filter; nil when not filtering
	query  string // the query of SetQuery ("" for a predicate)
	nmatch int

	rows      []int32 // visible nodes, in display order
	win       viewport.Window
	focused   bool
	highlight int
	empty     string
	stateCol  bool
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty pane; SetSource gives it a tree.
func New(c common.Common) Model {
	m := Model{KeyMap: DefaultKeyMap(), common: c, highlight: -1, win: viewport.Window{Width: 40, Height: 10}, empty: "(empty tree)"}
	m.updateKeys()
	return m
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// SetCommon sets the theme and clock.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetEmptyText sets what an empty pane says.
func (m *Model) SetEmptyText(s string) { m.empty = s }

// SetStateColumn says whether rows have a state column.
func (m *Model) SetStateColumn(on bool) { m.stateCol = on }

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

// Source is the tree shown (nil for none).
func (m Model) Source() Source { return m.src }

// Len is the number of visible rows.
func (m Model) Len() int { return len(m.rows) }

// Cursor is the row index of the selection.
func (m Model) Cursor() int { return m.win.Cursor }

// Offset is the first row shown.
func (m Model) Offset() int { return m.win.Offset }

// Query is the query of SetQuery ("" when none).
func (m Model) Query() string { return m.query }

// Filtering reports whether a filter is set.
func (m Model) Filtering() bool { return m.keep != nil }

// MatchCount is how many nodes the filter matched.
func (m Model) MatchCount() int { return m.nmatch }

// ShortHelp implements help.KeyMap.
func (m Model) ShortHelp() []key.Binding { return m.KeyMap.ShortHelp() }

// FullHelp implements help.KeyMap.
func (m Model) FullHelp() [][]key.Binding { return m.KeyMap.FullHelp() }

// SetSource shows src. The first source opens the built-in roots one
// level; later ones keep what was open and the selection, by GUID. The
// filter is cleared (set it again).
func (m *Model) SetSource(src Source) {
	var expanded []string
	sel := m.Selected()
	if m.src != nil {
		for i, e := range m.exp {
			if e && i > 0 {
				expanded = append(expanded, m.src.GUID(i))
			}
		}
	}
	first := m.src == nil
	m.src, m.n = src, 0
	if src != nil {
		m.n = src.Len()
	}
	o, ok := src.(ordered)
	m.ordered = ok && o.PreOrder()
	m.keep, m.fexp, m.query, m.nmatch = nil, nil, "", 0
	m.highlight = -1
	m.exp = make([]bool, m.n)
	if m.n > 0 {
		m.exp[0] = true
		if first {
			for c := src.FirstChild(0); c >= 0; c = src.NextSibling(c) {
				m.exp[c] = true
			}
		}
		for _, g := range expanded {
			if i, ok := src.Index(g); ok && i < m.n {
				m.exp[i] = true
			}
		}
	}
	m.win.Cursor = 0
	m.rebuild()
	if sel == "" || !m.Select(sel) {
		m.clampOffset()
	}
	m.updateKeys()
}

// SetQuery shows only the nodes whose text (Searchable) contains query,
// case-insensitive, with their ancestors; "" clears the filter and keeps
// the selection. A source without text shows no match.
func (m *Model) SetQuery(query string) {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == m.query && (q != "" || m.keep == nil) {
		return
	}
	if q == "" {
		m.SetFilter(nil)
		return
	}
	if m.n == 0 {
		m.query = q // nothing to filter: the pane stays empty
		return
	}
	match := func(int) bool { return false }
	if s, ok := m.src.(Searchable); ok {
		match = func(i int) bool { return strings.Contains(s.Haystack(i), q) }
	}
	m.SetFilter(match)
	m.query = q
}

// SetFilter shows only the nodes for which match is true, with their
// ancestors, all expanded; nil clears the filter. The selection stays when
// it is kept, else moves to the first match.
func (m *Model) SetFilter(match func(i int) bool) {
	sel := m.Selected()
	m.query = ""
	if match == nil {
		if m.keep == nil {
			return
		}
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
	keep := make([]bool, m.n)
	n := 0
	for i := 1; i < m.n; i++ {
		if !match(i) {
			continue
		}
		n++
		for p := i; p >= 0 && !keep[p]; p = m.src.Parent(p) {
			keep[p] = true
		}
	}
	if m.n > 0 {
		keep[0] = true
	}
	m.keep, m.nmatch = keep, n
	m.fexp = make([]bool, m.n)
	copy(m.fexp, keep)
	m.rebuild()
	m.win.Cursor, m.win.Offset = 0, 0
	if sel == "" || !m.Select(sel) {
		// Land on the first match rather than on an ancestor.
		for r, i := range m.rows {
			if match(int(i)) {
				m.win.Cursor = r
				break
			}
		}
	}
	m.clampOffset()
	m.updateKeys()
}

// SelectedIndex is the node of the selection, or -1.
func (m Model) SelectedIndex() int {
	if m.win.Cursor < 0 || m.win.Cursor >= len(m.rows) {
		return -1
	}
	return int(m.rows[m.win.Cursor])
}

// Selected is the GUID of the selection ("" when the pane is empty).
func (m Model) Selected() string {
	if i := m.SelectedIndex(); i >= 0 && m.src != nil {
		return m.src.GUID(i)
	}
	return ""
}

// SetHighlight marks the row of guid (the item selected in another pane);
// "" or an unknown GUID clears the mark.
func (m *Model) SetHighlight(guid string) {
	m.highlight = -1
	if m.src == nil || guid == "" {
		return
	}
	if i, ok := m.src.Index(guid); ok {
		m.highlight = i
	}
}

// Highlight is the highlighted GUID, or "".
func (m Model) Highlight() string {
	if m.highlight < 0 || m.src == nil {
		return ""
	}
	return m.src.GUID(m.highlight)
}

// IsExpanded reports whether the node of guid is expanded in the current
// view.
func (m Model) IsExpanded(guid string) bool {
	if m.src == nil {
		return false
	}
	i, ok := m.src.Index(guid)
	return ok && m.expanded()[i]
}

// Select moves the selection to guid, expanding its ancestors and
// scrolling it into view. It reports whether guid is shown (an item hidden
// by the filter, or unknown, cannot be selected).
func (m *Model) Select(guid string) bool {
	if m.src == nil || guid == "" {
		return false
	}
	i, ok := m.src.Index(guid)
	if !ok {
		return false
	}
	return m.SelectIndex(i)
}

// SelectIndex is Select by node.
func (m *Model) SelectIndex(i int) bool {
	if i <= 0 || i >= m.n || (m.keep != nil && !m.keep[i]) {
		return false
	}
	r := m.rowOf(i)
	if r < 0 {
		exp := m.expanded()
		for p := m.src.Parent(i); p >= 0; p = m.src.Parent(p) {
			exp[p] = true
		}
		m.rebuild()
		if r = m.rowOf(i); r < 0 {
			return false
		}
	}
	m.win.Show(r, len(m.rows))
	m.updateKeys()
	return true
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
		return m, nil
	}
	switch {
	case key.Matches(kp, km.Expand):
		if !m.expandRow(m.win.Cursor) {
			if i := m.SelectedIndex(); i >= 0 && m.expanded()[i] && m.hasKids(i) {
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

// shown reports whether node c passes the filter.
func (m *Model) shown(c int) bool { return m.keep == nil || m.keep[c] }

// hasKids reports whether node i has a child shown.
func (m *Model) hasKids(i int) bool {
	for c := m.src.FirstChild(i); c >= 0; c = m.src.NextSibling(c) {
		if m.shown(c) {
			return true
		}
	}
	return false
}

// appendSubtree appends the visible descendants of i (not i) in display
// order.
func (m *Model) appendSubtree(dst []int32, i int) []int32 {
	if cl, ok := m.src.(childLister); ok {
		return m.appendListed(cl, dst, i)
	}
	exp := m.expanded()
	for c := m.src.FirstChild(i); c >= 0; c = m.src.NextSibling(c) {
		if !m.shown(c) {
			continue
		}
		dst = append(dst, int32(c))
		if exp[c] {
			dst = m.appendSubtree(dst, c)
		}
	}
	return dst
}

// appendListed is appendSubtree over a source that lists children in one
// call: depth first with a stack of the children still to show.
func (m *Model) appendListed(cl childLister, dst []int32, i int) []int32 {
	exp := m.expanded()
	var kids []int32
	stack := make([]int32, 0, 64)
	push := func(i int) {
		kids = cl.AppendChildren(kids[:0], i)
		for k := len(kids) - 1; k >= 0; k-- {
			if m.shown(int(kids[k])) {
				stack = append(stack, kids[k])
			}
		}
	}
	push(i)
	for len(stack) > 0 {
		c := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		dst = append(dst, c)
		if exp[c] {
			push(int(c))
		}
	}
	return dst
}

func (m *Model) rebuild() {
	m.rows = m.rows[:0]
	if m.n > 0 {
		m.rows = m.appendSubtree(m.rows, 0)
	}
	if m.win.Cursor >= len(m.rows) {
		m.win.Cursor = max(len(m.rows)-1, 0)
	}
}

func (m *Model) rowOf(i int) int {
	if m.ordered {
		r := sort.Search(len(m.rows), func(k int) bool { return int(m.rows[k]) >= i })
		if r < len(m.rows) && int(m.rows[r]) == i {
			return r
		}
		return -1
	}
	for r, x := range m.rows {
		if int(x) == i {
			return r
		}
	}
	return -1
}

// subtreeEnd is the row after the last visible descendant of row r.
func (m *Model) subtreeEnd(r int) int {
	lvl := m.src.Depth(int(m.rows[r]))
	end := r + 1
	for end < len(m.rows) && m.src.Depth(int(m.rows[end])) > lvl {
		end++
	}
	return end
}

func (m *Model) expandRow(r int) bool {
	if r < 0 || r >= len(m.rows) {
		return false
	}
	i := int(m.rows[r])
	exp := m.expanded()
	if exp[i] || !m.hasKids(i) {
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
	i := int(m.rows[r])
	exp := m.expanded()
	if !exp[i] || !m.hasKids(i) {
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
	i := int(m.rows[r])
	if !m.hasKids(i) {
		return
	}
	exp := m.expanded()
	var mark func(int)
	mark = func(i int) {
		exp[i] = true
		for c := m.src.FirstChild(i); c >= 0; c = m.src.NextSibling(c) {
			if m.shown(c) && m.hasKids(c) {
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
	i := m.SelectedIndex()
	if i < 0 || m.src.Parent(i) <= 0 {
		return
	}
	if r := m.rowOf(m.src.Parent(i)); r >= 0 {
		m.MoveTo(r)
	}
}

func (m *Model) clampOffset() { m.win.Clamp(len(m.rows)) }

// updateKeys enables exactly the bindings that can act now.
func (m *Model) updateKeys() {
	km := &m.KeyMap
	km.nav().Enable(m.win.Cursor, len(m.rows))
	i := m.SelectedIndex()
	if i < 0 {
		for _, b := range []*key.Binding{&km.Expand, &km.Collapse, &km.Toggle, &km.ExpandAll, &km.Parent} {
			b.SetEnabled(false)
		}
		return
	}
	kids := m.hasKids(i)
	open := m.expanded()[i]
	up := m.src.Parent(i) > 0
	km.Expand.SetEnabled(kids)
	km.Collapse.SetEnabled((kids && open) || up)
	km.Toggle.SetEnabled(kids)
	km.ExpandAll.SetEnabled(kids)
	km.Parent.SetEnabled(up)
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	return m.win.Render(len(m.rows), 16, m.renderRow, func() string {
		msg := m.empty
		switch {
		case m.keep != nil && m.query != "":
			msg = "(no match for \"" + m.query + "\")"
		case m.keep != nil:
			msg = "(nothing matches the filter)"
		}
		return viewport.Note(m.common.Theme.Styles.Muted, msg, m.win.Width)
	})
}

func (m Model) renderRow(r int) string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	i := int(m.rows[r])
	it := m.src.Item(i, th)
	selected := r == m.win.Cursor
	gutter := " "
	if selected {
		gutter = g.Cursor
	}
	if i == m.highlight {
		gutter += g.Highlight
	} else {
		gutter += " "
	}
	state := ""
	if m.stateCol {
		state = it.State.Text
		if state == "" {
			state = " "
		}
		state += " "
	}
	indent := strings.Repeat("  ", max(m.src.Depth(i)-1, 0))
	kids := m.hasKids(i)
	folder := it.Kind == tree.KindFolder || kids // a non-folder with children shows as a folder
	kind := it.Kind
	if folder {
		kind = tree.KindFolder
	}
	glyph := common.KindGlyph(*g, kind, m.expanded()[i], folder && !kids)
	label := common.SingleLine(it.Label)
	if selected {
		var b strings.Builder
		b.WriteString(gutter)
		b.WriteString(state)
		b.WriteString(indent)
		b.WriteString(glyph)
		b.WriteByte(' ')
		b.WriteString(label)
		for _, s := range it.Badges {
			b.WriteByte(' ')
			b.WriteString(s.Text)
		}
		return viewport.Selected(st, m.focused, b.String(), m.win.Width)
	}
	labelStyle := st.Text
	if it.LabelStyle != nil {
		labelStyle = *it.LabelStyle
	}
	if i == m.highlight && !it.Alert {
		labelStyle = st.Highlight
	}
	var b strings.Builder
	if i == m.highlight {
		b.WriteString(st.Highlight.Render(gutter))
	} else {
		b.WriteString(gutter)
	}
	if m.stateCol {
		b.WriteString(it.State.Style.Render(state[:len(state)-1]))
		b.WriteByte(' ')
	}
	b.WriteString(indent)
	if folder {
		b.WriteString(st.Accent.Render(glyph))
	} else {
		b.WriteString(st.Muted.Render(glyph))
	}
	b.WriteByte(' ')
	b.WriteString(labelStyle.Render(label))
	for _, s := range it.Badges {
		b.WriteByte(' ')
		b.WriteString(s.Style.Render(s.Text))
	}
	return viewport.Fit(b.String(), m.win.Width)
}
