package ui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/diff"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/problems"
	"github.com/bmtui/bmtui/ui/treepane"
)

// CompareInput makes the explorer compare any two sources of a profile
// (bmtui --left/--right): the panes show the two trees, marked where they
// differ, and s picks another source for the focused pane. The left pane
// is taken as the older: what only the right has is added, what only the
// left has removed.
type CompareInput struct {
	// Sources are the profile's sources, oldest first (source/catalog).
	Sources []source.Entry
	// Load reads one of Sources; it runs in a command.
	Load func(e source.Entry) (*source.Result, error)
	// LoadAll reads the sources given, results aligned with them (nil for
	// one that failed), for the timeline (T); nil: no timeline.
	LoadAll func(es []source.Entry) ([]*source.Result, error)
	// Damaged lists the sources that damage found by the structural check
	// of places.sqlite adds (the salvaged tree); nil: none.
	Damaged func(local []dbcheck.Damage) []source.Entry
	// Left and Right are the IDs shown, and their labels (the results'
	// Provenance.Label).
	Left, Right           string
	LeftLabel, RightLabel string
}

// sourcePicker is the list s opens: the sources to show in one pane.
type sourcePicker struct {
	open    bool
	side    tree.Side // the pane it picks for
	cursor  int
	loading string // the ID being read, "" when none
	err     string // why the last pick could not be shown
}

// compareLoadedMsg is a picked source, read.
type compareLoadedMsg struct {
	side tree.Side
	id   string
	res  *source.Result
	err  error
}

// compareKeys are the bindings of compare mode.
type compareKeys struct {
	Pick, Timeline, Up, Down, Choose, Cancel key.Binding
}

func newCompareKeys() compareKeys {
	return compareKeys{
		Pick:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "pick source")),
		Timeline: newTimelineKey(),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Choose:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show it")),
		Cancel:   key.NewBinding(key.WithKeys("esc", "q"), key.WithHelp("esc", "cancel")),
	}
}

// comparing reports whether the explorer compares two sources.
func (e *Explorer) comparing() bool { return e.in.Compare != nil }

// markDiff computes the differences between the two trees shown and marks
// them in both panes.
func (e *Explorer) markDiff() {
	if !e.comparing() {
		return
	}
	e.diff = diff.Trees(e.in.Local, e.in.Remote)
	e.localSrc.SetDiff(e.diff.Items)
	e.remoteSrc.SetDiff(e.diff.Items)
}

// sideName is what the details call a pane: local or remote, or in
// compare mode the ID of the source it shows.
func (e *Explorer) sideName(side tree.Side) string {
	c := e.in.Compare
	switch {
	case c != nil && side == tree.Remote:
		return c.Right
	case c != nil:
		return c.Left
	case side == tree.Remote:
		return "remote"
	}
	return "local"
}

// compareTitle is a pane's name in compare mode: the source's ID and label.
func (e *Explorer) compareTitle(side tree.Side) string {
	c := e.in.Compare
	id, label, glyph := c.Left, c.LeftLabel, "L"
	if side == tree.Remote {
		id, label, glyph = c.Right, c.RightLabel, "R"
	}
	if label == "" || label == id {
		return glyph + " " + id
	}
	return glyph + " " + id + " (" + label + ")"
}

// diffStatus counts the marks for the status line.
func (e *Explorer) diffStatus() string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	if e.diff == nil || e.diff.Empty() {
		return st.Success.Render("same items")
	}
	var parts []string
	for _, c := range []struct {
		n     int
		glyph string
		name  string
		style func(...string) string
	}{
		{len(e.diff.Added), g.Added, "added", st.Added.Render},
		{len(e.diff.Removed), g.Deleted, "removed", st.Deleted.Render},
		{len(e.diff.Moved), g.Moved, "moved", st.Moved.Render},
		{len(e.diff.Renamed), g.Renamed, "renamed", st.Modified.Render},
		{len(e.diff.Changed), g.URLChanged, "changed", st.Modified.Render},
	} {
		if c.n > 0 {
			parts = append(parts, c.style(fmt.Sprintf("%s %d %s", c.glyph, c.n, c.name)))
		}
	}
	return strings.Join(parts, " ")
}

