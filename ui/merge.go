package ui

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/conflicts"
	"github.com/bmtui/bmtui/ui/explain"
	"github.com/bmtui/bmtui/ui/rowpane"
)

// MergeInput is what the merge screen merges.
type MergeInput struct {
	ProfileName   string
	Local, Remote *tree.Tree
	// Times are the clocks the trees' ages were measured against.
	Times tree.Clocks
	Notes []string
	// Resolutions are decisions to start from (a loaded session).
	Resolutions []mergeview.Resolution
	// Rebuild lets the user choose the folder of an item several folders
	// claim (mergeview.RebuildFrom); nil leaves those conflicts
	// informational.
	Rebuild mergeview.RebuildFunc
	// OnApply, when set, is called with the confirmed apply request; the
	// returned command runs. Without it the request is only recorded
	// (LastApplyRequest) for the host.
	OnApply func(ApplyRequestedMsg) tea.Cmd
	// OnResolve, when set, is called whenever the user changes the
	// resolutions (a choice or an undo), from the update loop, before the
	// re-merge finishes; the returned command runs. Resolutions replaced
	// by SetResolutionsMsg are not reported.
	OnResolve func(ResolveEvent) tea.Cmd
}

// ApplyRequestedMsg is emitted when the user confirms the apply dialog:
// the host applies View (whose Resolutions are the user's decisions).
type ApplyRequestedMsg struct {
	Resolutions []mergeview.Resolution
	Summary     mergeview.Summary
	View        *mergeview.View
}

// mergeDoneMsg carries a finished merge back to the update loop.
type mergeDoneMsg struct {
	// screen and gen name the request: a screen that replaced another (a
	// profile reloaded over SSH) restarts gen, so the screen is checked too.
	screen *MergeScreen
	gen    int
	st     *mergeState
	err    error
}

// mergeOp is a decision not yet reflected in the shown merge: the user's
// choice or undo, or a list of resolutions from outside (set).
type mergeOp struct {
	undo        bool
	conflict    string
	alternative string
	label       string
	set         bool
	res         []mergeview.Resolution // with set
	note        string                 // with set: the status once merged
}

type mergeFocus int

const (
	focusMLocal mergeFocus = iota
	focusMerged
	focusMRemote
	focusConflicts
)

// MergeScreen previews the merge of a profile: Local | Merged | Remote
// panes, the conflicts with their alternatives, why each item is where it
// is, and a step-through of the merge's decisions.
type MergeScreen struct {
	screen
	in MergeInput

	keys      MergeKeyMap
	spin      spinner.Model
	local     rowpane.Model
	merged    rowpane.Model
	remote    rowpane.Model
	conflicts conflicts.Model
	explain   explain.Model

	localSrc, remoteSrc *treeSource
	st                  *mergeState // the merge shown; nil before the first
	pending             []mergeOp   // decisions being merged
	gen                 int
	busy                bool
	cancel              context.CancelFunc
	mergeErr            error

	focus       mergeFocus
	query       string
	changedOnly bool
	stepMode    bool
	step        int
	breakpoints map[string]bool
	confirming  bool
	hosted      bool // inside App: e goes back to the explorer
	lastApply   *ApplyRequestedMsg
	applying    ApplyingMsg // who holds the shared apply lock

	localRect, mergedRect, remoteRect, bottomLeftRect, explainRect rect
}

// NewMergeScreen builds the merge screen. The merge runs when the program
// starts it (Init), off the update loop.
func NewMergeScreen(in MergeInput, opts Options) *MergeScreen {
	m := &MergeScreen{
		screen:      newScreen(opts),
		in:          in,
		keys:        DefaultMergeKeyMap(),
		spin:        spinner.New(spinner.WithSpinner(spinner.MiniDot)),
		breakpoints: map[string]bool{},
		focus:       focusMerged,
	}
	m.local = rowpane.New(m.common)
	m.merged = rowpane.New(m.common)
	m.remote = rowpane.New(m.common)
	m.merged.SetStateColumn(true)
	m.merged.SetEmptyText("merging…")
	m.conflicts = conflicts.New(m.common)
	m.conflicts.SetReadOnly(opts.ReadOnly)
	m.explain = explain.New(m.common)
	m.localSrc = newTreeSource(in.Local, tree.Local)
	m.remoteSrc = newTreeSource(in.Remote, tree.Remote)
	m.localSrc.bps, m.remoteSrc.bps = m.breakpoints, m.breakpoints
	m.local.SetSource(m.localSrc)
	m.remote.SetSource(m.remoteSrc)
	if opts.ReadOnly {
		for _, b := range []*key.Binding{&m.keys.Choose, &m.keys.Undo, &m.keys.Apply, &m.keys.Confirm} {
			b.SetEnabled(false)
		}
	}
	m.applyTheme()
	m.setFocus(focusMerged)
	return m
}

// Theme is the theme in use.
func (m *MergeScreen) Theme() *themes.Theme { return m.common.Theme }

// View model accessors, for hosts and tests.

// MergeView is the merge shown (nil until the first merge finishes).
func (m *MergeScreen) MergeView() *mergeview.View {
	if m.st == nil {
		return nil
	}
	return m.st.view
}

// Busy reports whether a merge is running.
func (m *MergeScreen) Busy() bool { return m.busy }

