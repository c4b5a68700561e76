// Package ui is bmtui's Bubble Tea front end. The explorer screen shows the
// local (Places) and remote (Sync mirror) bookmark trees side by side with
// the details of the selected item and every problem found in either tree.
package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/source/diff"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/details"
	"github.com/bmtui/bmtui/ui/problems"
	"github.com/bmtui/bmtui/ui/treepane"
)

// NoRemoteNote is shown when the profile has no Sync mirror.
const NoRemoteNote = "This profile has never synced (no Sync mirror): showing the local tree only."

// ExplorerInput is what the explorer shows.
type ExplorerInput struct {
	ProfileName  string
	Local        *tree.Tree
	Remote       *tree.Tree // nil when the profile never synced
	RemoteLabel  string     // the remote pane's title; "" is "Remote (Sync mirror)"
	LocalReport  check.Report
	RemoteReport check.Report
	Notes        []string // e.g. "Firefox is running: showing a snapshot"
	// Compare, when set, shows two sources of a profile rather than its
	// local and remote trees: Local is the left source's tree, Remote the
	// right's (see CompareInput).
	Compare *CompareInput
	// Sources, when set, are the profile's sources for s and T in the
	// normal explorer: picking one turns it into compare mode, Places
	// left and the mirror right to start with (Left and Right unused).
	Sources *CompareInput
}

// Options configure the explorer.
type Options struct {
	Theme   string // themes.ByName; "" is the default theme
	NoColor bool   // force the monochrome theme (NO_COLOR)
	// Now is the clock for relative dates; nil means time.Now.
	Now func() time.Time
	// ReadOnly shows the merge without the keys that change or apply it
	// (choose, undo, apply): they are disabled and absent from the help.
	// For SSH viewers.
	ReadOnly bool
}

type focusArea int

const (
	focusLocal focusArea = iota
	focusRemote
	focusProblems
)

type rect struct{ x, y, w, h int }

func (r rect) contains(x, y int) bool {
	return r.w > 0 && r.h > 0 && x >= r.x && x < r.x+r.w && y >= r.y && y < r.y+r.h
}

// Explorer is the explorer screen's root model.
type Explorer struct {
	screen
	in ExplorerInput

	keys                KeyMap
	local               treepane.Model
	remote              treepane.Model
	localSrc, remoteSrc *treepane.TreeSource
	details             details.Model
	problems            problems.Model

	filtering    bool // the filter input has the keyboard
	showProblems bool
	focus        focusArea
	lastPane     focusArea // the pane the details follow while problems has focus
	detailsSide  tree.Side
	applying     string            // who else applies the merge, in a shared session
	damage       string            // the damage banner, once the structural check found some
	damaged      map[tree.Side]int // damage findings per side

	localRect, remoteRect, problemsRect, detailsRect rect

	// extraKeys are a host's bindings shown in the help bar (the app's
	// "m merge").
	extraKeys []key.Binding

	// Compare mode (ui/compare.go).
	diff  *diff.Diff
	pick  sourcePicker
	tl    timelinePanel
	ckeys compareKeys
}

// NewExplorer builds the explorer. It starts with the dark variant of the
// theme and switches when the terminal reports its background.
func NewExplorer(in ExplorerInput, opts Options) tea.Model {
	return newExplorer(in, opts)
}

func newExplorer(in ExplorerInput, opts Options) *Explorer {
	e := &Explorer{
		screen:   newScreen(opts),
		in:       in,
		keys:     DefaultKeyMap(),
		lastPane: focusLocal,
	}
	if in.Remote == nil && in.Compare == nil {
		e.in.Notes = append(append([]string(nil), in.Notes...), NoRemoteNote)
	}
	e.ckeys = newCompareKeys()
	e.localSrc = treepane.NewTreeSource(in.Local, withSide(in.LocalReport.Findings, tree.Local)...)
	e.remoteSrc = treepane.NewTreeSource(in.Remote, withSide(in.RemoteReport.Findings, tree.Remote)...)
	e.local, e.remote = treepane.New(e.common), treepane.New(e.common)
	e.local.SetSource(e.localSrc)
	e.remote.SetSource(e.remoteSrc)
	e.markDiff()
	e.problems = problems.New(e.common)
	e.problems.SetEntries(problems.Entries(in.Local, in.Remote, withDefaultSide(in.LocalReport, tree.Local), withDefaultSide(in.RemoteReport, tree.Remote)))
	e.details = details.New(e.common)
	e.applyTheme()
	e.setFocus(focusLocal)
	e.syncSelection()
	return e
}

