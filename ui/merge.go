package ui

import (
	"fmt"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/conflicts"
	"github.com/bmtui/bmtui/ui/explain"
	"github.com/bmtui/bmtui/ui/treepane"
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

// mergeMode is what has the keyboard: the panes (browsing), the filter
// input, the apply dialog, or the step-through.
type mergeMode int

const (
	modeBrowse mergeMode = iota
	modeFilter
	modeConfirm
	modeStep
)

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

	keys MergeKeyMap
	mode mergeMode

	// Sub-models: the merge running off the loop, the panes, the
	// step-through, the apply dialog and the explain panel.
	run       mergeRunner
	local     treepane.Model
	merged    treepane.Model
	remote    treepane.Model
	conflicts conflicts.Model
	steps     stepper
	confirm   confirmDialog
	why       whyPanel

	localSrc, remoteSrc *treeSource

	focus       mergeFocus
	query       string
	changedOnly bool
	hosted      bool // inside App: e goes back to the explorer
	lastApply   *ApplyRequestedMsg
	applying    ApplyingMsg // who holds the shared apply lock

	localRect, mergedRect, remoteRect, bottomLeftRect, explainRect rect
}

// NewMergeScreen builds the merge screen. The merge runs when the program
// starts it (Init), off the update loop.
func NewMergeScreen(in MergeInput, opts Options) *MergeScreen {
	m := &MergeScreen{
		screen: newScreen(opts),
		in:     in,
		keys:   DefaultMergeKeyMap(),
		run: newMergeRunner(mergeview.Input{Local: in.Local, Remote: in.Remote, Now: in.Times,
			Resolutions: in.Resolutions, Rebuild: in.Rebuild, Explain: true}),
		steps: newStepper(),
		focus: focusMerged,
	}
	m.local = treepane.New(m.common)
	m.merged = treepane.New(m.common)
	m.remote = treepane.New(m.common)
	m.merged.SetStateColumn(true)
	m.merged.SetEmptyText("merging…")
	m.conflicts = conflicts.New(m.common)
	m.conflicts.SetReadOnly(opts.ReadOnly)
	m.why = whyPanel{explain.New(m.common)}
	m.localSrc = newTreeSource(in.Local, tree.Local)
	m.remoteSrc = newTreeSource(in.Remote, tree.Remote)
	m.localSrc.bps, m.remoteSrc.bps = m.steps.breakpoints, m.steps.breakpoints
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
	if m.run.st == nil {
		return nil
	}
	return m.run.st.view
}

// Busy reports whether a merge is running.
func (m *MergeScreen) Busy() bool { return m.run.busy }

// Err is the last merge error, or nil.
func (m *MergeScreen) Err() error { return m.run.err }

// Local, Merged and Remote are the three panes.
func (m *MergeScreen) Local() treepane.Model  { return m.local }
func (m *MergeScreen) Merged() treepane.Model { return m.merged }
func (m *MergeScreen) Remote() treepane.Model { return m.remote }

// Conflicts is the conflicts panel.
func (m *MergeScreen) Conflicts() conflicts.Model { return m.conflicts }

// Explain is the explain panel.
func (m *MergeScreen) Explain() explain.Model { return m.why.Model }

// Focus names the focused area: "local", "merged", "remote" or
// "conflicts".
func (m *MergeScreen) Focus() string {
	return [...]string{"local", "merged", "remote", "conflicts"}[m.focus]
}

// Filtering reports whether the filter input has the keyboard.
func (m *MergeScreen) Filtering() bool { return m.mode == modeFilter }

// FilterQuery is the text filter applied to the panes.
func (m *MergeScreen) FilterQuery() string { return m.query }

// ChangedOnly reports whether only changed items are shown.
func (m *MergeScreen) ChangedOnly() bool { return m.changedOnly }

// StepMode reports whether the step-through is on; Step is its current
// step (an index into the view's Steps).
func (m *MergeScreen) StepMode() bool { return m.mode == modeStep }
func (m *MergeScreen) Step() int      { return m.steps.step }

