package demo

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Mirror item kinds (docs/formats.md#mirror-tables); Places types are derived from them.
const (
	kindBookmark  = 1
	kindQuery     = 2
	kindFolder    = 3
	kindSeparator = 5
)

// node is one item of a bookmark tree. Times are ms since the epoch.
type node struct {
	guid     string
	kind     int
	title    string
	url      string
	tags     []string
	keyword  string
	parent   *node
	children []*node

	seq          int // creation order, gives moz_bookmarks.id
	dateAdded    int64
	lastModified int64 // local side
	status       int   // local syncStatus
	counter      int   // local syncChangeCounter
}

type tree struct {
	byGUID map[string]*node
	root   *node
	seq    int

	// local side: tombstones (guid -> dateRemoved ms), in insertion order
	tombs     map[string]int64
	tombOrder []string
	// remote side: records changed since the last sync (guid -> modified ms)
	changed map[string]int64
}

func (t *tree) get(guid string) *node {
	n, ok := t.byGUID[guid]
	if !ok {
		panic("demo: unknown GUID " + guid)
	}
	return n
}

func (t *tree) add(parent *node, idx int, n *node) {
	n.parent = parent
	if idx < 0 || idx > len(parent.children) {
		idx = len(parent.children)
	}
	parent.children = append(parent.children, nil)
	copy(parent.children[idx+1:], parent.children[idx:])
	parent.children[idx] = n
	t.register(n)
}

func (t *tree) register(n *node) {
	if _, dup := t.byGUID[n.guid]; dup {
		panic("demo: duplicate GUID " + n.guid)
	}
	t.seq++
	n.seq = t.seq
	t.byGUID[n.guid] = n
	for _, c := range n.children {
		c.parent = n
		t.register(c)
	}
}

func (n *node) index() int {
	for i, c := range n.parent.children {
		if c == n {
			return i
		}
	}
	panic("demo: node not in its parent")
}

func (n *node) detach() {
	i := n.index()
	n.parent.children = append(n.parent.children[:i], n.parent.children[i+1:]...)
}

func (n *node) walk(f func(*node)) {
	f(n)
	for _, c := range n.children {
		c.walk(f)
	}
}

// clone deep-copies the tree (used to fork the synced base into the local
// and the remote side).
func (t *tree) clone() *tree {
	c := &tree{byGUID: map[string]*node{}, seq: t.seq, tombs: map[string]int64{}, changed: map[string]int64{}}
	var cp func(n, parent *node) *node
	cp = func(n, parent *node) *node {
		m := *n
		m.parent = parent
		m.tags = append([]string(nil), n.tags...)
		m.children = nil
		for _, ch := range n.children {
			m.children = append(m.children, cp(ch, &m))
		}
		c.byGUID[m.guid] = &m
		return &m
	}
	c.root = cp(t.root, nil)
	return c
}

// ---- local edits: the bookkeeping Places' JS does (docs/formats.md#sync-status-and-change-counter) ----

func (t *tree) touchAncestors(n *node, at int64) {
	for p := n; p != nil; p = p.parent {
		p.lastModified = max(p.lastModified, at)
	}
}

func (t *tree) localInsert(parentGUID string, idx int, n *node, at int64) {
	p := t.get(parentGUID)
	n.walk(func(m *node) {
		m.status, m.counter = 1, 1
		m.dateAdded, m.lastModified = at, at
		// Tagging or adding a keyword bumps every bookmark of the URL.
		if len(m.tags) > 0 {
			m.counter++
		}
		if m.keyword != "" {
			m.counter++
		}
	})
	t.add(p, idx, n)
	p.counter++
	t.touchAncestors(p, at)
}

func (t *tree) localRename(guid, title string, at int64) {
	n := t.get(guid)
	n.title = title
	n.counter++
	n.lastModified = at
}

// insert puts n among p's children at idx (the end if idx is out of range).
func (p *node) insert(n *node, idx int) {
	if idx < 0 || idx > len(p.children) {
		idx = len(p.children)
	}
	p.children = append(p.children, nil)
	copy(p.children[idx+1:], p.children[idx:])
	p.children[idx] = n
}

func (t *tree) localMove(guid, parentGUID string, idx int, at int64) {
	n := t.get(guid)
	old := n.parent
	n.detach()
	p := t.get(parentGUID)
	n.parent = p
	p.insert(n, idx)
	n.counter++
	n.lastModified = at
	old.counter++
	p.counter++
	t.touchAncestors(old, at)
	t.touchAncestors(p, at)
}

func (t *tree) reorder(parentGUID string, order []string) *node {
	p := t.get(parentGUID)
	if len(order) != len(p.children) {
		panic("demo: reorder must list every child of " + parentGUID)
	}
	kids := make([]*node, len(order))
	for i, g := range order {
		kids[i] = t.get(g)
		if kids[i].parent != p {
			panic("demo: reorder names a foreign child " + g)
		}
	}
	p.children = kids
	return p
}

func (t *tree) localReorder(parentGUID string, order []string, at int64) {
	p := t.reorder(parentGUID, order)
	p.counter++
	p.lastModified = at
}

// localRemove removes a subtree the way a user removal does: tombstones for
// every NORMAL item (descendants first, one clock reading each batch).
func (t *tree) localRemove(guid string, at int64) {
	n := t.get(guid)
	var desc []*node
	for _, c := range n.children {
		c.walk(func(m *node) { desc = append(desc, m) })
	}
	for _, m := range desc {
		if m.status == 2 {
			t.tomb(m.guid, at-3)
		}
		delete(t.byGUID, m.guid)
	}
	if n.status == 2 {
		t.tomb(n.guid, at)
	}
	delete(t.byGUID, n.guid)
	p := n.parent
	n.detach()
	p.counter++
	t.touchAncestors(p, at)
}

func (t *tree) tomb(guid string, at int64) {
	t.tombs[guid] = at
	t.tombOrder = append(t.tombOrder, guid)
}

// ---- remote edits: which records another client uploaded ----

func (t *tree) mark(guid string, at int64) { t.changed[guid] = max(t.changed[guid], at) }

func (t *tree) remoteInsert(parentGUID string, idx int, n *node, at int64) {
	p := t.get(parentGUID)
	n.walk(func(m *node) {
		m.dateAdded = at
		t.mark(m.guid, at)
	})
	t.add(p, idx, n)
	t.mark(p.guid, at)
}

func (t *tree) remoteRename(guid, title string, at int64) {
	t.get(guid).title = title
	t.mark(guid, at)
}

func (t *tree) remoteMove(guid, parentGUID string, idx int, at int64) {
	n := t.get(guid)
	t.mark(n.parent.guid, at)
	n.detach()
	p := t.get(parentGUID)
	n.parent = p
	p.insert(n, idx)
	t.mark(guid, at)
	t.mark(p.guid, at)
}

func (t *tree) remoteReorder(parentGUID string, order []string, at int64) {
	t.reorder(parentGUID, order)
	t.mark(parentGUID, at)
}

func (t *tree) remoteRemove(guid string, at int64) {
	n := t.get(guid)
	n.walk(func(m *node) {
		delete(t.byGUID, m.guid)
		t.tombs[m.guid] = at
		t.tombOrder = append(t.tombOrder, m.guid)
	})
	t.mark(n.parent.guid, at)
	n.detach()
}

// stableGUID derives a readable-looking but deterministic 12-character
// GUID for rows that get random GUIDs in Firefox (pages, tag rows, mirror
// url rows).
func stableGUID(parts ...any) string {
	sum := sha256.Sum256([]byte(fmt.Sprint(parts...)))
	return base64.RawURLEncoding.EncodeToString(sum[:9])
}
