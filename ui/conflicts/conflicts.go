// Package conflicts is the merge screen's conflicts panel: every decision
// the merge made between alternatives, one line each, the selected one
// opened with why it went that way and its alternatives numbered for the
// keys that choose them.
package conflicts

import (
	"fmt"
	"strconv"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/ui/common"
)

// MaxAlternatives is how many alternatives get a number key.
const MaxAlternatives = 9

// Model is the panel.
type Model struct {
	KeyMap KeyMap

	common   common.Common
	list     []mergeview.Conflict
	cursor   int
	width    int
	height   int
	focused  bool
	readOnly bool
	pending  string // the conflict whose choice is being merged
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty panel.
func New(c common.Common) Model {
	m := Model{KeyMap: DefaultKeyMap(), common: c, width: 40, height: 8}
	m.updateKeys()
	return m
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// ShortHelp implements help.KeyMap.
func (m Model) ShortHelp() []key.Binding { return m.KeyMap.ShortHelp() }

// FullHelp implements help.KeyMap.
func (m Model) FullHelp() [][]key.Binding { return m.KeyMap.FullHelp() }

// SetCommon sets the theme.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetSize sets the content size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0) }

// SetFocused says whether the panel has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// SetReadOnly hides the number keys.
func (m *Model) SetReadOnly(ro bool) { m.readOnly = ro }

// SetPending names the conflict whose choice is being merged ("" none).
func (m *Model) SetPending(id string) { m.pending = id }

// SetConflicts replaces the list, keeping the selection by ID.
func (m *Model) SetConflicts(list []mergeview.Conflict) {
	id := ""
	if c := m.Selected(); c != nil {
		id = c.ID
	}
	m.list = list
	m.cursor = min(m.cursor, max(len(list)-1, 0))
	if id != "" {
		m.SelectID(id)
	}
	m.updateKeys()
}

// Len is the number of conflicts.
func (m Model) Len() int { return len(m.list) }

// Cursor is the index of the selected conflict.
func (m Model) Cursor() int { return m.cursor }

// Selected is the selected conflict, or nil.
func (m Model) Selected() *mergeview.Conflict {
	if m.cursor < 0 || m.cursor >= len(m.list) {
		return nil
	}
	return &m.list[m.cursor]
}

// Select selects conflict i (clamped).
func (m *Model) Select(i int) {
	if len(m.list) == 0 {
		m.cursor = 0
		return
	}
	m.cursor = min(max(i, 0), len(m.list)-1)
	m.updateKeys()
}

// SelectID selects the conflict with this ID; it reports whether it is
// listed.
func (m *Model) SelectID(id string) bool {
	for i := range m.list {
		if m.list[i].ID == id {
			m.Select(i)
			return true
		}
	}
	return false
}

func (m *Model) updateKeys() {
	m.KeyMap.Up.SetEnabled(m.cursor > 0)
	m.KeyMap.Down.SetEnabled(m.cursor < len(m.list)-1)
}

// SelectedMsg reports that the user moved the selection to the conflict
// ID (the parent shows its item).
type SelectedMsg struct{ ID string }

// Update moves the selection when the panel is focused and reports the
// new selection with a SelectedMsg.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	before := m.cursor
	switch {
	case key.Matches(kp, m.KeyMap.Up):
		m.Select(m.cursor - 1)
	case key.Matches(kp, m.KeyMap.Down):
		m.Select(m.cursor + 1)
	}
	if c := m.Selected(); c != nil && m.cursor != before {
		sel := SelectedMsg{ID: c.ID}
		return m, func() tea.Msg { return sel }
	}
	return m, nil
}

// Glyph is the mark of a conflict in the list: open, decided or for
// information only.
func Glyph(c *mergeview.Conflict, cm common.Common) (string, lipgloss.Style) {
	th := cm.Theme
	switch {
	case c.Decided:
		return th.Glyphs.Decided, th.Styles.Decided
	case !c.Choosable:
		return th.Glyphs.InfoOnly, th.Styles.Muted
	}
	return th.Glyphs.Conflict, th.Styles.Conflict
}

// block is the selected conflict's lines: its line, why, its alternatives.
func (m Model) block(c *mergeview.Conflict) []string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	w := m.width
	var out []string
	out = append(out, m.line(m.cursor, true))
	for _, l := range wrap("why: "+c.Reason, w-4, 3) {
		out = append(out, "    "+st.Muted.Render(l))
	}
	for k, a := range c.Alternatives {
		num := "   "
		if c.Choosable && !m.readOnly && k < MaxAlternatives && !c.Gone {
			num = "[" + strconv.Itoa(k+1) + "]"
		}
		var tags []string
		if a.ID == c.Current {
			tags = append(tags, g.Current+" in effect")
		}
		if a.ID == c.Default {
			tags = append(tags, "default")
		}
		label := a.Label
		if label == "" {
			label = a.ID
		}
		line := "  " + st.Accent.Render(num) + " " + label
		if len(tags) > 0 {
			s := st.Muted
			if a.ID == c.Current {
				s = st.Success
			}
			line += " " + s.Render("("+strings.Join(tags, ", ")+")")
		}
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	if !c.Choosable {
		out = append(out, "      "+st.Muted.Render("(for information: the merge offers no other choice here)"))
	}
	if c.ID == m.pending {
		out = append(out, "      "+st.Warning.Render("merging your choice…"))
	}
	return out
}

func (m Model) line(i int, selected bool) string {
	c := &m.list[i]
	glyph, gs := Glyph(c, m.common)
	st := &m.common.Theme.Styles
	title := common.SingleLine(c.Title)
	if title == "" {
		title = c.GUID
	}
	text := fmt.Sprintf("%-9s %s", c.Kind.String(), title)
	if c.Gone {
		text += " (no longer arises)"
	}
	if selected {
		s := st.SelectedBlur
		if m.focused {
			s = st.Selected
		}
		return s.Render(pad(ansi.Truncate(glyph+" "+text, m.width, "…"), m.width))
	}
	return ansi.Truncate(gs.Render(glyph)+" "+st.Text.Render(text), m.width, "…")
}

// View renders height lines of width cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	st := &m.common.Theme.Styles
	var lines []string
	if len(m.list) == 0 {
		lines = append(lines, st.Success.Render(ansi.Truncate("  No conflicts: every item merges one way only.", m.width, "…")))
	} else {
		blk := m.block(&m.list[m.cursor])
		if len(blk) > m.height {
			blk = blk[:m.height]
		}
		rest := m.height - len(blk)
		// Rows before the selection: up to half of what is left, more when
		// the list ends soon after it.
		after := len(m.list) - 1 - m.cursor
		before := min(m.cursor, max(rest/2, rest-after))
		for i := m.cursor - before; i < m.cursor; i++ {
			lines = append(lines, m.line(i, false))
		}
		lines = append(lines, blk...)
		for i := m.cursor + 1; i < len(m.list) && len(lines) < m.height; i++ {
			lines = append(lines, m.line(i, false))
		}
	}
	for len(lines) < m.height {
		lines = append(lines, "")
	}
	for i, l := range lines {
		lines[i] = pad(l, m.width)
	}
	return strings.Join(lines, "\n")
}

// wrap breaks s into lines of at most w cells, at most n lines (the last
// one cut with an ellipsis).
func wrap(s string, w, n int) []string {
	if w <= 0 {
		return nil
	}
	lines := strings.Split(ansi.Wordwrap(s, w, " "), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…") // words longer than w
	}
	if len(lines) > n {
		lines = lines[:n]
		lines[n-1] = ansi.Truncate(lines[n-1]+" …", w, "…")
	}
	return lines
}

func pad(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
