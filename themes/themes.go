// Package themes holds bmtui's semantic palettes (light/dark pairs, a
// high-contrast and a monochrome theme), the glyph that goes with every
// state, and the lipgloss Styles built from them. Nothing here is global or
// mutable: every call builds a fresh Theme.
package themes

import (
	"fmt"
	"image/color"
	"sort"

	"charm.land/lipgloss/v2"
)

// Theme names accepted by ByName.
const (
	NameDefault      = "default"
	NameHighContrast = "high-contrast"
	NameMono         = "mono"
)

// Palette is the set of semantic colours. A nil colour means "no colour"
// (the terminal's own), which is what the mono theme uses everywhere.
type Palette struct {
	Text          color.Color
	Muted         color.Color
	Accent        color.Color
	Selection     color.Color // background of the selected row in the focused pane
	SelectionText color.Color
	SelectionDim  color.Color // background of the selected row in an unfocused pane
	Highlight     color.Color // the same GUID selected in the other pane
	Success       color.Color
	Warning       color.Color
	Error         color.Color
	Info          color.Color
	Local         color.Color
	Remote        color.Color
	Border        color.Color
	BorderFocused color.Color
	// Merge states and diff marks.
	Added    color.Color // new on a side, revived
	Deleted  color.Color // removed from a side
	Moved    color.Color // moved, reordered, relocated
	Modified color.Color // renamed, URL, tags, keyword, deduped, replaced
	Conflict color.Color // a decision between alternatives still at its default
	Decided  color.Color // a decision the user made
}

// Glyphs gives every state a character so nothing is told by colour alone.
type Glyphs struct {
	FolderOpen   string
	FolderClosed string
	FolderEmpty  string
	Bookmark     string
	Query        string
	Separator    string
	Livemark     string
	Problem      string
	Changed      string // needs merge / changed on this side
	Tombstone    string // deleted
	Invalid      string // validity reupload/replace, unusable item
	NonSyncable  string
	Cursor       string
	Highlight    string
	Local        string
	Remote       string

	// Merge states: where a merged item's value and structure go.
	Download  string // written locally
	Upload    string // uploaded to the server
	Both      string // written locally and uploaded
	Unchanged string // nothing to do
	// Diff marks: what happens to one side's copy of an item.
	Added          string
	Deleted        string
	Moved          string
	Reordered      string
	Renamed        string
	URLChanged     string
	TagsChanged    string
	KeywordChanged string
	Deduped        string
	Relocated      string
	Revived        string
	Replaced       string
	// Decisions and the step-through.
	Conflict   string // open: a choice between alternatives at its default
	Decided    string // resolved by the user
	InfoOnly   string // a decision listed for information (no override)
	Current    string // the alternative in effect, the current step
	Breakpoint string
}

// DefaultGlyphs are single-cell Unicode glyphs that read well without
// colour.
func DefaultGlyphs() Glyphs {
	return Glyphs{
		FolderOpen:   "▾",
		FolderClosed: "▸",
		FolderEmpty:  "▹",
		Bookmark:     "•",
		Query:        "⌕",
		Separator:    "─",
		Livemark:     "≈",
		Problem:      "!",
		Changed:      "*",
		Tombstone:    "×",
		Invalid:      "⊘",
		NonSyncable:  "~",
		Cursor:       "›",
		Highlight:    "◆",
		Local:        "L",
		Remote:       "R",

		Download:       "↓",
		Upload:         "↑",
		Both:           "⇅",
		Unchanged:      "·",
		Added:          "+",
		Deleted:        "−",
		Moved:          "→",
		Reordered:      "↕",
		Renamed:        "✎",
		URLChanged:     "@",
		TagsChanged:    "#",
		KeywordChanged: "k",
		Deduped:        "≡",
		Relocated:      "↳",
		Revived:        "↺",
		Replaced:       "⟲",
		Conflict:       "⚑",
		Decided:        "✓",
		InfoOnly:       "○",
		Current:        "▶",
		Breakpoint:     "●",
	}
}