// Breakpoints are the GUIDs with a breakpoint.
func (m *MergeScreen) Breakpoints() []string {
	var out []string
	for g := range m.steps.breakpoints {
		out = append(out, g)
	}
	return out
}

// Confirming reports whether the apply dialog is open.
func (m *MergeScreen) Confirming() bool { return m.mode == modeConfirm }

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
	cmd := m.run.start()
	m.updateKeys()
	return cmd
}

// remerge re-merges with decision op.
func (m *MergeScreen) remerge(op mergeOp) tea.Cmd {
	cmd := m.run.decide(op)
	m.updateKeys()
	return cmd
}

func (m *MergeScreen) applyTheme() {
	th := m.selectTheme()
	m.local.SetCommon(m.common)
	m.merged.SetCommon(m.common)
	m.remote.SetCommon(m.common)
	m.conflicts.SetCommon(m.common)
	m.why.SetCommon(m.common)
	m.run.spin.Style = th.Styles.Accent
	m.refreshExplain()
}

// refreshExplain explains the selection (and the step) in the explain
// panel.
func (m *MergeScreen) refreshExplain() {
	m.why.show(m.common.Theme, whyInput{st: m.run.st, row: m.selectedRow(), stepping: m.mode == modeStep,
		step: m.steps.step, err: m.run.err, readOnly: m.opts.ReadOnly})
}

func (m *MergeScreen) updateKeys() {
	k := &m.keys
	ro := m.opts.ReadOnly
	st := m.run.st
	browse, stepping, filtering, confirming := m.mode == modeBrowse, m.mode == modeStep, m.mode == modeFilter, m.mode == modeConfirm
	normal := browse || stepping // the panes have the keyboard
	k.ClearFilter.SetEnabled(filtering || (browse && (m.query != "" || m.changedOnly)))
	k.ApplyFilter.SetEnabled(filtering)
	k.Filter.SetEnabled(browse)
	k.Quit.SetEnabled(normal)
	k.Help.SetEnabled(normal)
	k.FocusNext.SetEnabled(normal)
	k.FocusPrev.SetEnabled(normal)
	k.ChangedOnly.SetEnabled(browse && st != nil)
	if m.changedOnly {
		k.ChangedOnly.SetHelp("c", "show all")
	} else {
		k.ChangedOnly.SetHelp("c", "changed only")
	}
	n := m.conflicts.Len()
	k.NextConflict.SetEnabled(normal && n > 0)
	k.PrevConflict.SetEnabled(normal && n > 0)
	c := m.conflicts.Selected()
	canChoose := !ro && browse && c != nil && c.Choosable && !c.Gone
	k.Choose.SetEnabled(canChoose)
	if canChoose {
		k.Choose.SetHelp(fmt.Sprintf("1-%d", min(len(c.Alternatives), conflicts.MaxAlternatives)), "choose")
	}
	k.Undo.SetEnabled(!ro && browse && len(m.run.effective()) > 0)
	free := m.applying.By == ""
	k.Apply.SetEnabled(!ro && browse && !m.run.busy && st != nil && free)
	k.Confirm.SetEnabled(!ro && confirming && !m.run.busy && free)
	k.Cancel.SetEnabled(confirming)
	hasSteps := st != nil && len(st.steps) > 0
	k.StepMode.SetEnabled(browse && hasSteps)
	k.ExitStep.SetEnabled(stepping)
	k.StepNext.SetEnabled(stepping && hasSteps && m.steps.step < len(st.steps)-1)
	k.StepPrev.SetEnabled(stepping && m.steps.step > 0)
	k.Breakpoint.SetEnabled(normal && hasSteps && m.currentGUID() != "")
	if m.steps.breakpoints[m.currentGUID()] {
		k.Breakpoint.SetHelp("b", "clear breakpoint")
	} else {
		k.Breakpoint.SetHelp("b", "breakpoint")
	}
	k.RunToBreak.SetEnabled(stepping && hasSteps && len(m.steps.breakpoints) > 0)
	k.Explorer.SetEnabled(normal && m.hosted)
	m.setHelpToggle(&k.Help)
}