// Err is the last merge error, or nil.
func (m *MergeScreen) Err() error { return m.mergeErr }

// Local, Merged and Remote are the three panes.
func (m *MergeScreen) Local() rowpane.Model  { return m.local }
func (m *MergeScreen) Merged() rowpane.Model { return m.merged }
func (m *MergeScreen) Remote() rowpane.Model { return m.remote }

// Conflicts is the conflicts panel.
func (m *MergeScreen) Conflicts() conflicts.Model { return m.conflicts }

// Explain is the explain panel.
func (m *MergeScreen) Explain() explain.Model { return m.explain }

// Focus names the focused area: "local", "merged", "remote" or
// "conflicts".
func (m *MergeScreen) Focus() string {
	return [...]string{"local", "merged", "remote", "conflicts"}[m.focus]
}

// Filtering reports whether the filter input has the keyboard.
func (m *MergeScreen) Filtering() bool { return m.filtering }

// FilterQuery is the text filter applied to the panes.
func (m *MergeScreen) FilterQuery() string { return m.query }

// ChangedOnly reports whether only changed items are shown.
func (m *MergeScreen) ChangedOnly() bool { return m.changedOnly }

// StepMode reports whether the step-through is on; Step is its current
// step (an index into the view's Steps).
func (m *MergeScreen) StepMode() bool { return m.stepMode }
func (m *MergeScreen) Step() int      { return m.step }

// Breakpoints are the GUIDs with a breakpoint.
func (m *MergeScreen) Breakpoints() []string {
	var out []string
	for g := range m.breakpoints {
		out = append(out, g)
	}
	return out
}

// Confirming reports whether the apply dialog is open.
func (m *MergeScreen) Confirming() bool { return m.confirming }

// LastApplyRequest is the last confirmed apply request, or nil.
func (m *MergeScreen) LastApplyRequest() *ApplyRequestedMsg { return m.lastApply }

// Status is the last transient status message.
func (m *MergeScreen) Status() string { return m.status }

// KeyMap returns the screen's bindings in their current enabled state.
func (m *MergeScreen) KeyMap() MergeKeyMap { return m.keys }

// HelpKeys returns the bindings the help bar shows now.
func (m *MergeScreen) HelpKeys() help.KeyMap { return mergeHelpKeys{m} }

// Init asks for the background colour and starts the merge.
func (m *MergeScreen) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.start())
}

// start runs the first merge unless it ran or is running.
func (m *MergeScreen) start() tea.Cmd {
	if m.st != nil || m.busy {
		return nil
	}
	return m.runMerge()
}

func (m *MergeScreen) mergeInput() mergeview.Input {
	return mergeview.Input{Local: m.in.Local, Remote: m.in.Remote, Now: m.in.Times,
		Resolutions: m.in.Resolutions, Rebuild: m.in.Rebuild, Explain: true}
}

// runMerge starts a merge of the shown view with the pending decisions
// (from scratch before the first one) in a command. An earlier merge still
// running is cancelled and its result, if it comes, is discarded.
func (m *MergeScreen) runMerge() tea.Cmd {
	if m.cancel != nil {
		m.cancel()
	}
	m.gen++
	gen := m.gen
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	var base *mergeview.View
	if m.st != nil {
		base = m.st.view
	}
	in := m.mergeInput()
	ops := append([]mergeOp(nil), m.pending...)
	work := func() tea.Msg {
		v := base
		var err error
		if v == nil {
			if in.Local == nil || in.Remote == nil {
				return mergeDoneMsg{screen: m, gen: gen, err: errors.New("a merge needs both the local tree and the Sync mirror")}
			}
			v, err = mergeview.New(ctx, in)
		}
		for _, op := range ops {
			if err != nil {
				break
			}
			switch {
			case op.set:
				v, err = replaceResolutions(ctx, v, in, op.res)
			case op.undo:
				v, err = v.Undo()
			default:
				v, err = v.ChooseContext(ctx, op.conflict, op.alternative)
			}
		}
		if err != nil {
			return mergeDoneMsg{screen: m, gen: gen, err: err}
		}
		return mergeDoneMsg{screen: m, gen: gen, st: prepare(v)}
	}
	wasBusy := m.busy
	m.busy = true
	m.updateKeys()
	if wasBusy {
		return work
	}
	s := m.spin
	return tea.Batch(work, func() tea.Msg { return s.Tick() })
}

func (m *MergeScreen) applyTheme() {
	th := m.selectTheme()
	m.local.SetCommon(m.common)
	m.merged.SetCommon(m.common)
	m.remote.SetCommon(m.common)
	m.conflicts.SetCommon(m.common)
	m.explain.SetCommon(m.common)
	m.spin.Style = th.Styles.Accent
	m.refreshExplain()
}

func (m *MergeScreen) focusedPane() *rowpane.Model {
	switch m.focus {
	case focusMLocal:
		return &m.local
	case focusMerged:
		return &m.merged
	case focusMRemote:
		return &m.remote
	}
	return nil
}

func (m *MergeScreen) setFocus(f mergeFocus) {
	m.focus = f
	m.local.SetFocused(f == focusMLocal)
	m.merged.SetFocused(f == focusMerged)
	m.remote.SetFocused(f == focusMRemote)
	m.conflicts.SetFocused(f == focusConflicts)
	m.updateKeys()
}