func withSide(fs []check.Finding, side tree.Side) []check.Finding {
	out := make([]check.Finding, len(fs))
	for i, f := range fs {
		if f.Side == 0 {
			f.Side = side
		}
		out[i] = f
	}
	return out
}

func withDefaultSide(r check.Report, side tree.Side) check.Report {
	if r.Side == 0 {
		r.Side = side
	}
	return r
}

// Theme is the theme in use.
func (e *Explorer) Theme() *themes.Theme { return e.common.Theme }

// ThemeError is the error from an unknown Options.Theme (the default theme
// is used instead), or nil.
func (e *Explorer) ThemeError() error { return e.themeErr }

// Local is the local tree pane.
func (e *Explorer) Local() treepane.Model { return e.local }

// Remote is the remote tree pane (empty when there is no remote tree).
func (e *Explorer) Remote() treepane.Model { return e.remote }

// Problems is the problems list.
func (e *Explorer) Problems() problems.Model { return e.problems }

// Details is the details panel.
func (e *Explorer) Details() details.Model { return e.details }

// ProblemsOpen reports whether the problems panel is shown.
func (e *Explorer) ProblemsOpen() bool { return e.showProblems }

// Filtering reports whether the filter input has the keyboard.
func (e *Explorer) Filtering() bool { return e.filtering }

// FilterQuery is the filter applied to the panes.
func (e *Explorer) FilterQuery() string { return e.local.Query() }

// Focus names the focused area: "local", "remote" or "problems".
func (e *Explorer) Focus() string {
	switch e.focus {
	case focusRemote:
		return "remote"
	case focusProblems:
		return "problems"
	}
	return "local"
}

// Status is the last transient status message.
func (e *Explorer) Status() string { return e.status }

// KeyMap returns the explorer's bindings in their current enabled state.
func (e *Explorer) KeyMap() KeyMap { return e.keys }

// HelpKeys returns the bindings the help bar shows now.
func (e *Explorer) HelpKeys() help.KeyMap { return helpKeys{e} }

func (e *Explorer) hasRemote() bool { return e.in.Remote != nil || e.comparing() }

// Init asks the terminal for its background colour.
func (e *Explorer) Init() tea.Cmd {
	return tea.RequestBackgroundColor
}

func (e *Explorer) applyTheme() {
	e.selectTheme()
	e.local.SetCommon(e.common)
	e.remote.SetCommon(e.common)
	e.details.SetCommon(e.common)
	e.problems.SetCommon(e.common)
}

func (e *Explorer) setFocus(f focusArea) {
	if f == focusRemote && !e.hasRemote() {
		f = focusLocal
	}
	if f == focusProblems && !e.showProblems {
		f = e.lastPane
	}
	e.focus = f
	if f != focusProblems {
		e.lastPane = f
	}
	e.local.SetFocused(f == focusLocal)
	e.remote.SetFocused(f == focusRemote)
	e.problems.SetFocused(f == focusProblems)
	e.syncSelection()
}

func (e *Explorer) cycleFocus(d int) {
	order := []focusArea{focusLocal}
	if e.hasRemote() {
		order = append(order, focusRemote)
	}
	if e.showProblems {
		order = append(order, focusProblems)
	}
	i := 0
	for k, f := range order {
		if f == e.focus {
			i = k
		}
	}
	e.setFocus(order[(i+d+len(order))%len(order)])
}

