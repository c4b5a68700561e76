package diff

import (
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// Top is one line of a summary: a changed item, or the topmost item of an
// added or removed subtree (a removed folder, not each bookmark in it).
type Top struct {
	GUID   string
	Title  string
	Kind   tree.Kind
	Change Change
	// Path is the folder path (see Path) in the right tree, in the left
	// one for a removed item.
	Path string
	// OldPath and OldTitle are the left tree's, for a moved or renamed
	// item.
	OldPath, OldTitle string
	// Items counts what went with an added or removed folder: the items
	// below it.
	Items int
}

// Summary counts a diff's changes (each subtree item counted) and names
// the top ones.
type Summary struct {
	Added, Removed, Moved, Renamed, Changed int
	Top                                     []Top
	// More says that Top was cut at its limit.
	More bool
}

// Summary summarizes d with at most max top items (all when max < 0):
// removed first, then added, moved, renamed, changed, each in tree order.
func (d *Diff) Summary(max int) Summary {
	s := Summary{Added: len(d.Added), Removed: len(d.Removed), Moved: len(d.Moved), Renamed: len(d.Renamed), Changed: len(d.Changed)}
	add := func(t Top) bool {
		if max >= 0 && len(s.Top) >= max {
			s.More = true
			return false
		}
		s.Top = append(s.Top, t)
		return true
	}
	for _, g := range d.Removed {
		if t, ok := d.subtreeTop(d.Left, g, Removed); ok && !add(t) {
			return s
		}
	}
	for _, g := range d.Added {
		if t, ok := d.subtreeTop(d.Right, g, Added); ok && !add(t) {
			return s
		}
	}
	seen := map[string]bool{}
	for _, list := range [][]string{d.Moved, d.Renamed, d.Changed} {
		for _, g := range list {
			if seen[g] {
				continue
			}
			seen[g] = true
			lg := d.LeftGUID(g)
			r, l := d.Right.Lookup(g), d.Left.Lookup(lg)
			t := Top{GUID: g, Title: Title(r), Kind: r.Kind, Change: d.Items[g], OldTitle: Title(l)}
			t.Path, _ = Path(d.Right, g)
			t.OldPath, _ = Path(d.Left, lg)
			if !add(t) {
				return s
			}
		}
	}
	return s
}

// subtreeTop is the Top of guid, an item added or removed with change
// c, unless its parent went the same way (it is counted in the
// parent's).
func (d *Diff) subtreeTop(t *tree.Tree, guid string, c Change) (Top, bool) {
	n := t.Lookup(guid)
	if p := t.ParentOf(n); p != nil && d.Items[p.GUID] == c {
		return Top{}, false
	}
	top := Top{GUID: guid, Title: Title(n), Kind: n.Kind, Change: c}
	top.Path, _ = Path(t, guid)
	var count func(n *tree.Node)
	count = func(n *tree.Node) {
		for k, ci := range t.ChildrenOf(n) {
			cn := t.Node(ci)
			if cn.Parent == t.IndexOf(n) && int(cn.Position) == k && d.Items[cn.GUID] == c {
				top.Items++
				count(cn)
			}
		}
	}
	count(n)
	return top, true
}

// Point is one tree of a timeline: a source at the time it describes.
type Point struct {
	ID   string
	Time time.Time
	Tree *tree.Tree
}

// Step is what changed from one point of a timeline to the next.
type Step struct {
	From, To string // the points' IDs
	Diff     *Diff
	Summary  Summary
}

// Timeline compares each point with the next, in the order given (the
// caller orders them by time), each summary with at most max top items.
// Points without a tree (a source that failed to load) are passed over.
func Timeline(points []Point, max int) []Step {
	var steps []Step
	var prev *Point
	for i := range points {
		p := &points[i]
		if p.Tree == nil {
			continue
		}
		if prev != nil {
			d := Trees(prev.Tree, p.Tree)
			steps = append(steps, Step{From: prev.ID, To: p.ID, Diff: d, Summary: d.Summary(max)})
		}
		prev = p
	}
	return steps
}