// mergedRowOf maps the selection of a side pane to the merged pane's row
// GUID (a merged GUID, a deleted GUID), or "".
func (m *MergeScreen) rowFor(side tree.Side, guid string) *mergeview.Row {
	if m.st == nil || guid == "" {
		return nil
	}
	return m.st.view.LookupSide(side, guid)
}

// follow makes the panes other than from show the same item as from's
// selection (merged GUID <-> local and remote GUIDs, deduped pairs
// included), and the explain panel and conflicts panel follow it.
func (m *MergeScreen) follow(from mergeFocus) {
	var r *mergeview.Row
	var localGUID, remoteGUID, mergedGUID string
	switch from {
	case focusMerged:
		mergedGUID = m.merged.Selected()
		if m.st != nil {
			if i, ok := m.st.merged.Index(mergedGUID); ok {
				r = m.st.merged.row(i)
			}
		}
		if r != nil {
			localGUID, remoteGUID = r.LocalGUID(), r.RemoteGUID()
		}
	case focusMLocal, focusMRemote:
		side, pane := tree.Local, &m.local
		if from == focusMRemote {
			side, pane = tree.Remote, &m.remote
		}
		g := pane.Selected()
		r = m.rowFor(side, g)
		if r != nil {
			mergedGUID, localGUID, remoteGUID = r.GUID(), r.LocalGUID(), r.RemoteGUID()
		} else if m.st == nil {
			localGUID, remoteGUID = g, g // before the merge: the same GUID
		}
		if from == focusMLocal {
			localGUID = g
		} else {
			remoteGUID = g
		}
	default:
		return
	}
	if from != focusMerged {
		if mergedGUID == "" || !m.merged.Select(mergedGUID) {
			m.merged.SetHighlight("")
		}
		m.merged.SetHighlight(mergedGUID)
	} else {
		m.merged.SetHighlight("")
	}
	if from != focusMLocal {
		if localGUID != "" {
			m.local.Select(localGUID)
		}
		m.local.SetHighlight(localGUID)
	} else {
		m.local.SetHighlight("")
	}
	if from != focusMRemote {
		if remoteGUID != "" {
			m.remote.Select(remoteGUID)
		}
		m.remote.SetHighlight(remoteGUID)
	} else {
		m.remote.SetHighlight("")
	}
	// The conflicts panel follows an item that has a conflict.
	if m.st != nil && r != nil && from != focusConflicts {
		if ids := m.st.byGUID[r.GUID()]; len(ids) > 0 {
			if c := m.conflicts.Selected(); c == nil || c.GUID != r.GUID() {
				m.conflicts.Select(ids[0])
			}
		}
	}
	m.refreshExplain()
	m.updateKeys()
}

// selectGUID selects an item in every pane, starting from the merged pane
// when it shows it.
func (m *MergeScreen) selectGUID(guid string) bool {
	if guid == "" {
		return false
	}
	if m.merged.Select(guid) {
		m.follow(focusMerged)
		return true
	}
	if m.local.Select(guid) {
		m.follow(focusMLocal)
		return true
	}
	if m.remote.Select(guid) {
		m.follow(focusMRemote)
		return true
	}
	return false
}

// showConflict selects the conflict's item in all panes.
func (m *MergeScreen) showConflict() {
	c := m.conflicts.Selected()
	if c == nil {
		return
	}
	if !m.selectGUID(c.GUID) && (m.changedOnly || m.query != "") {
		m.status = "the conflict's item is hidden by the filter"
	}
	m.refreshExplain()
	m.updateKeys()
}

// selectedRow is the row the explain panel explains: the merged pane's
// selection, or the side pane's when it has the focus.
func (m *MergeScreen) selectedRow() *mergeview.Row {
	if m.st == nil {
		return nil
	}
	switch m.focus {
	case focusMLocal:
		return m.rowFor(tree.Local, m.local.Selected())
	case focusMRemote:
		return m.rowFor(tree.Remote, m.remote.Selected())
	}
	if i, ok := m.st.merged.Index(m.merged.Selected()); ok {
		return m.st.merged.row(i)
	}
	return nil
}

func (m *MergeScreen) refreshExplain() {
	if m.common.Theme == nil {
		return
	}
	th := m.common.Theme
	g, st := &th.Glyphs, &th.Styles
	var it *explain.Item
	if m.stepMode && m.st != nil && m.step < len(m.st.steps) {
		s := &m.st.steps[m.step]
		it = &explain.Item{Title: fmt.Sprintf("Step %d of %d · %s", m.step+1, len(m.st.steps), s.Kind)}
		lines := []explain.Line{{Glyph: g.Current, Style: st.Accent, Text: s.Text}}
		if s.Conflict != "" {
			lines = append(lines, explain.Line{Glyph: g.Conflict, Style: st.Conflict, Text: "listed as conflict " + s.Conflict})
		}
		it.Sections = append(it.Sections, explain.Section{Heading: "Decision", Lines: lines})
		it.Subtitle = "items: " + strings.Join(s.GUIDs, ", ")
	}
	if r := m.selectedRow(); r != nil {
		if it == nil {
			it = &explain.Item{Title: rowLabel(r)}
			it.Subtitle = m.rowSubtitle(r)
		} else {
			it.Sections = append(it.Sections, explain.Section{Heading: "Selected: " + rowLabel(r) + " · " + r.GUID()})
		}
		it.Sections = append(it.Sections, m.rowSections(r)...)
	} else if it == nil && m.st == nil {
		if m.mergeErr != nil {
			it = &explain.Item{Title: "The merge failed", Subtitle: m.mergeErr.Error()}
		}
	}
	m.explain.SetItem(it)
}

