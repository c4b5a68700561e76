package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/doctor"
)

// DoctorKeyMap are the doctor screen's bindings.
type DoctorKeyMap struct {
	Quit, Help, Back, Salvage  key.Binding
	Up, Down, PageUp, PageDown key.Binding
}

// DefaultDoctorKeyMap returns the doctor screen's default bindings.
func DefaultDoctorKeyMap() DoctorKeyMap {
	var k DoctorKeyMap
	var forceQuit, filter, applyFilter, clearFilter, focusNext, focusPrev key.Binding // one scrolling page, no filter
	setScreenKeys(&k.Quit, &forceQuit, &k.Help, &filter, &applyFilter, &clearFilter, &focusNext, &focusPrev)
	k.Back = key.NewBinding(key.WithKeys("e", "esc", "enter"), key.WithHelp("e/enter", "explorer"))
	k.Salvage = key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "salvage preview"))
	k.Up = key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up"))
	k.Down = key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down"))
	k.PageUp = key.NewBinding(key.WithKeys("pgup", "b"), key.WithHelp("pgup", "page up"))
	k.PageDown = key.NewBinding(key.WithKeys("pgdown", "f", " "), key.WithHelp("pgdn", "page down"))
	return k
}

// DoctorScreen shows doctor's triage of the profile: the ranked findings,
// each with the command that acts on it, then the facts. The app opens on
// it when something is wrong.
type DoctorScreen struct {
	screen
	profile string
	report  *doctor.Report
	page    viewport.Model
	keys    DoctorKeyMap
	// canSalvage: the app has a salvage screen to open.
	canSalvage bool
}

func newDoctorScreen(profile string, r *doctor.Report, canSalvage bool, opts Options) *DoctorScreen {
	d := &DoctorScreen{screen: newScreen(opts), profile: profile, report: r, keys: DefaultDoctorKeyMap(), canSalvage: canSalvage}
	d.page = viewport.New()
	d.selectTheme()
	d.syncKeys()
	return d
}

// Report is the report shown.
func (d *DoctorScreen) Report() *doctor.Report { return d.report }

func (d *DoctorScreen) syncKeys() {
	d.keys.Salvage.SetEnabled(d.canSalvage && d.suggests("bmtui salvage"))
	d.setHelpToggle(&d.keys.Help)
}

// suggests reports whether a finding's command starts with cmd.
func (d *DoctorScreen) suggests(cmd string) bool {
	for _, f := range d.report.Findings {
		if strings.HasPrefix(f.Command, cmd) {
			return true
		}
	}
	return false
}

