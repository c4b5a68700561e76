package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/ui/treepane"
)

// SalvageKeyMap are the salvage screen's bindings; the ones that cannot act
// now are disabled so help stays truthful.
type SalvageKeyMap struct {
	Quit, Help, Write, Confirm, Cancel, Back key.Binding
}

// DefaultSalvageKeyMap returns the salvage screen's default bindings.
func DefaultSalvageKeyMap() SalvageKeyMap {
	var k SalvageKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding // the screen has no filter and one focused pane
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Write = key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "write…"))
	k.Confirm = key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", "write"))
	k.Cancel = key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "cancel"))
	k.Back = key.NewBinding(key.WithKeys("e", "esc"), key.WithHelp("e/esc", "explorer"))
	return k
}

// salvageMode is what the screen does.
type salvageMode int

const (
	salvageLoading salvageMode = iota // the caller's scan and rebuild run
	salvageBrowse
	salvageConfirm
	salvageWriting
)

// salvageLoadedMsg carries the caller's plan back.
type salvageLoadedMsg struct {
	s    *SalvageScreen
	plan *SalvagePlan
	err  error
}

// salvageWrittenMsg carries the write's outcome back.
type salvageWrittenMsg struct {
	s   *SalvageScreen
	out string
	err error
}

// SalvageScreen previews the salvage of a damaged profile: the sources and
// what each gave, the rebuilt tree with every item's origin, and why the
// selected item is where it is; W writes it after a confirmation.
type SalvageScreen struct {
	screen
	profile string
	load    func() (*SalvagePlan, error)
	plan    *SalvagePlan
	err     error
	mode    salvageMode
	written bool
	spin    spinner.Model
	tree    treepane.Model
	keys    SalvageKeyMap
}

func newSalvageScreen(profile string, load func() (*SalvagePlan, error), opts Options) *SalvageScreen {
	s := &SalvageScreen{screen: newScreen(opts), profile: profile, load: load, keys: DefaultSalvageKeyMap(),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	s.selectTheme()
	s.tree = treepane.New(s.common)
	s.tree.SetFocused(true)
	s.tree.SetEmptyText("nothing recovered")
	s.syncKeys()
	return s
}

// start runs the caller's scan and rebuild in a command.
func (s *SalvageScreen) start() tea.Cmd {
	s.mode = salvageLoading
	load := s.load
	sp := s.spin
	return tea.Batch(func() tea.Msg {
		plan, err := load()
		return salvageLoadedMsg{s: s, plan: plan, err: err}
	}, func() tea.Msg { return sp.Tick() })
}

func (s *SalvageScreen) busy() bool { return s.mode == salvageLoading || s.mode == salvageWriting }

// Plan is the plan shown (nil while loading or after an error).
func (s *SalvageScreen) Plan() *SalvagePlan { return s.plan }

// Select moves the selection to guid (see treepane.Model.Select).
func (s *SalvageScreen) Select(guid string) bool { return s.tree.Select(guid) }

// Selected is the GUID of the selected item.
func (s *SalvageScreen) Selected() string { return s.tree.Selected() }

// canWrite: a plan with a write callback, not written yet, not read-only.
func (s *SalvageScreen) canWrite() bool {
	return s.plan != nil && s.plan.Write != nil && !s.written && !s.opts.ReadOnly && s.mode == salvageBrowse
}

func (s *SalvageScreen) syncKeys() {
	s.keys.Write.SetEnabled(s.canWrite())
	confirming := s.mode == salvageConfirm
	s.keys.Confirm.SetEnabled(confirming)
	s.keys.Cancel.SetEnabled(confirming)
	s.keys.Back.SetEnabled(!confirming && s.mode != salvageWriting)
	s.setHelpToggle(&s.keys.Help)
}

// Init implements tea.Model.
func (s *SalvageScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *SalvageScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer s.syncKeys()
	if s.terminalMsg(msg, s.layout, s.applyTheme) {
		return s, nil
	}
	switch msg := msg.(type) {
	case salvageLoadedMsg:
		if msg.s != s {
			return s, nil
		}
		s.mode = salvageBrowse
		s.plan, s.err = msg.plan, msg.err
		if s.err == nil && s.plan != nil {
			s.tree.SetSource(newSalvageSource(s.plan.Items))
		}
		s.layout()
		return s, nil
	case salvageWrittenMsg:
		if msg.s != s {
			return s, nil
		}
		s.mode = salvageBrowse
		if msg.err != nil {
			s.status = "not written: " + msg.err.Error()
		} else {
			s.written = true
			s.status = msg.out
		}
		return s, nil
	case spinner.TickMsg:
		if s.mode == salvageLoading || s.mode == salvageWriting {
			var cmd tea.Cmd
			s.spin, cmd = s.spin.Update(msg)
			return s, cmd
		}
		return s, nil
	case tea.KeyPressMsg:
		return s, s.key(msg)
	}
	return s, nil
}

func (s *SalvageScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	if s.mode == salvageConfirm {
		switch {
		case key.Matches(msg, k.Confirm):
			s.mode = salvageWriting
			write, sp := s.plan.Write, s.spin
			return tea.Batch(func() tea.Msg {
				out, err := write()
				return salvageWrittenMsg{s: s, out: out, err: err}
			}, func() tea.Msg { return sp.Tick() })
		case key.Matches(msg, k.Cancel):
			s.mode = salvageBrowse
		}
		return nil
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
		s.layout()
		return nil
	case key.Matches(msg, k.Write):
		s.mode = salvageConfirm
		return nil
	}
	if s.mode == salvageBrowse && s.plan != nil {
		var cmd tea.Cmd
		s.tree, cmd = s.tree.Update(msg)
		return cmd
	}
	return nil
}

func (s *SalvageScreen) applyTheme() {
	s.selectTheme()
	s.tree.SetCommon(s.common)
}

// Pane widths: sources and why take a quarter each at most, the tree the
// rest.
func (s *SalvageScreen) columns() (src, tr, why int) {
	inner := max(s.width-6, 3) // three frames of two columns
	src = inner / 4
	why = inner / 4
	return src, inner - src - why, why
}

func (s *SalvageScreen) bodyHeight() int {
	head := 1 + s.whyLines()
	tail := 1 + s.helpHeight(salvageHelp{s})
	return max(s.height-head-tail-paneFrameRows, 1)
}

func (s *SalvageScreen) whyLines() int {
	if s.plan == nil {
		return 0
	}
	return min(len(s.plan.Why), 3)
}

func (s *SalvageScreen) layout() {
	_, tw, _ := s.columns()
	s.tree.SetSize(tw, s.bodyHeight())
}

// View implements tea.Model.
func (s *SalvageScreen) View() tea.View {
	return s.view(s.content(), "bmtui salvage", s.profile)
}

func (s *SalvageScreen) content() string {
	th := s.common.Theme
	st := &th.Styles
	parts := []string{st.Bold.Render(ansi.Truncate("Salvage: the tree every source still holds", s.width, "…"))}
	if s.plan != nil {
		for _, w := range s.plan.Why[:s.whyLines()] {
			parts = append(parts, st.Error.Render(ansi.Truncate(th.Glyphs.Problem+" "+w, s.width, "…")))
		}
	}
	h := s.bodyHeight()
	sw, tw, ww := s.columns()
	switch {
	case s.mode == salvageLoading:
		parts = append(parts, s.spin.View()+st.Accent.Render(" reading every source…"))
	case s.err != nil:
		parts = append(parts, st.Error.Render(ansi.Truncate("cannot salvage: "+s.err.Error(), s.width, "…")))
	case s.mode == salvageConfirm:
		parts = append(parts, drawFrame(st.Dialog, "Write the salvaged places.sqlite?", s.confirmView(s.width-2), rect{w: s.width - 2, h: 5}))
	default:
		left := drawBox(th, false, "Sources", fitLines(s.sourceLines(), sw, h), rect{w: sw, h: h})
		mid := drawBox(th, true, fmt.Sprintf("Rebuilt tree (%d items)", len(s.plan.Items)), s.tree.View(), rect{w: tw, h: h})
		right := drawBox(th, false, "Why", fitLines(s.whyOf(), ww, h), rect{w: ww, h: h})
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, mid, right))
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui salvage", s.profile)
	if s.mode == salvageWriting {
		s.statusItem(&b, s.spin.View()+st.Accent.Render(" writing…"))
	}
	if s.plan != nil && s.plan.Write == nil || s.opts.ReadOnly {
		s.statusItem(&b, st.Muted.Render("read-only: only operators write"))
	}
	return s.compose(parts, []string{s.statusEnd(&b)}, salvageHelp{s})
}