// Styles are the lipgloss styles every component draws with.
type Styles struct {
	Text           lipgloss.Style
	Muted          lipgloss.Style
	Accent         lipgloss.Style
	Bold           lipgloss.Style
	Selected       lipgloss.Style // selected row, focused pane
	SelectedBlur   lipgloss.Style // selected row, unfocused pane
	Highlight      lipgloss.Style
	Success        lipgloss.Style
	Warning        lipgloss.Style
	Error          lipgloss.Style
	Info           lipgloss.Style
	Local          lipgloss.Style
	Remote         lipgloss.Style
	NonSyncable    lipgloss.Style
	Pane           lipgloss.Style // border of an unfocused panel
	PaneFocused    lipgloss.Style // border of the focused panel
	PaneTitle      lipgloss.Style
	StatusBar      lipgloss.Style
	Label          lipgloss.Style // field names in the details panel
	HelpKey        lipgloss.Style
	HelpDesc       lipgloss.Style
	HelpSeparator  lipgloss.Style
	FilterPrompt   lipgloss.Style
	FilterText     lipgloss.Style
	FilterNoResult lipgloss.Style
	// Merge states and diff marks.
	Added    lipgloss.Style
	Deleted  lipgloss.Style
	Moved    lipgloss.Style
	Modified lipgloss.Style
	Conflict lipgloss.Style
	Decided  lipgloss.Style
	Dialog   lipgloss.Style // border of a confirmation dialog
}

// Theme is a named palette with its glyphs and styles.
type Theme struct {
	Name    string
	IsDark  bool
	NoColor bool // true when no colour escape may be emitted
	Palette Palette
	Glyphs  Glyphs
	Styles  Styles
}

// Names lists the theme names ByName accepts.
func Names() []string {
	n := []string{NameDefault, NameHighContrast, NameMono}
	sort.Strings(n)
	return n
}

// ByName returns the theme called name ("" means default) for a terminal
// with a dark (isDark) or light background.
func ByName(name string, isDark bool) (*Theme, error) {
	switch name {
	case "", NameDefault:
		return Default(isDark), nil
	case NameHighContrast:
		return HighContrast(isDark), nil
	case NameMono, "none", "no-color":
		return Mono(isDark), nil
	}
	return nil, fmt.Errorf("unknown theme %q (want one of %v)", name, Names())
}

// Select is ByName that honours NO_COLOR: noColor forces the mono theme.
// An unknown name falls back to the default theme and returns the error.
func Select(name string, isDark, noColor bool) (*Theme, error) {
	if noColor {
		return Mono(isDark), nil
	}
	th, err := ByName(name, isDark)
	if err != nil {
		return Default(isDark), err
	}
	return th, nil
}

// Default is the standard palette: muted greys, a blue accent, green/amber/
// red for states, teal for the local side and purple for the remote side.
func Default(isDark bool) *Theme {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	p := Palette{
		Text:          ld(c("#1f2328"), c("#e6edf3")),
		Muted:         ld(c("#6e7781"), c("#8b949e")),
		Accent:        ld(c("#0969da"), c("#58a6ff")),
		Selection:     ld(c("#0969da"), c("#1f6feb")),
		SelectionText: ld(c("#ffffff"), c("#ffffff")),
		SelectionDim:  ld(c("#d0d7de"), c("#30363d")),
		Highlight:     ld(c("#8250df"), c("#d2a8ff")),
		Success:       ld(c("#1a7f37"), c("#3fb950")),
		Warning:       ld(c("#9a6700"), c("#d29922")),
		Error:         ld(c("#cf222e"), c("#f85149")),
		Info:          ld(c("#0550ae"), c("#79c0ff")),
		Local:         ld(c("#0a7d70"), c("#39c5bb")),
		Remote:        ld(c("#8250df"), c("#bc8cff")),
		Border:        ld(c("#d0d7de"), c("#30363d")),
		BorderFocused: ld(c("#0969da"), c("#58a6ff")),
		Added:         ld(c("#1a7f37"), c("#3fb950")),
		Deleted:       ld(c("#cf222e"), c("#f85149")),
		Moved:         ld(c("#0550ae"), c("#79c0ff")),
		Modified:      ld(c("#9a6700"), c("#d29922")),
		Conflict:      ld(c("#bc4c00"), c("#ff7b72")),
		Decided:       ld(c("#8250df"), c("#d2a8ff")),
	}
	return build(NameDefault, isDark, false, p)
}