// syncSelection shows the selected item of the pane in focus (or last in
// focus) in the details panel and highlights it in the other pane.
func (e *Explorer) syncSelection() {
	pane, other, src := &e.local, &e.remote, e.localSrc
	side, otherTree := tree.Local, e.in.Remote
	if e.lastPane == focusRemote {
		pane, other, src = &e.remote, &e.local, e.remoteSrc
		side, otherTree = tree.Remote, e.in.Local
	}
	guid := pane.Selected()
	other.SetHighlight(guid)
	pane.SetHighlight("")
	if guid == "" {
		e.details.SetItem(nil)
	} else if e.details.GUID() != guid || e.detailsSide != side {
		it := &details.Item{Side: side, Tree: src.Tree(), Node: src.Node(pane.SelectedIndex()), Findings: src.Findings(guid), NoSync: e.noSync(side)}
		otherName := e.sideName(side.Other())
		switch {
		case otherTree == nil:
		case otherTree.Lookup(guid) != nil:
			it.OtherSide = "also in " + otherName
		case otherTree.IsTombstone(guid):
			it.OtherSide = e.common.Theme.Glyphs.Tombstone + " deleted in " + otherName
		default:
			it.OtherSide = "not in " + otherName
		}
		e.details.SetItem(it)
		e.detailsSide = side
	}
	e.updateKeys()
}

func (e *Explorer) updateKeys() {
	k := &e.keys
	k.ClearFilter.SetEnabled(e.filtering || e.local.Query() != "")
	k.ApplyFilter.SetEnabled(e.filtering)
	k.Filter.SetEnabled(!e.filtering)
	k.Quit.SetEnabled(!e.filtering)
	k.Help.SetEnabled(!e.filtering)
	n := 1
	if e.hasRemote() {
		n++
	}
	if e.showProblems {
		n++
	}
	k.FocusNext.SetEnabled(!e.filtering && n > 1)
	k.FocusPrev.SetEnabled(!e.filtering && n > 1)
	k.ToggleProblems.SetEnabled(!e.filtering)
	if e.showProblems {
		k.ToggleProblems.SetHelp("P", "hide problems")
	} else {
		k.ToggleProblems.SetHelp("P", "problems")
	}
	e.setHelpToggle(&k.Help)
}

func (e *Explorer) setFilter(q string) {
	e.local.SetQuery(q)
	e.remote.SetQuery(q)
	e.detailsSide = 0
	e.syncSelection()
}

// Update handles messages.
func (e *Explorer) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if e.terminalMsg(msg, e.layout, e.applyTheme) {
		return e, nil
	}
	switch msg := msg.(type) {
	case compareLoadedMsg:
		e.showPicked(msg)
		return e, nil
	case timelineLoadedMsg:
		e.timelineLoaded(msg)
		return e, nil
	case DamageMsg:
		e.setDamage(msg)
		return e, nil
	case problems.JumpMsg:
		e.jump(msg)
		return e, nil
	case tea.MouseMsg:
		e.handleMouse(msg)
		return e, nil
	case tea.KeyPressMsg:
		return e.handleKey(msg)
	}
	if e.filtering {
		return e, e.filterMsg(msg)
	}
	return e, nil
}

func (e *Explorer) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := e.keys
	if ok, cmd := e.pickerKey(msg); ok {
		return e, cmd
	}
	if ok, cmd := e.timelineKey(msg); ok {
		return e, cmd
	}
	if e.filtering {
		switch {
		case key.Matches(msg, k.ForceQuit):
			return e, tea.Quit
		case key.Matches(msg, k.ClearFilter):
			e.filtering = false
			e.filter.Blur()
			e.filter.SetValue("")
			e.setFilter("")
			e.updateKeys()
			e.layout()
			return e, nil
		case key.Matches(msg, k.ApplyFilter):
			e.filtering = false
			e.filter.Blur()
			if e.filter.Value() == "" {
				e.setFilter("")
			}
			e.updateKeys()
			e.layout()
			return e, nil
		}
		var cmd tea.Cmd
		e.filter, cmd = e.filter.Update(msg)
		if e.filter.Value() != e.local.Query() {
			e.setFilter(e.filter.Value())
		}
		return e, cmd
	}
	switch {
	case key.Matches(msg, k.Quit):
		return e, tea.Quit
	case key.Matches(msg, k.Help):
		e.help.ShowAll = !e.help.ShowAll
		e.updateKeys()
		e.layout()
		return e, nil
	case (e.comparing() || e.profileSources() != nil) && key.Matches(msg, e.ckeys.Pick):
		e.enterCompare()
		e.openPicker()
		return e, nil
	case e.canTimeline() && key.Matches(msg, e.ckeys.Timeline):
		e.enterCompare()
		return e, e.openTimeline()
	case key.Matches(msg, k.Filter):
		e.filtering = true
		e.updateKeys()
		e.layout()
		return e, e.filter.Focus()
	case key.Matches(msg, k.ClearFilter):
		e.filter.SetValue("")
		e.setFilter("")
		e.layout()
		return e, nil
	case key.Matches(msg, k.FocusNext):
		e.cycleFocus(1)
		return e, nil
	case key.Matches(msg, k.FocusPrev):
		e.cycleFocus(-1)
		return e, nil
	case key.Matches(msg, k.ToggleProblems):
		e.showProblems = !e.showProblems
		if e.showProblems {
			e.setFocus(focusProblems)
		} else {
			e.setFocus(e.lastPane)
		}
		e.layout()
		return e, nil
	}
	var cmd tea.Cmd
	switch e.focus {
	case focusLocal:
		e.local, cmd = e.local.Update(msg)
	case focusRemote:
		e.remote, cmd = e.remote.Update(msg)
	case focusProblems:
		e.problems, cmd = e.problems.Update(msg)
	}
	e.syncSelection()
	return e, cmd
}

