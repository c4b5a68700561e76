package treepane

import (
	"charm.land/lipgloss/v2"

	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
)

// Source is the tree a pane shows: nodes 0..Len()-1, node 0 the hidden
// root. Children are walked with FirstChild and NextSibling, so a source
// over a bookmark tree needs no flattening and a source given in pre-order
// (Outline) none of the tree's links.
type Source interface {
	Len() int
	// Parent is the node's parent, -1 for the root.
	Parent(i int) int
	// FirstChild is the node's first child, -1 when it has none.
	FirstChild(i int) int
	// NextSibling is the child after i in its parent, -1 after the last.
	NextSibling(i int) int
	// Depth is 0 for the root, 1 for its children.
	Depth(i int) int
	GUID(i int) string
	// Index finds the node of guid.
	Index(guid string) (int, bool)
	// Item describes node i for theme th.
	Item(i int, th *themes.Theme) Item
}

// Searchable is a Source whose nodes have a text to filter on (SetQuery).
type Searchable interface {
	// Haystack is the lowercased text a query searches in node i.
	Haystack(i int) string
}

// childLister is a Source that lists a node's children in one call, which
// is cheaper than FirstChild and NextSibling over a bookmark tree (each
// sibling step looks its parent up again); appendSubtree uses it.
type childLister interface {
	// AppendChildren appends the children of i to dst, in order.
	AppendChildren(dst []int32, i int) []int32
}

// ordered is a Source whose node indices are in display order (an
// Outline), so the rows shown are ascending and found by binary search.
type ordered interface{ PreOrder() bool }

// Badge is a short styled mark.
type Badge struct {
	Text  string
	Style lipgloss.Style
}

// Item is what one row shows.
type Item struct {
	Kind tree.Kind
	// Label is the row's text (one line).
	Label string
	// LabelStyle styles the label when the row is not selected; nil means
	// the theme's text style. The other pane's highlight replaces it
	// unless Alert is set.
	LabelStyle *lipgloss.Style
	Alert      bool
	// State is drawn in a fixed column before the indentation (a merge
	// state glyph) when the pane has one; Badges follow the label.
	State  Badge
	Badges []Badge
}

// Outline gives the links of a tree listed in pre-order with depths (row
// 0 the root at depth 0): a source over such rows embeds it.
type Outline struct {
	end    []int32 // the row after the subtree of each row
	parent []int32 // -1 for the root
}

// NewOutline computes the links of n rows in pre-order from their depths.
func NewOutline(n int, depth func(i int) int) Outline {
	o := Outline{end: make([]int32, n), parent: make([]int32, n)}
	stack := make([]int32, 0, 16)
	depths := make([]int, 0, 16)
	for i := 0; i < n; i++ {
		d := depth(i)
		for len(stack) > 0 && depths[len(depths)-1] >= d {
			o.end[stack[len(stack)-1]] = int32(i)
			stack, depths = stack[:len(stack)-1], depths[:len(depths)-1]
		}
		o.parent[i] = -1
		if len(stack) > 0 {
			o.parent[i] = stack[len(stack)-1]
		}
		stack, depths = append(stack, int32(i)), append(depths, d)
	}
	for _, s := range stack {
		o.end[s] = int32(n)
	}
	return o
}

// Parent implements Source.
func (o Outline) Parent(i int) int { return int(o.parent[i]) }

// FirstChild implements Source.
func (o Outline) FirstChild(i int) int {
	if i+1 < int(o.end[i]) {
		return i + 1
	}
	return -1
}

// NextSibling implements Source.
func (o Outline) NextSibling(i int) int {
	p := o.parent[i]
	if p < 0 || o.end[i] >= o.end[p] {
		return -1
	}
	return int(o.end[i])
}

// PreOrder says the rows are in display order.
func (o Outline) PreOrder() bool { return true }
