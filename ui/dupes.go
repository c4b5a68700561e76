package ui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/sync/tree"
)

// DupesInput is what the dupes screen shows and how it fixes.
type DupesInput struct {
	Profile string
	Report  *dupes.Report
	Notes   []string
	// Plan makes the fix of the report's current choices; nil shows the
	// groups read-only.
	Plan func(r *dupes.Report) (*DupesFix, error)
}

// DupesFix is a fix ready to write: what it does, for people, and the
// write itself (nil when it cannot be written, e.g. for SSH viewers).
type DupesFix struct {
	Lines []string
	Write func() (string, error)
}

// DupesScreen lists the groups of duplicates (left) and the copies of
// the selected one with where each came from (right). A key keeps the
// copy under the cursor, as a merge conflict's alternative is chosen; F
// previews the fix and writes it after a confirmation.
type DupesScreen struct {
	screen
	in     DupesInput
	keys   DupesKeyMap
	flow   *writeFlow[*DupesFix]
	cursor int  // selected group
	top    int  // first group row shown
	copyAt int  // copy under the cursor in the selected group
	inApp  bool // hosted by the app: Back returns to the explorer
}

func (s *DupesScreen) busy() bool { return s.flow.busy() }

// browsing: no fix is being previewed, asked about or written.
func (s *DupesScreen) browsing() bool { return !s.flow.busy() && !s.flow.confirming() }

func dupesWrite(fix *DupesFix) func() (string, error) {
	if fix == nil {
		return nil
	}
	return fix.Write
}

// NewDupesScreen makes the screen for in.
func NewDupesScreen(in DupesInput, opts Options) *DupesScreen {
	s := &DupesScreen{screen: newScreen(opts), in: in, keys: DefaultDupesKeyMap(),
		flow: newWriteFlow(writeFlowConfig{confirm: "write the fix", cancel: "cancel", failed: "not written: ",
			askOnLoad: true, outcome: true, readOnly: opts.ReadOnly}, dupesWrite)}
	s.selectTheme()
	s.copyAt = s.keepOf(0)
	s.syncKeys()
	return s
}

// Report is the report shown, with the choices made so far.
func (s *DupesScreen) Report() *dupes.Report { return s.in.Report }

// Selected is the ID of the selected group, "" when there is none.
func (s *DupesScreen) Selected() string {
	if g := s.group(); g != nil {
		return g.ID
	}
	return ""
}

func (s *DupesScreen) groups() []dupes.Group {
	if s.in.Report == nil {
		return nil
	}
	return s.in.Report.Groups
}

func (s *DupesScreen) group() *dupes.Group {
	gs := s.groups()
	if s.cursor < 0 || s.cursor >= len(gs) {
		return nil
	}
	return &gs[s.cursor]
}

func (s *DupesScreen) keepOf(i int) int {
	gs := s.groups()
	if i < 0 || i >= len(gs) {
		return 0
	}
	return max(gs[i].Keep, 0)
}

func (s *DupesScreen) choosable() bool {
	g := s.group()
	return g != nil && g.Kind != dupes.Flattened && !s.opts.ReadOnly && s.browsing() && !s.flow.written()
}

func (s *DupesScreen) syncKeys() {
	browsing, written := s.browsing(), s.flow.written()
	n := len(s.groups())
	for _, k := range []*key.Binding{&s.keys.Up, &s.keys.Down, &s.keys.PageUp, &s.keys.PageDown, &s.keys.Top, &s.keys.Bottom} {
		k.SetEnabled(browsing && n > 1)
	}
	g := s.group()
	many := g != nil && len(g.Copies) > 1 && browsing
	s.keys.PrevCopy.SetEnabled(many)
	s.keys.NextCopy.SetEnabled(many)
	s.keys.Keep.SetEnabled(s.choosable())
	s.keys.Pick.SetEnabled(s.choosable())
	s.keys.Skip.SetEnabled(g != nil && browsing && !s.opts.ReadOnly && !written)
	s.keys.Fix.SetEnabled(browsing && s.in.Plan != nil && !s.opts.ReadOnly && !written && s.in.Report != nil && s.in.Report.ToFix() > 0)
	s.keys.Back.SetEnabled(s.inApp && browsing)
	s.setHelpToggle(&s.keys.Help)
}

// Init implements tea.Model.
func (s *DupesScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *DupesScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer s.syncKeys()
	if s.terminalMsg(msg, s.layout, func() { s.selectTheme() }) {
		return s, nil
	}
	if ok, ev, cmd := updateFlow(&s.screen, s.flow, msg); ok {
		s.flowEvent(ev)
		return s, cmd
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		return s, s.key(msg)
	}
	return s, nil
}

