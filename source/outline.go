package source

import (
	"time"

	"github.com/bmtui/bmtui/sync/tree"
)

// Outline is what a search needs of a source's tree and no more: every
// item in pre-order (a folder before its children, children in order),
// each with its folder, depth, kind, title and URL. A search finds no
// problems and makes no repairs, so a source that can list its items this
// way without building a tree (a large backup) is read several times
// faster for it.
type Outline struct {
	Provenance Provenance
	// Items[0] is the Places root; every other item's Parent is the index
	// of its folder, which comes before it.
	Items []OutlineItem
	// Tombstones are the deletions the source records (see Result).
	Tombstones []Tombstone
}

// OutlineItem is one item of an Outline.
type OutlineItem struct {
	GUID   string
	Parent int32 // index in Items of the item's folder; -1 for the root
	Level  int32 // 0 for the root, 1 for the built-in roots
	Kind   tree.Kind
	Title  string
	URL    string
}

// Outliner is a Source that can give its Outline without building a tree.
type Outliner interface {
	Source
	// LoadOutline calls use with the source's outline, exactly the items,
	// folders and order its Load's tree has. The outline and its strings
	// are valid only during the call: they may point into scratch, which
	// the next source read reuses, so use copies what it keeps. scratch
	// may be nil: nothing is then kept for another read.
	LoadOutline(clock time.Time, scratch *Scratch, use func(*Outline)) error
}

// Scratch is storage that one reader of several sources, reading them
// one after another, lends to each: a search reads a dozen or more
// backups of the same size, and allocating (and faulting in) their 20 MB
// of text afresh for each costs more than reading it. Each reading
// goroutine owns one; it is not safe for concurrent use.
type Scratch struct {
	File, Text []byte        // a file's bytes, and its decoded text
	Items      []OutlineItem // an outline's items
	Table      []uint64      // a hash table
}

// TreeOutline is the outline of a loaded result: its tree walked in
// pre-order, each item once (the repeated child references a damaged
// folder may list are skipped, as Tree.Walk does).
func TreeOutline(r *Result) *Outline {
	o := &Outline{Provenance: r.Provenance, Tombstones: r.Tombstones}
	t := r.Tree
	if t == nil {
		return o
	}
	o.Items = make([]OutlineItem, 0, t.Len())
	at := make([]int32, t.Len()) // tree index → outline index
	t.Walk(func(i int32, n *tree.Node) bool {
		it := OutlineItem{GUID: n.GUID, Parent: -1, Level: n.Level, Kind: n.Kind}
		if n.Parent >= 0 {
			it.Parent = at[n.Parent]
		}
		if n.Info != nil {
			it.Title, it.URL = n.Info.Title, n.Info.URL
		}
		at[i] = int32(len(o.Items))
		o.Items = append(o.Items, it)
		return true
	})
	return o
}

// AppendPreOrder appends to o.Items the items reached from root, in
// pre-order, each folder's children in the order kids[count[p]:count[p+1]]
// lists them, and sets their Parent and Level; item gives the rest of
// item i. at is scratch of one slot per item (it ends as item → index in
// Items). The walk follows kids alone, so an item in a cycle the root
// does not reach is left out: callers compare the count with what they
// expected.
func (o *Outline) AppendPreOrder(root int32, parent, kids, count, at []int32, item func(i int32) OutlineItem) {
	stack := []int32{root}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it := item(i)
		it.Parent = -1
		if i != root {
			pi := at[parent[i]]
			it.Parent, it.Level = pi, o.Items[pi].Level+1
		}
		at[i] = int32(len(o.Items))
		o.Items = append(o.Items, it)
		ks := kids[count[i]:count[i+1]]
		for k := len(ks) - 1; k >= 0; k-- {
			stack = append(stack, ks[k])
		}
	}
}
