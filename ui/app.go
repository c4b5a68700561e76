package ui

import (
	"github.com/bmtui/bmtui/doctor"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/conflicts"
)

// AppInput is what the app shows: two trees with their reports (the
// callers fill them from the loaded sources), notes and clocks.
type AppInput struct {
	ProfileName string

	Local, Remote             *tree.Tree
	LocalReport, RemoteReport check.Report
	// RemoteLabel names the remote source, e.g. "Remote (server
	// records)"; "" is the mirror's "Remote (Sync mirror)".
	RemoteLabel string
	Notes       []string
	Times       tree.Clocks
	// MergeErr, when set, says why no merge is possible (a tree with a
	// cycle); the merge key stays disabled.
	MergeErr error

	// Resolutions, Rebuild, OnApply and OnResolve are handed to the merge
	// screen (see MergeInput).
	Resolutions []mergeview.Resolution
	Rebuild     mergeview.RebuildFunc
	OnApply     func(ApplyRequestedMsg) tea.Cmd
	OnResolve   func(ResolveEvent) tea.Cmd
	// StartInMerge opens the merge screen first (bmtui merge --tui).
	StartInMerge bool
	// Damage waits for the structural checks of both files (the callers
	// pass a profile's; nil: none); the explorer shows what they found
	// when they end.
	Damage func() (local, remote []dbcheck.Damage, err error)
	// Salvage scans the profile's sources and rebuilds its tree (see
	// SalvagePlan); it runs in a command when the salvage screen opens.
	// nil: no salvage (a demo, a redacted viewer).
	Salvage func() (*SalvagePlan, error)
	// StartInSalvage opens the salvage screen first (a profile too
	// damaged to show: the trees are empty).
	StartInSalvage bool
	// Doctor triages the profile (see package doctor); it runs in a
	// command at start. When its worst finding is a warning or worse and
	// the user has not pressed a key yet, the app switches to the doctor
	// screen; H opens it any time. nil: no triage (a demo, a case).
	Doctor func() (*doctor.Report, error)
	// Restore plans bringing the items selected in the right pane (a
	// source other than Places) back into Places: R opens its preview on
	// the restore screen. nil: no R.
	Restore RestoreFunc
	// Find loads and indexes every source of the profile for the find
	// screen (F); it runs in a command the first time the screen opens.
	// nil: no find (F stays disabled).
	Find FindLoader
	// Compare shows two sources side by side instead (bmtui --left
	// --right): Local and Remote are their trees; there is no merge.
	Compare *CompareInput
	// Sources are the profile's sources for the explorer's s and T (see
	// ExplorerInput.Sources); nil: none.
	Sources *CompareInput
	// Dupes finds the local tree's duplicates (see DupesInput); it runs
	// in a command when D is pressed. nil: no D.
	Dupes func() (*DupesInput, error)
	// Reload opens the profile again once Places was written (a restore,
	// a fix of duplicates, a salvage; it runs in a command); the app then
	// shows the new file's explorer. nil: the app stays on the screen's
	// outcome.
	Reload func() (AppInput, error)
}

// SourcesInput is what the app shows of two sources' results (remote nil
// when there is none): their trees and reports, and a tree error of either
// as the reason no merge is possible. Notes and clocks are the caller's.
func SourcesInput(name string, local, remote *source.Result) AppInput {
	in := AppInput{ProfileName: name, Local: local.Tree, LocalReport: local.Report, MergeErr: local.TreeErr}
	if remote != nil {
		in.Remote, in.RemoteReport, in.RemoteLabel = remote.Tree, remote.Report, remote.Provenance.Label
		if in.MergeErr == nil {
			in.MergeErr = remote.TreeErr
		}
	}
	return in
}

// App hosts the explorer and the merge screen: m opens the merge (when the
// profile has a mirror), e goes back to the explorer.
type App struct {
	in       AppInput
	opts     Options
	explorer *Explorer
	merge    *MergeScreen // nil until first opened
	inMerge  bool
	salvage  *SalvageScreen // nil until first opened
	inSalv   bool
	doctor   *DoctorScreen // nil until the triage lands
	inDoctor bool
	// touched: a key was pressed, so a triage landing late does not
	// take the screen from under the user.
	touched bool

	mergeKey   key.Binding
	salvageKey key.Binding    // enabled once damage is found
	doctorKey  key.Binding    // enabled once the triage lands
	restoreKey key.Binding    // enabled on the right pane's selection
	restore    *RestoreScreen // while R's preview is shown
	dupes      *DupesScreen   // nil until found
	inDupes    bool
	finding    bool // Dupes runs
	dupesKey   key.Binding
	find       *FindScreen // nil until first opened
	inFind     bool
	findKey    key.Binding

	// What the screens were told, to tell a screen created later.
	size     *tea.WindowSizeMsg
	bg       *tea.BackgroundColorMsg
	env      *tea.EnvMsg
	applying *ApplyingMsg
}