// setMode gives the keyboard to mode and lays the screen out again.
func (m *MergeScreen) setMode(mode mergeMode) {
	m.mode = mode
	m.updateKeys()
	m.layout()
}

// Update handles messages.
func (m *MergeScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.terminalMsg(msg, m.layout, m.applyTheme) {
		return m, nil
	}
	switch msg := msg.(type) {
	case mergeDoneMsg, stepsReadyMsg, spinner.TickMsg:
		out, last, prev, cmd := m.run.update(msg)
		switch out {
		case mergeFinished:
			m.mergeDone(last, prev)
		case mergeStepsReady:
			m.steps.step = min(m.steps.step, max(len(m.run.st.steps)-1, 0))
			m.refreshExplain()
			m.updateKeys()
		}
		return m, cmd
	case conflicts.SelectedMsg:
		// Unless another selection overtook it.
		if c := m.conflicts.Selected(); c != nil && c.ID == msg.ID {
			m.showConflict()
		}
		return m, nil
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
		switch m.mode {
		case modeConfirm:
			return m.confirmKey(msg)
		case modeFilter:
			return m.filterKey(msg)
		}
		return m.handleKey(msg)
	}
	if m.mode == modeFilter {
		return m, m.filterMsg(msg)
	}
	return m, nil
}

