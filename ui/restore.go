package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/sync/tree"
)

// RestoreRequest is what R asks the caller to plan: the items selected in
// a pane that shows another source than Places.
type RestoreRequest struct {
	// Side is the pane's tree: tree.Remote for the right pane.
	Side  tree.Side
	GUIDs []string
	// Source is the ID of the source the pane shows (source/catalog's
	// IDs); "" for the profile's Sync mirror.
	Source string
}

// RestorePreview is the caller's plan of a restore, for people: what
// comes back where and what Firefox will upload (bmtui restore prints the
// same).
type RestorePreview struct {
	Title  string   // "restore from mirror: 3 items back into Places"
	Lines  []string // one per item: "insert bookmark "Mail" into Bookmarks Menu/Work at 1"
	Notes  []string // items not restored and why, new GUIDs
	Upload string   // what Firefox will upload at its next sync
	// Write writes the restore and says what it did ("backup: …"); nil
	// when there is nothing to write or the session is read-only. Once it
	// succeeded the app reads the profile again (AppInput.Reload).
	Write func() (string, error)
}

// RestoreFunc plans a restore (in a command: it reads the source).
type RestoreFunc func(RestoreRequest) (*RestorePreview, error)

// RestoreKeyMap are the restore screen's bindings (y, which writes, is the
// screen's write flow's).
type RestoreKeyMap struct {
	Quit, Help, Back, Up, Down key.Binding
}

// DefaultRestoreKeyMap returns the restore screen's default bindings.
func DefaultRestoreKeyMap() RestoreKeyMap {
	var k RestoreKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Back = key.NewBinding(key.WithKeys("n", "esc", "e"), key.WithHelp("n/esc", "back"))
	k.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up"))
	k.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down"))
	return k
}

// RestoreScreen previews restoring the selected items into Places and
// writes them after y.
type RestoreScreen struct {
	screen
	profile string
	req     RestoreRequest
	plan    RestoreFunc
	flow    *writeFlow[*RestorePreview]
	scroll  int
	keys    RestoreKeyMap
}

func newRestoreScreen(profile string, plan RestoreFunc, req RestoreRequest, opts Options, width, height int) *RestoreScreen {
	s := &RestoreScreen{screen: newScreen(opts), profile: profile, req: req, plan: plan, keys: DefaultRestoreKeyMap(),
		flow: newWriteFlow(writeFlowConfig{confirm: "restore", cancel: "back", failed: "not restored: ",
			askOnLoad: true, readOnly: opts.ReadOnly}, restoreWrite)}
	s.width, s.height = width, height
	s.selectTheme()
	s.syncKeys()
	return s
}

// restoreWrite is p's write when it restores something.
func restoreWrite(p *RestorePreview) func() (string, error) {
	if p == nil || len(p.Lines) == 0 {
		return nil
	}
	return p.Write
}

// start plans the restore in a command.
func (s *RestoreScreen) start() tea.Cmd {
	plan, req := s.plan, s.req
	return s.flow.load(func() (*RestorePreview, error) { return plan(req) })
}

// Preview is the plan shown (nil while planning or after an error).
func (s *RestoreScreen) Preview() *RestorePreview { return s.flow.preview }

func (s *RestoreScreen) busy() bool { return s.flow.busy() }

func (s *RestoreScreen) syncKeys() {
	s.keys.Back.SetEnabled(!s.busy())
	s.setHelpToggle(&s.keys.Help)
}

// Init implements tea.Model.
func (s *RestoreScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *RestoreScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer s.syncKeys()
	if s.terminalMsg(msg, func() {}, func() { s.selectTheme() }) {
		return s, nil
	}
	if ok, _, cmd := updateFlow(&s.screen, s.flow, msg); ok {
		return s, cmd
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		return s, s.key(msg)
	}
	return s, nil
}

func (s *RestoreScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
	case key.Matches(msg, k.Up):
		s.scroll = max(s.scroll-1, 0)
	case key.Matches(msg, k.Down):
		s.scroll++
	}
	return nil
}

// View implements tea.Model.
func (s *RestoreScreen) View() tea.View {
	return s.view(s.content(), "bmtui restore", s.profile)
}

func (s *RestoreScreen) content() string {
	th := s.common.Theme
	st := &th.Styles
	var body []string
	title := "Restore"
	f := s.flow
	switch {
	case f.phase == flowLoading:
		body = []string{f.working(st, "reading the source…")}
	case f.err != nil:
		body = []string{st.Error.Render(th.Glyphs.Problem + " cannot restore: " + f.err.Error())}
	case f.preview != nil:
		p := f.preview
		title = p.Title
		for _, l := range p.Lines {
			body = append(body, st.Success.Render("+")+" "+l)
		}
		for _, n := range p.Notes {
			body = append(body, st.Warning.Render(th.Glyphs.Problem+" "+n))
		}
		if p.Upload != "" {
			body = append(body, "", st.Accent.Render("↑")+" "+p.Upload)
		}
		switch {
		case f.written():
			body = append(body, "", st.Success.Render("✓ "+f.out))
		case len(p.Lines) == 0:
			body = append(body, "", st.Muted.Render("nothing to restore"))
		case f.canWrite():
			body = append(body, "", "Restore these items into Places? A backup is made first (bmtui undo restores it).",
				f.keysLine(st))
		case p.Write == nil || s.opts.ReadOnly:
			body = append(body, "", st.Muted.Render("read-only: only operators write"))
		}
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui restore", s.profile)
	if f.phase == flowWriting {
		s.statusItem(&b, f.working(st, "writing…"))
	}
	tail := []string{s.statusEnd(&b)}
	boxH := max(s.height-len(tail)-s.helpHeight(restoreHelp{s}), 3)
	rows := max(boxH-paneFrameRows, 1)
	lines := strings.Split(fitLines(body, max(s.width-2, 1), 1<<20), "\n")
	for len(lines) < rows {
		lines = append(lines, "")
	}
	s.scroll = min(s.scroll, max(len(lines)-rows, 0))
	lines = lines[s.scroll:min(len(lines), s.scroll+rows)]
	box := drawBox(th, true, ansi.Truncate(title, max(s.width-6, 1), "…"), strings.Join(lines, "\n"), rect{w: max(s.width-2, 1), h: rows})
	return s.compose([]string{box}, tail, restoreHelp{s})
}

// restoreHelp adapts the screen's state to help.KeyMap.
type restoreHelp struct{ s *RestoreScreen }

func (h restoreHelp) ShortHelp() []key.Binding {
	k := h.s.keys
	return []key.Binding{h.s.flow.keys.Confirm, k.Back, k.Down, k.Help, k.Quit}
}

func (h restoreHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	return [][]key.Binding{{h.s.flow.keys.Confirm, k.Back}, {k.Up, k.Down}, {k.Help, k.Quit}}
}
