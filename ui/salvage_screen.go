package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/ui/treepane"
)

// SalvageKeyMap are the salvage screen's bindings; the ones that cannot act
// now are disabled so help stays truthful (y and n are the write flow's).
type SalvageKeyMap struct {
	Quit, Help, Write, Back key.Binding
}

// DefaultSalvageKeyMap returns the salvage screen's default bindings.
func DefaultSalvageKeyMap() SalvageKeyMap {
	var k SalvageKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding // the screen has no filter and one focused pane
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Write = key.NewBinding(key.WithKeys("W"), key.WithHelp("W", "write…"))
	k.Back = key.NewBinding(key.WithKeys("e", "esc"), key.WithHelp("e/esc", "explorer"))
	return k
}

// SalvageScreen previews the salvage of a damaged profile: the sources and
// what each gave, the rebuilt tree with every item's origin, and why the
// selected item is where it is; W writes it after a confirmation.
type SalvageScreen struct {
	screen
	profile string
	load    func() (*SalvagePlan, error)
	flow    *writeFlow[*SalvagePlan]
	tree    treepane.Model
	keys    SalvageKeyMap
}

func newSalvageScreen(profile string, load func() (*SalvagePlan, error), opts Options) *SalvageScreen {
	s := &SalvageScreen{screen: newScreen(opts), profile: profile, load: load, keys: DefaultSalvageKeyMap(),
		flow: newWriteFlow(writeFlowConfig{confirm: "write", cancel: "cancel", failed: "not written: ",
			outcome: true, readOnly: opts.ReadOnly}, salvageWrite)}
	s.selectTheme()
	s.tree = treepane.New(s.common)
	s.tree.SetFocused(true)
	s.tree.SetEmptyText("nothing recovered")
	s.syncKeys()
	return s
}

func salvageWrite(p *SalvagePlan) func() (string, error) {
	if p == nil {
		return nil
	}
	return p.Write
}

// start runs the caller's scan and rebuild in a command.
func (s *SalvageScreen) start() tea.Cmd { return s.flow.load(s.load) }

func (s *SalvageScreen) busy() bool { return s.flow.busy() }

// Plan is the plan shown (nil while loading or after an error).
func (s *SalvageScreen) Plan() *SalvagePlan { return s.flow.preview }

// Select moves the selection to guid (see treepane.Model.Select).
func (s *SalvageScreen) Select(guid string) bool { return s.tree.Select(guid) }

// Selected is the GUID of the selected item.
func (s *SalvageScreen) Selected() string { return s.tree.Selected() }

func (s *SalvageScreen) syncKeys() {
	f := s.flow
	s.keys.Write.SetEnabled(f.canWrite() && !f.confirming())
	s.keys.Back.SetEnabled(!f.confirming() && f.phase != flowWriting)
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
	if ok, ev, cmd := updateFlow(&s.screen, s.flow, msg); ok {
		if ev == flowLoaded {
			if p := s.flow.preview; s.flow.err == nil && p != nil {
				s.tree.SetSource(newSalvageSource(p.Items))
			}
			s.layout()
		}
		return s, cmd
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok && !s.flow.confirming() {
		return s, s.key(msg)
	}
	return s, nil
}

func (s *SalvageScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
		s.layout()
		return nil
	case key.Matches(msg, k.Write):
		s.flow.ask()
		return nil
	}
	if s.flow.loaded() && s.flow.phase != flowWriting && s.flow.preview != nil {
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
	if s.flow.preview == nil {
		return 0
	}
	return min(len(s.flow.preview.Why), 3)
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
	f, plan := s.flow, s.flow.preview
	parts := []string{st.Bold.Render(ansi.Truncate("Salvage: the tree every source still holds", s.width, "…"))}
	if plan != nil {
		for _, w := range plan.Why[:s.whyLines()] {
			parts = append(parts, st.Error.Render(ansi.Truncate(th.Glyphs.Problem+" "+w, s.width, "…")))
		}
	}
	h := s.bodyHeight()
	sw, tw, ww := s.columns()
	switch {
	case f.phase == flowLoading:
		parts = append(parts, f.working(st, "reading every source…"))
	case f.err != nil:
		parts = append(parts, st.Error.Render(ansi.Truncate("cannot salvage: "+f.err.Error(), s.width, "…")))
	case f.confirming():
		parts = append(parts, f.dialog(th, "Write the salvaged places.sqlite?", s.confirmLines(), s.width-2, 5))
	default:
		left := drawBox(th, false, "Sources", fitLines(s.sourceLines(), sw, h), rect{w: sw, h: h})
		mid := drawBox(th, true, fmt.Sprintf("Rebuilt tree (%d items)", len(plan.Items)), s.tree.View(), rect{w: tw, h: h})
		right := drawBox(th, false, "Why", fitLines(s.whyOf(), ww, h), rect{w: ww, h: h})
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, left, mid, right))
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui salvage", s.profile)
	if f.phase == flowWriting {
		s.statusItem(&b, f.working(st, "writing…"))
	}
	if plan != nil && plan.Write == nil || s.opts.ReadOnly {
		s.statusItem(&b, st.Muted.Render("read-only: only operators write"))
	}
	return s.compose(parts, []string{s.statusEnd(&b)}, salvageHelp{s})
}

// confirmLines are the counts the write brings, for the question.
func (s *SalvageScreen) confirmLines() []string {
	c := s.flow.preview.Counts
	return []string{
		fmt.Sprintf("%d items, %d from backups, %d placed in Recovered, %d left deleted.", c.Items, c.FromBackups, c.Recovered, c.LeftDeleted),
		"The damaged files are kept in bmtui-backups/ (bmtui undo restores them).",
	}
}

func (s *SalvageScreen) sourceLines() []string {
	var out []string
	for _, src := range s.flow.preview.Sources {
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
	if h.s.flow.confirming() {
		return h.s.flow.ShortHelp()
	}
	return []key.Binding{k.Write, k.Back, k.Help, k.Quit}
}

func (h salvageHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	if h.s.flow.confirming() {
		return h.s.flow.FullHelp()
	}
	return append(h.s.tree.KeyMap.FullHelp(), []key.Binding{k.Write, k.Back, k.Help, k.Quit})
}