// NewApp builds the app on the explorer screen (or on the merge screen
// with in.StartInMerge).
func NewApp(in AppInput, opts Options) *App {
	a := &App{in: in, opts: opts}
	a.explorer = newExplorer(ExplorerInput{
		ProfileName: in.ProfileName, Local: in.Local, Remote: in.Remote,
		LocalReport: in.LocalReport, RemoteReport: in.RemoteReport, Notes: in.Notes,
		Compare: in.Compare, Sources: in.Sources,
	}, opts)
	a.explorer.in.RemoteLabel = in.RemoteLabel
	a.mergeKey = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "merge preview"))
	a.mergeKey.SetEnabled(a.CanMerge())
	a.salvageKey = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "salvage preview"))
	a.salvageKey.SetEnabled(false)
	a.doctorKey = key.NewBinding(key.WithKeys("H"), key.WithHelp("H", "health check (doctor)"))
	a.doctorKey.SetEnabled(false)
	a.restoreKey = key.NewBinding(key.WithKeys("R"), key.WithHelp("R", "restore into Places…"))
	a.dupesKey = key.NewBinding(key.WithKeys("D"), key.WithHelp("D", "duplicates"))
	a.dupesKey.SetEnabled(in.Dupes != nil)
	a.syncRestoreKey()
	a.findKey = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "find everywhere"))
	a.findKey.SetEnabled(in.Find != nil)
	a.syncRestoreKey()
	return a
}

func (a *App) setExtraKeys() {
	a.explorer.extraKeys = []key.Binding{a.mergeKey, a.salvageKey, a.findKey, a.restoreKey, a.dupesKey, a.doctorKey}
}

// Doctor is the doctor screen, or nil before the triage landed.
func (a *App) Doctor() *DoctorScreen { return a.doctor }

// doctorReadyMsg carries the triage back.
type doctorReadyMsg struct {
	report *doctor.Report
	err    error
}

func runDoctor(fn func() (*doctor.Report, error)) tea.Cmd {
	return func() tea.Msg {
		r, err := fn()
		return doctorReadyMsg{report: r, err: err}
	}
}

// doctorReady keeps the triage and, when it found something to act on
// before the user did anything, shows it.
func (a *App) doctorReady(msg doctorReadyMsg) {
	if msg.err != nil || msg.report == nil {
		if msg.err != nil {
			a.explorer.status = "doctor: " + msg.err.Error()
		}
		return
	}
	a.doctor = newDoctorScreen(a.in.ProfileName, msg.report, a.in.Salvage != nil, a.opts)
	for _, m := range []tea.Msg{deref(a.bg), deref(a.env), deref(a.size)} {
		if m != nil {
			a.doctor.Update(m)
		}
	}
	a.doctorKey.SetEnabled(true)
	a.setExtraKeys()
	if msg.report.Worst >= doctor.Warning && !a.touched && !a.inMerge && !a.inSalv {
		a.inDoctor = true
	}
}

// syncRestoreKey enables R while the right pane, another source than
// Places, has the focus and a selection.
func (a *App) syncRestoreKey() {
	a.restoreKey.SetEnabled(a.in.Restore != nil && !a.opts.ReadOnly && a.explorer.in.Remote != nil &&
		a.explorer.Focus() == "remote" && a.explorer.remote.Selected() != "" && a.rightSource() != "places")
	a.setExtraKeys()
}

// rightSource is the ID of the source the right pane shows: a picked
// source in compare mode, else "" (the profile's mirror).
func (a *App) rightSource() string {
	if c := a.explorer.in.Compare; c != nil {
		return c.Right
	}
	return ""
}

// dupesFoundMsg carries the caller's groups back.
type dupesFoundMsg struct {
	in  *DupesInput
	err error
}

// openDupes shows the dupes screen; the first time, the caller's search
// runs in a command first.
func (a *App) openDupes() tea.Cmd {
	if a.dupes != nil {
		a.inDupes = true
		return nil
	}
	if a.finding {
		return nil
	}
	a.finding = true
	a.explorer.status = "finding duplicates…"
	find := a.in.Dupes
	return func() tea.Msg {
		in, err := find()
		return dupesFoundMsg{in, err}
	}
}