// flowEvent follows the fix's preview and write: a preview that cannot be
// made, or is declined, is dropped.
func (s *DupesScreen) flowEvent(ev flowEvent) {
	f := s.flow
	switch ev {
	case flowLoaded:
		if f.err != nil {
			s.status = "cannot fix: " + f.err.Error()
			f.reset()
		}
	case flowCancelled:
		f.reset()
	}
}

func (s *DupesScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	if !s.browsing() {
		if !s.flow.confirming() && key.Matches(msg, k.Quit) {
			return tea.Quit
		}
		return nil
	}
	rows := s.listRows()
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
	case key.Matches(msg, k.Up):
		s.moveTo(s.cursor - 1)
	case key.Matches(msg, k.Down):
		s.moveTo(s.cursor + 1)
	case key.Matches(msg, k.PageUp):
		s.moveTo(s.cursor - rows)
	case key.Matches(msg, k.PageDown):
		s.moveTo(s.cursor + rows)
	case key.Matches(msg, k.Top):
		s.moveTo(0)
	case key.Matches(msg, k.Bottom):
		s.moveTo(len(s.groups()) - 1)
	case key.Matches(msg, k.PrevCopy):
		s.copyAt = max(s.copyAt-1, 0)
	case key.Matches(msg, k.NextCopy):
		s.copyAt = min(s.copyAt+1, len(s.group().Copies)-1)
	case key.Matches(msg, k.Keep):
		s.choose(s.copyAt)
	case key.Matches(msg, k.Pick):
		s.choose(int(msg.String()[0] - '1'))
	case key.Matches(msg, k.Skip):
		s.toggle()
	case key.Matches(msg, k.Fix):
		plan, r := s.in.Plan, s.in.Report
		return s.flow.load(func() (*DupesFix, error) { return plan(r) })
	}
	return nil
}

func (s *DupesScreen) moveTo(i int) {
	n := len(s.groups())
	if n == 0 {
		return
	}
	i = max(min(i, n-1), 0)
	if i != s.cursor {
		s.cursor = i
		s.copyAt = s.keepOf(i)
		s.status = ""
	}
	rows := s.listRows()
	if s.cursor < s.top {
		s.top = s.cursor
	}
	if s.cursor >= s.top+rows {
		s.top = s.cursor - rows + 1
	}
}

func (s *DupesScreen) choose(i int) {
	g := s.group()
	if !s.choosable() || i < 0 || i >= len(g.Copies) {
		return
	}
	if err := s.in.Report.Choose(g.ID, g.Copies[i].GUID); err != nil {
		s.status = err.Error()
		return
	}
	s.copyAt = i
	s.status = fmt.Sprintf("%s keeps %s", g.ID, g.Copies[i].GUID)
}

func (s *DupesScreen) toggle() {
	g := s.group()
	if g == nil {
		return
	}
	var err error
	switch {
	case g.Fix:
		err = s.in.Report.Choose(g.ID, dupes.None)
	case g.Kind == dupes.Flattened:
		err = s.in.Report.Choose(g.ID, g.Folder.GUID)
	default:
		err = s.in.Report.Choose(g.ID, g.Copies[max(g.Keep, max(g.Default, 0))].GUID)
	}
	if err != nil {
		s.status = err.Error()
	}
}

func (s *DupesScreen) layout() { s.moveTo(s.cursor) }

// listRows is the number of group rows the left pane shows.
func (s *DupesScreen) listRows() int {
	head := 1 + min(len(s.in.Notes), 1)
	tail := 1 + s.helpHeight(dupesHelp{s})
	return max(s.height-head-tail-paneFrameRows, 1)
}

func (s *DupesScreen) columns() (list, detail int) {
	inner := max(s.width-4, 2)
	list = inner * 2 / 5
	return list, inner - list
}

// View implements tea.Model.
func (s *DupesScreen) View() tea.View {
	return s.view(s.content(), "bmtui dupes", s.in.Profile)
}

func (s *DupesScreen) content() string {
	th := s.common.Theme
	st := &th.Styles
	r := s.in.Report
	var parts []string
	head := "Duplicates: nothing found"
	if r != nil && len(r.Groups) > 0 {
		c := r.Counts()
		head = fmt.Sprintf("Duplicates in %s · %d items · %d groups: %d copies, %d twins, %d flattened, %d same URL · %d to fix, %d removed",
			r.Side, r.Items, len(r.Groups), c[dupes.Copies], c[dupes.TwinFolders], c[dupes.Flattened], c[dupes.SameURL], r.ToFix(), r.Removed())
	}
	parts = append(parts, st.Bold.Render(ansi.Truncate(head, s.width, "…")))
	if l := s.notesLine(s.in.Notes); l != "" {
		parts = append(parts, l)
	}
	h := s.listRows()
	lw, dw := s.columns()
	if s.flow.confirming() {
		parts = append(parts, s.flow.dialog(th, "Write the fix to places.sqlite?", s.confirmLines(), s.width-2, h))
	} else {
		list := drawBox(th, true, "Groups", s.listView(lw, h), rect{w: lw, h: h})
		title := "Copies"
		if g := s.group(); g != nil {
			title = "Copies · " + g.ID
		}
		detail := drawBox(th, false, title, s.detailView(dw, h), rect{w: dw, h: h})
		parts = append(parts, lipgloss.JoinHorizontal(lipgloss.Top, list, detail))
	}
	var b strings.Builder
	s.statusBar(&b, "bmtui dupes", s.in.Profile)
	switch s.flow.phase {
	case flowLoading:
		s.statusItem(&b, s.flow.working(st, "previewing the fix…"))
	case flowWriting:
		s.statusItem(&b, s.flow.working(st, "writing…"))
	}
	if s.in.Plan == nil || s.opts.ReadOnly {
		s.statusItem(&b, st.Muted.Render("read-only"))
	}
	return s.compose(parts, []string{s.statusEnd(&b)}, dupesHelp{s})
}