// HighContrast uses pure black/white and saturated colours.
func HighContrast(isDark bool) *Theme {
	ld := lipgloss.LightDark(isDark)
	c := lipgloss.Color
	p := Palette{
		Text:          ld(c("#000000"), c("#ffffff")),
		Muted:         ld(c("#303030"), c("#d0d0d0")),
		Accent:        ld(c("#0000d0"), c("#00ffff")),
		Selection:     ld(c("#000000"), c("#ffffff")),
		SelectionText: ld(c("#ffffff"), c("#000000")),
		SelectionDim:  ld(c("#808080"), c("#808080")),
		Highlight:     ld(c("#a000a0"), c("#ff00ff")),
		Success:       ld(c("#006000"), c("#00ff00")),
		Warning:       ld(c("#804000"), c("#ffff00")),
		Error:         ld(c("#c00000"), c("#ff4040")),
		Info:          ld(c("#0000d0"), c("#00ffff")),
		Local:         ld(c("#005050"), c("#00ffd0")),
		Remote:        ld(c("#600080"), c("#ff80ff")),
		Border:        ld(c("#000000"), c("#ffffff")),
		BorderFocused: ld(c("#0000d0"), c("#ffff00")),
		Added:         ld(c("#006000"), c("#00ff00")),
		Deleted:       ld(c("#c00000"), c("#ff4040")),
		Moved:         ld(c("#0000d0"), c("#00ffff")),
		Modified:      ld(c("#804000"), c("#ffff00")),
		Conflict:      ld(c("#c00000"), c("#ff8000")),
		Decided:       ld(c("#a000a0"), c("#ff00ff")),
	}
	th := build(NameHighContrast, isDark, false, p)
	th.Styles.Selected = th.Styles.Selected.Bold(true)
	th.Styles.PaneFocused = th.Styles.PaneFocused.Border(lipgloss.ThickBorder())
	return th
}

// Mono emits no colour at all (NO_COLOR): states are told by glyphs and by
// bold, reverse, underline and faint.
func Mono(isDark bool) *Theme {
	return build(NameMono, isDark, true, Palette{})
}

func fg(s lipgloss.Style, c color.Color) lipgloss.Style {
	if c == nil {
		return s
	}
	return s.Foreground(c)
}

func bg(s lipgloss.Style, c color.Color) lipgloss.Style {
	if c == nil {
		return s
	}
	return s.Background(c)
}

func build(name string, isDark, noColor bool, p Palette) *Theme {
	n := lipgloss.NewStyle()
	s := Styles{
		Text:           fg(n, p.Text),
		Muted:          fg(n, p.Muted),
		Accent:         fg(n, p.Accent).Bold(true),
		Bold:           fg(n, p.Text).Bold(true),
		Selected:       bg(fg(n, p.SelectionText), p.Selection),
		SelectedBlur:   bg(fg(n, p.Text), p.SelectionDim),
		Highlight:      fg(n, p.Highlight).Bold(true),
		Success:        fg(n, p.Success),
		Warning:        fg(n, p.Warning),
		Error:          fg(n, p.Error).Bold(true),
		Info:           fg(n, p.Info),
		Local:          fg(n, p.Local).Bold(true),
		Remote:         fg(n, p.Remote).Bold(true),
		NonSyncable:    fg(n, p.Muted),
		Pane:           n.Border(lipgloss.RoundedBorder()),
		PaneFocused:    n.Border(lipgloss.RoundedBorder()),
		PaneTitle:      fg(n, p.Text).Bold(true),
		StatusBar:      fg(n, p.Text),
		Label:          fg(n, p.Muted),
		HelpKey:        fg(n, p.Accent),
		HelpDesc:       fg(n, p.Muted),
		HelpSeparator:  fg(n, p.Border),
		FilterPrompt:   fg(n, p.Accent).Bold(true),
		FilterText:     fg(n, p.Text),
		FilterNoResult: fg(n, p.Warning),
		Added:          fg(n, p.Added),
		Deleted:        fg(n, p.Deleted),
		Moved:          fg(n, p.Moved),
		Modified:       fg(n, p.Modified),
		Conflict:       fg(n, p.Conflict).Bold(true),
		Decided:        fg(n, p.Decided),
		Dialog:         n.Border(lipgloss.RoundedBorder()),
	}
	if p.Accent != nil {
		s.Dialog = s.Dialog.BorderForeground(p.Accent)
	}
	if p.Border != nil {
		s.Pane = s.Pane.BorderForeground(p.Border)
	}
	if p.BorderFocused != nil {
		s.PaneFocused = s.PaneFocused.BorderForeground(p.BorderFocused)
	}
	if noColor {
		s.Selected = n.Reverse(true)
		s.SelectedBlur = n.Underline(true)
		s.Muted = n.Faint(true)
		s.NonSyncable = n.Faint(true)
		s.Label = n.Faint(true)
		s.HelpDesc = n.Faint(true)
		s.HelpSeparator = n.Faint(true)
		s.Highlight = n.Bold(true).Underline(true)
		s.Error = n.Bold(true)
		s.Warning = n.Bold(true)
		s.PaneFocused = n.Border(lipgloss.DoubleBorder())
		s.Deleted = n.Strikethrough(true)
		s.Conflict = n.Bold(true)
		s.Decided = n.Italic(true)
		s.Dialog = n.Border(lipgloss.DoubleBorder())
	} else {
		s.SelectedBlur = s.SelectedBlur.Bold(false)
	}
	return &Theme{Name: name, IsDark: isDark, NoColor: noColor, Palette: p, Glyphs: DefaultGlyphs(), Styles: s}
}
