package ui

import (
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
)

// View implements tea.Model.
func (s *FindScreen) View() tea.View {
	return s.view(s.content(), "bmtui find", s.profile)
}

// columns are the widths inside the two frames: the list and the details.
func (s *FindScreen) columns() (list, details int) {
	inner := max(s.width-4, 2)
	list = inner * 2 / 5
	return list, inner - list
}

// listRows is the number of matches the list shows at once.
func (s *FindScreen) listRows() int {
	return max(s.bodyHeight(), 1)
}

func (s *FindScreen) bodyHeight() int {
	head := 2 // title, query
	if len(s.notes) > 0 {
		head++
	}
	tail := 1 + s.helpHeight(findHelp{s})
	return max(s.height-head-tail-paneFrameRows, 1)
}

func (s *FindScreen) content() string {
	th := s.common.Theme
	st := &th.Styles
	title := "Find in every source"
	if s.ix != nil {
		items := 0
		for i := range s.ix.Sources() {
			items += s.ix.Items(i)
		}
		title += fmt.Sprintf(" · %d sources · %s items", len(s.ix.Sources()), thousands(items))
	}
	parts := []string{st.Bold.Render(ansi.Truncate(title, s.width, "…"))}
	if n := s.notesLine(s.notes); n != "" {
		parts = append(parts, n)
	}
	parts = append(parts, s.queryLine())
	h := s.bodyHeight()
	lw, dw := s.columns()
	switch {
	case s.loading:
		parts = append(parts, s.spin.View()+st.Accent.Render(" reading every source…"))
	case s.err != nil:
		parts = append(parts, st.Error.Render(ansi.Truncate("cannot search: "+s.err.Error(), s.width, "…")))
	default:
		list := drawBox(th, true, s.listTitle(), s.listView(lw, h), rect{w: lw, h: h})
		detTitle := "Details"
		m, ok := s.Selected()
		if ok {
			detTitle = m.GUID
		}
		det := drawBox(th, false, detTitle, fitLines(s.detailLines(m, ok, dw), dw, h), rect{w: dw, h: h})
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, list, det))
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui find", s.profile)
	return s.compose(parts, []string{s.statusEnd(&b)}, findHelp{s})
}

// queryLine is the input and, at its right, how many match.
func (s *FindScreen) queryLine() string {
	st := &s.common.Theme.Styles
	count := ""
	switch {
	case s.ix == nil:
	case search.Parse(s.query).Empty():
	case s.total == 0:
		count = st.FilterNoResult.Render(" no match")
	case s.total > len(s.guids):
		count = st.Muted.Render(fmt.Sprintf(" first %s of %s match", thousands(len(s.guids)), thousands(s.total)))
	default:
		count = st.Muted.Render(fmt.Sprintf(" %s match", thousands(s.total)))
	}
	s.sizeFilter(ansi.Strip(count))
	return ansi.Truncate(s.filter.View()+count, s.width, "…")
}

func (s *FindScreen) listTitle() string {
	if len(s.guids) == 0 {
		return "Matches"
	}
	return fmt.Sprintf("Matches · %d/%d", s.cursor+1, len(s.guids))
}

// listView draws the visible window of matches: kind, title, and where
// the item stands (here, deleted, only in older copies).
func (s *FindScreen) listView(w, h int) string {
	th := s.common.Theme
	st, g := &th.Styles, &th.Glyphs
	if len(s.guids) == 0 {
		hint := "type to search titles, URLs, hosts and GUIDs"
		if !search.Parse(s.query).Empty() {
			hint = "nothing matches"
		}
		return st.Muted.Render(ansi.Truncate(hint, w, "…"))
	}
	if s.cursor >= s.offset+h {
		s.offset = s.cursor - h + 1
	}
	var lines []string
	for i := s.offset; i < len(s.guids) && i < s.offset+h; i++ {
		m, _ := s.ix.Summarize(s.guids[i])
		cursor := "  "
		if i == s.cursor {
			cursor = g.Cursor + " "
		}
		mark, markStyle := "", st.Muted
		switch {
		case m.Now:
		case m.Deleted:
			mark, markStyle = g.Tombstone+" deleted", st.Deleted
		default:
			mark = g.Tombstone + " not here"
		}
		title := m.Title
		if title == "" {
			title = s.guids[i]
		}
		right := ""
		if mark != "" {
			right = " " + markStyle.Render(mark)
		}
		right += st.Muted.Render(fmt.Sprintf(" in %d", m.Seen))
		left := cursor + kindGlyph(g, m.Kind) + " "
		room := max(w-ansi.StringWidth(left)-ansi.StringWidth(right), 1)
		line := left + ansi.Truncate(title, room, "…")
		line += strings.Repeat(" ", max(w-ansi.StringWidth(line)-ansi.StringWidth(right), 0)) + right
		if i == s.cursor {
			line = st.Selected.Render(ansi.Strip(line))
		}
		lines = append(lines, ansi.Truncate(line, w, ""))
	}
	return strings.Join(lines, "\n")
}

// detailLines say what every source has of the selected match.
func (s *FindScreen) detailLines(m search.Match, ok bool, w int) []string {
	th := s.common.Theme
	st, g := &th.Styles, &th.Glyphs
	if !ok {
		return nil
	}
	label := func(name string) string { return st.Label.Render(fmt.Sprintf("%-8s", name)) }
	title := m.Title
	if title == "" {
		title = "(no title)"
	}
	out := []string{label("Title") + title}
	if m.URL != "" {
		out = append(out, label("URL")+m.URL)
	}
	switch {
	case m.Now != nil:
		out = append(out, label("Now")+st.Success.Render(m.Now.Path))
	case s.ix.HasPlaces():
		out = append(out, label("Now")+st.Muted.Render("not in Places"))
	}
	if m.Deleted != nil {
		out = append(out, label("Deleted")+st.Deleted.Render(g.Tombstone+" "+findTime(m.Deleted.Time)+" ("+m.Deleted.By+")"))
	}
	switch {
	case !m.HasMirror:
	case m.OnServer:
		out = append(out, label("Server")+"has it")
	default:
		out = append(out, label("Server")+st.Muted.Render("does not have it"))
	}
	out = append(out, "", st.Label.Render(fmt.Sprintf("Seen in %d of %d sources", len(m.Seen), len(s.ix.Sources()))))
	idw := 0
	for _, sg := range m.Seen {
		idw = max(idw, ansi.StringWidth(sg.Source))
	}
	for _, sg := range m.Seen {
		line := fmt.Sprintf("%-*s %s  %s", idw, sg.Source, sg.Time.UTC().Format("2006-01-02"), sg.Path)
		if sg.Title != m.Title && sg.Title != "" {
			line += st.Muted.Render(" · “" + sg.Title + "”")
		}
		out = append(out, ansi.Truncate(line, w, "…"))
	}
	return out
}

// findTime is how the screen shows a time: to the minute, UTC.
func findTime(t time.Time) string {
	if t.IsZero() {
		return "time unknown"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func kindGlyph(g *themes.Glyphs, k tree.Kind) string { return common.KindGlyph(*g, k, false, false) }