func (m *MergeScreen) rowSubtitle(r *mergeview.Row) string {
	parts := []string{r.Kind().String(), r.GUID()}
	if l := r.LocalGUID(); l != "" && l != r.GUID() {
		parts = append(parts, "local "+l)
	}
	if x := r.RemoteGUID(); x != "" && x != r.GUID() {
		parts = append(parts, "server "+x)
	}
	if r.URL() != "" && r.Title() != "" {
		parts = append(parts, r.URL())
	}
	return strings.Join(parts, " · ")
}

func (m *MergeScreen) rowSections(r *mergeview.Row) []explain.Section {
	th := m.common.Theme
	g, st := &th.Glyphs, &th.Styles
	v := m.st.view
	var out []explain.Section
	if r.Deleted {
		out = append(out, explain.Section{Heading: "Why it goes", Lines: []explain.Line{{Glyph: g.Deleted, Style: st.Deleted, Text: r.Reason}}})
	} else {
		b := stateBadge(th, r.State())
		where := "in “" + v.Name(r.ParentGUID()) + "”"
		if r.ParentGUID() == "" {
			where = "the root"
		}
		out = append(out, explain.Section{Heading: "Merge state", Lines: []explain.Line{
			{Glyph: b.Text, Style: b.Style, Text: stateWords(r.State())},
			{Glyph: g.FolderOpen, Style: st.Accent, Text: "lives " + where},
		}})
	}
	var changes []explain.Line
	for _, mk := range r.Marks {
		gl, s := markGlyph(th, mk.Kind)
		side := "here: "
		if mk.Side == tree.Remote {
			side = "server: "
		}
		if mk.Kind == mergeview.MarkDeleted && r.Deleted {
			continue // said above
		}
		changes = append(changes, explain.Line{Glyph: gl, Style: s, Text: side + v.Describe(mk)})
	}
	out = append(out, explain.Section{Heading: "What happens", Lines: changes})
	var cl []explain.Line
	for _, i := range m.st.byGUID[r.GUID()] {
		c := &m.st.conflicts[i]
		gl, s := conflicts.Glyph(c, m.common)
		text := c.Kind.String() + ": " + c.Current
		if a, ok := c.Alt(c.Current); ok && a.Label != "" {
			text = c.Kind.String() + ": " + a.Label
		}
		if c.Decided {
			text += " (your choice)"
		} else if c.Choosable && !m.opts.ReadOnly {
			text += " (the merge's choice: the number keys change it)"
		}
		cl = append(cl, explain.Line{Glyph: gl, Style: s, Text: text})
	}
	out = append(out, explain.Section{Heading: "Conflicts", Lines: cl})
	var dl []explain.Line
	seen := map[int]bool{}
	for _, gd := range []string{r.GUID(), r.LocalGUID(), r.RemoteGUID()} {
		for _, i := range m.st.stepsOf[gd] {
			if seen[i] {
				continue
			}
			seen[i] = true
			glyph, s := " ", st.Muted
			if m.stepMode && i == m.step {
				glyph, s = g.Current, st.Accent
			}
			dl = append(dl, explain.Line{Glyph: glyph, Style: s, Text: fmt.Sprintf("step %d: %s", i+1, m.st.steps[i].Text)})
		}
	}
	if len(dl) == 0 && !r.Deleted {
		dl = append(dl, explain.Line{Glyph: g.Unchanged, Style: st.Muted, Text: "no decision: it merged the only way it could"})
	}
	out = append(out, explain.Section{Heading: "Decisions", Lines: dl})
	return out
}

// effectiveResolutions are the resolutions the shown merge plus the
// pending decisions leave (before the first merge: the input's).
func (m *MergeScreen) effectiveResolutions() []mergeview.Resolution {
	var res []mergeview.Resolution
	if m.st != nil {
		res = m.st.view.Resolutions()
	} else {
		res = append(res, m.in.Resolutions...)
	}
	for _, op := range m.pending {
		switch {
		case op.set:
			res = append(res[:0:0], op.res...)
		case op.undo:
			res = res[:max(len(res)-1, 0)]
		default:
			res = append(res, mergeview.Resolution{Conflict: op.conflict, Choice: op.alternative, Label: op.label})
		}
	}
	return res
}

