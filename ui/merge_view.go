package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/ui/treepane"
)

// The merge screen's layout and drawing.

func (m *MergeScreen) handleMouse(msg tea.MouseMsg) {
	translated, click, ok := mouseIn(msg)
	if !ok {
		return
	}
	ev := msg.Mouse()
	for _, p := range []struct {
		r    rect
		f    mergeFocus
		pane *treepane.Model
	}{{m.localRect, focusMLocal, &m.local}, {m.mergedRect, focusMerged, &m.merged}, {m.remoteRect, focusMRemote, &m.remote}} {
		if p.r.contains(ev.X, ev.Y) {
			if click {
				m.setFocus(p.f)
			}
			if p.pane.HandleMouse(translated(p.r)) {
				m.follow(p.f)
			}
			return
		}
	}
	if m.explainRect.contains(ev.X, ev.Y) {
		if d := wheelLines(msg); d != 0 {
			m.why.ScrollBy(d)
		}
	}
}

// layout computes the rectangles and sizes the components.
func (m *MergeScreen) layout() {
	if m.width <= 0 || m.height <= 0 {
		return
	}
	notes := 0
	if len(m.in.Notes) > 0 {
		notes = 1
	}
	filter := 0
	if m.mode == modeFilter || m.query != "" {
		filter = 1
	}
	helpH := m.helpHeight(mergeHelpKeys{m})
	top := notes + 1 // the summary bar
	main := max(m.height-top-filter-1-helpH, 0)
	bottom, paneH, rows := splitMain(main, min(max(main*2/5, 8), 16))
	w1 := m.width / 3
	w3 := m.width / 3
	w2 := m.width - w1 - w3
	m.localRect = rect{1, top + 1, max(w1-2, 0), rows}
	m.mergedRect = rect{w1 + 1, top + 1, max(w2-2, 0), rows}
	m.remoteRect = rect{w1 + w2 + 1, top + 1, max(w3-2, 0), rows}
	m.local.SetSize(m.localRect.w, rows)
	m.merged.SetSize(m.mergedRect.w, rows)
	m.remote.SetSize(m.remoteRect.w, rows)
	by := top + paneH + 1
	bh := max(bottom-paneFrameRows, 0)
	if bottom == 0 {
		m.bottomLeftRect, m.explainRect = rect{}, rect{}
	} else {
		lw := m.width * 11 / 20
		if m.width < 90 {
			lw = m.width // too narrow: the explain panel gives way
		}
		m.bottomLeftRect = rect{1, by, max(lw-2, 0), bh}
		m.explainRect = rect{}
		if lw < m.width {
			m.explainRect = rect{lw + 1, by, max(m.width-lw-2, 0), bh}
		}
	}
	m.conflicts.SetSize(m.bottomLeftRect.w, m.bottomLeftRect.h)
	m.why.SetSize(m.explainRect.w, m.explainRect.h)
	m.updateKeys()
}

// View renders the screen.
func (m *MergeScreen) View() tea.View {
	return m.view(m.render(), "bmtui merge", m.in.ProfileName)
}

func (m *MergeScreen) render() string {
	if m.width <= 0 || m.height <= 0 {
		return "Loading…"
	}
	th := m.common.Theme
	st := &th.Styles
	var parts []string
	if n := m.notesLine(m.in.Notes); n != "" {
		parts = append(parts, n)
	}
	parts = append(parts, m.summaryBar())
	left := drawBox(th, m.focus == focusMLocal, m.paneTitle(focusMLocal), m.local.View(), m.localRect)
	mid := drawBox(th, m.focus == focusMerged, m.paneTitle(focusMerged), m.merged.View(), m.mergedRect)
	right := drawBox(th, m.focus == focusMRemote, m.paneTitle(focusMRemote), m.remote.View(), m.remoteRect)
	parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, mid, right))
	if m.bottomLeftRect.w > 0 {
		var bottom []string
		switch m.mode {
		case modeConfirm:
			r := m.bottomLeftRect
			r.w = m.width - 2
			bottom = append(bottom, drawFrame(st.Dialog, m.confirm.title(), m.confirm.view(th, m.run.st.view.Summary(), r.w, r.h), r))
		case modeStep:
			bottom = append(bottom, drawBox(th, false, m.steps.title(m.run.st), m.steps.view(th, m.run.st, m.bottomLeftRect), m.bottomLeftRect))
		default:
			bottom = append(bottom, drawBox(th, m.focus == focusConflicts, m.conflictsTitle(), m.conflicts.View(), m.bottomLeftRect))
		}
		if m.explainRect.w > 0 && m.mode != modeConfirm {
			bottom = append(bottom, drawBox(th, false, "Why", m.why.View(), m.explainRect))
		}
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, bottom...))
	}
	var tail []string
	if m.mode == modeFilter || m.query != "" {
		suffix := ""
		if m.query != "" {
			suffix = fmt.Sprintf("  %d local, %d merged, %d remote matches", m.local.MatchCount(), m.merged.MatchCount(), m.remote.MatchCount())
		}
		m.sizeFilter(suffix)
		line := m.filter.View()
		if m.mode != modeFilter {
			line = st.FilterPrompt.Render("/ ") + st.FilterText.Render(m.query)
		}
		tail = append(tail, ansi.Truncate(line+st.Muted.Render(suffix), m.width, "…"))
	}
	tail = append(tail, m.statusLine())
	return m.compose(parts, tail, mergeHelpKeys{m})
}

