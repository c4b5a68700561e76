package treepane

import (
	"strconv"
	"strings"

	"charm.land/lipgloss/v2"

	"github.com/bmtui/bmtui/source/diff"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
)

// TreeSource shows a bookmark tree as it is, without flattening it: nodes
// are the tree's own, each item listed once under its real parent. Items
// with findings are marked.
type TreeSource struct {
	t        *tree.Tree
	findings common.FindingIndex
	hay      []string // built on the first query
	changes  map[string]diff.Change
}

// SetDiff marks the items that differ between this tree and the one it
// is compared with (diff.Diff.Items): added or removed, moved, renamed,
// changed. nil: no marks.
func (s *TreeSource) SetDiff(changes map[string]diff.Change) { s.changes = changes }

// Change is how guid differs from the compared tree (0: alike, or no
// comparison).
func (s *TreeSource) Change(guid string) diff.Change { return s.changes[guid] }

// NewTreeSource shows t (nil or empty: an empty pane) with the findings of
// its side.
func NewTreeSource(t *tree.Tree, findings ...check.Finding) *TreeSource {
	if t != nil && t.Len() == 0 {
		t = nil
	}
	return &TreeSource{t: t, findings: common.IndexFindings(findings)}
}

// Tree is the tree shown (nil for none).
func (s *TreeSource) Tree() *tree.Tree { return s.t }

// Node is node i of the tree.
func (s *TreeSource) Node(i int) *tree.Node { return s.t.Node(int32(i)) }

// Findings are the findings recorded for guid.
func (s *TreeSource) Findings(guid string) []check.Finding { return s.findings[guid] }

// Len implements Source.
func (s *TreeSource) Len() int {
	if s.t == nil {
		return 0
	}
	return s.t.Len()
}

// Parent implements Source.
func (s *TreeSource) Parent(i int) int { return int(s.t.Node(int32(i)).Parent) }

// Depth implements Source.
func (s *TreeSource) Depth(i int) int { return int(s.t.Node(int32(i)).Level) }

// GUID implements Source.
func (s *TreeSource) GUID(i int) string { return s.t.Node(int32(i)).GUID }

// Index implements Source.
func (s *TreeSource) Index(guid string) (int, bool) {
	if s.t == nil {
		return 0, false
	}
	i, ok := s.t.Index(guid)
	return int(i), ok
}

// listed reports whether c, at position k of i's children, is listed
// there: an item listed by several folders shows under its real parent.
func (s *TreeSource) listed(i int32, k int, c int32) bool {
	n := s.t.Node(c)
	return n.Parent == i && int(n.Position) == k
}

// FirstChild implements Source.
func (s *TreeSource) FirstChild(i int) int { return s.childFrom(int32(i), 0) }

// NextSibling implements Source.
func (s *TreeSource) NextSibling(i int) int {
	n := s.t.Node(int32(i))
	if n.Parent < 0 {
		return -1
	}
	return s.childFrom(n.Parent, int(n.Position)+1)
}

func (s *TreeSource) childFrom(i int32, k int) int {
	kids := s.t.Children(i)
	for ; k < len(kids); k++ {
		if s.listed(i, k, kids[k]) {
			return int(kids[k])
		}
	}
	return -1
}

// AppendChildren appends the children listed under i to dst.
func (s *TreeSource) AppendChildren(dst []int32, i int) []int32 {
	p := int32(i)
	for k, c := range s.t.Children(p) {
		if s.listed(p, k, c) {
			dst = append(dst, c)
		}
	}
	return dst
}

// Haystack implements Searchable: title, URL and GUID.
func (s *TreeSource) Haystack(i int) string {
	if s.hay == nil {
		s.hay = make([]string, s.t.Len())
		for k := range s.hay {
			n := s.t.Node(int32(k))
			s.hay[k] = strings.ToLower(common.Title(&n.Item) + "\x00" + common.URL(&n.Item) + "\x00" + n.GUID)
		}
	}
	return s.hay[i]
}

// Item implements Source: the label, then the item's GUID when it has no
// title nor URL, its findings, whether it changed since the last sync,
// whether it is valid and whether it syncs.
func (s *TreeSource) Item(i int, th *themes.Theme) Item {
	st, g := &th.Styles, &th.Glyphs
	n := s.t.Node(int32(i))
	it := Item{Kind: n.Kind, Label: common.Label(&n.Item)}
	title := common.Title(&n.Item)
	if n.Kind == tree.KindSeparator && title == "" {
		it.Label = "────────"
	}
	badge := func(text string, style lipgloss.Style) {
		it.Badges = append(it.Badges, Badge{Text: text, Style: style})
	}
	if title == "" && common.URL(&n.Item) == "" {
		badge(n.GUID, st.Muted)
	}
	fs := s.findings[n.GUID]
	if len(fs) > 0 {
		mark := g.Problem
		if len(fs) > 1 {
			mark += strconv.Itoa(len(fs))
		}
		badge(mark, st.Error)
		it.LabelStyle, it.Alert = &st.Error, true
	} else if !n.Syncable {
		it.LabelStyle = &st.NonSyncable
	}
	if n.NeedsMerge {
		badge(g.Changed, st.Warning)
	}
	if n.Validity != tree.Valid {
		badge(g.Invalid+n.Validity.String(), st.Error)
	}
	if !n.Syncable {
		badge(g.NonSyncable, st.NonSyncable)
	}
	if c := s.changes[n.GUID]; c != 0 {
		for _, m := range []struct {
			c     diff.Change
			glyph string
			style lipgloss.Style
		}{
			{diff.Added, g.Added, st.Added}, {diff.Removed, g.Deleted, st.Deleted}, {diff.Moved, g.Moved, st.Moved},
			{diff.Renamed, g.Renamed, st.Modified}, {diff.Changed, g.URLChanged, st.Modified},
		} {
			if c&m.c != 0 {
				badge(m.glyph, m.style)
			}
		}
	}
	return it
}