func (m *MergeScreen) updateKeys() {
	k := &m.keys
	ro := m.opts.ReadOnly
	normal := !m.filtering && !m.confirming
	k.ClearFilter.SetEnabled(m.filtering || (normal && !m.stepMode && (m.query != "" || m.changedOnly)))
	k.ApplyFilter.SetEnabled(m.filtering)
	k.Filter.SetEnabled(normal && !m.stepMode)
	k.Quit.SetEnabled(normal)
	k.Help.SetEnabled(normal)
	k.FocusNext.SetEnabled(normal)
	k.FocusPrev.SetEnabled(normal)
	k.ChangedOnly.SetEnabled(normal && !m.stepMode && m.st != nil)
	if m.changedOnly {
		k.ChangedOnly.SetHelp("c", "show all")
	} else {
		k.ChangedOnly.SetHelp("c", "changed only")
	}
	n := m.conflicts.Len()
	k.NextConflict.SetEnabled(normal && n > 0)
	k.PrevConflict.SetEnabled(normal && n > 0)
	c := m.conflicts.Selected()
	canChoose := !ro && normal && !m.stepMode && c != nil && c.Choosable && !c.Gone
	k.Choose.SetEnabled(canChoose)
	if canChoose {
		k.Choose.SetHelp(fmt.Sprintf("1-%d", min(len(c.Alternatives), conflicts.MaxAlternatives)), "choose")
	}
	k.Undo.SetEnabled(!ro && normal && !m.stepMode && len(m.effectiveResolutions()) > 0)
	free := m.applying.By == ""
	k.Apply.SetEnabled(!ro && normal && !m.stepMode && !m.busy && m.st != nil && free)
	k.Confirm.SetEnabled(!ro && m.confirming && !m.busy && free)
	k.Cancel.SetEnabled(m.confirming)
	hasSteps := m.st != nil && len(m.st.steps) > 0
	k.StepMode.SetEnabled(normal && !m.stepMode && hasSteps)
	k.ExitStep.SetEnabled(normal && m.stepMode)
	k.StepNext.SetEnabled(normal && m.stepMode && hasSteps && m.step < len(m.st.steps)-1)
	k.StepPrev.SetEnabled(normal && m.stepMode && m.step > 0)
	k.Breakpoint.SetEnabled(normal && hasSteps && m.currentGUID() != "")
	if m.breakpoints[m.currentGUID()] {
		k.Breakpoint.SetHelp("b", "clear breakpoint")
	} else {
		k.Breakpoint.SetHelp("b", "breakpoint")
	}
	k.RunToBreak.SetEnabled(normal && m.stepMode && hasSteps && len(m.breakpoints) > 0)
	k.Explorer.SetEnabled(normal && m.hosted)
	m.setHelpToggle(&k.Help)
}

// currentGUID is the merged GUID of the selection (for breakpoints).
func (m *MergeScreen) currentGUID() string {
	if r := m.selectedRow(); r != nil {
		return r.GUID()
	}
	return ""
}

// applyFilters sets the text and changed-only filters on the three panes.
func (m *MergeScreen) applyFilters() {
	q := strings.ToLower(strings.TrimSpace(m.query))
	changed := m.changedOnly && m.st != nil
	if q == "" && !changed {
		m.local.SetFilter(nil)
		m.remote.SetFilter(nil)
		m.merged.SetFilter(nil)
	} else {
		st := m.st
		for _, p := range []struct {
			pane *rowpane.Model
			src  *treeSource
		}{{&m.local, m.localSrc}, {&m.remote, m.remoteSrc}} {
			src := p.src
			p.pane.SetFilter(func(i int) bool {
				return (q == "" || strings.Contains(src.haystack(i), q)) && (!changed || src.changed(i))
			})
		}
		if st != nil {
			ms := st.merged
			m.merged.SetFilter(func(i int) bool {
				r := ms.row(i)
				if r == nil {
					return false
				}
				return (q == "" || strings.Contains(ms.haystack(i), q)) && (!changed || st.changed(r))
			})
		}
	}
	m.follow(m.paneFocus())
}

// paneFocus is the focused pane, or the merged pane when the conflicts
// panel has the focus.
func (m *MergeScreen) paneFocus() mergeFocus {
	if m.focus == focusConflicts {
		return focusMerged
	}
	return m.focus
}

// Update handles messages.
func (m *MergeScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.terminalMsg(msg, m.layout, m.applyTheme) {
		return m, nil
	}
	switch msg := msg.(type) {
	case mergeDoneMsg:
		return m, m.mergeDone(msg)
	case stepsReadyMsg:
		if msg.st == m.st {
			m.st.steps, m.st.stepsOf = msg.steps, msg.stepsOf
			m.step = min(m.step, max(len(m.st.steps)-1, 0))
			m.refreshExplain()
			m.updateKeys()
		}
		return m, nil
	case spinner.TickMsg:
		if !m.busy {
			return m, nil
		}
		var cmd tea.Cmd
		m.spin, cmd = m.spin.Update(msg)
		return m, cmd
	case SetResolutionsMsg:
		return m, m.setResolutions(msg)
	case ApplyingMsg:
		m.setApplying(msg)
		return m, nil
	case ApplyRequestedMsg:
		m.lastApply = &msg
		m.status = fmt.Sprintf("apply requested with %d of your decisions", len(msg.Resolutions))
		if m.in.OnApply != nil {
			return m, m.in.OnApply(msg)
		}
		return m, nil
	case tea.MouseMsg:
		m.handleMouse(msg)
		return m, nil
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	}
	return m, m.filterMsg(msg)
}