func (e *Explorer) jump(msg problems.JumpMsg) {
	pane, f := &e.local, focusLocal
	if msg.Side == tree.Remote {
		pane, f = &e.remote, focusRemote
	}
	if !pane.Select(msg.GUID) && pane.Query() != "" {
		e.filter.SetValue("")
		e.setFilter("")
		e.layout()
		pane.Select(msg.GUID)
	}
	if pane.Selected() != msg.GUID {
		e.status = fmt.Sprintf("%s is not in the %s tree", msg.GUID, msg.Side)
	} else {
		e.status = ""
	}
	e.setFocus(f)
}

func (e *Explorer) handleMouse(msg tea.MouseMsg) {
	translated, click, ok := mouseIn(msg)
	if !ok {
		return
	}
	ev := msg.Mouse()
	switch {
	case e.localRect.contains(ev.X, ev.Y):
		if click {
			e.setFocus(focusLocal)
		}
		e.local.HandleMouse(translated(e.localRect))
	case e.hasRemote() && e.remoteRect.contains(ev.X, ev.Y):
		if click {
			e.setFocus(focusRemote)
		}
		e.remote.HandleMouse(translated(e.remoteRect))
	case e.showProblems && e.problemsRect.contains(ev.X, ev.Y):
		if click {
			e.setFocus(focusProblems)
		}
		if cmd := e.problems.HandleMouse(translated(e.problemsRect)); cmd != nil {
			if jm, ok := cmd().(problems.JumpMsg); ok {
				e.jump(jm)
			}
		}
	case e.detailsRect.contains(ev.X, ev.Y):
		if d := wheelLines(msg); d != 0 {
			e.details.ScrollBy(d)
		}
	}
	e.syncSelection()
}

// Layout heights.
const (
	minPaneRows   = 3
	bottomMin     = 6
	bottomMax     = 14
	paneFrameRows = 2 // top border with the title, bottom border
)

func (e *Explorer) chromeHeights() (notes, filter, status, helpH int) {
	if len(e.in.Notes) > 0 {
		notes = 1
	}
	if e.damage != "" {
		notes++
	}
	if e.filtering || e.local.Query() != "" {
		filter = 1
	}
	status = 1
	helpH = e.helpHeight(helpKeys{e})
	return
}

