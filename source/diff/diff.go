// Package diff compares two bookmark trees item by item (by GUID): what
// the right tree added, removed, moved, renamed or otherwise changed
// relative to the left one, and, over a series of trees ordered in time,
// what changed from each to the next (Timeline). It is pure logic over
// sync/tree: no I/O, no UI.
//
// The Places root and the tags root with its tag folders are not compared
// (backups and exports leave the tags root out); the built-in roots are
// compared for their children only, as their stored titles differ by
// kind of source ("menu" in a backup, "" in Places).
package diff

import (
	"slices"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// Change is a set of differences of one item.
type Change uint8

// Changes. An item is Added or Removed, or any mix of the others.
const (
	Added   Change = 1 << iota // only in the right tree
	Removed                    // only in the left tree
	Moved                      // in another folder
	Renamed                    // another title
	Changed                    // another URL, keyword or tags
)

var changeNames = []struct {
	c    Change
	name string
}{{Added, "added"}, {Removed, "removed"}, {Moved, "moved"}, {Renamed, "renamed"}, {Changed, "changed"}}

// Names lists the changes in c, in a fixed order.
func (c Change) Names() []string {
	var out []string
	for _, n := range changeNames {
		if c&n.c != 0 {
			out = append(out, n.name)
		}
	}
	return out
}

func (c Change) String() string { return strings.Join(c.Names(), ",") }

// Diff is what differs between a left and a right tree.
type Diff struct {
	Left, Right *tree.Tree
	// Items maps each GUID that differs to how.
	Items map[string]Change
	// The GUIDs of each change, in tree order (left tree's for Removed,
	// right tree's for the others). An item both moved and renamed is in
	// both lists.
	Added, Removed, Moved, Renamed, Changed []string
	// Paired are items that carry different GUIDs on the two sides but
	// the same content (a bookmarks.html export's made-up GUIDs, a
	// bookmark deleted and added again): each GUID maps to the other
	// side's. They are compared as one item, marked under both GUIDs.
	Paired map[string]string
}

// Empty reports whether the trees hold the same items alike.
func (d *Diff) Empty() bool { return len(d.Items) == 0 }

// Trees compares left and right. Either may be nil (an empty tree).
func Trees(left, right *tree.Tree) *Diff {
	d := &Diff{Left: left, Right: right, Items: map[string]Change{}}
	walk(left, func(n *tree.Node) {
		if lookup(right, n.GUID) == nil {
			d.Items[n.GUID] = Removed
			d.Removed = append(d.Removed, n.GUID)
		}
	})
	walk(right, func(n *tree.Node) {
		l := lookup(left, n.GUID)
		if l == nil {
			d.Items[n.GUID] = Added
			d.Added = append(d.Added, n.GUID)
			return
		}
		var c Change
		if parentGUID(left, l) != parentGUID(right, n) {
			c |= Moved
			d.Moved = append(d.Moved, n.GUID)
		}
		if !tree.IsBuiltInRoot(n.GUID) {
			li, ri := info(l), info(n)
			if li.Title != ri.Title {
				c |= Renamed
				d.Renamed = append(d.Renamed, n.GUID)
			}
			if li.URL != ri.URL || li.Keyword != ri.Keyword || !slices.Equal(li.Tags, ri.Tags) {
				c |= Changed
				d.Changed = append(d.Changed, n.GUID)
			}
		}
		if c != 0 {
			d.Items[n.GUID] = c
		}
	})
	d.pairByContent()
	return d
}

// pairByContent pairs items only the left has with items only the right
// has when their content agrees: a bookmark's URL and title, a folder's
// title and folder path. Pairs are taken in tree order.
func (d *Diff) pairByContent() {
	if len(d.Removed) == 0 || len(d.Added) == 0 {
		return
	}
	waiting := map[string][]string{}
	for _, g := range d.Removed {
		if k, ok := contentKey(d.Left, g); ok {
			waiting[k] = append(waiting[k], g)
		}
	}
	paired := map[string]bool{}
	added := d.Added[:0:0]
	for _, g := range d.Added {
		k, ok := contentKey(d.Right, g)
		if !ok || len(waiting[k]) == 0 {
			added = append(added, g)
			continue
		}
		lg := waiting[k][0]
		waiting[k] = waiting[k][1:]
		if d.Paired == nil {
			d.Paired = map[string]string{}
		}
		d.Paired[lg], d.Paired[g] = g, lg
		paired[lg] = true
		delete(d.Items, lg)
		delete(d.Items, g)
		var c Change
		lp, _ := Path(d.Left, lg)
		rp, _ := Path(d.Right, g)
		if lp != rp {
			c |= Moved
			d.Moved = append(d.Moved, g)
		}
		li, ri := info(d.Left.Lookup(lg)), info(d.Right.Lookup(g))
		if li.Keyword != ri.Keyword || !slices.Equal(li.Tags, ri.Tags) {
			c |= Changed
			d.Changed = append(d.Changed, g)
		}
		if c != 0 {
			d.Items[lg], d.Items[g] = c, c
		}
	}
	d.Added = added
	d.Removed = slices.DeleteFunc(d.Removed, func(g string) bool { return paired[g] })
	// An item whose folder was paired has not moved.
	d.Moved = slices.DeleteFunc(d.Moved, func(g string) bool {
		l, r := d.Left.Lookup(g), d.Right.Lookup(g)
		if l == nil || r == nil || d.Paired[parentGUID(d.Left, l)] != parentGUID(d.Right, r) {
			return false
		}
		if d.Items[g] &^= Moved; d.Items[g] == 0 {
			delete(d.Items, g)
		}
		return true
	})
}

// contentKey is what pairs an item by content; false for one that
// cannot be (a separator, an item without a title or URL).
func contentKey(t *tree.Tree, guid string) (string, bool) {
	n := t.Lookup(guid)
	i := info(n)
	switch n.Kind {
	case tree.KindBookmark, tree.KindQuery:
		if i.URL == "" {
			return "", false
		}
		return "b\x00" + i.URL + "\x00" + i.Title, true
	case tree.KindFolder:
		p, _ := Path(t, guid)
		return "f\x00" + p + "\x00" + i.Title, i.Title != ""
	}
	return "", false
}

// LeftGUID is the left tree's GUID of an item the right tree has as
// guid: guid itself unless the two were paired by content.
func (d *Diff) LeftGUID(guid string) string {
	if g, ok := d.Paired[guid]; ok && d.Left.Lookup(guid) == nil {
		return g
	}
	return guid
}

var noInfo tree.Info

func info(n *tree.Node) *tree.Info {
	if n.Info == nil {
		return &noInfo
	}
	return n.Info
}

func lookup(t *tree.Tree, guid string) *tree.Node {
	if t == nil {
		return nil
	}
	n := t.Lookup(guid)
	if n == nil || skipped(t, n) {
		return nil
	}
	return n
}

func parentGUID(t *tree.Tree, n *tree.Node) string {
	if p := t.ParentOf(n); p != nil {
		return p.GUID
	}
	return ""
}

// skipped reports whether n is not compared: the Places root, or the
// tags root and anything under it.
func skipped(t *tree.Tree, n *tree.Node) bool {
	if n.Parent < 0 {
		return true
	}
	for ; n != nil; n = t.ParentOf(n) {
		if n.GUID == tree.TagsGUID {
			return true
		}
	}
	return false
}

// walk calls fn for every compared node of t in pre-order (children in
// their folder's order), the root and the tags subtree left out.
func walk(t *tree.Tree, fn func(n *tree.Node)) {
	if t == nil || t.Len() == 0 {
		return
	}
	var visit func(i int32)
	visit = func(i int32) {
		for k, c := range t.Children(i) {
			cn := t.Node(c)
			if cn.Parent != i || int(cn.Position) != k || cn.GUID == tree.TagsGUID {
				continue // listed twice, or the tags root
			}
			fn(cn)
			visit(c)
		}
	}
	visit(0)
}

// Path is the folder path of guid in t: the titles from the root's child
// down to its parent, built-in roots as Firefox names them, joined by
// "/"; ok is false when t lacks guid.
func Path(t *tree.Tree, guid string) (path string, ok bool) {
	if t == nil {
		return "", false
	}
	n := t.Lookup(guid)
	if n == nil {
		return "", false
	}
	var parts []string
	for p := t.ParentOf(n); p != nil && p.Parent >= 0; p = t.ParentOf(p) {
		parts = append(parts, Title(p))
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/"), true
}

// Title is what a person calls the item: a built-in root's name, else its
// title.
func Title(n *tree.Node) string {
	if name := tree.RootTitle(n.GUID); name != "" {
		return name
	}
	if n.Info != nil {
		return n.Info.Title
	}
	if n.Content != nil {
		return n.Content.Title
	}
	return ""
}

// Count is the number of items Trees compares in t: all but the Places
// root and the tags.
func Count(t *tree.Tree) int {
	n := 0
	walk(t, func(*tree.Node) { n++ })
	return n
}