func (m *MergeScreen) mergeDone(msg mergeDoneMsg) tea.Cmd {
	if msg.screen != m || msg.gen != m.gen {
		return nil // an earlier request: a newer one is running
	}
	m.busy = false
	m.cancel = nil
	if len(m.pending) > 0 && msg.err == nil {
		switch last := m.pending[len(m.pending)-1]; {
		case last.set:
			if last.note != "" {
				m.status = last.note
			}
		case last.undo:
			m.status = "merged: your last choice undone"
		default:
			m.status = "merged: your choice is in"
		}
	}
	m.pending = nil
	m.conflicts.SetPending("")
	if msg.err != nil {
		m.mergeErr = msg.err
		m.status = "merge failed: " + msg.err.Error()
		if m.st == nil {
			m.merged.SetEmptyText("the merge failed: " + msg.err.Error())
		}
		m.refreshExplain()
		m.updateKeys()
		return nil
	}
	m.mergeErr = nil
	old := m.st
	m.st = msg.st
	m.st.merged.bps = m.breakpoints
	v := m.st.view
	if old == nil || old.view.Local() != v.Local() {
		m.localSrc = newTreeSource(v.Local(), tree.Local)
		m.localSrc.bps = m.breakpoints
		m.local.SetSource(m.localSrc)
	}
	if old == nil || old.view.Remote() != v.Remote() {
		m.remoteSrc = newTreeSource(v.Remote(), tree.Remote)
		m.remoteSrc.bps = m.breakpoints
		m.remote.SetSource(m.remoteSrc)
	}
	m.localSrc.st, m.remoteSrc.st = m.st, m.st
	m.merged.SetSource(m.st.merged)
	m.conflicts.SetConflicts(m.st.conflicts)
	if old == nil {
		// First merge: start on the first conflict, if any.
		m.layout()
		if m.conflicts.Len() > 0 {
			m.conflicts.Select(0)
			m.showConflict()
		}
	}
	m.applyFilters()
	if m.focus == focusConflicts {
		m.showConflict()
	}
	return prepareSteps(m.st)
}

func (m *MergeScreen) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	if m.confirming {
		switch {
		case key.Matches(msg, k.ForceQuit):
			return m.quit()
		case key.Matches(msg, k.Confirm):
			m.confirming = false
			req := ApplyRequestedMsg{Resolutions: m.st.view.Resolutions(), Summary: m.st.view.Summary(), View: m.st.view}
			m.layout()
			m.updateKeys()
			return m, func() tea.Msg { return req }
		case key.Matches(msg, k.Cancel):
			m.confirming = false
			m.status = "apply cancelled"
			m.layout()
			m.updateKeys()
		}
		return m, nil
	}
	if m.filtering {
		switch {
		case key.Matches(msg, k.ForceQuit):
			return m.quit()
		case key.Matches(msg, k.ClearFilter):
			m.filtering = false
			m.filter.Blur()
			m.filter.SetValue("")
			m.query = ""
			m.applyFilters()
			m.layout()
			return m, nil
		case key.Matches(msg, k.ApplyFilter):
			m.filtering = false
			m.filter.Blur()
			m.updateKeys()
			m.layout()
			return m, nil
		}
		var cmd tea.Cmd
		m.filter, cmd = m.filter.Update(msg)
		if m.filter.Value() != m.query {
			m.query = m.filter.Value()
			m.applyFilters()
		}
		return m, cmd
	}
	m.status = ""
	if m.stepMode {
		switch {
		case key.Matches(msg, k.ExitStep):
			m.stepMode = false
			m.refreshExplain()
			m.updateKeys()
			m.layout()
			return m, nil
		case key.Matches(msg, k.StepNext):
			m.gotoStep(m.step + 1)
			return m, nil
		case key.Matches(msg, k.StepPrev):
			m.gotoStep(m.step - 1)
			return m, nil
		case key.Matches(msg, k.RunToBreak):
			m.runToBreakpoint()
			return m, nil
		}
	}
	switch {
	case key.Matches(msg, k.Quit):
		return m.quit()
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.updateKeys()
		m.layout()
		return m, nil
	case key.Matches(msg, k.Filter):
		m.filtering = true
		m.filter.SetValue(m.query)
		m.updateKeys()
		m.layout()
		return m, m.filter.Focus()
	case key.Matches(msg, k.ClearFilter):
		m.filter.SetValue("")
		m.query, m.changedOnly = "", false
		m.applyFilters()
		m.layout()
		return m, nil
	case key.Matches(msg, k.ChangedOnly):
		m.changedOnly = !m.changedOnly
		m.applyFilters()
		m.layout()
		return m, nil
	case key.Matches(msg, k.FocusNext):
		m.setFocus((m.focus + 1) % 4)
		m.follow(m.paneFocus())
		return m, nil
	case key.Matches(msg, k.FocusPrev):
		m.setFocus((m.focus + 3) % 4)
		m.follow(m.paneFocus())
		return m, nil
	case key.Matches(msg, k.NextConflict):
		m.conflicts.Select((m.conflicts.Cursor() + 1) % max(m.conflicts.Len(), 1))
		m.showConflict()
		return m, nil
	case key.Matches(msg, k.PrevConflict):
		n := max(m.conflicts.Len(), 1)
		m.conflicts.Select((m.conflicts.Cursor() + n - 1) % n)
		m.showConflict()
		return m, nil
	case key.Matches(msg, k.Choose):
		return m, m.choose(msg)
	case key.Matches(msg, k.Undo):
		res := m.effectiveResolutions()
		if len(res) == 0 {
			return m, nil
		}
		m.pending = append(m.pending, mergeOp{undo: true})
		m.status = "undoing your last choice…"
		return m, tea.Batch(m.runMerge(), m.resolved(ResolveEvent{Undo: true, Resolution: res[len(res)-1], Resolutions: res[:len(res)-1]}))
	case key.Matches(msg, k.Apply):
		m.confirming = true
		m.updateKeys()
		m.layout()
		return m, nil
	case key.Matches(msg, k.StepMode):
		m.stepMode = true
		start := 0
		if g := m.currentGUID(); g != "" {
			if i := m.st.view.Breakpoint(g); i >= 0 {
				start = i
			}
		}
		m.layout()
		m.gotoStep(start)
		return m, nil
	case key.Matches(msg, k.Breakpoint):
		g := m.currentGUID()
		if m.breakpoints[g] {
			delete(m.breakpoints, g)
			m.status = "breakpoint cleared"
		} else {
			m.breakpoints[g] = true
			if m.st.view.Breakpoint(g) < 0 {
				m.status = "breakpoint set (no decision involves this item)"
			} else {
				m.status = "breakpoint set"
			}
		}
		m.updateKeys()
		return m, nil
	}
	var cmd tea.Cmd
	switch m.focus {
	case focusConflicts:
		before := m.conflicts.Cursor()
		m.conflicts, cmd = m.conflicts.Update(msg)
		if m.conflicts.Cursor() != before {
			m.showConflict()
		}
		return m, cmd
	default:
		p := m.focusedPane()
		*p, cmd = p.Update(msg)
	}
	m.follow(m.focus)
	return m, cmd
}

