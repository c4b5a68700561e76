// Package problems is the windowed list of every finding of both sides;
// enter asks the parent to jump to the item.
package problems

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
)

// Entry is one row: a finding and the title of its item ("" when the item
// is not in the tree).
type Entry struct {
	Finding check.Finding
	Title   string
	InTree  bool
}

// Entries lists the findings of reports with titles looked up in the tree of
// their side (local or remote; either may be nil).
func Entries(local, remote *tree.Tree, reports ...check.Report) []Entry {
	var out []Entry
	for _, r := range reports {
		for _, f := range r.Findings {
			side := f.Side
			if side == 0 {
				side = r.Side
				f.Side = side
			}
			t := local
			if side == check.Remote {
				t = remote
			}
			e := Entry{Finding: f}
			if t != nil {
				if n := t.Lookup(f.GUID); n != nil {
					e.InTree = true
					e.Title = common.Title(&n.Item)
					if e.Title == "" {
						e.Title = common.URL(&n.Item)
					}
				}
			}
			out = append(out, e)
		}
	}
	return out
}

// JumpMsg asks the parent to select GUID in the pane of Side.
type JumpMsg struct {
	Side check.Side
	GUID string
}

// KeyMap are the list's bindings.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Jump     key.Binding
}

// DefaultKeyMap returns vim-style and arrow bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		Jump:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to item")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Jump} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Jump}}
}

// Model is the problems list.
type Model struct {
	KeyMap KeyMap

	common  common.Common
	entries []Entry
	cursor  int
	offset  int
	width   int
	height  int
	focused bool
}

// New returns a list of entries.
func New(c common.Common, entries []Entry) Model {
	m := Model{KeyMap: DefaultKeyMap(), common: c, entries: entries, width: 60, height: 8}
	m.updateKeys()
	return m
}

// SetCommon sets the theme and clock.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetTheme sets the theme.
func (m *Model) SetTheme(th *themes.Theme) { m.common.Theme = th }

// SetSize sets the content size.
func (m *Model) SetSize(w, h int) {
	m.width, m.height = max(w, 0), max(h, 0)
	m.scrollIntoView()
}

// SetFocused says whether the list has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Len is the number of entries.
func (m Model) Len() int { return len(m.entries) }

// Cursor is the selected entry's index.
func (m Model) Cursor() int { return m.cursor }

// Selected returns the selected entry.
func (m Model) Selected() (Entry, bool) {
	if m.cursor < 0 || m.cursor >= len(m.entries) {
		return Entry{}, false
	}
	return m.entries[m.cursor], true
}

// MoveTo selects entry i (clamped).
func (m *Model) MoveTo(i int) {
	m.cursor = min(max(i, 0), max(len(m.entries)-1, 0))
	m.scrollIntoView()
	m.updateKeys()
}

func (m *Model) scrollIntoView() {
	if m.cursor < m.offset {
		m.offset = m.cursor
	} else if m.height > 0 && m.cursor >= m.offset+m.height {
		m.offset = m.cursor - m.height + 1
	}
	m.offset = min(max(m.offset, 0), max(len(m.entries)-m.height, 0))
}

func (m *Model) updateKeys() {
	k := &m.KeyMap
	n := len(m.entries)
	for _, b := range []*key.Binding{&k.Up, &k.PageUp, &k.Top} {
		b.SetEnabled(m.cursor > 0)
	}
	for _, b := range []*key.Binding{&k.Down, &k.PageDown, &k.Bottom} {
		b.SetEnabled(m.cursor < n-1)
	}
	e, ok := m.Selected()
	k.Jump.SetEnabled(ok && e.InTree)
}

// jump returns the command asking to go to the selected entry's item.
func (m Model) jump() tea.Cmd {
	e, ok := m.Selected()
	if !ok || !e.InTree {
		return nil
	}
	msg := JumpMsg{Side: e.Finding.Side, GUID: e.Finding.GUID}
	return func() tea.Msg { return msg }
}

