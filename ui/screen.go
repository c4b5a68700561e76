package ui

import (
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
)

// screen is the chrome the explorer and the merge screen share: the
// theme and terminal state, the help bar, the filter input, the size and
// the status message.
type screen struct {
	opts Options

	common   common.Common
	isDark   bool
	noColor  bool
	themeErr error

	help   help.Model
	filter textinput.Model

	width  int
	height int
	status string
}

func newScreen(opts Options) screen {
	s := screen{
		opts:    opts,
		common:  common.Common{Now: opts.Now},
		isDark:  true,
		noColor: opts.NoColor,
		help:    help.New(),
		filter:  textinput.New(),
	}
	s.filter.Prompt = "/ "
	s.filter.Placeholder = "title, URL or GUID"
	return s
}

// selectTheme picks the theme for the terminal's background and NO_COLOR
// and styles the help bar and the filter input with it.
func (s *screen) selectTheme() *themes.Theme {
	th, err := themes.Select(s.opts.Theme, s.isDark, s.noColor)
	s.themeErr = err
	s.common.Theme = th
	st := &th.Styles
	s.help.Styles = help.Styles{
		Ellipsis: st.HelpSeparator, ShortKey: st.HelpKey, ShortDesc: st.HelpDesc, ShortSeparator: st.HelpSeparator,
		FullKey: st.HelpKey, FullDesc: st.HelpDesc, FullSeparator: st.HelpSeparator,
	}
	s.filter.SetStyles(textinput.Styles{
		Focused: textinput.StyleState{Text: st.FilterText, Placeholder: st.Muted, Suggestion: st.Muted, Prompt: st.FilterPrompt},
		Blurred: textinput.StyleState{Text: st.FilterText, Placeholder: st.Muted, Suggestion: st.Muted, Prompt: st.Muted},
		Cursor:  textinput.CursorStyle{Color: th.Palette.Accent, Shape: tea.CursorBlock},
	})
	return th
}

// terminalMsg handles the messages about the terminal: its size (then
// layout runs), its background colour and NO_COLOR (then applyTheme
// runs). It reports whether msg was one of them.
func (s *screen) terminalMsg(msg tea.Msg, layout, applyTheme func()) bool {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		s.width, s.height = msg.Width, msg.Height
		layout()
	case tea.BackgroundColorMsg:
		s.isDark = msg.IsDark()
		applyTheme()
	case tea.EnvMsg:
		if v, ok := msg.LookupEnv("NO_COLOR"); ok && v != "" && !s.noColor {
			s.noColor = true
			applyTheme()
		}
	default:
		return false
	}
	return true
}

// filterMsg passes msg to the filter input (while it has the keyboard).
func (s *screen) filterMsg(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	s.filter, cmd = s.filter.Update(msg)
	return cmd
}

// setHelpToggle names what the help key does now.
func (s *screen) setHelpToggle(k *key.Binding) {
	if s.help.ShowAll {
		k.SetHelp("?", "less keys")
	} else {
		k.SetHelp("?", "more keys")
	}
}

// helpHeight is the height of the help bar for keys at the screen's width.
func (s *screen) helpHeight(keys help.KeyMap) int {
	s.help.SetWidth(s.width)
	return lipgloss.Height(s.help.View(keys))
}

// notesLine is the line of notes (a warning), or "" when there are none.
func (s *screen) notesLine(notes []string) string {
	if len(notes) == 0 {
		return ""
	}
	th := s.common.Theme
	note := th.Glyphs.Problem + " " + strings.Join(notes, " · ")
	return th.Styles.Warning.Render(ansi.Truncate(common.SingleLine(note), s.width, "…"))
}

// sizeFilter leaves the filter input the width the match counts in
// suffix leave it.
func (s *screen) sizeFilter(suffix string) {
	s.filter.SetWidth(max(s.width-ansi.StringWidth(s.filter.Prompt)-ansi.StringWidth(suffix)-1, 4))
}

// compose stacks the panels (parts) over the tail (filter, status and help
// lines) in exactly the screen's height at most: the tail always stays,
// the panels lose their bottom lines first.
func (s *screen) compose(parts, tail []string, keys help.KeyMap) string {
	s.help.SetWidth(s.width)
	tail = append(tail, s.help.View(keys))
	top := strings.Split(strings.Join(parts, "\n"), "\n")
	bottomLines := strings.Split(strings.Join(tail, "\n"), "\n")
	if len(top)+len(bottomLines) > s.height {
		top = top[:max(s.height-len(bottomLines), 0)]
	}
	all := append(top, bottomLines...)
	if len(all) > s.height {
		all = all[len(all)-s.height:]
	}
	return strings.Join(all, "\n")
}