func (e *Explorer) layout() {
	if e.width <= 0 || e.height <= 0 {
		return
	}
	notes, filter, status, helpH := e.chromeHeights()
	main := max(e.height-notes-filter-status-helpH, 0)
	bottom, paneH, rows := splitMain(main, min(max(main/3, bottomMin), bottomMax))
	lw := e.width
	if e.hasRemote() {
		lw = e.width - e.width/2
	}
	e.localRect = rect{1, notes + 1, max(lw-2, 0), rows}
	e.local.SetSize(max(lw-2, 0), rows)
	if e.hasRemote() {
		rw := e.width / 2
		e.remoteRect = rect{lw + 1, notes + 1, max(rw-2, 0), rows}
		e.remote.SetSize(max(rw-2, 0), rows)
	} else {
		e.remoteRect = rect{}
	}
	by := notes + paneH + 1
	bh := max(bottom-paneFrameRows, 0)
	if e.showProblems && bottom > 0 {
		dw := e.width * 2 / 5
		if e.width < 100 {
			dw = 0 // too narrow for both: problems take the whole panel
		}
		e.detailsRect = rect{1, by, max(dw-2, 0), bh}
		if dw == 0 {
			e.detailsRect = rect{}
		}
		e.problemsRect = rect{dw + 1, by, max(e.width-dw-2, 0), bh}
	} else {
		e.problemsRect = rect{}
		e.detailsRect = rect{1, by, max(e.width-2, 0), bh}
		if bottom == 0 {
			e.detailsRect = rect{}
		}
	}
	e.details.SetSize(e.detailsRect.w, e.detailsRect.h)
	e.problems.SetSize(e.problemsRect.w, e.problemsRect.h)
}

// View renders the screen.
func (e *Explorer) View() tea.View {
	return e.view(e.render(), "bmtui", e.in.ProfileName)
}

func (e *Explorer) render() string {
	if e.width <= 0 || e.height <= 0 {
		return "Loading…"
	}
	th := e.common.Theme
	st := &th.Styles
	var parts []string
	if b := e.damageBanner(); b != "" {
		parts = append(parts, b)
	}
	if n := e.notesLine(e.in.Notes); n != "" {
		parts = append(parts, n)
	}
	// Tree panes.
	if e.localRect.h > 0 || e.height > 0 {
		left := e.box(e.focus == focusLocal, e.paneTitle(tree.Local), e.local.View(), e.localRect)
		if e.hasRemote() {
			right := e.box(e.focus == focusRemote, e.paneTitle(tree.Remote), e.remote.View(), e.remoteRect)
			parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, right))
		} else {
			parts = append(parts, left)
		}
	}
	// Bottom panel.
	var bottom []string
	switch {
	case e.tl.open && e.detailsRect.w > 0:
		bottom = append(bottom, e.box(true, e.timelineTitle(), e.timelineView(e.detailsRect.w, e.detailsRect.h), e.detailsRect))
	case e.pick.open && e.detailsRect.w > 0:
		bottom = append(bottom, e.box(true, e.pickerTitle(), e.pickerView(e.detailsRect.w, e.detailsRect.h), e.detailsRect))
	case e.detailsRect.w > 0:
		bottom = append(bottom, e.box(false, "Details", e.details.View(), e.detailsRect))
	}
	if e.problemsRect.w > 0 {
		title := fmt.Sprintf("Problems · %d", e.problems.Len())
		bottom = append(bottom, e.box(e.focus == focusProblems, title, e.problems.View(), e.problemsRect))
	}
	if len(bottom) > 0 {
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, bottom...))
	}
	var tail []string
	if e.filtering || e.local.Query() != "" {
		var suffix string
		if q := e.local.Query(); q != "" {
			n := e.local.MatchCount()
			if e.hasRemote() {
				suffix = fmt.Sprintf("  %d local, %d remote matches", n, e.remote.MatchCount())
			} else {
				suffix = fmt.Sprintf("  %d matches", n)
			}
		}
		e.sizeFilter(suffix)
		line := e.filter.View() + st.Muted.Render(suffix)
		tail = append(tail, ansi.Truncate(line, e.width, "…"))
	}
	tail = append(tail, e.statusLine())
	return e.compose(parts, tail, helpKeys{e})
}

func (e *Explorer) paneTitle(side tree.Side) string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	var t *tree.Tree
	var rep check.Report
	var name string
	var style lipgloss.Style
	if side == tree.Remote {
		label := e.in.RemoteLabel
		if label == "" {
			label = "Remote (Sync mirror)"
		}
		t, rep, name, style = e.in.Remote, e.in.RemoteReport, g.Remote+" "+label, st.Remote
	} else {
		t, rep, name, style = e.in.Local, e.in.LocalReport, g.Local+" Local (Places)", st.Local
	}
	if e.comparing() {
		name = e.compareTitle(side)
	}
	items := 0
	if t != nil {
		items = max(t.Len()-1, 0)
	}
	s := style.Render(name) + " " + st.Muted.Render(fmt.Sprintf("· %s items", thousands(items)))
	if n := len(rep.Findings) + e.damaged[side]; n > 0 {
		s += " " + st.Error.Render(fmt.Sprintf("· %s %d problems", g.Problem, n))
	} else {
		s += " " + st.Success.Render("· no problems")
	}
	if t != nil && t.TombstoneCount() > 0 {
		s += " " + st.Muted.Render(fmt.Sprintf("· %s %d deleted", g.Tombstone, t.TombstoneCount()))
	}
	return s
}