// pickerKey handles a key while the picker is open; false when the
// picker is closed.
func (e *Explorer) pickerKey(msg tea.KeyPressMsg) (bool, tea.Cmd) {
	if !e.pick.open {
		return false, nil
	}
	k, c := e.ckeys, e.in.Compare
	switch {
	case key.Matches(msg, e.keys.ForceQuit):
		return true, tea.Quit
	case key.Matches(msg, k.Cancel):
		e.pick.open = false
	case key.Matches(msg, k.Up):
		e.pick.cursor = max(e.pick.cursor-1, 0)
	case key.Matches(msg, k.Down):
		e.pick.cursor = min(e.pick.cursor+1, len(c.Sources)-1)
	case key.Matches(msg, k.Choose) && e.pick.loading == "" && len(c.Sources) > 0:
		src, side := c.Sources[e.pick.cursor], e.pick.side
		id := src.ID
		e.pick.loading, e.pick.err = id, ""
		load := c.Load
		return true, func() tea.Msg {
			res, err := load(src)
			return compareLoadedMsg{side: side, id: id, res: res, err: err}
		}
	}
	return true, nil
}

// openPicker opens the source list for the focused pane, at the source
// it shows.
func (e *Explorer) openPicker() {
	c := e.in.Compare
	e.tl.open = false
	e.pick = sourcePicker{open: true, side: tree.Local}
	cur := c.Left
	if e.lastPane == focusRemote {
		e.pick.side, cur = tree.Remote, c.Right
	}
	for i, s := range c.Sources {
		if s.ID == cur {
			e.pick.cursor = i
		}
	}
}

// showPicked puts a read source in its pane and marks the differences
// again.
func (e *Explorer) showPicked(msg compareLoadedMsg) {
	e.pick.loading = ""
	if msg.err != nil {
		e.pick.err = oneLineText(fmt.Sprintf("%s: %v", msg.id, msg.err))
		return
	}
	e.pick.open = false
	c := *e.in.Compare
	r := msg.res
	if msg.side == tree.Remote {
		c.Right, c.RightLabel = msg.id, r.Provenance.Label
		e.in.Remote, e.in.RemoteReport = r.Tree, r.Report
		e.remoteSrc = treepane.NewTreeSource(r.Tree, withSide(r.Report.Findings, tree.Remote)...)
		e.remote.SetSource(e.remoteSrc)
	} else {
		c.Left, c.LeftLabel = msg.id, r.Provenance.Label
		e.in.Local, e.in.LocalReport = r.Tree, r.Report
		e.localSrc = treepane.NewTreeSource(r.Tree, withSide(r.Report.Findings, tree.Local)...)
		e.local.SetSource(e.localSrc)
	}
	e.in.Compare = &c
	e.markDiff()
	e.problems.SetEntries(problems.Entries(e.in.Local, e.in.Remote, withDefaultSide(e.in.LocalReport, tree.Local), withDefaultSide(e.in.RemoteReport, tree.Remote)))
	e.detailsSide = 0
	e.status = fmt.Sprintf("%s pane: %s", paneName(msg.side), msg.id)
	if q := e.local.Query(); q != "" {
		e.setFilter(q)
	}
	e.syncSelection()
}

// pickerView lists the sources in h lines of w cells, the cursor's in
// view.
func (e *Explorer) pickerView(w, h int) string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	c := e.in.Compare
	if h <= 0 {
		return ""
	}
	var lines []string
	if e.pick.err != "" {
		lines = append(lines, ansi.Truncate(st.Error.Render(g.Problem+" "+e.pick.err), w, "…"))
		h--
	}
	start := 0
	if e.pick.cursor >= h {
		start = e.pick.cursor - h + 1
	}
	idw := 0
	for _, s := range c.Sources {
		idw = max(idw, ansi.StringWidth(s.ID))
	}
	for i := start; i < len(c.Sources) && i-start < h; i++ {
		s := c.Sources[i]
		cursor := "  "
		if i == e.pick.cursor {
			cursor = g.Cursor + " "
		}
		shown := ""
		if s.ID == c.Left {
			shown += " " + st.Local.Render("L")
		}
		if s.ID == c.Right {
			shown += " " + st.Remote.Render("R")
		}
		if s.ID == e.pick.loading {
			shown += " " + st.Muted.Render("reading…")
		}
		line := fmt.Sprintf("%s%-*s  %s  %s", cursor, idw, s.ID, s.Time.Local().Format("2006-01-02 15:04"), st.Muted.Render(string(s.Kind)))
		if i == e.pick.cursor {
			line = st.Selected.Render(line)
		}
		lines = append(lines, ansi.Truncate(line+shown, w, "…"))
	}
	return strings.Join(lines, "\n")
}