func (m *MergeScreen) quit() (tea.Model, tea.Cmd) {
	if m.cancel != nil {
		m.cancel()
	}
	return m, tea.Quit
}

// choose takes the alternative of the selected conflict named by the
// number key and re-merges in the background.
func (m *MergeScreen) choose(msg tea.KeyPressMsg) tea.Cmd {
	c := m.conflicts.Selected()
	if c == nil || len(msg.Text) != 1 {
		return nil
	}
	k := int(msg.Text[0] - '1')
	if k < 0 || k >= len(c.Alternatives) {
		m.status = fmt.Sprintf("this conflict has %d alternatives", len(c.Alternatives))
		return nil
	}
	a := c.Alternatives[k]
	if a.ID == c.Current && len(m.pending) == 0 {
		m.status = "already in effect: " + a.Label
		return nil
	}
	m.pending = append(m.pending, mergeOp{conflict: c.ID, alternative: a.ID, label: a.Label})
	m.conflicts.SetPending(c.ID)
	m.status = "chose: " + a.Label
	res := m.effectiveResolutions()
	return tea.Batch(m.runMerge(), m.resolved(ResolveEvent{Resolution: res[len(res)-1], Resolutions: res}))
}

// resolved tells the host about a change the user made.
func (m *MergeScreen) resolved(e ResolveEvent) tea.Cmd {
	if m.in.OnResolve == nil {
		return nil
	}
	return m.in.OnResolve(e)
}

// setResolutions replaces the resolutions with a list from outside and
// re-merges, unless the screen shows or is merging that list already.
func (m *MergeScreen) setResolutions(msg SetResolutionsMsg) tea.Cmd {
	res := append([]mergeview.Resolution(nil), msg.Resolutions...)
	old := m.effectiveResolutions()
	if sameResolutions(old, res) {
		return nil
	}
	if m.st == nil {
		// No merge shown yet: the first one starts from these (again, if
		// it is running or failed).
		m.in.Resolutions = res
		m.pending = nil
		if m.gen == 0 {
			return nil
		}
		return m.runMerge()
	}
	note := msg.Status
	if note == "" {
		note = m.describeChange(old, res, msg.By)
	}
	// The list replaces every decision not merged yet, the user's too: it
	// is everyone's, the user's included once the host shared them.
	m.pending = []mergeOp{{set: true, res: res, note: note}}
	m.conflicts.SetPending("")
	if p := commonPrefix(old, res); len(res) == p+1 {
		m.conflicts.SetPending(res[p].Conflict)
	}
	m.status = note
	return m.runMerge()
}

// setApplying records who applies; someone else's apply closes the
// confirmation dialog.
func (m *MergeScreen) setApplying(msg ApplyingMsg) {
	m.applying = msg
	if msg.By != "" && !msg.Self && m.confirming {
		m.confirming = false
		m.status = "apply cancelled: " + msg.By + " is applying"
		m.layout()
	}
	m.updateKeys()
}

func (m *MergeScreen) gotoStep(i int) {
	if m.st == nil || len(m.st.steps) == 0 {
		return
	}
	m.step = min(max(i, 0), len(m.st.steps)-1)
	s := &m.st.steps[m.step]
	shown := false
	for _, g := range s.GUIDs {
		if m.selectGUID(g) {
			shown = true
			break
		}
	}
	if !shown && len(s.GUIDs) > 0 && (m.changedOnly || m.query != "") {
		m.status = "this step's item is hidden by the filter"
	}
	if s.Conflict != "" {
		m.conflicts.SelectID(s.Conflict)
	}
	m.refreshExplain()
	m.updateKeys()
}

