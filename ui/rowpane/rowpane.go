// Package rowpane is a windowed tree over rows given in pre-order with
// their depths (a merged tree, or a bookmark tree flattened once). Like
// treepane it keeps only the visible rows and renders only the window, but
// what each row shows (state column, label, badges) comes from its Source,
// and the filter is any predicate, so the merge screen can show only the
// changed items or only the matches of a query.
package rowpane

import (
	"sort"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/viewport"
	"github.com/bmtui/bmtui/ui/treepane"
)

// Badge is a short styled mark.
type Badge struct {
	Text  string
	Style lipgloss.Style
}

// Item is what one row shows.
type Item struct {
	Kind tree.Kind
	// Label is the row's text (one line).
	Label string
	// LabelStyle styles the label when the row is not selected; nil means
	// the theme's text style.
	LabelStyle *lipgloss.Style
	// State is drawn in a fixed column before the indentation (a merge
	// state glyph); Badges follow the label.
	State  Badge
	Badges []Badge
}

// Source is the tree a pane shows: rows 0..Len()-1 in pre-order, row 0
// the (hidden) root at depth 0.
type Source interface {
	Len() int
	Depth(i int) int
	GUID(i int) string
	// Index finds the row of guid.
	Index(guid string) (int, bool)
	// Item describes row i for theme th.
	Item(i int, th *themes.Theme) Item
}

// Model is the pane.
type Model struct {
	KeyMap treepane.KeyMap

	common common.Common
	src    Source
	n      int
	end    []int32 // row after the subtree of each row
	parent []int32 // parent row; -1 for the root

	exp       []bool
	fexp      []bool // expanded rows while filtering
	keep      []bool // rows shown by the filter; nil when not filtering
	filtering bool
	nmatch    int

	rows      []int32 // visible rows, ascending
	win       viewport.Window
	focused   bool
	highlight int
	empty     string
	stateCol  bool
}

// New returns an empty pane.
func New(c common.Common) Model {
	m := Model{KeyMap: treepane.DefaultKeyMap(), common: c, highlight: -1, win: viewport.Window{Width: 40, Height: 10}, empty: "(empty tree)"}
	m.updateKeys()
	return m
}

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

// Width and Height are the size set by SetSize.
func (m Model) Width() int  { return m.win.Width }
func (m Model) Height() int { return m.win.Height }

// SetFocused says whether the pane has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Focused reports whether the pane has the keyboard.
func (m Model) Focused() bool { return m.focused }

// Source is the tree shown (nil for none).
func (m Model) Source() Source { return m.src }

// Len is the number of visible rows.
func (m Model) Len() int { return len(m.rows) }

// Cursor is the visible row of the selection; Offset the first row shown.
func (m Model) Cursor() int { return m.win.Cursor }
func (m Model) Offset() int { return m.win.Offset }

// MatchCount is how many rows the filter matched.
func (m Model) MatchCount() int { return m.nmatch }

// Filtering reports whether a filter is set.
func (m Model) Filtering() bool { return m.filtering }

