package ui

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/diff"
	"github.com/bmtui/bmtui/sync/tree"
)

// The timeline panel of compare mode (T): every source of the profile by
// time, with what changed from the one before; enter shows a step (the
// source before it left, it right) in the panes.

// timelinePanel is the panel's state.
type timelinePanel struct {
	open, loading bool
	err           string
	sources       []source.Entry   // the sources read, as they were listed then
	results       []*source.Result // aligned with sources
	steps         map[string]diff.Step
	prev          map[string]int // the index of the source each step starts from
	order         []int          // the sources by the time they describe, once read
	cursor        int            // a position in order
}

// timelineLoadedMsg carries every source, read.
type timelineLoadedMsg struct {
	results []*source.Result
	err     error
}

func newTimelineKey() key.Binding {
	return key.NewBinding(key.WithKeys("T"), key.WithHelp("T", "timeline"))
}

// openTimeline opens the panel, reading every source the first time.
func (e *Explorer) openTimeline() tea.Cmd {
	c := e.in.Compare
	e.tl.open = true
	e.pick.open = false
	if e.tl.results != nil || e.tl.loading || c.LoadAll == nil {
		return nil
	}
	e.tl.loading = true
	loadAll, srcs := c.LoadAll, c.Sources
	e.tl.sources = srcs
	return func() tea.Msg {
		rs, err := loadAll(srcs)
		return timelineLoadedMsg{results: rs, err: err}
	}
}

// timelineLoaded computes the steps of the sources that read.
func (e *Explorer) timelineLoaded(msg timelineLoadedMsg) {
	e.tl.loading = false
	if msg.results == nil {
		e.tl.err = "no source could be read"
		if msg.err != nil {
			e.tl.err = oneLineText(msg.err.Error())
		}
		return
	}
	e.tl.results = msg.results
	srcs := e.tl.sources
	// The order of the times the sources describe, known now that they
	// are read (the mirror's last sync, not its file's time).
	at := func(i int) time.Time {
		if r := msg.results[i]; r != nil && !r.Provenance.At.IsZero() {
			return r.Provenance.At
		}
		return srcs[i].Time
	}
	e.tl.order = make([]int, len(srcs))
	for i := range e.tl.order {
		e.tl.order[i] = i
	}
	sort.SliceStable(e.tl.order, func(a, b int) bool { return at(e.tl.order[a]).Before(at(e.tl.order[b])) })
	points := make([]diff.Point, len(srcs))
	for k, i := range e.tl.order {
		points[k] = diff.Point{ID: srcs[i].ID, Time: at(i)}
		if msg.results[i] != nil {
			points[k].Tree = msg.results[i].Tree
		}
	}
	e.tl.steps, e.tl.prev = map[string]diff.Step{}, map[string]int{}
	for _, st := range diff.Timeline(points, 1) {
		e.tl.steps[st.To] = st
		for i, s := range srcs {
			if s.ID == st.From {
				e.tl.prev[st.To] = i
			}
		}
	}
}

// timelineKey handles a key while the panel is open; false when closed.
func (e *Explorer) timelineKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !e.tl.open {
		return false, nil
	}
	k, srcs := e.ckeys, e.tl.sources
	switch {
	case key.Matches(msg, e.keys.ForceQuit):
		return true, tea.Quit
	case key.Matches(msg, k.Cancel), key.Matches(msg, e.ckeys.Timeline):
		e.tl.open = false
	case key.Matches(msg, k.Up):
		e.tl.cursor = max(e.tl.cursor-1, 0)
	case key.Matches(msg, k.Down):
		e.tl.cursor = min(e.tl.cursor+1, len(srcs)-1)
	case key.Matches(msg, k.Choose) && e.tl.results != nil:
		i := e.tl.order[e.tl.cursor]
		if e.tl.results[i] == nil {
			return true, nil
		}
		if p, ok := e.tl.prev[srcs[i].ID]; ok {
			e.showPicked(compareLoadedMsg{side: tree.Local, id: srcs[p].ID, res: e.tl.results[p]})
		}
		e.showPicked(compareLoadedMsg{side: tree.Remote, id: srcs[i].ID, res: e.tl.results[i]})
		e.tl.open = false
		e.status = fmt.Sprintf("showing %s → %s", e.in.Compare.Left, e.in.Compare.Right)
	}
	return true, nil
}

// timelineView lists the sources in h lines of w cells.
func (e *Explorer) timelineView(w, h int) string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	switch {
	case h <= 0:
		return ""
	case e.tl.loading:
		return st.Muted.Render("reading every source…")
	case e.tl.err != "":
		return ansi.Truncate(st.Error.Render(g.Problem+" "+e.tl.err), w, "…")
	}
	srcs := e.tl.sources
	idw := 0
	for _, s := range srcs {
		idw = max(idw, ansi.StringWidth(s.ID))
	}
	start := 0
	if e.tl.cursor >= h {
		start = e.tl.cursor - h + 1
	}
	var lines []string
	for k := start; k < len(e.tl.order) && len(lines) < h; k++ {
		i := e.tl.order[k]
		s, r := srcs[i], e.tl.results[i]
		cursor := "  "
		if k == e.tl.cursor {
			cursor = g.Cursor + " "
		}
		at := s.Time
		if r != nil && !r.Provenance.At.IsZero() {
			at = r.Provenance.At
		}
		line := fmt.Sprintf("%s%s  %-*s  ", cursor, at.Local().Format("2006-01-02 15:04"), idw, s.ID)
		if r == nil {
			lines = append(lines, ansi.Truncate(line+st.Error.Render("not read"), w, "…"))
			continue
		}
		line += fmt.Sprintf("%6s items  ", thousands(diff.Count(r.Tree)))
		if k == e.tl.cursor {
			line = st.Selected.Render(line)
		}
		if step, ok := e.tl.steps[s.ID]; ok {
			line += e.stepSummary(step)
		}
		lines = append(lines, ansi.Truncate(line, w, "…"))
	}
	return strings.Join(lines, "\n")
}

// stepSummary is a step's counts and its first change.
func (e *Explorer) stepSummary(step diff.Step) string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	sum := step.Summary
	if step.Diff.Empty() {
		return st.Muted.Render("same as before")
	}
	var parts []string
	for _, c := range []struct {
		n     int
		glyph string
		style func(...string) string
	}{
		{sum.Added, g.Added, st.Added.Render}, {sum.Removed, g.Deleted, st.Deleted.Render}, {sum.Moved, g.Moved, st.Moved.Render},
		{sum.Renamed, g.Renamed, st.Modified.Render}, {sum.Changed, g.URLChanged, st.Modified.Render},
	} {
		if c.n > 0 {
			parts = append(parts, c.style(fmt.Sprintf("%s%d", c.glyph, c.n)))
		}
	}
	s := strings.Join(parts, " ")
	if len(sum.Top) > 0 {
		t := sum.Top[0]
		what := t.Change.Names()[0] + " " + fmt.Sprintf("%q", t.Title)
		if t.Items > 0 {
			what += fmt.Sprintf(" (and %d inside)", t.Items)
		}
		if sum.More {
			what += ", …"
		}
		s += "  " + st.Muted.Render(what)
	}
	return s
}

func (e *Explorer) timelineTitle() string {
	return "Timeline · oldest first · enter compare with the one before · esc close"
}

func oneLineText(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "\n", "; ") }
