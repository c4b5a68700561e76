// Package problems is the windowed list of every finding of both sides;
// enter asks the parent to jump to the item.
package problems

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/internal/viewport"
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
			if side == tree.Remote {
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
	Side tree.Side
	GUID string
}

// Model is the problems list.
type Model struct {
	KeyMap KeyMap

	common  common.Common
	entries []Entry
	win     viewport.Window
	focused bool
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty list; SetEntries fills it.
func New(c common.Common) Model {
	m := Model{KeyMap: DefaultKeyMap(), common: c, win: viewport.Window{Width: 60, Height: 8}}
	m.updateKeys()
	return m
}

// SetEntries replaces the list and selects its first entry.
func (m *Model) SetEntries(entries []Entry) {
	m.entries = entries
	m.win.Cursor, m.win.Offset = 0, 0
	m.updateKeys()
}

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// ShortHelp implements help.KeyMap.
func (m Model) ShortHelp() []key.Binding { return m.KeyMap.ShortHelp() }

// FullHelp implements help.KeyMap.
func (m Model) FullHelp() [][]key.Binding { return m.KeyMap.FullHelp() }

// SetCommon sets the theme and clock.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetSize sets the content size.
func (m *Model) SetSize(w, h int) {
	m.win.SetSize(w, h)
	m.win.Reveal(len(m.entries))
}

// SetFocused says whether the list has the keyboard.
func (m *Model) SetFocused(f bool) { m.focused = f }

// Len is the number of entries.
func (m Model) Len() int { return len(m.entries) }

// Cursor is the selected entry's index.
func (m Model) Cursor() int { return m.win.Cursor }

// Selected returns the selected entry.
func (m Model) Selected() (Entry, bool) {
	if m.win.Cursor < 0 || m.win.Cursor >= len(m.entries) {
		return Entry{}, false
	}
	return m.entries[m.win.Cursor], true
}

// MoveTo selects entry i (clamped).
func (m *Model) MoveTo(i int) {
	m.win.MoveTo(i, len(m.entries))
	m.updateKeys()
}

func (m *Model) updateKeys() {
	k := &m.KeyMap
	k.nav().Enable(m.win.Cursor, len(m.entries))
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
	if i, ok := k.nav().Target(kp, m.win, len(m.entries)); ok {
		m.MoveTo(i)
	} else if key.Matches(kp, k.Jump) {
		return m, m.jump()
	}
	return m, nil
}

// HandleMouse handles a mouse event relative to the list's top-left cell:
// wheel scrolls, a click selects, a click on the selected entry jumps.
func (m *Model) HandleMouse(msg tea.MouseMsg) tea.Cmd {
	switch act, i := m.win.Mouse(msg, len(m.entries), false); act {
	case viewport.MouseWheel:
		m.MoveTo(m.win.Cursor + i)
	case viewport.MouseClick:
		if i == m.win.Cursor {
			return m.jump()
		}
		m.MoveTo(i)
	}
	return nil
}

// View renders exactly height lines of width cells.
func (m Model) View() string {
	if m.win.Width <= 0 || m.win.Height <= 0 {
		return ""
	}
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	lines := make([]string, 0, m.win.Height)
	if len(m.entries) == 0 {
		lines = append(lines, viewport.Note(st.Success, "No problems found on either side.", m.win.Width))
	}
	for i := m.win.Offset; i < len(m.entries) && len(lines) < m.win.Height; i++ {
		e := m.entries[i]
		f := e.Finding
		sideGlyph, sideStyle := g.Local, st.Local
		if f.Side == tree.Remote {
			sideGlyph, sideStyle = g.Remote, st.Remote
		}
		cur := " "
		if i == m.win.Cursor {
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
		if f.GUID == "" {
			what = e.Title // a finding about a file, not an item
		} else if e.Title != "" {
			what = common.SingleLine(e.Title) + " (" + f.GUID + ")"
		} else if !e.InTree {
			what = f.GUID + " (not in tree)"
		}
		detail := common.SingleLine(f.Detail)
		plain := fmt.Sprintf("%s%s %-6s %s %-24s %s", cur, sideGlyph, f.Side, kindGlyph, string(f.Kind), what)
		if detail != "" {
			plain += " — " + detail
		}
		if i == m.win.Cursor {
			lines = append(lines, viewport.Selected(st, m.focused, plain, m.win.Width))
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
		lines = append(lines, viewport.Fit(b.String(), m.win.Width))
	}
	blank := strings.Repeat(" ", m.win.Width)
	for len(lines) < m.win.Height {
		lines = append(lines, blank)
	}
	return strings.Join(lines, "\n")
}
