package tree

import (
	"errors"
	"fmt"

	"github.com/bmtui/bmtui/internal/hugepages"
)

// ErrorKind classifies builder errors.
type ErrorKind uint8

const (
	ErrDuplicateItem ErrorKind = iota + 1 // a GUID inserted twice, or the root given a parent
	ErrInvalidParent                      // a children record names a non-folder parent
	ErrMissingParent                      // a children record names an unknown parent
	ErrMissingItem                        // a parentid record names an unknown child
	ErrCycle                              // following parents from an item never reaches the root
)

var errorNames = [...]string{"", "DuplicateItem", "InvalidParent", "MissingParent", "MissingItem", "Cycle"}

func (k ErrorKind) String() string {
	if int(k) < len(errorNames) && k != 0 {
		return errorNames[k]
	}
	return fmt.Sprintf("error(%d)", uint8(k))
}

// Error is a builder error naming the item involved.
type Error struct {
	Kind   ErrorKind
	GUID   string
	Parent string
}

func (e *Error) Error() string {
	switch e.Kind {
	case ErrCycle:
		return fmt.Sprintf("bookmark tree has a cycle at %s", e.GUID)
	case ErrDuplicateItem:
		return fmt.Sprintf("item %s appears twice", e.GUID)
	case ErrInvalidParent:
		return fmt.Sprintf("item %s names %s as parent, which is not a folder", e.GUID, e.Parent)
	case ErrMissingParent:
		return fmt.Sprintf("item %s names unknown parent %s", e.GUID, e.Parent)
	case ErrMissingItem:
		return fmt.Sprintf("parent record for unknown item %s", e.GUID)
	}
	return fmt.Sprintf("%s: %s", e.Kind, e.GUID)
}