func (e *Explorer) statusLine() string {
	th := e.common.Theme
	st, g := &th.Styles, &th.Glyphs
	var b strings.Builder
	e.statusBar(&b, "bmtui", e.in.ProfileName)
	if e.comparing() {
		e.statusItem(&b, e.diffStatus())
	}
	e.statusItem(&b, problemCount(st, g, e.sideName(tree.Local), len(e.in.LocalReport.Findings)+e.damaged[tree.Local]))
	if e.hasRemote() {
		e.statusItem(&b, problemCount(st, g, e.sideName(tree.Remote), len(e.in.RemoteReport.Findings)+e.damaged[tree.Remote]))
	}
	if e.applying != "" {
		e.statusItem(&b, st.Warning.Render(g.Problem+" "+e.applying+" is applying"))
	}
	return e.statusEnd(&b)
}

func problemCount(st *themes.Styles, g *themes.Glyphs, side string, n int) string {
	switch n {
	case 0:
		return st.Success.Render(side + ": no problems")
	case 1:
		return st.Error.Render(fmt.Sprintf("%s %s: 1 problem", g.Problem, side))
	}
	return st.Error.Render(fmt.Sprintf("%s %s: %d problems", g.Problem, side, n))
}

// box draws content (r.h lines of r.w cells) in a rounded border with the
// title set into the top edge.
func (e *Explorer) box(focused bool, title, content string, r rect) string {
	return drawBox(e.common.Theme, focused, title, content, r)
}

// drawBox draws content (r.h lines of r.w cells) in the theme's pane
// border (focused or not) with the title set into the top edge.
func drawBox(th *themes.Theme, focused bool, title, content string, r rect) string {
	st := &th.Styles
	frame := st.Pane
	if focused {
		frame = st.PaneFocused
	}
	return drawFrame(frame, title, content, r)
}

// drawFrame draws content in frame's border with the title in the top edge.
func drawFrame(frame lipgloss.Style, title, content string, r rect) string {
	b := frame.GetBorderStyle()
	edge := lipgloss.NewStyle()
	if c := frame.GetBorderTopForeground(); c != nil {
		if _, none := c.(lipgloss.NoColor); !none {
			edge = edge.Foreground(c)
		}
	}
	w := r.w + 2
	var out strings.Builder
	// Top edge with title.
	inner := max(w-2, 0)
	t := ansi.Truncate(" "+title+" ", max(inner-1, 0), "…")
	tw := ansi.StringWidth(t)
	out.WriteString(edge.Render(b.TopLeft + strings.Repeat(b.Top, min(1, inner))))
	out.WriteString(t)
	out.WriteString(edge.Render(strings.Repeat(b.Top, max(inner-1-tw, 0)) + b.TopRight))
	lines := strings.Split(content, "\n")
	left, right := edge.Render(b.Left), edge.Render(b.Right)
	for y := 0; y < r.h; y++ {
		out.WriteByte('\n')
		line := ""
		if y < len(lines) {
			line = lines[y]
		}
		if d := r.w - ansi.StringWidth(line); d > 0 {
			line += strings.Repeat(" ", d)
		}
		out.WriteString(left)
		out.WriteString(line)
		out.WriteString(right)
	}
	out.WriteByte('\n')
	out.WriteString(edge.Render(b.BottomLeft + strings.Repeat(b.Bottom, inner) + b.BottomRight))
	return out.String()
}

func thousands(n int) string {
	s := fmt.Sprint(n)
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	pre := len(s) % 3
	if pre > 0 {
		b.WriteString(s[:pre])
	}
	for i := pre; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}
