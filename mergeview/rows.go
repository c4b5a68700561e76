package mergeview

import (
	"github.com/bmtui/bmtui/mergeview/internal/lis"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// Row is one line a UI can show: a node of the merged tree (Rows) or an item
// that disappears (Deleted). Its values are read from the merged node and
// the items behind it, so building rows copies little.
type Row struct {
	// Marks are what happens to each side's copy of the item: a mark with
	// Side Local changes the local tree (the change comes from the server or
	// from the merge), one with Side Remote changes the server.
	Marks []Mark
	// Reason explains a deletion row, in plain words.
	Reason  string
	Depth   int32 // 0 for the Places root; a deletion row's level in its tree
	Parent  int32 // index of the parent row in Rows; -1 for the root and deletion rows
	Deleted bool  // a deletion row

	node          *merge.Node // nil for deletion rows
	parent        *merge.Node // merged parent
	local, remote *tree.Node
	treeParent    *tree.Node // a deletion row's parent in its tree
}

// GUID is the merged GUID; for a deletion row, the deleted GUID.
func (r *Row) GUID() string {
	switch {
	case r.node != nil:
		return r.node.GUID
	case r.local != nil:
		return r.local.GUID
	}
	return r.remote.GUID
}

// source is the copy whose value the row shows.
func (r *Row) source() *tree.Node {
	if r.node != nil {
		return winner(r.node)
	}
	if r.local != nil {
		return r.local
	}
	return r.remote
}

// Title is the title that wins (a readable name for the built-in roots).
func (r *Row) Title() string {
	t, _ := valueOf(r.source())
	return t
}

// URL is the URL that wins.
func (r *Row) URL() string {
	_, u := valueOf(r.source())
	return u
}

// Name is the title, or the URL, or the GUID: something to show.
func (r *Row) Name() string {
	t, u := valueOf(r.source())
	return displayName(t, u, r.GUID())
}

// Kind is the item's kind (the winning copy's).
func (r *Row) Kind() tree.Kind { return r.source().Kind }

// State is the merge state; zero for deletion rows.
func (r *Row) State() merge.State {
	if r.node == nil {
		return 0
	}
	return r.node.State
}

// ParentGUID is the merged parent's GUID; for a deletion row, the parent it
// had; "" for the root.
func (r *Row) ParentGUID() string {
	switch {
	case r.parent != nil:
		return r.parent.GUID
	case r.treeParent != nil:
		return r.treeParent.GUID
	}
	return ""
}

// LocalGUID is the GUID of the item's local copy, "" without one.
func (r *Row) LocalGUID() string {
	if r.local == nil {
		return ""
	}
	return r.local.GUID
}

// RemoteGUID is the GUID of the item's remote copy, "" without one.
func (r *Row) RemoteGUID() string {
	if r.remote == nil {
		return ""
	}
	return r.remote.GUID
}

// On returns the marks for side s.
func (r *Row) On(s tree.Side) []Mark {
	n := 0
	for _, m := range r.Marks {
		if m.Side == s {
			n++
		}
	}
	if n == len(r.Marks) {
		return r.Marks
	}
	out := make([]Mark, 0, n)
	for _, m := range r.Marks {
		if m.Side == s {
			out = append(out, m)
		}
	}
	return out
}

// Has reports whether the row has a mark of kind k on either side.
func (r *Row) Has(k MarkKind) bool { return hasKind(r.Marks, k) }

// HasOn reports whether the row has a mark of kind k on side s.
func (r *Row) HasOn(s tree.Side, k MarkKind) bool {
	for _, m := range r.Marks {
		if m.Kind == k && m.Side == s {
			return true
		}
	}
	return false
}

// Node returns the merged node behind a row (nil for deletion rows).
func (r *Row) Node() *merge.Node { return r.node }

// LocalNode and RemoteNode return the items behind a row, or nil.
func (r *Row) LocalNode() *tree.Node  { return r.local }
func (r *Row) RemoteNode() *tree.Node { return r.remote }

// sameGUID reports whether item n has this GUID.
func sameGUID(n *tree.Node, guid string) bool { return n != nil && n.GUID == guid }

// valueOf returns the title and URL an item shows.
func valueOf(n *tree.Node) (title, url string) {
	if n == nil {
		return "", ""
	}
	if n.Level <= 1 { // the built-in roots are always placed under the root
		if name := tree.RootTitle(n.GUID); name != "" {
			return name, ""
		}
	}
	if n.Info != nil {
		return n.Info.Title, n.Info.URL
	}
	if n.Content != nil {
		return n.Content.Title, n.Content.URL
	}
	return "", ""
}

// winner is the copy whose value the merged node takes.
func winner(n *merge.Node) *tree.Node {
	if n.Local == nil || (n.Remote != nil && n.State.ShouldApplyItem()) {
		return n.Remote
	}
	return n.Local
}

// build fills rows, deletion rows and the summary.
func (v *View) build() {
	r := v.result
	relocated := make(map[string]*merge.Event)
	replaced := make(map[string]string) // old remote GUID -> new
	revived := make(map[*tree.Node]bool)
	for i := range r.Events {
		e := &r.Events[i]
		switch e.Kind {
		case merge.EventRelocated:
			relocated[e.GUID] = e
		case merge.EventGUIDReplaced:
			replaced[e.GUID] = e.Other
		case merge.EventRevived:
			if n := v.local.Lookup(e.GUID); n != nil {
				revived[n] = true
			}
			if n := v.remote.Lookup(e.GUID); n != nil {
				revived[n] = true
			}
		}
	}
	v.rows = make([]Row, 0, r.Counts.MergedNodes+1)
	nl, nr := v.local.Len(), v.remote.Len()
	rowOf := make([]int32, nl+nr)
	v.rowOfLocal, v.rowOfRemote = rowOf[:nl:nl], rowOf[nl:]
	b := rowBuilder{v: v, relocated: relocated, revived: revived,
		identities: r.Counts.Dupes > 0 || len(replaced) > 0}
	b.add(r.Root, nil, -1, 0, false, 0)
	v.summary = b.sum
	v.summary.Dupes = r.Counts.Dupes

	// Deletion rows.
	for _, g := range r.Deletions {
		if _, ok := replaced[g]; ok {
			continue // an invalid GUID replaced: the item lives on
		}
		l, rm := v.local.Lookup(g), v.remote.Lookup(g)
		if l == nil && rm == nil {
			continue // tombstone bookkeeping only
		}
		row := Row{Parent: -1, Deleted: true}
		k := -int32(len(v.deleted)) - 1
		if l != nil {
			v.rowOfLocal[nodeIndex(v.local, l)] = k
			row.local = l
			row.treeParent = v.local.ParentOf(l)
			row.Depth = l.Level
			row.Marks = append(row.Marks, Mark{Kind: MarkDeleted, Side: tree.Local})
			v.summary.DeletedLocally++
		}
		if rm != nil {
			v.rowOfRemote[nodeIndex(v.remote, rm)] = k
			row.remote = rm
			if row.treeParent == nil {
				row.treeParent = v.remote.ParentOf(rm)
				row.Depth = rm.Level
			}
			row.Marks = append(row.Marks, Mark{Kind: MarkDeleted, Side: tree.Remote})
			v.summary.DeletedRemotely++
		}
		v.deleted = append(v.deleted, row)
	}
	v.explainDeletions()
}

type rowBuilder struct {
	v         *View
	relocated map[string]*merge.Event
	revived   map[*tree.Node]bool // items kept although the other side deleted them
	// identities: some merged GUID differs from a side's (dupes, invalid
	// GUIDs); otherwise GUIDs need not be compared.
	identities bool
	sum        Summary
	flags      []uint8 // per child of the folders being walked: reordered locally (1), remotely (2)
	pos, sel   []int32 // scratch for reorders
	lis        lis.Buf
}

func (b *rowBuilder) add(n, p *merge.Node, parent int32, depth int32, tagging bool, flags uint8) {
	v := b.v
	idx := int32(len(v.rows))
	v.rows = append(v.rows, Row{Depth: depth, Parent: parent, node: n, parent: p, local: n.Local, remote: n.Remote})
	row := &v.rows[idx]
	if n.Local != nil {
		v.rowOfLocal[nodeIndex(v.local, n.Local)] = idx + 1
	}
	if n.Remote != nil {
		v.rowOfRemote[nodeIndex(v.remote, n.Remote)] = idx + 1
	}
	if !sameGUID(n.Remote, n.GUID) && !sameGUID(n.Local, n.GUID) {
		if v.extraGUIDs == nil {
			v.extraGUIDs = make(map[string]int32)
		}
		v.extraGUIDs[n.GUID] = idx
	}
	tagging = tagging || (depth == 1 && n.GUID == tree.TagsGUID)
	if p != nil {
		b.sum.Items++
		if n.State.ShouldApplyItem() || n.State.ShouldApplyStructure() {
			b.sum.AppliedLocally++
		}
		if n.State.ShouldUpload() && !tagging {
			b.sum.Uploaded++
		}
		row.Marks = b.marks(n, p, flags)
	}
	if len(n.Children) == 0 {
		return
	}
	start := len(b.flags)
	for range n.Children {
		b.flags = append(b.flags, 0)
	}
	if len(n.Children) > 1 {
		b.reorders(n, b.flags[start:])
	}
	for k, c := range n.Children {
		b.add(c, n, idx, depth+1, tagging, b.flags[start+k])
	}
	b.flags = b.flags[:start]
}

// nodeIndex returns n's index in t.
func nodeIndex(t *tree.Tree, n *tree.Node) int32 {
	if i := t.IndexOf(n); i >= 0 {
		return i
	}
	i, _ := t.Index(n.GUID)
	return i
}

func (v *View) at(k int32) *Row {
	switch {
	case k > 0:
		return &v.rows[k-1]
	case k < 0:
		return &v.deleted[-k-1]
	}
	return nil
}

// RowIndex returns the index in Rows of the merged row with this merged
// GUID, or -1.
func (v *View) RowIndex(guid string) int {
	for _, s := range [...]struct {
		t   *tree.Tree
		row []int32
	}{{v.remote, v.rowOfRemote}, {v.local, v.rowOfLocal}} {
		if i, ok := s.t.Index(guid); ok {
			if k := s.row[i]; k > 0 && v.rows[k-1].node.GUID == guid {
				return int(k - 1)
			}
		}
	}
	if k, ok := v.extraGUIDs[guid]; ok {
		return int(k)
	}
	return -1
}

// Lookup finds the row for a merged, local or remote GUID (a deletion row if
// the item disappears), or nil.
func (v *View) Lookup(guid string) *Row {
	if i := v.RowIndex(guid); i >= 0 {
		return &v.rows[i]
	}
	if r := v.LookupSide(tree.Local, guid); r != nil {
		return r
	}
	return v.LookupSide(tree.Remote, guid)
}

// LookupSide finds the row of the item that has this GUID on side s.
func (v *View) LookupSide(s tree.Side, guid string) *Row {
	t, row := v.local, v.rowOfLocal
	if s == tree.Remote {
		t, row = v.remote, v.rowOfRemote
	}
	if i, ok := t.Index(guid); ok {
		return v.at(row[i])
	}
	return nil
}

// LocalMarks returns what happens to the local item with this GUID (for
// marking the local pane); nil when nothing changes.
func (v *View) LocalMarks(guid string) []Mark {
	if r := v.LookupSide(tree.Local, guid); r != nil {
		return r.On(tree.Local)
	}
	return nil
}

// RemoteMarks returns what happens to the remote item with this GUID.
func (v *View) RemoteMarks(guid string) []Mark {
	if r := v.LookupSide(tree.Remote, guid); r != nil {
		return r.On(tree.Remote)
	}
	return nil
}

// Name returns a readable name for any GUID the view knows: the winning
// title of its row, or the title on either tree, or the GUID itself.
func (v *View) Name(guid string) string {
	if r := v.Lookup(guid); r != nil {
		return r.Name()
	}
	for _, t := range []*tree.Tree{v.local, v.remote} {
		if n := t.Lookup(guid); n != nil {
			ti, u := valueOf(n)
			return displayName(ti, u, guid)
		}
	}
	return guid
}

func displayName(title, url, guid string) string {
	switch {
	case title != "":
		return title
	case url != "":
		return url
	}
	return guid
}
