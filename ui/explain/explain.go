// Package explain is the merge screen's explain panel: why the selected
// item is where it is in the merged tree, what happens to each side's copy,
// and the merge's decisions about it in plain words.
package explain

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/ui/common"
)

// Line is one entry: a glyph and a text.
type Line struct {
	Glyph string
	Style lipgloss.Style // the glyph's style
	Text  string
}

// Section is a heading and its lines.
type Section struct {
	Heading string
	Lines   []Line
}

// Item is what the panel shows.
type Item struct {
	Title    string
	Subtitle string // kind, GUIDs
	Sections []Section
}

// Model is the panel.
type Model struct {
	common common.Common
	item   *Item
	lines  []string // rendered for the current width
	width  int
	height int
	scroll int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty panel.
func New(c common.Common) Model { return Model{common: c, width: 40, height: 8} }

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Update implements common.Component: the panel takes no keys (the parent
// scrolls it with the mouse wheel through ScrollBy).
func (m Model) Update(tea.Msg) (Model, tea.Cmd) { return m, nil }

// ShortHelp implements help.KeyMap: the panel has no keys.
func (m Model) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (m Model) FullHelp() [][]key.Binding { return nil }

// SetCommon sets the theme.
func (m *Model) SetCommon(c common.Common) { m.common = c; m.render() }

// SetSize sets the content size.
func (m *Model) SetSize(w, h int) {
	if w != m.width {
		m.width = max(w, 0)
		m.render()
	}
	m.height = max(h, 0)
	m.clamp()
}

// SetItem shows it (nil clears the panel) from the top.
func (m *Model) SetItem(it *Item) {
	m.item = it
	m.scroll = 0
	m.render()
}

// Item is the item shown, or nil.
func (m Model) Item() *Item { return m.item }

// Text is the panel's whole text without styles (for tests and logs).
func (m Model) Text() string { return ansi.Strip(strings.Join(m.lines, "\n")) }

// ScrollBy scrolls by delta lines.
func (m *Model) ScrollBy(delta int) { m.scroll += delta; m.clamp() }

func (m *Model) clamp() { m.scroll = min(max(m.scroll, 0), max(len(m.lines)-m.height, 0)) }

func (m *Model) render() {
	m.lines = m.lines[:0]
	if m.item == nil || m.width <= 0 || m.common.Theme == nil {
		return
	}
	st := &m.common.Theme.Styles
	w := m.width
	add := func(s string) { m.lines = append(m.lines, s) }
	add(st.Bold.Render(ansi.Truncate(common.SingleLine(m.item.Title), w, "…")))
	if m.item.Subtitle != "" {
		for _, l := range wrap(m.item.Subtitle, w) {
			add(st.Muted.Render(l))
		}
	}
	for _, s := range m.item.Sections {
		if len(s.Lines) == 0 {
			continue
		}
		add(st.Label.Render(ansi.Truncate(s.Heading, w, "…")))
		for _, l := range s.Lines {
			g := l.Glyph
			if g == "" {
				g = " "
			}
			for k, t := range wrap(common.SingleLine(l.Text), max(w-2, 1)) {
				if k == 0 {
					add(l.Style.Render(g) + " " + st.Text.Render(t))
				} else {
					add("  " + st.Text.Render(t))
				}
			}
		}
	}
	m.clamp()
}

// View renders height lines of width cells.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	var out []string
	if m.item == nil {
		out = append(out, m.common.Theme.Styles.Muted.Render(ansi.Truncate("Select an item to see why it is where it is.", m.width, "…")))
	} else {
		end := min(m.scroll+m.height, len(m.lines))
		out = append(out, m.lines[m.scroll:end]...)
	}
	for len(out) < m.height {
		out = append(out, "")
	}
	for i, l := range out {
		if d := m.width - ansi.StringWidth(l); d > 0 {
			out[i] = l + strings.Repeat(" ", d)
		}
	}
	return strings.Join(out, "\n")
}

func wrap(s string, w int) []string {
	lines := strings.Split(ansi.Wordwrap(s, w, " /"), "\n")
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, w, "…")
	}
	return lines
}