// view wraps the rendered screen in a full-window view titled title (and
// the profile's name).
func (s *screen) view(content, title, profile string) tea.View {
	v := tea.NewView(content)
	v.AltScreen = true
	v.MouseMode = tea.MouseModeCellMotion
	v.WindowTitle = title
	if profile != "" {
		v.WindowTitle = title + " — " + profile
	}
	return v
}

// statusBar writes the start of the status line: the program's name and
// the profile.
func (s *screen) statusBar(b *strings.Builder, name, profile string) {
	st := &s.common.Theme.Styles
	b.WriteString(st.Accent.Render(name))
	if profile != "" {
		b.WriteString(st.Muted.Render(" · profile "))
		b.WriteString(st.Text.Render(profile))
	}
}

// statusItem writes an item after a separator.
func (s *screen) statusItem(b *strings.Builder, item string) {
	b.WriteString(s.common.Theme.Styles.Muted.Render(" · "))
	b.WriteString(item)
}

// statusEnd writes the status message and the theme error and returns the
// status line fitted to the width.
func (s *screen) statusEnd(b *strings.Builder) string {
	st := &s.common.Theme.Styles
	if s.status != "" {
		s.statusItem(b, st.Warning.Render(s.status))
	}
	if s.themeErr != nil {
		s.statusItem(b, st.Warning.Render(s.themeErr.Error()))
	}
	return ansi.Truncate(b.String(), s.width, "…")
}

// splitMain divides main rows between the panes on top and a bottom panel
// of about want rows: the panes keep their minimum, and a bottom panel too
// small to show anything is dropped. It returns the bottom panel's height,
// the panes' height and the panes' rows inside their frames.
func splitMain(main, want int) (bottom, paneH, rows int) {
	bottom = want
	if main-bottom < minPaneRows+paneFrameRows {
		bottom = max(main-minPaneRows-paneFrameRows, 0)
		if bottom < 4 {
			bottom = 0
		}
	}
	paneH = main - bottom
	return bottom, paneH, max(paneH-paneFrameRows, 0)
}

// mouseIn translates a wheel or click event to coordinates relative to a
// rectangle's top-left cell; ok is false for other mouse events.
func mouseIn(msg tea.MouseMsg) (translated func(r rect) tea.MouseMsg, click, ok bool) {
	ev := msg.Mouse()
	rel := func(r rect) tea.Mouse { return tea.Mouse{X: ev.X - r.x, Y: ev.Y - r.y, Button: ev.Button, Mod: ev.Mod} }
	switch msg.(type) {
	case tea.MouseWheelMsg:
		return func(r rect) tea.MouseMsg { return tea.MouseWheelMsg(rel(r)) }, false, true
	case tea.MouseClickMsg:
		return func(r rect) tea.MouseMsg { return tea.MouseClickMsg(rel(r)) }, true, true
	}
	return nil, false, false
}

// wheelLines is the lines a text panel scrolls for a wheel event: -1 up,
// 1 down, 0 for anything else.
func wheelLines(msg tea.MouseMsg) int {
	if _, wheel := msg.(tea.MouseWheelMsg); wheel {
		switch msg.Mouse().Button {
		case tea.MouseWheelUp:
			return -1
		case tea.MouseWheelDown:
			return 1
		}
	}
	return 0
}

// setScreenKeys sets the bindings every screen has to their defaults.
func setScreenKeys(quit, forceQuit, help, filter, applyFilter, clearFilter, focusNext, focusPrev *key.Binding) {
	*quit = key.NewBinding(key.WithKeys("q", "ctrl+c"), key.WithHelp("q", "quit"))
	*forceQuit = key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit"))
	*help = key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys"))
	*filter = key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter"))
	*applyFilter = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply filter"))
	*clearFilter = key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "clear filter"))
	*focusNext = key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "next pane"))
	*focusPrev = key.NewBinding(key.WithKeys("shift+tab"), key.WithHelp("shift+tab", "previous pane"))
}
