// Package mergeview is what a person sees of a bookmark merge: the merged
// tree as rows with diff marks against each side, the decisions the merge
// made between real alternatives (conflicts) with reasons in plain words,
// the user's resolutions (an ordered, undoable list that re-runs the merge),
// summary counts, the ordered decision steps for a step-through debugger,
// and a session file to replay resolutions later.
//
// It is pure: it reads built trees (sync/tree) and merge results
// (sync/merge), never a database or the clock. The only I/O is Save and Load
// of a session through the io.Writer / io.Reader the caller hands in.
package mergeview

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// Side names one of the two trees.
type Side uint8

// Sides.
const (
	Local  Side = iota + 1 // the Places database on this device
	Remote                 // the Sync mirror (the server's view)
)

func (s Side) String() string {
	switch s {
	case Local:
		return "local"
	case Remote:
		return "remote"
	}
	return "none"
}

func (s Side) other() Side {
	if s == Local {
		return Remote
	}
	return Local
}

// Times are the clocks the trees' ages were measured against (the local
// clock for Places, the server's clock for the mirror). The view only
// records them (for sessions); ages come from the trees.
type Times struct {
	Local, Remote time.Time
}

// RebuildFunc rebuilds one side's tree with the user's parent preferences
// (child GUID -> folder GUID, tree.Builder.PreferParent). It is called only
// when the preferences of that side change; an empty map must give the
// tree built without preferences.
type RebuildFunc func(side Side, prefer map[string]string) (*tree.Tree, error)

// ParentChoices are the folders chosen for items claimed by several
// folders, per side: child GUID -> folder GUID.
type ParentChoices struct {
	Local, Remote map[string]string
}

// Input is what a view is built from.
type Input struct {
	// Local and Remote are the trees as built without parent preferences.
	Local, Remote *tree.Tree
	// Now are the times the trees' ages were measured against; they are part
	// of a session's identity.
	Now Times
	// NewGUID replaces invalid GUIDs. Nil means merge.StableGUID, the
	// generator the command line's preview and apply use: the screen, the
	// preview and the apply must name every replacement alike, and a
	// replayed session must reproduce them.
	NewGUID func(invalid string) (string, error)
	// Overrides and ParentChoices are initial resolutions. They are turned
	// into Resolutions (in a fixed order, before Resolutions) so that the
	// view has one ordered, undoable list of the user's decisions.
	Overrides     merge.Overrides
	ParentChoices ParentChoices
	// Resolutions are the user's decisions in the order they were made.
	Resolutions []Resolution
	// Rebuild rebuilds a tree with parent preferences; needed only to
	// resolve multi-parent conflicts. Without it, choosing a folder fails.
	Rebuild RebuildFunc
	// Explain builds the step list (Steps, Breakpoint). Conflicts are always
	// computed.
	Explain bool
}