func (m *MergeScreen) runToBreakpoint() {
	if m.st == nil {
		return
	}
	for i := m.step + 1; i < len(m.st.steps); i++ {
		for _, g := range m.st.steps[i].GUIDs {
			if m.breakpoints[g] {
				m.gotoStep(i)
				m.status = "stopped at a breakpoint on " + m.st.view.Name(g)
				return
			}
		}
	}
	m.gotoStep(len(m.st.steps) - 1)
	m.status = "no breakpoint ahead: at the last step"
}

func (m *MergeScreen) handleMouse(msg tea.MouseMsg) {
	translated, click, ok := mouseIn(msg)
	if !ok {
		return
	}
	ev := msg.Mouse()
	for _, p := range []struct {
		r    rect
		f    mergeFocus
		pane *rowpane.Model
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
			m.explain.ScrollBy(d)
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
	if m.filtering || m.query != "" {
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
	m.explain.SetSize(m.explainRect.w, m.explainRect.h)
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
		switch {
		case m.confirming:
			r := m.bottomLeftRect
			r.w = m.width - 2
			bottom = append(bottom, drawFrame(st.Dialog, "Apply this merge?", m.confirmText(r.w, r.h), r))
		case m.stepMode:
			bottom = append(bottom, drawBox(th, false, m.stepsTitle(), m.stepsView(), m.bottomLeftRect))
		default:
			bottom = append(bottom, drawBox(th, m.focus == focusConflicts, m.conflictsTitle(), m.conflicts.View(), m.bottomLeftRect))
		}
		if m.explainRect.w > 0 && !m.confirming {
			bottom = append(bottom, drawBox(th, false, "Why", m.explain.View(), m.explainRect))
		}
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, bottom...))
	}
	var tail []string
	if m.filtering || m.query != "" {
		suffix := ""
		if m.query != "" {
			suffix = fmt.Sprintf("  %d local, %d merged, %d remote matches", m.local.MatchCount(), m.merged.MatchCount(), m.remote.MatchCount())
		}
		m.sizeFilter(suffix)
		line := m.filter.View()
		if !m.filtering {
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
	count := func(p *rowpane.Model) string {
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
	if m.st != nil {
		s += st.Muted.Render(fmt.Sprintf(" · %s items", thousands(m.st.view.Summary().Items)))
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
	if m.busy {
		b.WriteString(m.spin.View())
		if m.st == nil {
			b.WriteString(st.Accent.Render(" merging…  "))
		} else {
			b.WriteString(st.Accent.Render(" re-merging…  "))
		}
	}
	if m.st == nil {
		if m.mergeErr != nil {
			b.WriteString(st.Error.Render(g.Problem + " merge failed: " + m.mergeErr.Error()))
		}
		return ansi.Truncate(b.String(), m.width, "…")
	}
	s := m.st.view.Summary()
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

func (m *MergeScreen) confirmText(w, h int) string {
	st := &m.common.Theme.Styles
	s := m.st.view.Summary()
	lines := []string{
		fmt.Sprintf("%d items written here, %d uploaded, %d deleted here, %d deleted on the server.",
			s.AppliedLocally, s.Uploaded, s.DeletedLocally, s.DeletedRemotely),
		fmt.Sprintf("%d conflicts decided by you, %d left at the merge's choice.", s.ConflictsDecided, s.ConflictsOpen),
		"",
		st.Accent.Render("y/enter") + " apply   " + st.Accent.Render("n/esc") + " cancel",
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(" "+l, w, "…")
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}

func (m *MergeScreen) stepsTitle() string {
	if m.st == nil {
		return "Steps"
	}
	return fmt.Sprintf("Steps · %d of %d", m.step+1, len(m.st.steps))
}

// stepsView lists the steps around the current one.
func (m *MergeScreen) stepsView() string {
	r := m.bottomLeftRect
	if r.w <= 0 || r.h <= 0 || m.st == nil {
		return ""
	}
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	n := len(m.st.steps)
	start := min(max(m.step-r.h/2, 0), max(n-r.h, 0))
	var lines []string
	for i := start; i < n && len(lines) < r.h; i++ {
		s := &m.st.steps[i]
		bp := " "
		for _, gd := range s.GUIDs {
			if m.breakpoints[gd] {
				bp = g.Breakpoint
				break
			}
		}
		text := fmt.Sprintf("%4d %s", i+1, s.Text)
		if i == m.step {
			line := ansi.Truncate(g.Current+bp+text, r.w, "…")
			if d := r.w - ansi.StringWidth(line); d > 0 {
				line += strings.Repeat(" ", d)
			}
			lines = append(lines, st.Selected.Render(line))
			continue
		}
		lines = append(lines, ansi.Truncate(" "+st.Error.Render(bp)+st.Text.Render(text), r.w, "…"))
	}
	return strings.Join(lines, "\n")
}

func (m *MergeScreen) statusLine() string {
	th := m.common.Theme
	st := &th.Styles
	var b strings.Builder
	m.statusBar(&b, "bmtui merge", m.in.ProfileName)
	if m.opts.ReadOnly {
		m.statusItem(&b, st.Warning.Render("read-only"))
	}
	if m.stepMode {
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