// SetSource shows src. The expanded folders and the selection carry over
// by GUID; the filter is cleared (set it again).
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
	m.src = src
	m.keep, m.fexp, m.filtering, m.nmatch = nil, nil, false, 0
	m.highlight = -1
	m.n = 0
	if src != nil {
		m.n = src.Len()
	}
	m.end = resize(m.end, m.n)
	m.parent = resize(m.parent, m.n)
	m.exp = make([]bool, m.n)
	// Subtree ends and parents from the depths.
	var stack []int32
	for i := 0; i < m.n; i++ {
		d := src.Depth(i)
		for len(stack) > 0 && src.Depth(int(stack[len(stack)-1])) >= d {
			m.end[stack[len(stack)-1]] = int32(i)
			stack = stack[:len(stack)-1]
		}
		m.parent[i] = -1
		if len(stack) > 0 {
			m.parent[i] = stack[len(stack)-1]
		}
		stack = append(stack, int32(i))
	}
	for _, s := range stack {
		m.end[s] = int32(m.n)
	}
	if m.n > 0 {
		m.exp[0] = true
		if first {
			for i := 1; i < m.n; i = int(m.end[i]) {
				m.exp[i] = true // the built-in roots, one level
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

func resize(s []int32, n int) []int32 {
	if cap(s) >= n {
		return s[:n]
	}
	return make([]int32, n)
}

// SetFilter shows only the rows for which match is true, with their
// ancestors, all expanded; nil clears the filter. The selection stays when
// it is kept, else moves to the first match.
func (m *Model) SetFilter(match func(i int) bool) {
	sel := m.Selected()
	if match == nil {
		if !m.filtering {
			return
		}
		m.keep, m.fexp, m.filtering, m.nmatch = nil, nil, false, 0
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
		for p := int32(i); p >= 0 && !keep[p]; p = m.parent[p] {
			keep[p] = true
		}
	}
	if m.n > 0 {
		keep[0] = true
	}
	m.keep, m.nmatch, m.filtering = keep, n, true
	m.fexp = make([]bool, m.n)
	copy(m.fexp, keep)
	m.rebuild()
	m.win.Cursor, m.win.Offset = 0, 0
	if sel == "" || !m.Select(sel) {
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

// SelectedIndex is the source row of the selection, or -1.
func (m Model) SelectedIndex() int {
	if m.win.Cursor < 0 || m.win.Cursor >= len(m.rows) {
		return -1
	}
	return int(m.rows[m.win.Cursor])
}

// Selected is the GUID of the selection, or "".
func (m Model) Selected() string {
	if i := m.SelectedIndex(); i >= 0 && m.src != nil {
		return m.src.GUID(i)
	}
	return ""
}

// SetHighlight marks the row of guid; "" or an unknown GUID clears it.
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

// IsExpanded reports whether the row of guid is expanded.
func (m Model) IsExpanded(guid string) bool {
	if m.src == nil {
		return false
	}
	i, ok := m.src.Index(guid)
	return ok && m.expanded()[i]
}

// Select moves the selection to guid (expanding its ancestors and
// scrolling it into view); it reports whether guid is shown.
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

// SelectIndex is Select by source row.
func (m *Model) SelectIndex(i int) bool {
	if i <= 0 || i >= m.n || (m.keep != nil && !m.keep[i]) {
		return false
	}
	r := m.rowOf(i)
	if r < 0 {
		exp := m.expanded()
		for p := m.parent[i]; p >= 0; p = m.parent[p] {
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

func (m *Model) rowOf(i int) int {
	r := sort.Search(len(m.rows), func(k int) bool { return int(m.rows[k]) >= i })
	if r < len(m.rows) && int(m.rows[r]) == i {
		return r
	}
	return -1
}

func (m *Model) expanded() []bool {
	if m.keep != nil {
		return m.fexp
	}
	return m.exp
}

func (m *Model) rebuild() {
	m.rows = m.rows[:0]
	exp := m.expanded()
	for i := 1; i < m.n; {
		if m.keep != nil && !m.keep[i] {
			i = int(m.end[i])
			continue
		}
		m.rows = append(m.rows, int32(i))
		if exp[i] {
			i++
		} else {
			i = int(m.end[i])
		}
	}
	if m.win.Cursor >= len(m.rows) {
		m.win.Cursor = max(len(m.rows)-1, 0)
	}
}

// hasKids reports whether row i has a visible child.
func (m *Model) hasKids(i int) bool {
	for j := i + 1; j < int(m.end[i]); j = int(m.end[j]) {
		if m.keep == nil || m.keep[j] {
			return true
		}
	}
	return false
}

// Update handles key presses when the pane is focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	km := m.KeyMap
	if r, ok := nav(&km).Target(kp, m.win, len(m.rows)); ok {
		m.MoveTo(r)
		m.updateKeys()
		return m, nil
	}
	switch {
	case key.Matches(kp, km.Expand):
		if !m.setOpen(true) {
			if i := m.SelectedIndex(); i >= 0 && m.expanded()[i] && m.hasKids(i) {
				m.MoveBy(1)
			}
		}
	case key.Matches(kp, km.Collapse):
		if !m.setOpen(false) {
			m.toParent()
		}
	case key.Matches(kp, km.Toggle):
		if !m.setOpen(false) {
			m.setOpen(true)
		}
	case key.Matches(kp, km.ExpandAll):
		m.expandAll()
	case key.Matches(kp, km.Parent):
		m.toParent()
	default:
		return m, nil
	}
	m.updateKeys()
	return m, nil
}

// HandleMouse handles a mouse event relative to the rows area: the wheel
// scrolls, a click selects (and toggles the selected folder).
func (m *Model) HandleMouse(msg tea.MouseMsg) bool {
	switch act, r := m.win.Mouse(msg, len(m.rows), true); act {
	case viewport.MouseWheel:
		return m.ScrollBy(r)
	case viewport.MouseClick:
		if r == m.win.Cursor {
			if !m.setOpen(false) {
				m.setOpen(true)
			}
		} else {
			m.win.Cursor = r
		}
		m.updateKeys()
		return true
	}
	return false
}

// ScrollBy scrolls the window, keeping the selection inside it.
func (m *Model) ScrollBy(delta int) bool {
	changed := m.win.ScrollBy(delta, len(m.rows))
	m.updateKeys()
	return changed
}

// MoveBy moves the selection by delta rows.
func (m *Model) MoveBy(delta int) { m.MoveTo(m.win.Cursor + delta) }

// MoveTo selects visible row r (clamped).
func (m *Model) MoveTo(r int) {
	if len(m.rows) == 0 {
		m.win.Cursor, m.win.Offset = 0, 0
		return
	}
	m.win.Cursor = min(max(r, 0), len(m.rows)-1)
	m.clampOffset()
	m.updateKeys()
}

func (m *Model) setOpen(open bool) bool {
	i := m.SelectedIndex()
	if i < 0 {
		return false
	}
	exp := m.expanded()
	if exp[i] == open || (open && !m.hasKids(i)) {
		return false
	}
	if !open && !m.hasKids(i) {
		return false
	}
	exp[i] = open
	m.rebuild()
	m.clampOffset()
	return true
}

func (m *Model) expandAll() {
	i := m.SelectedIndex()
	if i < 0 || !m.hasKids(i) {
		return
	}
	exp := m.expanded()
	for j := i; j < int(m.end[i]); j++ {
		exp[j] = true
	}
	m.rebuild()
}

func (m *Model) toParent() {
	i := m.SelectedIndex()
	if i < 0 || m.parent[i] <= 0 {
		return
	}
	if r := m.rowOf(int(m.parent[i])); r >= 0 {
		m.MoveTo(r)
	}
}

func (m *Model) clampOffset() { m.win.Clamp(len(m.rows)) }

// nav is the movement bindings of k.
func nav(k *treepane.KeyMap) viewport.Keys {
	return viewport.Keys{Up: &k.Up, Down: &k.Down, PageUp: &k.PageUp, PageDown: &k.PageDown,
		HalfPageUp: &k.HalfPageUp, HalfPageDown: &k.HalfPageDown, Top: &k.Top, Bottom: &k.Bottom}
}

func (m *Model) updateKeys() {
	km := &m.KeyMap
	nav(km).Enable(m.win.Cursor, len(m.rows))
	i := m.SelectedIndex()
	if i < 0 {
		for _, b := range []*key.Binding{&km.Expand, &km.Collapse, &km.Toggle, &km.ExpandAll, &km.Parent} {
			b.SetEnabled(false)
		}
		return
	}
	kids := m.hasKids(i)
	open := m.expanded()[i]
	km.Expand.SetEnabled(kids)
	km.Collapse.SetEnabled((kids && open) || m.parent[i] > 0)
	km.Toggle.SetEnabled(kids)
	km.ExpandAll.SetEnabled(kids)
	km.Parent.SetEnabled(m.parent[i] > 0)
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	return m.win.Render(len(m.rows), 16, m.renderRow, func() string {
		msg := m.empty
		if m.filtering {
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
	glyph := common.KindGlyph(*g, it.Kind, m.expanded()[i], it.Kind == tree.KindFolder && !kids)
	if it.Kind != tree.KindFolder && kids {
		glyph = common.KindGlyph(*g, tree.KindFolder, m.expanded()[i], false)
	}
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
	if i == m.highlight {
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
	if it.Kind == tree.KindFolder || kids {
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
