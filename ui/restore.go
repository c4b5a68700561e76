package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
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
	// when there is nothing to write or the session is read-only.
	Write func() (string, error)
	// AfterWrite runs after a successful write (the local app quits, as
	// after an apply: the trees shown are no longer the profile's).
	AfterWrite tea.Cmd
}

// RestoreFunc plans a restore (in a command: it reads the source).
type RestoreFunc func(RestoreRequest) (*RestorePreview, error)

// RestoreKeyMap are the restore screen's bindings.
type RestoreKeyMap struct {
	Quit, Help, Confirm, Back, Up, Down key.Binding
}

// DefaultRestoreKeyMap returns the restore screen's default bindings.
func DefaultRestoreKeyMap() RestoreKeyMap {
	var k RestoreKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Confirm = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "restore"))
	k.Back = key.NewBinding(key.WithKeys("n", "esc", "e"), key.WithHelp("n/esc", "back"))
	k.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "scroll up"))
	k.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "scroll down"))
	return k
}

type restoreMode int

const (
	restoreLoading restoreMode = iota
	restorePreviewing
	restoreWriting
	restoreDone
)

type restorePlannedMsg struct {
	s   *RestoreScreen
	p   *RestorePreview
	err error
}

type restoreWrittenMsg struct {
	s   *RestoreScreen
	out string
	err error
}

// RestoreScreen previews restoring the selected items into Places and
// writes them after y.
type RestoreScreen struct {
	screen
	profile string
	req     RestoreRequest
	plan    RestoreFunc
	preview *RestorePreview
	err     error
	out     string
	mode    restoreMode
	scroll  int
	spin    spinner.Model
	keys    RestoreKeyMap
}

func newRestoreScreen(profile string, plan RestoreFunc, req RestoreRequest, opts Options, width, height int) *RestoreScreen {
	s := &RestoreScreen{screen: newScreen(opts), profile: profile, req: req, plan: plan, keys: DefaultRestoreKeyMap(),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	s.width, s.height = width, height
	s.selectTheme()
	s.syncKeys()
	return s
}

// start plans the restore in a command.
func (s *RestoreScreen) start() tea.Cmd {
	s.mode = restoreLoading
	plan, req, sp := s.plan, s.req, s.spin
	return tea.Batch(func() tea.Msg {
		p, err := plan(req)
		return restorePlannedMsg{s: s, p: p, err: err}
	}, func() tea.Msg { return sp.Tick() })
}

// Preview is the plan shown (nil while planning or after an error).
func (s *RestoreScreen) Preview() *RestorePreview { return s.preview }

func (s *RestoreScreen) busy() bool { return s.mode == restoreLoading || s.mode == restoreWriting }

func (s *RestoreScreen) canWrite() bool {
	return s.mode == restorePreviewing && s.preview != nil && s.preview.Write != nil && len(s.preview.Lines) > 0 && !s.opts.ReadOnly
}

func (s *RestoreScreen) syncKeys() {
	s.keys.Confirm.SetEnabled(s.canWrite())
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
	switch msg := msg.(type) {
	case restorePlannedMsg:
		if msg.s == s {
			s.mode, s.preview, s.err = restorePreviewing, msg.p, msg.err
		}
	case restoreWrittenMsg:
		if msg.s != s {
			return s, nil
		}
		if msg.err != nil {
			s.mode, s.status = restorePreviewing, "not restored: "+msg.err.Error()
			return s, nil
		}
		s.mode, s.out = restoreDone, msg.out
		return s, s.preview.AfterWrite
	case spinner.TickMsg:
		if s.busy() {
			var cmd tea.Cmd
			s.spin, cmd = s.spin.Update(msg)
			return s, cmd
		}
	case tea.KeyPressMsg:
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
	case key.Matches(msg, k.Confirm):
		s.mode = restoreWriting
		write, sp := s.preview.Write, s.spin
		return tea.Batch(func() tea.Msg {
			out, err := write()
			return restoreWrittenMsg{s: s, out: out, err: err}
		}, func() tea.Msg { return sp.Tick() })
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
	switch {
	case s.mode == restoreLoading:
		body = []string{s.spin.View() + st.Accent.Render(" reading the source…")}
	case s.err != nil:
		body = []string{st.Error.Render(th.Glyphs.Problem + " cannot restore: " + s.err.Error())}
	case s.preview != nil:
		p := s.preview
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
		case s.mode == restoreDone:
			body = append(body, "", st.Success.Render("✓ "+s.out))
		case len(p.Lines) == 0:
			body = append(body, "", st.Muted.Render("nothing to restore"))
		case s.canWrite():
			body = append(body, "", "Restore these items into Places? A backup is made first (bmtui undo restores it).",
				st.Accent.Render("y/enter")+" restore   "+st.Accent.Render("n/esc")+" back")
		case p.Write == nil || s.opts.ReadOnly:
			body = append(body, "", st.Muted.Render("read-only: only operators write"))
		}
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui restore", s.profile)
	if s.mode == restoreWriting {
		s.statusItem(&b, s.spin.View()+st.Accent.Render(" writing…"))
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
	return []key.Binding{k.Confirm, k.Back, k.Down, k.Help, k.Quit}
}

func (h restoreHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	return [][]key.Binding{{k.Confirm, k.Back}, {k.Up, k.Down}, {k.Help, k.Quit}}
}
