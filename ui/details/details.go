// Package details renders everything known about one bookmark item: its
// identity, its content, its dates, its sync state on that side, and the
// findings about it.
package details

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/common"
)

// Item is what the panel shows.
type Item struct {
	Side      tree.Side // Local reads as Places, Remote as the Sync mirror
	Tree      *tree.Tree
	Node      *tree.Node
	Findings  []check.Finding
	OtherSide string // e.g. "also in remote", "not in remote"; empty to omit
	// NoSync is a copy that keeps no sync state (a backup, an export):
	// neither the Places nor the mirror rows are shown.
	NoSync bool
}

// Model is the details panel.
type Model struct {
	common common.Common
	item   *Item
	width  int
	height int
	scroll int
}

var _ common.Component[Model] = (*Model)(nil)

// New returns an empty panel.
func New(c common.Common) Model { return Model{common: c, width: 40, height: 10} }

// Init implements common.Component.
func (m Model) Init() tea.Cmd { return nil }

// Update implements common.Component: the panel takes no keys (the parent
// scrolls it with the mouse wheel through ScrollBy).
func (m Model) Update(tea.Msg) (Model, tea.Cmd) { return m, nil }

// ShortHelp implements help.KeyMap: the panel has no keys.
func (m Model) ShortHelp() []key.Binding { return nil }

// FullHelp implements help.KeyMap.
func (m Model) FullHelp() [][]key.Binding { return nil }

// SetCommon sets the theme and the clock.
func (m *Model) SetCommon(c common.Common) { m.common = c }

// SetSize sets the panel's content size.
func (m *Model) SetSize(w, h int) { m.width, m.height = max(w, 0), max(h, 0) }

// SetItem shows it; nil clears the panel.
func (m *Model) SetItem(it *Item) {
	if it == nil || it.Node == nil {
		m.item = nil
	} else {
		m.item = it
	}
	m.scroll = 0
}

// GUID is the GUID shown, or "".
func (m Model) GUID() string {
	if m.item == nil {
		return ""
	}
	return m.item.Node.GUID
}

// ScrollBy scrolls the panel's lines.
func (m *Model) ScrollBy(d int) {
	m.scroll = max(m.scroll+d, 0)
}

type field struct{ label, value string }

// Lines returns the panel's content, one string per line, unstyled labels
// padded; used by View and by tests.
func (m Model) lines() []string {
	th := m.common.Theme
	st, g := &th.Styles, &th.Glyphs
	if m.item == nil {
		return []string{st.Muted.Render("No item selected.")}
	}
	it := m.item
	n := it.Node
	now := m.common.Time()
	info := n.Info
	dash := st.Muted.Render("—")
	val := func(s string) string {
		if s == "" {
			return dash
		}
		return common.SingleLine(s)
	}

	kind := n.Kind.String()
	if n.Kind == tree.KindFolder {
		kind += fmt.Sprintf(" (%d children)", len(it.Tree.ChildrenOf(n)))
	}
	title := common.Title(&n.Item)
	fs := []field{
		{"GUID", n.GUID},
		{"Kind", common.KindGlyph(*g, n.Kind, false, false) + " " + kind},
		{"Title", val(title)},
	}
	if u := common.URL(&n.Item); u != "" || n.Kind == tree.KindBookmark || n.Kind == tree.KindQuery {
		fs = append(fs, field{"URL", val(u)})
	}
	var tags, keyword string
	var added, modified int64
	if info != nil {
		tags = strings.Join(info.Tags, ", ")
		keyword = info.Keyword
		added, modified = info.DateAdded, info.LastModified
	}
	if n.Kind == tree.KindBookmark || n.Kind == tree.KindQuery {
		fs = append(fs, field{"Tags", val(tags)}, field{"Keyword", val(keyword)})
	}
	fs = append(fs,
		field{"Added", common.FormatMicros(added, now)},
		field{"Modified", common.FormatMicros(modified, now)},
	)
	parent := "—"
	if p := it.Tree.ParentOf(n); p != nil {
		parent = p.GUID
		if t := common.Title(&p.Item); t != "" {
			parent += " (" + common.SingleLine(t) + ")"
		}
		parent += fmt.Sprintf(" · position %d · level %d", n.Position, n.Level)
	}
	fs = append(fs, field{"Parent", parent})

	var flags []string
	if !n.Syncable {
		flags = append(flags, g.NonSyncable+" not syncable")
	}
	if n.Diverged {
		flags = append(flags, g.Problem+" structure repaired")
	}
	switch {
	case it.NoSync:
	case it.Side == tree.Remote:
		sync := "needsMerge " + yesNo(n.NeedsMerge)
		if n.NeedsMerge {
			sync = g.Changed + " " + sync
		}
		validity := n.Validity.String()
		if n.Validity != tree.Valid {
			validity = g.Invalid + " " + validity
		}
		sync += " · validity " + validity
		server := int64(0)
		if info != nil {
			server = info.ServerModified
		}
		fs = append(fs, field{"Mirror", sync}, field{"Server", common.FormatMillis(server, now)})
		if info != nil && info.ParentGUID != "" && (it.Tree.ParentOf(n) == nil || info.ParentGUID != it.Tree.ParentOf(n).GUID) {
			fs = append(fs, field{"parentid", info.ParentGUID + " (as stored)"})
		}
	default:
		sync := "—"
		if info != nil {
			sync = fmt.Sprintf("syncStatus %s · syncChangeCounter %d", tree.SyncStatusName(info.SyncStatus), info.SyncChangeCounter)
		}
		if n.NeedsMerge {
			sync = g.Changed + " changed · " + sync
		}
		if n.Validity != tree.Valid {
			sync += " · " + g.Invalid + " validity " + n.Validity.String()
		}
		fs = append(fs, field{"Places", sync})
	}
	if len(flags) > 0 {
		fs = append(fs, field{"Flags", strings.Join(flags, " · ")})
	}
	if it.OtherSide != "" {
		fs = append(fs, field{"Other side", it.OtherSide})
	}

	lw := 0
	for _, f := range fs {
		lw = max(lw, len(f.label))
	}
	out := make([]string, 0, len(fs)+len(it.Findings)+1)
	for _, f := range fs {
		out = append(out, st.Label.Render(fmt.Sprintf("%-*s", lw, f.label))+"  "+f.value)
	}
	if len(it.Findings) == 0 {
		out = append(out, st.Success.Render("No problems found on this item."))
	} else {
		out = append(out, st.Error.Render(fmt.Sprintf("%s %d problem(s):", g.Problem, len(it.Findings))))
		for _, f := range it.Findings {
			line := g.Problem + " " + string(f.Kind)
			if f.Detail != "" {
				line += ": " + common.SingleLine(f.Detail)
			}
			if len(f.Related) > 0 {
				line += " [" + strings.Join(f.Related, ", ") + "]"
			}
			out = append(out, "  "+st.Error.Render(line))
		}
	}
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// View renders at most height lines, each truncated to width.
func (m Model) View() string {
	if m.width <= 0 || m.height <= 0 {
		return ""
	}
	lines := m.lines()
	start := min(m.scroll, max(len(lines)-m.height, 0))
	lines = lines[start:]
	if len(lines) > m.height {
		lines = lines[:m.height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, m.width, "…")
	}
	return lipgloss.NewStyle().Width(m.width).Height(m.height).MaxHeight(m.height).Render(strings.Join(lines, "\n"))
}