// listView renders only the visible window of groups.
func (s *DupesScreen) listView(w, h int) string {
	th := s.common.Theme
	st := &th.Styles
	gs := s.groups()
	if len(gs) == 0 {
		return st.Muted.Render("no duplicates")
	}
	lines := make([]string, 0, h)
	for i := s.top; i < len(gs) && i < s.top+h; i++ {
		g := &gs[i]
		mark := "✓"
		if !g.Fix {
			mark = "·"
		}
		where := g.Copies[0].Path
		if g.Folder != nil {
			where = g.Folder.Path
		}
		cur := " "
		if i == s.cursor {
			cur = th.Glyphs.Cursor
		}
		line := ansi.Truncate(fmt.Sprintf("%s%s %-9s ×%-2d %s", cur, mark, shortKind(g.Kind), len(g.Copies), where), w, "…")
		switch {
		case i == s.cursor:
			line = st.Selected.Render(padRight(line, w))
		case !g.Fix:
			line = st.Muted.Render(line)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

func shortKind(k dupes.Kind) string {
	switch k {
	case dupes.TwinFolders:
		return "twins"
	case dupes.SameURL:
		return "same URL"
	}
	return string(k)
}

func padRight(s string, w int) string {
	if d := w - ansi.StringWidth(s); d > 0 {
		return s + strings.Repeat(" ", d)
	}
	return s
}

// detailView is the selected group's copies and why one is kept.
func (s *DupesScreen) detailView(w, h int) string {
	th := s.common.Theme
	st := &th.Styles
	g := s.group()
	if g == nil {
		return ""
	}
	var lines []string
	state := "fixed"
	if !g.Fix {
		state = "left as it is"
	}
	lines = append(lines, fmt.Sprintf("%s · %s", g.Kind, state))
	if g.Folder != nil {
		lines = append(lines, fmt.Sprintf("restores %q (%s) from %s", g.Folder.Title, g.Folder.GUID, dupes.ShortName(g.From)))
	}
	for i := range g.Copies {
		c := &g.Copies[i]
		mark := " "
		if i == g.Keep {
			mark = th.Glyphs.Current
		}
		cur := " "
		if i == s.copyAt {
			cur = th.Glyphs.Cursor
		}
		row := fmt.Sprintf("%s%d %s %s  %s  %s  %s", cur, i+1, mark, c.GUID, dupesDate(c.DateAdded), c.Sides, c.Path)
		if i == s.copyAt {
			lines = append(lines, st.Selected.Render(padRight(ansi.Truncate(row, w, "…"), w)))
		} else {
			lines = append(lines, row)
		}
		var sub []string
		if c.URL != "" {
			sub = append(sub, c.URL)
		}
		if c.SyncStatus >= 0 {
			sub = append(sub, "sync status "+tree.SyncStatusName(c.SyncStatus))
		}
		switch len(c.Backups) {
		case 0:
			sub = append(sub, "in no backup")
		case 1:
			sub = append(sub, "in "+dupes.ShortName(c.Backups[0]))
		default:
			sub = append(sub, fmt.Sprintf("in %d backups, newest %s", len(c.Backups), dupes.ShortName(c.Backups[0])))
		}
		lines = append(lines, st.Muted.Render("      "+strings.Join(sub, " · ")))
	}
	lines = append(lines, "", "why: "+g.Reason)
	return fitLines(lines, w, h)
}

func dupesDate(us int64) string {
	if us <= 0 {
		return "date unknown"
	}
	return time.UnixMicro(us).UTC().Format("2006-01-02 15:04")
}

// confirmLines are the fix's preview, for the question.
func (s *DupesScreen) confirmLines() []string {
	lines := append([]string{}, s.flow.preview.Lines...)
	return append(lines, "", "A backup is taken first (bmtui undo restores it); Firefox uploads the changes at its next sync.")
}