// Dupes is the dupes screen, or nil before it was opened.
func (a *App) Dupes() *DupesScreen { return a.dupes }

// openRestore previews restoring the right pane's selection.
func (a *App) openRestore() tea.Cmd {
	w, h := 0, 0
	if a.size != nil {
		w, h = a.size.Width, a.size.Height
	}
	req := RestoreRequest{Side: tree.Remote, GUIDs: []string{a.explorer.remote.Selected()}, Source: a.rightSource()}
	a.restore = newRestoreScreen(a.in.ProfileName, a.in.Restore, req, a.opts, w, h)
	for _, msg := range []tea.Msg{deref(a.bg), deref(a.env)} {
		if msg != nil {
			a.restore.Update(msg)
		}
	}
	return a.restore.start()
}

// Restore is the restore screen, or nil when it is not shown.
func (a *App) Restore() *RestoreScreen { return a.restore }

// CanMerge reports whether the merge screen can open: both trees, no
// tree error.
func (a *App) CanMerge() bool {
	return a.in.Local != nil && a.in.Remote != nil && a.in.MergeErr == nil && a.in.Compare == nil
}

// Explorer is the explorer screen.
func (a *App) Explorer() *Explorer { return a.explorer }

// Merge is the merge screen, or nil before it was opened.
func (a *App) Merge() *MergeScreen { return a.merge }

// Salvage is the salvage screen, or nil before it was opened.
func (a *App) Salvage() *SalvageScreen { return a.salvage }

// Screen names the screen shown: "explorer", "merge", "salvage",
// "doctor", "restore", "dupes" or "find".
func (a *App) Screen() string {
	if a.inDoctor {
		return "doctor"
	}
	if a.restore != nil {
		return "restore"
	}
	if a.inDupes {
		return "dupes"
	}
	if a.inFind {
		return "find"
	}
	if a.inSalv {
		return "salvage"
	}
	if a.inMerge {
		return "merge"
	}
	return "explorer"
}

// Init asks for the background colour (and starts the merge with
// StartInMerge).
func (a *App) Init() tea.Cmd {
	cmd := a.explorer.Init()
	if a.in.Damage != nil {
		cmd = tea.Batch(cmd, checkDamage(a.in.Damage))
	}
	if a.in.Doctor != nil {
		cmd = tea.Batch(cmd, runDoctor(a.in.Doctor))
	}
	if a.in.StartInSalvage && a.in.Salvage != nil {
		a.setSalvageKey()
		return tea.Batch(cmd, a.openSalvage())
	}
	if a.in.StartInMerge && a.CanMerge() {
		return tea.Batch(cmd, a.openMerge())
	}
	return cmd
}

func (a *App) openMerge() tea.Cmd {
	a.inMerge = true
	if a.merge != nil {
		a.syncMergeSelection()
		return nil
	}
	a.merge = NewMergeScreen(MergeInput{
		ProfileName: a.in.ProfileName, Local: a.in.Local, Remote: a.in.Remote, Times: a.in.Times,
		Notes: a.in.Notes, Resolutions: a.in.Resolutions, Rebuild: a.in.Rebuild, OnApply: a.in.OnApply,
		OnResolve: a.in.OnResolve,
	}, a.opts)
	a.merge.hosted = true
	for _, msg := range []tea.Msg{deref(a.bg), deref(a.env), deref(a.applying), deref(a.size)} {
		if msg != nil {
			a.merge.Update(msg)
		}
	}
	a.syncMergeSelection()
	return a.merge.start()
}

// setSalvageKey enables S once damage is known and the caller can salvage.
func (a *App) setSalvageKey() {
	a.salvageKey.SetEnabled(a.in.Salvage != nil && (a.explorer.damage != "" || a.in.StartInSalvage))
	a.syncRestoreKey()
}

// Find is the find screen, or nil before it was opened.
func (a *App) Find() *FindScreen { return a.find }

// openFind shows the find screen; the first time, the caller's loader
// starts.
func (a *App) openFind() tea.Cmd {
	a.inFind = true
	if a.find != nil {
		return a.find.filter.Focus()
	}
	a.find = newFindScreen(a.in.ProfileName, a.in.Find, a.opts)
	for _, msg := range []tea.Msg{deref(a.bg), deref(a.env), deref(a.size)} {
		if msg != nil {
			a.find.Update(msg)
		}
	}
	return a.find.start()
}