// Update handles keys when focused.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	kp, ok := msg.(tea.KeyPressMsg)
	if !ok || !m.focused {
		return m, nil
	}
	k := m.KeyMap
	switch {
	case key.Matches(kp, k.Up):
		m.MoveTo(m.cursor - 1)
	case key.Matches(kp, k.Down):
		m.MoveTo(m.cursor + 1)
	case key.Matches(kp, k.PageUp):
		m.MoveTo(m.cursor - max(m.height, 1))
	case key.Matches(kp, k.PageDown):
		m.MoveTo(m.cursor + max(m.height, 1))
	case key.Matches(kp, k.Top):
		m.MoveTo(0)
	case key.Matches(kp, k.Bottom):
		m.MoveTo(len(m.entries) - 1)
	case key.Matches(kp, k.Jump):
		return m, m.jump()
	}
	return m, nil
}

// HandleMouse handles a mouse event relative to the list's top-left cell:
// wheel scrolls, a click selects, a click on the selected entry jumps.
func (m *Model) HandleMouse(msg tea.MouseMsg) tea.Cmd {
	ev := msg.Mouse()
	switch msg.(type) {
	case tea.MouseWheelMsg:
		switch ev.Button {
		case tea.MouseWheelUp:
			m.MoveTo(m.cursor - 3)
		case tea.MouseWheelDown:
			m.MoveTo(m.cursor + 3)
		}
	case tea.MouseClickMsg:
		if ev.Button != tea.MouseLeft || ev.Y < 0 || ev.Y >= m.height {
			return nil
		}
		i := m.offset + ev.Y
		if i >= len(m.entries) {
			return nil
		}
		if i == m.cursor {
			return m.jump()
		}
		m.MoveTo(i)
	}
	return nil
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	lines := make([]string, 0, m.height)
	if len(m.entries) == 0 {
		lines = append(lines, pad(st.Success.Render(ansi.Truncate("  No problems found on either side.", m.width, "…")), m.width))
	}
	for i := m.offset; i < len(m.entries) && len(lines) < m.height; i++ {
		e := m.entries[i]
		f := e.Finding
		sideGlyph, sideStyle := g.Local, st.Local
		if f.Side == check.Remote {
			sideGlyph, sideStyle = g.Remote, st.Remote
		}
		cur := " "
		if i == m.cursor {
			cur = g.Cursor
		}
		kindGlyph := g.Problem
		switch f.Kind {
		case check.DeletedChild, check.DeletedParent:
			kindGlyph = g.Tombstone
		case check.InvalidItem, check.InvalidGUID:
			kindGlyph = g.Invalid
		}
		what := f.GUID
		if e.Title != "" {
			what = common.SingleLine(e.Title) + " (" + f.GUID + ")"
		} else if !e.InTree {
			what = f.GUID + " (not in tree)"
		}
		detail := common.SingleLine(f.Detail)
		plain := fmt.Sprintf("%s%s %-6s %s %-24s %s", cur, sideGlyph, f.Side, kindGlyph, string(f.Kind), what)
		if detail != "" {
			plain += " — " + detail
		}
		if i == m.cursor {
			line := pad(ansi.Truncate(plain, m.width, "…"), m.width)
			if m.focused {
				lines = append(lines, st.Selected.Render(line))
			} else {
				lines = append(lines, st.SelectedBlur.Render(line))
			}
			continue
		}
		var b strings.Builder
		b.WriteString(cur)
		b.WriteString(sideStyle.Render(fmt.Sprintf("%s %-6s", sideGlyph, f.Side)))
		b.WriteByte(' ')
		b.WriteString(st.Error.Render(fmt.Sprintf("%s %-24s", kindGlyph, string(f.Kind))))
		b.WriteByte(' ')
		b.WriteString(st.Text.Render(what))
		if detail != "" {
			b.WriteString(st.Muted.Render(" — " + detail))
		}
		lines = append(lines, pad(ansi.Truncate(b.String(), m.width, "…"), m.width))
	}
	blank := strings.Repeat(" ", m.width)
	for len(lines) < m.height {
		lines = append(lines, blank)
	}
	return strings.Join(lines, "\n")
}

func pad(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}