// View is an immutable view model of one merge. Choose and Undo return new
// views; a View is safe for concurrent readers.
type View struct {
	in          *Input // shared by every view derived from the same New
	resolutions []Resolution
	local       *tree.Tree // the trees merged (rebuilt with preferences)
	remote      *tree.Tree
	prefs       ParentChoices
	result      *merge.Result

	rows          []Row
	deleted       []Row
	conflicts     []Conflict // without texts
	conflictIndex map[string]int32
	textOnce      sync.Once
	texts         []Conflict // conflicts with texts, filled on first use
	summary       Summary

	// known is shared by the views derived from one New: every conflict as
	// first seen at its default, for its default reason once overridden,
	// and to keep listing a decided conflict that no longer arises.
	known *knownSet

	// Row of each tree item, by tree index: 0 none, k > 0 Rows[k-1],
	// k < 0 Deleted[-k-1].
	rowOfLocal, rowOfRemote []int32
	// Merged GUIDs that are neither the local nor the remote GUID
	// (replacements of invalid GUIDs).
	extraGUIDs map[string]int32

	stepsOnce sync.Once
	steps     []Step
	firstStep map[string]int
}

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
func (r *Row) On(s Side) []Mark {
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
func (r *Row) HasOn(s Side, k MarkKind) bool {
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

// Summary counts what the merge will do.
type Summary struct {
	Items            int // merged items, the Places root excluded
	AppliedLocally   int // items whose value or structure is written locally
	Uploaded         int // items uploaded (the tags folder's contents excluded)
	DeletedLocally   int // local items removed
	DeletedRemotely  int // server items removed (tombstones uploaded)
	Dupes            int // new local items matched to new remote ones
	ConflictsOpen    int // choosable conflicts the user has not decided
	ConflictsDecided int // conflicts the user resolved
	Unchoosable      int // conflicts listed for information only
}

// New runs the merge and builds the view.
func New(ctx context.Context, in Input) (*View, error) {
	if in.Local == nil || in.Remote == nil {
		return nil, errors.New("mergeview: both trees are needed")
	}
	shared := in
	shared.Resolutions = nil
	res := append(initialResolutions(in.Overrides, in.ParentChoices), in.Resolutions...)
	shared.Overrides = merge.Overrides{}
	shared.ParentChoices = ParentChoices{}
	base := &View{in: &shared, local: in.Local, remote: in.Remote, known: &knownSet{m: map[string]*Conflict{}}}
	if len(res) > 0 {
		// The merge without resolutions gives every conflict its default
		// reason, which an overridden decision no longer carries.
		b, err := base.with(ctx, nil)
		if err != nil {
			return nil, err
		}
		base = b
	}
	return base.with(ctx, res)
}

// Resolutions returns the user's decisions in order.
func (v *View) Resolutions() []Resolution { return append([]Resolution(nil), v.resolutions...) }

// Result is the merge behind the view.
func (v *View) Result() *merge.Result { return v.result }

// Local and Remote return the trees that were merged (rebuilt with the
// chosen parents, if any).
func (v *View) Local() *tree.Tree  { return v.local }
func (v *View) Remote() *tree.Tree { return v.remote }

// Rows returns the merged tree in pre-order, the Places root first.
func (v *View) Rows() []Row { return v.rows }

// Deleted returns the items that disappear, in GUID order.
func (v *View) Deleted() []Row { return v.deleted }

// Summary returns the counts.
func (v *View) Summary() Summary { return v.summary }

// with builds a view from the same input with the given resolutions.
func (v *View) with(ctx context.Context, res []Resolution) (*View, error) {
	ov, prefs, err := overridesOf(res)
	if err != nil {
		return nil, err
	}
	nv := &View{in: v.in, resolutions: res, prefs: prefs, known: v.known}
	nv.local, err = v.treeFor(Local, prefs.Local)
	if err != nil {
		return nil, err
	}
	nv.remote, err = v.treeFor(Remote, prefs.Remote)
	if err != nil {
		return nil, err
	}
	newGUID := v.in.NewGUID
	if newGUID == nil {
		newGUID = merge.StableGUID
	}
	r, err := merge.Merge(ctx, nv.local, nv.remote, merge.Options{NewGUID: newGUID, Overrides: ov, Explain: true})
	if err != nil {
		return nil, err
	}
	nv.result = r
	nv.build()
	nv.buildConflicts()
	return nv, nil
}

// treeFor returns side's tree for these preferences, reusing v's when they
// are the same and rebuilding otherwise.
func (v *View) treeFor(s Side, prefer map[string]string) (*tree.Tree, error) {
	cur, orig, have := v.local, v.in.Local, v.prefs.Local
	if s == Remote {
		cur, orig, have = v.remote, v.in.Remote, v.prefs.Remote
	}
	switch {
	case sameMap(prefer, have):
		return cur, nil
	case len(prefer) == 0:
		return orig, nil
	case v.in.Rebuild == nil:
		return nil, errors.New("mergeview: choosing a parent folder needs Input.Rebuild")
	}
	t, err := v.in.Rebuild(s, prefer)
	if t == nil {
		if err == nil {
			err = errors.New("no tree")
		}
		return nil, fmt.Errorf("mergeview: rebuild %s tree: %w", s, err)
	}
	return t, nil
}

func sameMap(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, x := range a {
		if y, ok := b[k]; !ok || x != y {
			return false
		}
	}
	return true
}

// rootNames are readable names for the built-in roots, whose titles are
// empty or internal.
var rootNames = map[string]string{
	tree.RootGUID:    "Places root",
	tree.MenuGUID:    "Bookmarks Menu",
	tree.ToolbarGUID: "Bookmarks Toolbar",
	tree.UnfiledGUID: "Other Bookmarks",
	tree.MobileGUID:  "Mobile Bookmarks",
	tree.TagsGUID:    "Tags",
}

// sameGUID reports whether item n has this GUID.
func sameGUID(n *tree.Node, guid string) bool { return n != nil && n.GUID == guid }

// valueOf returns the title and URL an item shows.
func valueOf(n *tree.Node) (title, url string) {
	if n == nil {
		return "", ""
	}
	if n.Level <= 1 { // the built-in roots are always placed under the root
		if name, ok := rootNames[n.GUID]; ok {
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
			row.Marks = append(row.Marks, Mark{Kind: MarkDeleted, Side: Local})
			v.summary.DeletedLocally++
		}
		if rm != nil {
			v.rowOfRemote[nodeIndex(v.remote, rm)] = k
			row.remote = rm
			if row.treeParent == nil {
				row.treeParent = v.remote.ParentOf(rm)
				row.Depth = rm.Level
			}
			row.Marks = append(row.Marks, Mark{Kind: MarkDeleted, Side: Remote})
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
	lis        lisBuf
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

// reorders flags the children of n that stay in the same folder on a side
// but whose order among those staying changes: the ones outside a longest
// increasing run of their old positions. A side's child order can only
// change where the merge writes the folder's structure on that side.
func (b *rowBuilder) reorders(n *merge.Node, flags []uint8) {
	for _, s := range [...]Side{Local, Remote} {
		pn, t, bit, changes := n.Local, b.v.local, uint8(1), n.State.ShouldApplyStructure()
		if s == Remote {
			pn, t, bit, changes = n.Remote, b.v.remote, 2, n.State.ShouldUpload()
		}
		if pn == nil || !changes || sameChildren(t, pn, n.Children, s) {
			continue
		}
		b.pos, b.sel = b.pos[:0], b.sel[:0]
		for k, c := range n.Children {
			cn := c.Local
			if s == Remote {
				cn = c.Remote
			}
			if cn != nil && cn.Parent >= 0 && t.Node(cn.Parent) == pn {
				b.pos = append(b.pos, cn.Position)
				b.sel = append(b.sel, int32(k))
			}
		}
		if increasing(b.pos) {
			continue
		}
		keep := b.lis.run(b.pos)
		j := 0
		for x, k := range b.sel {
			if j < len(keep) && keep[j] == int32(x) {
				j++
				continue
			}
			flags[k] |= bit
		}
	}
}

// sameChildren reports whether side s's folder pn has exactly these merged
// children in this order (comparing tree indices, without reading the
// children).
func sameChildren(t *tree.Tree, pn *tree.Node, kids []*merge.Node, s Side) bool {
	if len(pn.Children) != len(kids) {
		return false
	}
	for k, c := range kids {
		cn := c.Local
		if s == Remote {
			cn = c.Remote
		}
		if cn == nil || nodeIndex(t, cn) != pn.Children[k] {
			return false
		}
	}
	return true
}

// marks computes what happens to each side's copy of merged node n under
// merged parent p.
func (b *rowBuilder) marks(n, p *merge.Node, flags uint8) []Mark {
	v := b.v
	L, R := n.Local, n.Remote
	var ms []Mark
	// Presence.
	switch {
	case L == nil && len(b.revived) > 0 && b.revived[R]:
		ms = append(ms, Mark{Kind: MarkRevived, Side: Local})
	case L == nil:
		ms = append(ms, Mark{Kind: MarkAdded, Side: Local})
	}
	switch {
	case R == nil && len(b.revived) > 0 && b.revived[L]:
		ms = append(ms, Mark{Kind: MarkRevived, Side: Remote})
	case R == nil:
		ms = append(ms, Mark{Kind: MarkAdded, Side: Remote})
	}
	// Identity (only compared when some merged GUID differs from a side's).
	if b.identities {
		if L != nil && R != nil && L.GUID != R.GUID {
			ms = append(ms, Mark{Kind: MarkDeduped, Side: Local, Old: L.GUID, New: n.GUID, Partner: R.GUID},
				Mark{Kind: MarkDeduped, Side: Remote, Partner: L.GUID})
		} else {
			if L != nil && L.GUID != n.GUID {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: Local, Old: L.GUID, New: n.GUID})
			}
			if R != nil && R.GUID != n.GUID {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: Remote, Old: R.GUID, New: n.GUID})
			}
		}
	}
	// Value.
	if L != nil && R != nil {
		if n.State.ShouldApplyItem() {
			if L.Validity == tree.Replace {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: Local, Old: "invalid copy"})
			}
			ms = valueMarks(ms, Local, L, R)
		} else if n.State.ShouldUpload() {
			if R.Validity == tree.Replace {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: Remote, Old: "invalid copy"})
			}
			ms = valueMarks(ms, Remote, R, L)
		}
	}
	// Structure.
	var reloc *merge.Event
	if len(b.relocated) > 0 {
		reloc = b.relocated[n.GUID]
	}
	// A move is always written with the item's structure (MERGE.md §4.4,
	// §4.5, §4.10): only then can its parent differ.
	movedL := L != nil && n.State.ShouldApplyStructure() && (L.Parent < 0 || v.local.Node(L.Parent) != p.Local)
	movedR := R != nil && n.State.ShouldUpload() && (R.Parent < 0 || v.remote.Node(R.Parent) != p.Remote)
	if movedL {
		old := ""
		if L.Parent >= 0 {
			old = v.local.Node(L.Parent).GUID
		}
		ms = append(ms, moveMark(Local, old, p.GUID, reloc))
	}
	if movedR {
		old := ""
		if R.Parent >= 0 {
			old = v.remote.Node(R.Parent).GUID
		}
		ms = append(ms, moveMark(Remote, old, p.GUID, reloc))
	}
	if flags&1 != 0 {
		ms = append(ms, Mark{Kind: MarkReordered, Side: Local, Old: strconv.Itoa(int(L.Position))})
	}
	if flags&2 != 0 {
		ms = append(ms, Mark{Kind: MarkReordered, Side: Remote, Old: strconv.Itoa(int(R.Position))})
	}
	if reloc != nil && !movedL && !movedR {
		// Only on the other side: placed straight into the surviving folder.
		s := Local
		if L != nil {
			s = Remote
		}
		ms = append(ms, Mark{Kind: MarkRelocated, Side: s, New: p.GUID})
	}
	return ms
}