// confirmView shows the counts the write brings.
func (s *SalvageScreen) confirmView(w int) string {
	st := &s.common.Theme.Styles
	c := s.plan.Counts
	lines := []string{
		fmt.Sprintf("%d items, %d from backups, %d placed in Recovered, %d left deleted.", c.Items, c.FromBackups, c.Recovered, c.LeftDeleted),
		"The damaged files are kept in bmtui-backups/ (bmtui undo restores them).",
		"",
		st.Accent.Render("y/enter") + " write   " + st.Accent.Render("n/esc") + " cancel",
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(" "+l, w, "…")
	}
	return strings.Join(lines, "\n")
}

func (s *SalvageScreen) sourceLines() []string {
	var out []string
	for _, src := range s.plan.Sources {
		out = append(out, src.Name+" ("+src.Kind+")")
		switch {
		case src.Err != "":
			out = append(out, "  unreadable: "+src.Err)
		default:
			if src.Read != "" {
				out = append(out, "  "+src.Read)
			}
			if src.DamagedPages > 0 {
				out = append(out, fmt.Sprintf("  %d damaged pages", src.DamagedPages))
			}
			if src.Complete {
				out = append(out, "  its GUIDs are complete")
			}
		}
	}
	return out
}

func (s *SalvageScreen) whyOf() []string {
	src, _ := s.tree.Source().(*salvageSource)
	if src == nil {
		return nil
	}
	i := s.tree.SelectedIndex()
	it := src.item(i)
	parent := "the root"
	if it != nil {
		if p := src.item(src.Parent(i)); p != nil {
			parent = salvageLabel(p)
		}
	}
	return salvageWhy(it, parent)
}

// fitLines wraps lines to w cells and keeps h of them.
func fitLines(lines []string, w, h int) string {
	var out []string
	for _, l := range lines {
		out = append(out, strings.Split(ansi.Wrap(l, max(w, 1), ""), "\n")...)
	}
	if len(out) > h {
		out = out[:h]
	}
	return strings.Join(out, "\n")
}

// salvageHelp adapts the screen's state to help.KeyMap.
type salvageHelp struct{ s *SalvageScreen }

func (h salvageHelp) ShortHelp() []key.Binding {
	k := h.s.keys
	if h.s.mode == salvageConfirm {
		return []key.Binding{k.Confirm, k.Cancel}
	}
	return []key.Binding{k.Write, k.Back, k.Help, k.Quit}
}

func (h salvageHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	if h.s.mode == salvageConfirm {
		return [][]key.Binding{{k.Confirm, k.Cancel}}
	}
	return append(h.s.tree.KeyMap.FullHelp(), []key.Binding{k.Write, k.Back, k.Help, k.Quit})
}