// IsErrorKind reports whether err is a builder *Error of kind k.
func IsErrorKind(err error, k ErrorKind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// candidate is a parent named for an item. idx is the parent's index, or
// -(k+1) for unknownParents[k] when the GUID was not an item when named.
type candidate struct {
	idx int32
	by  ParentBy
}

// Until Build, an item's first two candidate parents, which is all that
// almost every item has (an item with more keeps them all in overflow),
// are kept in cands beside the nodes: first and second their indices,
// meta their count (bits 0-7) and how each was named (bits 8-15 and
// 16-23). Parent records name their children in any order (the mirror
// lists items by GUID, records by folder), so each lands on a random
// item: in a 12-byte slot of this array that stays in the caches, not in
// a 64-byte node of an array that outgrows them in large trees. Once
// Build has read them, first and second hold the item's position and
// depth instead (Build, depths).
// (A folder's child references are kept in refs until Build filters
// them: index -(k+1) stands for unknownChildren[k].)
const (
	candCount = 0xff
	candBy0   = 8
	candBy1   = 16
)

// The rest of meta is what Build needs of the item itself, so that it
// need not read the item's node (a pass over an array that outgrows the
// caches in large trees): its kind, and whether its record is invalid or
// it was deleted and is an item still.
const (
	candFolder = 1 << (24 + iota)
	candBuiltInRoot
	candReplace
	candLivemark
	candQuery
	candDiverged
)

// candFlags are an item's bits of meta.
func candFlags(it *Item, guid guidFlags) int32 {
	var f int32
	switch it.Kind {
	case KindFolder:
		f |= candFolder
	case KindLivemark:
		f |= candLivemark
	case KindQuery:
		f |= candQuery
	}
	if guid&guidBuiltInRoot != 0 {
		f |= candBuiltInRoot
	}
	if it.Validity == Replace {
		f |= candReplace
	}
	return f
}

// candSlot is an item's first two candidate parents and its flags, as
// described above.
type candSlot struct{ first, second, meta int32 }

// Builder collects items and parent records and turns them into a Tree.
// Insert items first, then parent records, then tombstones; the order of
// items decides where reparented items are appended, and the order of
// children records is each folder's child order.
type Builder struct {
	nodes []Node     // become the tree's nodes; items are stored here from the start
	cands []candSlot // cands[i] is item i's first candidate parents
	index guidIndex
	// The folders alone, for the GUIDs that parent records name: a few
	// percent of the items, so this table stays in the caches where the
	// full index, probed at random, misses on every lookup in large trees.
	// It maps a folder's GUID to its number in folderIdx and refs.
	folders    guidIndex
	tombstones map[string]struct{}
	fallback   string
	preferred  map[string]string

	// The folder named by the last children record: records for one
	// folder come in a run, and folders never stop being folders.
	lastFolder    string
	lastFolderNum int32
	// The same for the parent named by the last parentid record.
	lastParent    string
	lastParentIdx int32
	// The item after the one the last parent record was about: records
	// mostly come in item order, so the child is usually there and need
	// not be looked up in the GUID index (a random access into a table
	// that outgrows the caches and the TLB in large trees).
	nextChild int32
	// Guesses at nextChild that failed in a row. Where records do not
	// follow the items (the mirror lists items by GUID, records by
	// folder), each failed guess reads a random node and its GUID's
	// bytes, two more cache misses per record in a large tree: after a
	// run of failures only every guessEvery-th record is tried.
	guessMisses uint32

	folderIdx       []int32   // the folders' indices, in order
	refs            [][]int32 // refs[f] is what the children records of folder f name, in order
	refCount        int
	unknownChildren []string // GUIDs listed by folders but not (yet) items
	unknownParents  []string // GUIDs named by parentids but not (yet) items
	overflow        map[int32][]candidate
}

// NewBuilder starts a tree at root, reparenting orphans to unfiled_____.
func NewBuilder(root Item) *Builder {
	return NewBuilderSized(root, 0)
}

// NewBuilderSized is NewBuilder with room for n items.
func NewBuilderSized(root Item, n int) *Builder {
	b := &Builder{
		nodes:      hugepages.Make[Node](1, n+1),
		cands:      hugepages.Make[candSlot](1, n+1),
		index:      newGUIDIndex(n + 1),
		folders:    newGUIDIndex(0),
		tombstones: make(map[string]struct{}),
		fallback:   UnfiledGUID,
		nextChild:  1,
	}
	b.nodes[0].Item = root
	b.nodes[0].guid = flagsOf(root.GUID)
	b.cands[0].meta = candFlags(&root, b.nodes[0].guid)
	b.index.add(root.GUID, 0)
	if root.IsFolder() {
		b.addFolder(root.GUID, 0)
	}
	return b
}

// ReparentOrphansTo sets the folder that receives items without a usable
// parent. An empty GUID, or one that is not a folder when building, means
// the Places root.
func (b *Builder) ReparentOrphansTo(guid string) { b.fallback = guid }

// Item adds an item. Adding a GUID twice is an ErrDuplicateItem error and
// keeps the first copy.
func (b *Builder) Item(it Item) error {
	if !b.index.add(it.GUID, int32(len(b.nodes))) {
		return &Error{Kind: ErrDuplicateItem, GUID: it.GUID}
	}
	if it.IsFolder() {
		b.addFolder(it.GUID, int32(len(b.nodes)))
	}
	guid := flagsOf(it.GUID)
	b.nodes = append(b.nodes, Node{Item: it, guid: guid})
	b.cands = append(b.cands, candSlot{meta: candFlags(&it, guid)})
	return nil
}

func (b *Builder) addFolder(guid string, i int32) {
	b.folders.add(guid, int32(len(b.folderIdx)))
	b.folderIdx = append(b.folderIdx, i)
	b.refs = append(b.refs, nil)
}

// Len is the number of items added, the root included.
func (b *Builder) Len() int { return len(b.nodes) }

// folder is the number of the folder parent, which a children record
// names as child's.
func (b *Builder) folder(child, parent string) (int32, error) {
	if child == b.nodes[0].GUID {
		return 0, &Error{Kind: ErrDuplicateItem, GUID: child}
	}
	if parent == b.lastFolder && parent != "" {
		return b.lastFolderNum, nil
	}
	f, ok := b.folders.get(parent)
	if !ok {
		if _, ok := b.index.get(parent); ok {
			return 0, &Error{Kind: ErrInvalidParent, GUID: child, Parent: parent}
		}
		return 0, &Error{Kind: ErrMissingParent, GUID: child, Parent: parent}
	}
	b.lastFolder, b.lastFolderNum = parent, f
	return f, nil
}

// addRef appends a reference to folder f's children.
func (b *Builder) addRef(f, ref int32) {
	b.refs[f] = append(b.refs[f], ref)
	b.refCount++
}

// After guessRun failed guesses in a row, childIndex guesses only every
// guessEvery-th record, until a guess succeeds again.
const guessRun, guessEvery = 16, 64

// parentIndex is the index of the item with this GUID, looked up among
// the folders first.
func (b *Builder) parentIndex(guid string) (int32, bool) {
	if f, ok := b.folders.get(guid); ok {
		return b.folderIdx[f], true
	}
	return b.index.get(guid)
}

// Prefetch is a hint for callers that hold the parent records to come:
// the children they name, in the order of the records. While records do
// not follow the items (the builder's guesses fail), it reads where the
// GUID index keeps these children all at once, so that the cache misses
// of their lookups overlap instead of coming one after the other: a few
// times fewer waits in a large tree. It changes nothing else; give it
// up to PrefetchBatch GUIDs at a time, ahead of their records.
func (b *Builder) Prefetch(children []string) {
	if b.guessMisses >= guessRun {
		b.index.prefetch(children)
	}
}

// PrefetchBatch is how many GUIDs a Prefetch call is worth: enough
// overlapping misses to keep the memory system busy, few enough that
// the slots read are still cached when their records come.
const PrefetchBatch = 16

// childIndex is the index of the item with this GUID, tried first at
// nextChild.
func (b *Builder) childIndex(guid string) (int32, bool) {
	if b.guessMisses < guessRun || b.guessMisses%guessEvery == 0 {
		if n := b.nextChild; n > 0 && int(n) < len(b.nodes) && b.nodes[n].GUID == guid {
			b.nextChild++
			b.guessMisses = 0
			return n, true
		}
	}
	b.guessMisses++
	i, ok := b.index.get(guid)
	if ok {
		b.nextChild = i + 1
	}
	return i, ok
}

// ChildOf records that folder parent lists child among its children. The
// child need not exist (a missing or deleted child).
func (b *Builder) ChildOf(child, parent string) error {
	f, err := b.folder(child, parent)
	if err != nil {
		return err
	}
	ci, ok := b.childIndex(child)
	if !ok {
		b.addRef(f, -int32(len(b.unknownChildren))-1)
		b.unknownChildren = append(b.unknownChildren, child)
		return nil
	}
	b.addRef(f, ci)
	b.addCandidate(ci, candidate{by: ByChildren, idx: b.folderIdx[f]})
	return nil
}

// addCandidate records a candidate parent for item ci. The first two of
// an item are kept in its node, which saves a slice (and its allocation)
// per item.
func (b *Builder) addCandidate(ci int32, c candidate) {
	cs := &b.cands[ci]
	switch n := cs.meta & candCount; n {
	case 0:
		cs.first = c.idx
		cs.meta |= int32(c.by) << candBy0
	case 1:
		cs.second = c.idx
		cs.meta |= int32(c.by) << candBy1
	case 2:
		if b.overflow == nil {
			b.overflow = make(map[int32][]candidate)
		}
		var first [2]candidate
		b.overflow[ci] = append(b.firstCandidates(cs, &first), c)
	default:
		b.overflow[ci] = append(b.overflow[ci], c)
	}
	if cs.meta&candCount < candCount {
		cs.meta++
	}
}

// firstCandidates decodes the candidates kept in a slot into buf.
func (b *Builder) firstCandidates(cs *candSlot, buf *[2]candidate) []candidate {
	buf[0] = candidate{idx: cs.first, by: ParentBy(uint8(cs.meta >> candBy0))}
	buf[1] = candidate{idx: cs.second, by: ParentBy(uint8(cs.meta >> candBy1))}
	return buf[:min(cs.meta&candCount, 2)]
}

// candidatesOf is item i's candidate parents, in the order recorded; buf
// holds them when they fit.
func (b *Builder) candidatesOf(i int32, buf *[2]candidate) []candidate {
	cs := &b.cands[i]
	if cs.meta&candCount > 2 {
		return b.overflow[i]
	}
	return b.firstCandidates(cs, buf)
}

// ParentID records that child's own parentid is parent, which may be
// unknown or not a folder.
func (b *Builder) ParentID(child, parent string) error {
	if child == b.nodes[0].GUID {
		return &Error{Kind: ErrDuplicateItem, GUID: child}
	}
	ci, ok := b.childIndex(child)
	if !ok {
		return &Error{Kind: ErrMissingItem, GUID: child}
	}
	pi, ok := b.lastParentIdx, parent == b.lastParent && parent != ""
	if !ok {
		if pi, ok = b.parentIndex(parent); ok {
			b.lastParent, b.lastParentIdx = parent, pi
		}
	}
	if !ok {
		pi = -int32(len(b.unknownParents)) - 1
		b.unknownParents = append(b.unknownParents, parent)
	}
	b.addCandidate(ci, candidate{by: ByParentID, idx: pi})
	return nil
}

// Structure records a consistent parent: both ChildOf and ParentID at once.
func (b *Builder) Structure(child, parent string) error {
	f, err := b.folder(child, parent)
	if err != nil {
		return err
	}
	ci, ok := b.childIndex(child)
	if !ok {
		return &Error{Kind: ErrMissingItem, GUID: child}
	}
	b.addRef(f, ci)
	pi := b.folderIdx[f]
	b.addCandidate(ci, candidate{by: ByChildren, idx: pi})
	b.addCandidate(ci, candidate{by: ByParentID, idx: pi})
	return nil
}

// PreferParent makes folder the parent of child if child's parents
// disagree and folder is one of its candidates (a user's choice of which
// folder keeps an item claimed by several). Otherwise it has no effect.
func (b *Builder) PreferParent(child, folder string) {
	if b.preferred == nil {
		b.preferred = make(map[string]string)
	}
	b.preferred[child] = folder
}

// Tombstone records a deletion.
func (b *Builder) Tombstone(guid string) { b.tombstones[guid] = struct{}{} }

// placement says how an item ended up in its parent.
type placement uint8

const (
	placedNowhere    placement = iota
	placedConsistent           // one children and one matching parentid record
	placedByChildren           // chosen among disagreeing candidates; listed by the winner
	placedAppended             // by parentid or reparented: appended after the folder's children
)

// Build resolves every item's parent and returns the tree. A cycle is
// reported as an ErrCycle error together with a usable tree in which the
// cycle is broken (the item named is moved to the fallback folder and gets a
// cycle problem), so a viewer can still show it while a merge must refuse.
//
// Build hands the builder's storage to the tree: a builder builds once.
func (b *Builder) Build() (*Tree, error) {
	if b.nodes == nil {
		return nil, errors.New("tree: Build called twice on one Builder")
	}
	n := len(b.nodes)
	b.index.seal()
	t := &Tree{
		nodes:      b.nodes,
		index:      b.index,
		tombstones: b.tombstones,
	}
	// One longer than the nodes: the last pass turns it into the tree's
	// kidStart (see there).
	parent := hugepages.Make[int32](n, n+1)
	place := make([]placement, n)
	parent[0] = -1

	fallback := int32(0)
	if fi, ok := b.index.get(b.fallback); ok && b.nodes[fi].IsFolder() {
		fallback = fi
	}

	// The root exists, so a tombstone for it is void; a tombstone for any
	// other item is void too, and marks the item diverged. Tombstones are
	// few: looking each up in the index costs less than hashing every
	// item's GUID string (scattered over the heap) into the tombstone map.
	delete(b.tombstones, b.nodes[0].GUID)
	for g := range b.tombstones {
		if i, ok := b.index.get(g); ok && i > 0 {
			delete(b.tombstones, g)
			t.nodes[i].Diverged = true
			b.cands[i].meta |= candDiverged
		}
	}
	var candBuf [2]candidate
	for i := 1; i < n; i++ {
		flags := b.cands[i].meta
		cands := b.candidatesOf(int32(i), &candBuf)
		if flags&candReplace != 0 {
			t.problems = append(t.problems, Problem{GUID: b.nodes[i].GUID, Kind: ProblemInvalidItem})
		}
		for k := range cands {
			if c := &cands[k]; c.idx < 0 {
				// A parentid naming an item inserted after the record.
				if pi, ok := b.index.get(b.unknownParents[-c.idx-1]); ok {
					c.idx = pi
				}
			}
		}
		consistent := int32(-1)
		if len(cands) == 2 && cands[0].by != cands[1].by && cands[0].idx >= 0 &&
			cands[0].idx == cands[1].idx && b.cands[cands[0].idx].meta&candFolder != 0 {
			consistent = cands[0].idx
		}
		switch {
		case flags&candBuiltInRoot != 0:
			switch {
			case len(cands) == 0:
				t.problems = append(t.problems, Problem{GUID: b.nodes[i].GUID, Kind: ProblemOrphan})
				parent[i], place[i] = 0, placedAppended
			case consistent == 0:
				parent[i], place[i] = 0, placedConsistent
			default:
				t.problems = append(t.problems, Problem{GUID: b.nodes[i].GUID, Kind: ProblemMisparentedRoot, Parents: b.parentRefs(cands)})
				parent[i], place[i] = 0, placedAppended
			}
		case len(cands) == 0:
			t.problems = append(t.problems, Problem{GUID: b.nodes[i].GUID, Kind: ProblemOrphan})
			parent[i], place[i] = fallback, placedAppended
		case consistent >= 0:
			parent[i], place[i] = consistent, placedConsistent
		default:
			guid := b.nodes[i].GUID
			t.problems = append(t.problems, Problem{GUID: guid, Kind: ProblemDivergedParents, Parents: b.parentRefs(cands)})
			parent[i], place[i] = b.chooseParent(guid, cands, fallback)
		}
		// Its candidates are read: the slot's two fields are free for
		// its position and depth (see depths).
		b.cands[i].first, b.cands[i].second = 0, 0
	}

	var buildErr error
	if cyc := findCycles(parent); len(cyc) > 0 {
		for _, i := range cyc {
			guid := b.nodes[i].GUID
			if buildErr == nil {
				buildErr = &Error{Kind: ErrCycle, GUID: guid}
			}
			t.problems = append(t.problems, Problem{GUID: guid, Kind: ProblemCycle})
			target := fallback
			if !reachesRoot(parent, target) {
				target = 0
			}
			parent[i], place[i] = target, placedAppended
		}
	}

	// Items appended to each folder, in item insertion order.
	appended := make(map[int32][]int32)
	appendedCount := 0
	for i := 1; i < n; i++ {
		if place[i] == placedAppended {
			appended[parent[i]] = append(appended[parent[i]], int32(i))
			appendedCount++
		}
	}

	// The folders' children first, each child's position plus one noted
	// in its candidate slot's first field (12 bytes an item, where a node
	// takes 64), so that the nodes themselves are then written in one
	// pass in index order: in a tree laid out in record order a walk
	// reads them at random, and at a million items that missed the
	// caches on almost every node. The children of all folders go into
	// one array, in index order: folder f's end at ends[f].
	kids := hugepages.Make[int32](0, b.refCount+appendedCount)
	ends := make([]int32, len(b.folderIdx))
	for f, i := range b.folderIdx {
		node := &t.nodes[i]
		start := len(kids)
		for _, ci := range b.refs[f] {
			if ci < 0 {
				ref := b.unknownChildren[-ci-1]
				if idx, ok := b.index.get(ref); ok {
					ci = idx // inserted after the folder listed it
				}
			}
			if ci < 0 {
				ref := b.unknownChildren[-ci-1]
				node.Diverged = true
				if _, dead := b.tombstones[ref]; dead {
					delete(b.tombstones, ref)
					t.problems = append(t.problems, Problem{GUID: node.GUID, Kind: ProblemDeletedChild, Child: ref})
				} else {
					t.problems = append(t.problems, Problem{GUID: node.GUID, Kind: ProblemMissingChild, Child: ref})
				}
				continue
			}
			switch place[ci] {
			case placedConsistent:
				if parent[ci] == i {
					kids = append(kids, ci)
				} else {
					node.Diverged = true
				}
			case placedByChildren:
				node.Diverged = true
				if parent[ci] == i {
					kids = append(kids, ci)
				}
			default:
				node.Diverged = true
			}
		}
		if extra := appended[i]; len(extra) > 0 {
			kids = append(kids, extra...)
			node.Diverged = true
		}
		// Every kept child has this folder as its parent; a child listed
		// twice takes the position of its first listing.
		for k, ci := range kids[start:] {
			if cs := &b.cands[ci]; cs.first == 0 {
				cs.first = int32(k) + 1
			}
		}
		ends[f] = int32(len(kids))
	}
	t.kids = kids

	b.depths(parent, place)
	// The last pass: each node's parent is read from parent[i] and
	// replaced there by the start of its children, so that the array
	// becomes kidStart and the tree allocates none of its own (4 MB of
	// fresh memory a tree at a million items).
	f, end := 0, int32(0)
	for i := 0; i < n; i++ {
		node := &t.nodes[i]
		node.Parent = parent[i]
		parent[i] = end
		if f < len(b.folderIdx) && b.folderIdx[f] == int32(i) {
			end = ends[f]
			f++
		}
		if place[i] == placedByChildren || place[i] == placedAppended {
			node.Diverged = true
		}
		cs := &b.cands[i]
		node.Position = cs.first - 1
		node.Level = cs.second>>1 - 1
		node.Syncable = cs.second&1 != 0
	}
	t.kidStart = append(parent, end)
	b.nodes, b.cands, b.overflow, b.folderIdx, b.refs = nil, nil, nil, nil, nil
	return t, buildErr
}

func (b *Builder) parentRefs(cands []candidate) []ParentRef {
	refs := make([]ParentRef, len(cands))
	for i, c := range cands {
		refs[i] = ParentRef{By: c.by, GUID: b.candidateGUID(c)}
		if c.by == ByParentID {
			refs[i].Status = b.statusOf(c)
		}
	}
	return refs
}

func (b *Builder) statusOf(c candidate) ParentStatus {
	if c.idx >= 0 {
		if b.nodes[c.idx].IsFolder() {
			return StatusFolder
		}
		return StatusNonFolder
	}
	if _, ok := b.tombstones[b.candidateGUID(c)]; ok {
		return StatusDeleted
	}
	return StatusMissing
}

func (b *Builder) candidateGUID(c candidate) string {
	if c.idx >= 0 {
		return b.nodes[c.idx].GUID
	}
	return b.unknownParents[-c.idx-1]
}

// chooseParent picks among disagreeing candidates: a children candidate
// beats a parentid one; among children candidates the newer folder (smaller
// age) wins; ties and parentid candidates go to the earliest.
func (b *Builder) chooseParent(guid string, cands []candidate, fallback int32) (int32, placement) {
	if want, ok := b.preferred[guid]; ok {
		for _, c := range cands {
			if b.candidateGUID(c) != want {
				continue
			}
			if c.by == ByChildren {
				return c.idx, placedByChildren
			}
			if c.idx >= 0 && b.nodes[c.idx].IsFolder() {
				return c.idx, placedAppended
			}
		}
	}
	best := -1
	var bestAge int64
	for i, c := range cands {
		if c.by != ByChildren {
			continue
		}
		age := b.nodes[c.idx].Age
		if best < 0 || age < bestAge {
			best, bestAge = i, age
		}
	}
	if best >= 0 {
		return cands[best].idx, placedByChildren
	}
	if c := cands[0]; c.idx >= 0 && b.nodes[c.idx].IsFolder() {
		return c.idx, placedAppended
	}
	return fallback, placedAppended
}

// syncRule says how a node's syncability follows from its parent's.
type syncRule uint8

const (
	syncInherit syncRule = iota // as its parent
	syncAlways                  // a built-in root
	syncNever                   // a livemark, or a query the builder repaired
)

// syncRuleOf is the rule for an item with these candFlags placed as p:
// Firefox does not sync livemarks, nor queries whose structure it had to
// repair.
func syncRuleOf(flags int32, p placement) syncRule {
	switch {
	case flags&candBuiltInRoot != 0:
		return syncAlways
	case flags&candLivemark != 0:
		return syncNever
	case flags&candQuery != 0 && (flags&candDiverged != 0 || p == placedByChildren || p == placedAppended):
		return syncNever
	}
	return syncInherit
}

// depths works out each item's level and syncability from the parents
// alone, parents before children, into its candidate slot's second field
// (free once Build has read the candidates): (level+1)<<1 | syncable, the
// root's level 0 and not syncable. It reads small arrays at random where
// a walk of the tree would read its nodes. Every parent chain must reach
// the root (Build breaks cycles first).
func (b *Builder) depths(parent []int32, place []placement) {
	cands := b.cands
	cands[0].second = 1 << 1
	var chain []int32
	for i := range parent {
		if cands[i].second != 0 {
			continue
		}
		chain = chain[:0]
		j := int32(i)
		for cands[j].second == 0 {
			chain = append(chain, j)
			j = parent[j]
		}
		up := cands[j].second
		for k := len(chain) - 1; k >= 0; k-- {
			c := chain[k]
			v := (up>>1 + 1) << 1
			switch syncRuleOf(cands[c].meta, place[c]) {
			case syncAlways:
				v |= 1
			case syncInherit:
				v |= up & 1
			}
			cands[c].second, up = v, v
		}
	}
}

// findCycles returns, for each cycle, the item at which a slow and a fast
// pointer walking up the parents meet, scanning items in insertion order
// (dogear's detect_cycles). Items on verified chains are not scanned again.
func findCycles(parent []int32) []int32 {
	n := len(parent)
	state := make([]uint8, n) // 0 unknown, 1 reaches the root, 2 in a reported cycle
	state[0] = 1
	var found []int32
	for i := 1; i < n; i++ {
		if state[i] != 0 {
			continue
		}
		slow, fast := int32(i), int32(i)
		cycle := int32(-1)
		for {
			fast = step(parent, state, fast)
			if fast >= 0 {
				fast = step(parent, state, fast)
			}
			if fast < 0 {
				break
			}
			slow = parent[slow]
			if slow == fast {
				cycle = slow
				break
			}
		}
		mark := uint8(1)
		if cycle >= 0 {
			found = append(found, cycle)
			mark = 2
		}
		// Mark the chain from i up to a known item.
		for j := int32(i); j >= 0 && state[j] == 0; j = parent[j] {
			state[j] = mark
		}
	}
	return found
}

// step moves one parent up, or returns -1 once the walk reaches an item
// already settled: known to reach the root, or on a cycle already reported
// (which is broken before the tree is assembled).
func step(parent []int32, state []uint8, i int32) int32 {
	if state[i] != 0 {
		return -1
	}
	p := parent[i]
	if p < 0 || state[p] != 0 {
		return -1
	}
	return p
}

func reachesRoot(parent []int32, i int32) bool {
	for steps := 0; i >= 0 && steps <= len(parent); steps++ {
		if i == 0 {
			return true
		}
		i = parent[i]
	}
	return false
}