func hasKind(ms []Mark, k MarkKind) bool {
	for _, m := range ms {
		if m.Kind == k {
			return true
		}
	}
	return false
}

func moveMark(s Side, old, new string, reloc *merge.Event) Mark {
	if reloc != nil {
		return Mark{Kind: MarkRelocated, Side: s, Old: old, New: new, Partner: old}
	}
	return Mark{Kind: MarkMoved, Side: s, Old: old, New: new}
}

// valueMarks compares the copy on side s (from) with the copy it takes (to).
func valueMarks(ms []Mark, s Side, from, to *tree.Node) []Mark {
	ft, fu := valueOf(from)
	tt, tu := valueOf(to)
	if ft != tt {
		ms = append(ms, Mark{Kind: MarkRenamed, Side: s, Old: ft, New: tt})
	}
	if fu != tu {
		ms = append(ms, Mark{Kind: MarkURLChanged, Side: s, Old: fu, New: tu})
	}
	if from.Info != nil && to.Info != nil {
		if from.Info.Keyword != to.Info.Keyword {
			ms = append(ms, Mark{Kind: MarkKeywordChanged, Side: s, Old: from.Info.Keyword, New: to.Info.Keyword})
		}
		if a, b := tagString(from.Info.Tags), tagString(to.Info.Tags); a != b {
			ms = append(ms, Mark{Kind: MarkTagsChanged, Side: s, Old: a, New: b})
		}
	}
	return ms
}