func (m *MergeScreen) paneTitle(f mergeFocus) string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	count := func(p *treepane.Model) string {
		if p.Filtering() {
			return st.Muted.Render(fmt.Sprintf(" · %s shown", thousands(p.MatchCount())))
		}
		return ""
	}
	switch f {
	case focusMLocal:
		return st.Local.Render(g.Local+" Local") + count(&m.local)
	case focusMRemote:
		return st.Remote.Render(g.Remote+" Remote") + count(&m.remote)
	}
	s := st.Accent.Render("Merged")
	if m.run.st != nil {
		s += st.Muted.Render(fmt.Sprintf(" · %s items", thousands(m.run.st.view.Summary().Items)))
	}
	if m.changedOnly {
		s += st.Warning.Render(" · changed only")
	}
	return s + count(&m.merged)
}

func (m *MergeScreen) conflictsTitle() string {
	st := &m.common.Theme.Styles
	n := m.conflicts.Len()
	if n == 0 {
		return "Conflicts"
	}
	return fmt.Sprintf("Conflicts · %d of %d", m.conflicts.Cursor()+1, n) + st.Muted.Render("")
}

// summaryBar says what the merge will do.
func (m *MergeScreen) summaryBar() string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	var b strings.Builder
	b.WriteString(m.run.view(st.Accent.Render))
	if m.run.st == nil {
		if m.run.err != nil {
			b.WriteString(st.Error.Render(g.Problem + " merge failed: " + m.run.err.Error()))
		}
		return ansi.Truncate(b.String(), m.width, "…")
	}
	s := m.run.st.view.Summary()
	sep := st.Muted.Render(" · ")
	items := []string{
		st.Remote.Render(g.Download) + fmt.Sprintf(" %d applied locally", s.AppliedLocally),
		st.Local.Render(g.Upload) + fmt.Sprintf(" %d uploaded", s.Uploaded),
		st.Deleted.Render(g.Deleted) + fmt.Sprintf(" %d deleted here, %d on the server", s.DeletedLocally, s.DeletedRemotely),
	}
	if s.Dupes > 0 {
		items = append(items, st.Modified.Render(g.Deduped)+fmt.Sprintf(" %d deduped", s.Dupes))
	}
	items = append(items,
		st.Conflict.Render(g.Conflict)+fmt.Sprintf(" %d open", s.ConflictsOpen),
		st.Decided.Render(g.Decided)+fmt.Sprintf(" %d decided", s.ConflictsDecided))
	if s.Unchoosable > 0 {
		items = append(items, st.Muted.Render(g.InfoOnly+fmt.Sprintf(" %d info", s.Unchoosable)))
	}
	b.WriteString(strings.Join(items, sep))
	return ansi.Truncate(b.String(), m.width, "…")
}

func (m *MergeScreen) statusLine() string {
	th := m.common.Theme
	st := &th.Styles
	var b strings.Builder
	m.statusBar(&b, "bmtui merge", m.in.ProfileName)
	if m.opts.ReadOnly {
		m.statusItem(&b, st.Warning.Render("read-only"))
	}
	if m.mode == modeStep {
		m.statusItem(&b, st.Accent.Render("stepping"))
	}
	if a := m.applying; a.By != "" {
		if a.Self {
			m.statusItem(&b, st.Accent.Render("applying…"))
		} else {
			m.statusItem(&b, st.Warning.Render(th.Glyphs.Problem+" "+a.By+" is applying"))
		}
	}
	return m.statusEnd(&b)
}