// openSalvage shows the salvage screen; the first time, the caller's scan
// and rebuild start.
func (a *App) openSalvage() tea.Cmd {
	a.inSalv = true
	if a.salvage != nil {
		return nil
	}
	a.salvage = newSalvageScreen(a.in.ProfileName, a.in.Salvage, a.opts)
	for _, msg := range []tea.Msg{deref(a.bg), deref(a.env), deref(a.size)} {
		if msg != nil {
			a.salvage.Update(msg)
		}
	}
	return a.salvage.start()
}

func deref[T any](p *T) tea.Msg {
	if p == nil {
		return nil
	}
	return *p
}

// syncMergeSelection shows the explorer's selection in the merge screen.
func (a *App) syncMergeSelection() {
	g := a.explorer.local.Selected()
	if a.explorer.Focus() == "remote" {
		g = a.explorer.remote.Selected()
		if a.merge.remote.Select(g) {
			a.merge.follow(focusMRemote)
		}
		return
	}
	if a.merge.local.Select(g) {
		a.merge.follow(focusMLocal)
	}
}

// Update routes messages: sizes, colours and merge results to both
// screens, keys to the screen shown.
func (a *App) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		a.size = &msg
		return a, a.broadcast(msg)
	case tea.BackgroundColorMsg:
		a.bg = &msg
		return a, a.broadcast(msg)
	case tea.EnvMsg:
		a.env = &msg
		return a, a.broadcast(msg)
	case SetResolutionsMsg:
		// The merge screen starts from the latest list when it opens.
		a.in.Resolutions = append([]mergeview.Resolution(nil), msg.Resolutions...)
		if a.merge != nil {
			_, cmd := a.merge.Update(msg)
			return a, cmd
		}
		return a, nil
	case DamageMsg:
		a.explorer.setDamage(msg)
		a.setSalvageKey()
		if a.explorer.damage != "" && a.merge == nil {
			a.in.Notes = append(a.in.Notes, a.explorer.damage) // the merge screen's notes
		}
		return a, nil
	case StatusMsg:
		a.explorer.status = msg.Text
		if a.merge != nil {
			a.merge.status = msg.Text
		}
		return a, nil
	case ApplyingMsg:
		a.applying = &msg
		a.explorer.applying = ""
		if !msg.Self {
			a.explorer.applying = msg.By
		}
		if a.merge != nil {
			a.merge.Update(msg)
		}
		return a, nil
	case mergeDoneMsg, stepsReadyMsg, ApplyRequestedMsg, conflicts.SelectedMsg:
		if a.merge != nil {
			_, cmd := a.merge.Update(msg)
			return a, cmd
		}
		return a, nil
	case doctorReadyMsg:
		a.doctorReady(msg)
		return a, nil
	case dupesFoundMsg:
		a.finding = false
		if msg.err != nil {
			a.explorer.status = "cannot find duplicates: " + msg.err.Error()
			return a, nil
		}
		a.explorer.status = ""
		a.dupes = NewDupesScreen(*msg.in, a.opts)
		a.dupes.inApp = true
		for _, m := range []tea.Msg{deref(a.bg), deref(a.env)} {
			if m != nil {
				a.dupes.Update(m)
			}
		}
		if a.size != nil {
			a.dupes.Update(*a.size)
		}
		a.inDupes = true
		return a, nil
	case flowMsg:
		return a, a.toWriters(msg)
	case placesWrittenMsg:
		if a.in.Reload != nil {
			return a, a.reload(msg.out)
		}
		return a, nil
	case appReloadedMsg:
		return a, a.reloaded(msg)
	case findLoadedMsg:
		if a.find != nil {
			_, cmd := a.find.Update(msg)
			return a, cmd
		}
		return a, nil
	case FindShowMsg:
		a.inFind = false
		if a.explorer.local.Select(msg.GUID) {
			a.explorer.setFocus(focusLocal)
		}
		return a, nil
	case tea.KeyPressMsg:
		if a.inFind {
			if key.Matches(msg, a.find.keys.Back) {
				a.inFind = false
				return a, nil
			}
			_, cmd := a.find.Update(msg)
			return a, cmd
		}
	case tea.PasteMsg:
		if a.inFind {
			_, cmd := a.find.Update(msg)
			return a, cmd
		}
	}
	if a.find != nil && a.find.busy() {
		if _, ok := msg.(spinner.TickMsg); ok {
			_, cmd := a.find.Update(msg)
			if a.inFind {
				return a, cmd
			}
			_, cmd2 := a.explorer.Update(msg)
			return a, tea.Batch(cmd, cmd2)
		}
	}
	switch msg := msg.(type) {
	case tea.KeyPressMsg:
		a.touched = true
		if a.inDoctor {
			switch {
			case key.Matches(msg, a.doctor.keys.Back):
				a.inDoctor = false
				return a, nil
			case key.Matches(msg, a.doctor.keys.Salvage):
				a.inDoctor = false
				return a, a.openSalvage()
			}
			_, cmd := a.doctor.Update(msg)
			return a, cmd
		}
		if a.restore != nil {
			if key.Matches(msg, a.restore.keys.Back) {
				a.restore = nil
				return a, nil
			}
			_, cmd := a.restore.Update(msg)
			return a, cmd
		}
		if a.inDupes {
			if key.Matches(msg, a.dupes.keys.Back) {
				a.inDupes = false
				return a, nil
			}
			_, cmd := a.dupes.Update(msg)
			return a, cmd
		}
		if !a.inMerge && !a.inSalv && !a.explorer.Filtering() && key.Matches(msg, a.dupesKey) {
			return a, a.openDupes()
		}
		if !a.inMerge && !a.inSalv && !a.explorer.Filtering() && key.Matches(msg, a.doctorKey) {
			a.inDoctor = true
			return a, nil
		}
		if !a.inMerge && !a.inSalv && !a.explorer.Filtering() && key.Matches(msg, a.restoreKey) {
			return a, a.openRestore()
		}
		if a.inSalv {
			if key.Matches(msg, a.salvage.keys.Back) {
				a.inSalv = false
				return a, nil
			}
			_, cmd := a.salvage.Update(msg)
			return a, cmd
		}
		if !a.inMerge && !a.explorer.Filtering() && key.Matches(msg, a.salvageKey) {
			return a, a.openSalvage()
		}
		if !a.inMerge && !a.explorer.Filtering() && key.Matches(msg, a.findKey) {
			return a, a.openFind()
		}
		if !a.inMerge && !a.explorer.Filtering() && key.Matches(msg, a.mergeKey) {
			return a, a.openMerge()
		}
		if a.inMerge && key.Matches(msg, a.merge.keys.Explorer) {
			a.inMerge = false
			return a, nil
		}
	}
	if a.dupes != nil && a.dupes.busy() {
		if _, ok := msg.(spinner.TickMsg); ok {
			_, cmd := a.dupes.Update(msg)
			return a, cmd
		}
	}
	if a.restore != nil && a.restore.busy() {
		if _, ok := msg.(spinner.TickMsg); ok {
			_, cmd := a.restore.Update(msg)
			return a, cmd
		}
	}
	if a.salvage != nil && a.salvage.busy() {
		if _, ok := msg.(spinner.TickMsg); ok {
			_, cmd := a.salvage.Update(msg)
			return a, cmd
		}
	}
	if a.inMerge {
		_, cmd := a.merge.Update(msg)
		return a, cmd
	}
	// Spinner ticks of a merge running behind the explorer.
	if a.merge != nil && a.merge.Busy() {
		if _, ok := msg.(tea.KeyPressMsg); !ok {
			_, cmd := a.merge.Update(msg)
			_, cmd2 := a.explorer.Update(msg)
			return a, tea.Batch(cmd, cmd2)
		}
	}
	_, cmd := a.explorer.Update(msg)
	a.syncRestoreKey()
	return a, cmd
}

func (a *App) broadcast(msg tea.Msg) tea.Cmd {
	_, c1 := a.explorer.Update(msg)
	var c2 tea.Cmd
	if a.merge != nil {
		_, c2 = a.merge.Update(msg)
	}
	if a.salvage != nil {
		a.salvage.Update(msg)
	}
	if a.doctor != nil {
		a.doctor.Update(msg)
	}
	if a.restore != nil {
		a.restore.Update(msg)
	}
	if a.dupes != nil {
		a.dupes.Update(msg)
	}
	if a.find != nil {
		a.find.Update(msg)
	}
	return tea.Batch(c1, c2)
}

// View renders the screen shown.
func (a *App) View() tea.View {
	if a.inDoctor {
		return a.doctor.View()
	}
	if a.restore != nil {
		return a.restore.View()
	}
	if a.inDupes {
		return a.dupes.View()
	}
	if a.inFind {
		return a.find.View()
	}
	if a.inSalv {
		return a.salvage.View()
	}
	if a.inMerge {
		return a.merge.View()
	}
	return a.explorer.View()
}