func (e *Explorer) pickerTitle() string {
	return fmt.Sprintf("Source for the %s pane · enter show · esc cancel", paneName(e.pick.side))
}

// paneName is what compare mode calls a side's pane.
func paneName(side tree.Side) string {
	if side == tree.Remote {
		return "right"
	}
	return "left"
}

// canTimeline reports whether T opens the timeline.
func (e *Explorer) canTimeline() bool {
	c := e.in.Compare
	if c == nil {
		c = e.profileSources()
	}
	return c != nil && c.LoadAll != nil
}

// enterCompare turns the normal explorer into compare mode, its panes
// named as the sources they show: Places and the mirror.
func (e *Explorer) enterCompare() {
	if e.comparing() || e.profileSources() == nil {
		return
	}
	c := *e.in.Sources
	c.Left, c.LeftLabel = "places", "Local (Places)"
	c.Right, c.RightLabel = "mirror", "Remote (Sync mirror)"
	if e.in.Remote == nil {
		c.Right, c.RightLabel = "places", "Local (Places)"
		e.in.Remote, e.in.RemoteReport = e.in.Local, e.in.LocalReport
		e.remoteSrc = treepane.NewTreeSource(e.in.Remote, withSide(e.in.RemoteReport.Findings, tree.Remote)...)
		e.remote.SetSource(e.remoteSrc)
		e.layout()
	}
	e.in.Compare = &c
	e.markDiff()
}

// noSync reports whether a pane shows a copy without sync state (a
// backup, an export) rather than a database.
func (e *Explorer) noSync(side tree.Side) bool {
	c := e.in.Compare
	if c == nil {
		return false
	}
	id := c.Left
	if side == tree.Remote {
		id = c.Right
	}
	for _, s := range c.Sources {
		if s.ID == id {
			return s.Kind == source.Backup || s.Kind == source.HTML
		}
	}
	return false
}

// profileSources is the profile's list for s and T once it holds more
// than the two databases the explorer shows anyway; nil before.
func (e *Explorer) profileSources() *CompareInput {
	if s := e.in.Sources; s != nil && len(s.Sources) > 2 {
		return s
	}
	return nil
}

// addDamagedSources offers what damage in places.sqlite adds (the
// salvaged tree) in the picker and, the next time it is read, the
// timeline. The check lands after the app opened, so the list grows then.
func (e *Explorer) addDamagedSources(local []dbcheck.Damage) {
	if len(local) == 0 || e.in.Sources == nil || e.in.Sources.Damaged == nil {
		return
	}
	more := e.in.Sources.Damaged(local)
	if len(more) == 0 {
		return
	}
	e.in.Sources = withSources(e.in.Sources, more)
	if e.in.Compare != nil {
		e.in.Compare = withSources(e.in.Compare, more)
	}
	if !e.tl.open && !e.tl.loading {
		e.tl = timelinePanel{} // read again, with the new sources, on T
	}
	e.updateKeys()
}

// withSources is a copy of c listing more too (those it lacks).
func withSources(c *CompareInput, more []source.Entry) *CompareInput {
	out := *c
	out.Sources = slices.Clip(out.Sources)
	for _, m := range more {
		if _, listed := out.entry(m.ID); !listed {
			out.Sources = append(out.Sources, m)
		}
	}
	return &out
}

// entry is the listed source with this ID.
func (c *CompareInput) entry(id string) (source.Entry, bool) {
	i := slices.IndexFunc(c.Sources, func(s source.Entry) bool { return s.ID == id })
	if i < 0 {
		return source.Entry{}, false
	}
	return c.Sources[i], true
}
