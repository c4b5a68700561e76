package tree

import (
	"sort"
	"unsafe"
)

// Node is an item placed in a built tree. Nodes are addressed by index; the
// root is index 0.
//
// A node is 64 bytes, one cache line: its children are the tree's
// (Tree.Children), so that a walk over a tree that outgrows the caches
// misses once per node, not two or three times.
type Node struct {
	Item
	Parent   int32 // -1 for the root
	Position int32 // index of the first occurrence in the parent's children; -1 for the root
	Level    int32 // 0 for the root, 1 for the built-in roots
	Diverged bool  // the builder repaired this item's structure
	Syncable bool  // under one of the built-in roots, and not a livemark or an orphaned query
	guid     guidFlags
}

// guidFlags are facts about a node's GUID, worked out once while the
// builder has the GUID's bytes in cache, so the merge need not read them
// again for every node.
type guidFlags uint8

const (
	guidValid guidFlags = 1 << iota
	guidBuiltInRoot
)

func flagsOf(guid string) guidFlags {
	var f guidFlags
	if IsValidGUID(guid) {
		f |= guidValid
	}
	if IsBuiltInRoot(guid) {
		f |= guidBuiltInRoot
	}
	return f
}

// HasValidGUID is IsValidGUID(n.GUID) for a node of a built tree.
func (n *Node) HasValidGUID() bool { return n.guid&guidValid != 0 }

// IsBuiltInRoot is IsBuiltInRoot(n.GUID) for a node of a built tree.
func (n *Node) IsBuiltInRoot() bool { return n.guid&guidBuiltInRoot != 0 }

// Tree is a built bookmark tree. It is read-only once built.
type Tree struct {
	nodes []Node
	// Node i's children are kids[kidStart[i]:kidStart[i+1]]; a child is
	// named twice when its folder listed it twice.
	kids       []int32
	kidStart   []int32
	index      guidIndex
	tombstones map[string]struct{}
	problems   []Problem
}

// Len is the number of items, the root included.
func (t *Tree) Len() int { return len(t.nodes) }

// Root is the Places root.
func (t *Tree) Root() *Node { return &t.nodes[0] }

// Node returns the node at index i.
func (t *Tree) Node(i int32) *Node { return &t.nodes[i] }

// Children returns node i's children, in order. The slice is the tree's:
// read it, do not change it. Only folders have children: for any other
// node it does not read the children's table (one cache miss fewer a node
// in a walk over a large tree, which reads the node anyway).
func (t *Tree) Children(i int32) []int32 {
	if t.nodes[i].Kind != KindFolder {
		return nil
	}
	s, e := t.kidStart[i], t.kidStart[i+1]
	return t.kids[s:e:e]
}

// ChildrenOf is Children of a node of this tree, nil for any other node.
func (t *Tree) ChildrenOf(n *Node) []int32 {
	i := t.IndexOf(n)
	if i < 0 {
		return nil
	}
	return t.Children(i)
}

// Index returns the index of the item with this GUID.
func (t *Tree) Index(guid string) (int32, bool) {
	i, ok := t.index.get(guid)
	return i, ok
}

// Lookup returns the node with this GUID, or nil.
func (t *Tree) Lookup(guid string) *Node {
	if i, ok := t.index.get(guid); ok {
		return &t.nodes[i]
	}
	return nil
}

// ParentOf returns the node's parent, or nil for the root.
func (t *Tree) ParentOf(n *Node) *Node {
	if n.Parent < 0 {
		return nil
	}
	return &t.nodes[n.Parent]
}

// Pair sets tToU[i] = j and uToT[j] = i for every GUID that is item i of
// t and item j of u, and leaves the other entries alone; tToU has t.Len()
// entries, uToT u.Len(). It reads t's GUID table in order, not t's nodes,
// and since every table of the process hashes alike, its lookups walk u's
// table from end to end too: in trees whose tables outgrow the caches that
// is a few times faster than looking each GUID up.
func (t *Tree) Pair(u *Tree, tToU, uToT []int32) {
	tToU, uToT = tToU[:len(t.nodes)], uToT[:len(u.nodes)]
	if len(u.index.slots) > 0 {
		for k := range t.index.slots {
			s := &t.index.slots[k]
			if s.idx == 0 {
				continue
			}
			if j, ok := u.index.getWords(s.lo, s.hi); ok {
				tToU[s.idx-1], uToT[j] = j, s.idx-1
			}
		}
	}
	for g, i := range t.index.oddSized {
		if j, ok := u.index.get(g); ok {
			tToU[i], uToT[j] = j, i
		}
	}
}

// IsTombstone reports whether guid is deleted in this tree.
func (t *Tree) IsTombstone(guid string) bool {
	_, ok := t.tombstones[guid]
	return ok
}

// Mentions reports whether the tree has an item or a tombstone for guid.
func (t *Tree) Mentions(guid string) bool {
	if _, ok := t.index.get(guid); ok {
		return true
	}
	return t.IsTombstone(guid)
}

// Tombstones returns the deleted GUIDs, sorted.
func (t *Tree) Tombstones() []string {
	out := make([]string, 0, len(t.tombstones))
	for g := range t.tombstones {
		out = append(out, g)
	}
	sort.Strings(out)
	return out
}

// TombstoneCount is the number of deletions.
func (t *Tree) TombstoneCount() int { return len(t.tombstones) }

// Problems returns the repairs made while building, in the order found.
func (t *Tree) Problems() []Problem { return t.problems }

// ProblemCounts sums the problems as Firefox's telemetry does.
func (t *Tree) ProblemCounts() ProblemCounts { return CountProblems(t.problems) }

// Walk visits every node once in pre-order (a folder before its children,
// children in order), skipping repeated child references. It stops early
// when fn returns false.
func (t *Tree) Walk(fn func(i int32, n *Node) bool) {
	seen := make([]bool, len(t.nodes))
	stack := []int32{0}
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[i] {
			continue
		}
		seen[i] = true
		n := &t.nodes[i]
		if !fn(i, n) {
			return
		}
		kids := t.Children(i)
		for k := len(kids) - 1; k >= 0; k-- {
			stack = append(stack, kids[k])
		}
	}
}

// IndexOf returns the index of a node of this tree, or -1 if n is not one
// of its nodes.
func (t *Tree) IndexOf(n *Node) int32 {
	if n == nil || len(t.nodes) == 0 {
		return -1
	}
	base := uintptr(unsafe.Pointer(&t.nodes[0]))
	off := uintptr(unsafe.Pointer(n)) - base
	size := unsafe.Sizeof(Node{})
	if uintptr(unsafe.Pointer(n)) < base || off%size != 0 || off/size >= uintptr(len(t.nodes)) {
		return -1
	}
	return int32(off / size)
}

// Touch reads the nodes at these indices, one after the other without
// waiting, so that their cache misses overlap: a walk that is about to
// visit a folder's children in a tree whose layout does not follow the
// walk then finds them in cache. The result means nothing; keep it
// somewhere so that the reads are not dropped.
func (t *Tree) Touch(idx []int32) uint8 {
	var acc uint8
	for _, i := range idx {
		acc |= t.Touch1(i)
	}
	return acc
}

// Touch1 is Touch of one node. Its reads span the node, whichever cache
// lines it straddles.
func (t *Tree) Touch1(i int32) uint8 {
	n := &t.nodes[i]
	return uint8(len(n.GUID)) | uint8(n.Kind) | uint8(n.guid)
}
