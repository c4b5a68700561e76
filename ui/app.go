package ui

import (
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
	Notes                     []string
	Times                     tree.Clocks
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
	// Find loads and indexes every source of the profile for the find
	// screen (F); it runs in a command the first time the screen opens.
	// nil: no find (F stays disabled).
	Find FindLoader
	// Compare shows two sources side by side instead (bmtui --left
	// --right): Local and Remote are their trees; there is no merge.
	Compare *CompareInput
}

// SourcesInput is what the app shows of two sources' results (remote nil
// when there is none): their trees and reports, and a tree error of either
// as the reason no merge is possible. Notes and clocks are the caller's.
func SourcesInput(name string, local, remote *source.Result) AppInput {
	in := AppInput{ProfileName: name, Local: local.Tree, LocalReport: local.Report, MergeErr: local.TreeErr}
	if remote != nil {
		in.Remote, in.RemoteReport = remote.Tree, remote.Report
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
	find     *FindScreen // nil until first opened
	inFind   bool

	mergeKey   key.Binding
	salvageKey key.Binding // enabled once damage is found
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
		Compare: in.Compare,
	}, opts)
	a.mergeKey = key.NewBinding(key.WithKeys("m"), key.WithHelp("m", "merge preview"))
	a.mergeKey.SetEnabled(a.CanMerge())
	a.salvageKey = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "salvage preview"))
	a.salvageKey.SetEnabled(false)
	a.findKey = key.NewBinding(key.WithKeys("F"), key.WithHelp("F", "find everywhere"))
	a.findKey.SetEnabled(in.Find != nil)
	a.explorer.extraKeys = []key.Binding{a.mergeKey, a.salvageKey, a.findKey}
	return a
}

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

// Screen names the screen shown: "explorer", "merge", "salvage" or
// "find".
func (a *App) Screen() string {
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
	a.explorer.extraKeys = []key.Binding{a.mergeKey, a.salvageKey, a.findKey}
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
	case salvageLoadedMsg, salvageWrittenMsg:
		if a.salvage != nil {
			_, cmd := a.salvage.Update(msg)
			return a, cmd
		}
		return a, nil
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
	if a.find != nil {
		a.find.Update(msg)
	}
	return tea.Batch(c1, c2)
}

// View renders the screen shown.
func (a *App) View() tea.View {
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