// mergeDone shows the merge that came back (or says why it failed); last
// is the decision it was the last of, prev the merge shown before.
func (m *MergeScreen) mergeDone(last *mergeOp, prev *mergeState) {
	m.conflicts.SetPending("")
	if err := m.run.err; err != nil {
		m.status = "merge failed: " + err.Error()
		if m.run.st == nil {
			m.merged.SetEmptyText("the merge failed: " + err.Error())
		}
		m.refreshExplain()
		m.updateKeys()
		return
	}
	if last != nil {
		switch {
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
	st := m.run.st
	st.merged.bps = m.steps.breakpoints
	v := st.view
	if prev == nil || prev.view.Local() != v.Local() {
		m.localSrc = newTreeSource(v.Local(), tree.Local)
		m.localSrc.bps = m.steps.breakpoints
		m.local.SetSource(m.localSrc)
	}
	if prev == nil || prev.view.Remote() != v.Remote() {
		m.remoteSrc = newTreeSource(v.Remote(), tree.Remote)
		m.remoteSrc.bps = m.steps.breakpoints
		m.remote.SetSource(m.remoteSrc)
	}
	m.localSrc.st, m.remoteSrc.st = st, st
	m.merged.SetSource(st.merged)
	m.conflicts.SetConflicts(st.conflicts)
	if prev == nil {
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
}

// confirmKey handles a key while the apply dialog is open.
func (m *MergeScreen) confirmKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	switch m.confirm.update(msg, &m.keys) {
	case confirmApply:
		v := m.run.st.view
		req := ApplyRequestedMsg{Resolutions: v.Resolutions(), Summary: v.Summary(), View: v}
		m.setMode(modeBrowse)
		return m, func() tea.Msg { return req }
	case confirmCancel:
		m.status = "apply cancelled"
		m.setMode(modeBrowse)
	}
	return m, nil
}

// filterKey handles a key while the filter input has the keyboard.
func (m *MergeScreen) filterKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	switch {
	case key.Matches(msg, k.ForceQuit):
		return m.quit()
	case key.Matches(msg, k.ClearFilter):
		m.filter.Blur()
		m.filter.SetValue("")
		m.query = ""
		m.mode = modeBrowse
		m.applyFilters()
		m.layout()
		return m, nil
	case key.Matches(msg, k.ApplyFilter):
		m.filter.Blur()
		m.setMode(modeBrowse)
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

// handleKey handles a key while the panes have the keyboard (browsing or
// stepping through the decisions).
func (m *MergeScreen) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	k := m.keys
	m.status = ""
	if m.mode == modeStep {
		if act, ok := m.steps.update(msg, &m.keys, m.run.st); ok {
			if act.exit {
				m.mode = modeBrowse
				m.refreshExplain()
				m.updateKeys()
				m.layout()
				return m, nil
			}
			if act.goTo >= 0 {
				m.gotoStep(act.goTo)
			}
			if act.status != "" {
				m.status = act.status
			}
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
		m.filter.SetValue(m.query)
		m.setMode(modeFilter)
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
		res := m.run.effective()
		if len(res) == 0 {
			return m, nil
		}
		m.status = "undoing your last choice…"
		return m, tea.Batch(m.remerge(mergeOp{undo: true}), m.resolved(ResolveEvent{Undo: true, Resolution: res[len(res)-1], Resolutions: res[:len(res)-1]}))
	case key.Matches(msg, k.Apply):
		m.setMode(modeConfirm)
		return m, nil
	case key.Matches(msg, k.StepMode):
		start := 0
		if g := m.currentGUID(); g != "" {
			if i := m.run.st.view.Breakpoint(g); i >= 0 {
				start = i
			}
		}
		m.mode = modeStep
		m.layout()
		m.gotoStep(start)
		return m, nil
	case key.Matches(msg, k.Breakpoint):
		g := m.currentGUID()
		m.status = m.steps.toggleBreakpoint(g, m.run.st.view.Breakpoint(g) >= 0)
		m.updateKeys()
		return m, nil
	}
	var cmd tea.Cmd
	switch m.focus {
	case focusConflicts:
		m.conflicts, cmd = m.conflicts.Update(msg)
		return m, cmd
	default:
		p := m.focusedPane()
		*p, cmd = p.Update(msg)
	}
	m.follow(m.focus)
	return m, cmd
}

func (m *MergeScreen) quit() (tea.Model, tea.Cmd) {
	m.run.stop()
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
	if a.ID == c.Current && len(m.run.pending) == 0 {
		m.status = "already in effect: " + a.Label
		return nil
	}
	cmd := m.remerge(mergeOp{conflict: c.ID, alternative: a.ID, label: a.Label})
	m.conflicts.SetPending(c.ID)
	m.status = "chose: " + a.Label
	res := m.run.effective()
	return tea.Batch(cmd, m.resolved(ResolveEvent{Resolution: res[len(res)-1], Resolutions: res}))
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
	old := m.run.effective()
	if sameResolutions(old, res) {
		return nil
	}
	if m.run.st == nil {
		// No merge shown yet: the first one starts from these (again, if
		// it is running or failed).
		cmd := m.run.replace(res, "")
		m.updateKeys()
		return cmd
	}
	note := msg.Status
	if note == "" {
		note = m.describeChange(old, res, msg.By)
	}
	// The list replaces every decision not merged yet, the user's too: it
	// is everyone's, the user's included once the host shared them.
	cmd := m.run.replace(res, note)
	m.conflicts.SetPending("")
	if p := commonPrefix(old, res); len(res) == p+1 {
		m.conflicts.SetPending(res[p].Conflict)
	}
	m.status = note
	m.updateKeys()
	return cmd
}

// setApplying records who applies; someone else's apply closes the
// confirmation dialog.
func (m *MergeScreen) setApplying(msg ApplyingMsg) {
	m.applying = msg
	if msg.By != "" && !msg.Self && m.mode == modeConfirm {
		m.status = "apply cancelled: " + msg.By + " is applying"
		m.setMode(modeBrowse)
	}
	m.updateKeys()
}

// gotoStep shows step i: its first item shown in the panes, its conflict
// in the conflicts panel.
func (m *MergeScreen) gotoStep(i int) {
	st := m.run.st
	if st == nil || len(st.steps) == 0 {
		return
	}
	m.steps.moveTo(i, len(st.steps))
	s := &st.steps[m.steps.step]
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