// Init implements tea.Model.
func (d *DoctorScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model. Back and Salvage are the app's to act on.
func (d *DoctorScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer d.syncKeys()
	if d.terminalMsg(msg, d.layout, d.selectThemeAndLayout) {
		return d, nil
	}
	if msg, ok := msg.(tea.KeyPressMsg); ok {
		k := &d.keys
		switch {
		case key.Matches(msg, k.Quit):
			return d, tea.Quit
		case key.Matches(msg, k.Help):
			d.help.ShowAll = !d.help.ShowAll
			d.layout()
		case key.Matches(msg, k.Up):
			d.page.ScrollUp(1)
		case key.Matches(msg, k.Down):
			d.page.ScrollDown(1)
		case key.Matches(msg, k.PageUp):
			d.page.PageUp()
		case key.Matches(msg, k.PageDown):
			d.page.PageDown()
		}
	}
	return d, nil
}

func (d *DoctorScreen) selectThemeAndLayout() {
	d.selectTheme()
	d.layout()
}

func (d *DoctorScreen) layout() {
	d.page.SetWidth(max(d.width, 1))
	d.page.SetHeight(max(d.height-2-d.helpHeight(doctorHelp{d}), 1))
	d.page.SetContentLines(d.lines())
}

// lines renders the findings, worst first, then the facts.
func (d *DoctorScreen) lines() []string {
	th := d.common.Theme
	st := &th.Styles
	w := max(d.width, 10)
	var out []string
	wrap := func(indent, s string) {
		for _, l := range strings.Split(ansi.Wrap(s, max(w-len(indent), 10), ""), "\n") {
			out = append(out, indent+l)
		}
	}
	if len(d.report.Findings) == 0 {
		out = append(out, st.Accent.Render("Nothing wrong found."))
	}
	for i, f := range d.report.Findings {
		style := st.Muted
		switch f.Severity {
		case doctor.Critical:
			style = st.Error.Bold(true)
		case doctor.Warning:
			style = st.Error
		case doctor.Advice:
			style = st.Warning
		}
		head := fmt.Sprintf("%d. %s  %s", i+1, strings.ToUpper(f.Severity.String()), f.Title)
		for j, l := range strings.Split(ansi.Wrap(head, w, ""), "\n") {
			if j > 0 {
				l = "   " + l
			}
			out = append(out, style.Render(l))
		}
		if f.Detail != "" {
			wrap("   ", f.Detail)
		}
		if f.Command != "" {
			out = append(out, "   "+st.Accent.Render("→ "+f.Command))
		}
		out = append(out, "")
	}
	out = append(out, st.Bold.Render("What was examined"))
	for _, l := range factLines(d.report.Facts) {
		wrap("  ", l)
	}
	return out
}

// factLines summarises the facts in a few lines.
func factLines(f *doctor.Facts) []string {
	if f == nil {
		return nil
	}
	var out []string
	if f.FirefoxPID != 0 {
		out = append(out, fmt.Sprintf("Firefox runs (pid %d)", f.FirefoxPID))
	} else {
		out = append(out, "Firefox is not running")
	}
	file := func(name string, x doctor.File, t *doctor.Tree) {
		switch {
		case !x.Present:
			out = append(out, name+": missing")
		case x.OpenErr != "":
			out = append(out, name+": unreadable")
		case len(x.Damage) > 0:
			out = append(out, fmt.Sprintf("%s: damaged in %d places", name, len(x.Damage)))
		case t != nil:
			out = append(out, fmt.Sprintf("%s: sound, %d bookmarks in %d folders, %d problems", name, t.Bookmarks, t.Folders, t.Problems.Total()))
		default:
			out = append(out, name+": sound")
		}
	}
	file("places.sqlite", f.Places, f.Local)
	if f.Mirror.Path != "" {
		file("Sync mirror", f.Mirror, f.Remote)
	}
	switch b := f.Backups; {
	case b.Count == 0:
		out = append(out, "no bookmark backups")
	case !b.Newest.IsZero():
		out = append(out, fmt.Sprintf("%d bookmark backups, %s to %s", b.Count, b.Oldest.Format("2006-01-02"), b.Newest.Format("2006-01-02")))
	}
	if f.Prefs.Found {
		out = append(out, fmt.Sprintf("prefs.js: %d prefs about bookmarks and Sync", len(f.Prefs.Relevant)))
	}
	return out
}

// View implements tea.Model.
func (d *DoctorScreen) View() tea.View {
	st := &d.common.Theme.Styles
	title := "Doctor: what is wrong with this profile, worst first"
	parts := []string{st.Bold.Render(ansi.Truncate(title, d.width, "…")), d.page.View()}
	var b strings.Builder
	d.statusBar(&b, "bmtui doctor", d.profile)
	return d.view(d.compose(parts, []string{d.statusEnd(&b)}, doctorHelp{d}), "bmtui doctor", d.profile)
}

// doctorHelp adapts the screen's keys to help.KeyMap.
type doctorHelp struct{ d *DoctorScreen }

func (h doctorHelp) ShortHelp() []key.Binding {
	k := h.d.keys
	return []key.Binding{k.Down, k.Up, k.Salvage, k.Back, k.Help, k.Quit}
}

func (h doctorHelp) FullHelp() [][]key.Binding {
	k := h.d.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown}, {k.Salvage, k.Back, k.Help, k.Quit}}
}