func tagString(tags []string) string {
	if len(tags) == 0 {
		return ""
	}
	t := append([]string(nil), tags...)
	sort.Strings(t)
	out := t[0]
	for _, x := range t[1:] {
		out += ", " + x
	}
	return out
}

func increasing(a []int32) bool {
	for i := 1; i < len(a); i++ {
		if a[i] <= a[i-1] {
			return false
		}
	}
	return true
}

// lisBuf finds longest strictly increasing subsequences, reusing its
// buffers.
type lisBuf struct{ tails, prev, out []int32 }

// run returns the indices of a longest strictly increasing subsequence of a
// (valid until the next run).
func (l *lisBuf) run(a []int32) []int32 {
	l.tails = l.tails[:0]
	l.prev = append(l.prev[:0], make([]int32, len(a))...)
	for i, x := range a {
		j := sort.Search(len(l.tails), func(k int) bool { return a[l.tails[k]] >= x })
		if j > 0 {
			l.prev[i] = l.tails[j-1]
		} else {
			l.prev[i] = -1
		}
		if j == len(l.tails) {
			l.tails = append(l.tails, int32(i))
		} else {
			l.tails[j] = int32(i)
		}
	}
	l.out = append(l.out[:0], make([]int32, len(l.tails))...)
	for k, i := len(l.tails)-1, l.tails[len(l.tails)-1]; k >= 0; k-- {
		l.out[k] = i
		i = l.prev[i]
	}
	return l.out
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
	if r := v.LookupSide(Local, guid); r != nil {
		return r
	}
	return v.LookupSide(Remote, guid)
}

// LookupSide finds the row of the item that has this GUID on side s.
func (v *View) LookupSide(s Side, guid string) *Row {
	t, row := v.local, v.rowOfLocal
	if s == Remote {
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
	if r := v.LookupSide(Local, guid); r != nil {
		return r.On(Local)
	}
	return nil
}

// RemoteMarks returns what happens to the remote item with this GUID.
func (v *View) RemoteMarks(guid string) []Mark {
	if r := v.LookupSide(Remote, guid); r != nil {
		return r.On(Remote)
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

// RebuildFrom makes a RebuildFunc from functions that replay each side's
// builder input into a fresh tree.Builder (nil for a side that cannot be
// rebuilt). Builder errors other than a cycle fail the rebuild.
func RebuildFrom(local, remote func() (*tree.Builder, error)) RebuildFunc {
	return func(s Side, prefer map[string]string) (*tree.Tree, error) {
		f := local
		if s == Remote {
			f = remote
		}
		if f == nil {
			return nil, fmt.Errorf("the %s tree cannot be rebuilt", s)
		}
		b, err := f()
		if err != nil {
			return nil, err
		}
		for _, child := range sortedKeys(prefer) {
			b.PreferParent(child, prefer[child])
		}
		return b.Build()
	}
}
