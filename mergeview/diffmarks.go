package mergeview

import (
	"sort"
	"strconv"

	"github.com/bmtui/bmtui/mergeview/internal/lis"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// Diff marks: what the merge changes on each side's copy of a merged item.

// reorders flags the children of n that stay in the same folder on a side
// but whose order among those staying changes: the ones outside a longest
// increasing run of their old positions. A side's child order can only
// change where the merge writes the folder's structure on that side.
func (b *rowBuilder) reorders(n *merge.Node, flags []uint8) {
	for _, s := range [...]tree.Side{tree.Local, tree.Remote} {
		pn, t, bit, changes := n.Local, b.v.local, uint8(1), n.State.ShouldApplyStructure()
		if s == tree.Remote {
			pn, t, bit, changes = n.Remote, b.v.remote, 2, n.State.ShouldUpload()
		}
		if pn == nil || !changes || sameChildren(t, pn, n.Children, s) {
			continue
		}
		b.pos, b.sel = b.pos[:0], b.sel[:0]
		for k, c := range n.Children {
			cn := c.Local
			if s == tree.Remote {
				cn = c.Remote
			}
			if cn != nil && cn.Parent >= 0 && t.Node(cn.Parent) == pn {
				b.pos = append(b.pos, cn.Position)
				b.sel = append(b.sel, int32(k))
			}
		}
		if lis.Increasing(b.pos) {
			continue
		}
		keep := b.lis.Indices(b.pos)
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
func sameChildren(t *tree.Tree, pn *tree.Node, kids []*merge.Node, s tree.Side) bool {
	pKids := t.ChildrenOf(pn)
	if len(pKids) != len(kids) {
		return false
	}
	for k, c := range kids {
		cn := c.Local
		if s == tree.Remote {
			cn = c.Remote
		}
		if cn == nil || nodeIndex(t, cn) != pKids[k] {
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
		ms = append(ms, Mark{Kind: MarkRevived, Side: tree.Local})
	case L == nil:
		ms = append(ms, Mark{Kind: MarkAdded, Side: tree.Local})
	}
	switch {
	case R == nil && len(b.revived) > 0 && b.revived[L]:
		ms = append(ms, Mark{Kind: MarkRevived, Side: tree.Remote})
	case R == nil:
		ms = append(ms, Mark{Kind: MarkAdded, Side: tree.Remote})
	}
	// Identity (only compared when some merged GUID differs from a side's).
	if b.identities {
		if L != nil && R != nil && L.GUID != R.GUID {
			ms = append(ms, Mark{Kind: MarkDeduped, Side: tree.Local, Old: L.GUID, New: n.GUID, Partner: R.GUID},
				Mark{Kind: MarkDeduped, Side: tree.Remote, Partner: L.GUID})
		} else {
			if L != nil && L.GUID != n.GUID {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: tree.Local, Old: L.GUID, New: n.GUID})
			}
			if R != nil && R.GUID != n.GUID {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: tree.Remote, Old: R.GUID, New: n.GUID})
			}
		}
	}
	// Value.
	if L != nil && R != nil {
		if n.State.ShouldApplyItem() {
			if L.Validity == tree.Replace {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: tree.Local, Old: "invalid copy"})
			}
			ms = valueMarks(ms, tree.Local, L, R)
		} else if n.State.ShouldUpload() {
			if R.Validity == tree.Replace {
				ms = append(ms, Mark{Kind: MarkReplaced, Side: tree.Remote, Old: "invalid copy"})
			}
			ms = valueMarks(ms, tree.Remote, R, L)
		}
	}
	// Structure.
	var reloc *merge.Event
	if len(b.relocated) > 0 {
		reloc = b.relocated[n.GUID]
	}
	// A move is always written with the item's structure (docs/merge.md#remote-child,
	// #local-child, #deleting-and-relocating): only then can its parent differ.
	movedL := L != nil && n.State.ShouldApplyStructure() && (L.Parent < 0 || v.local.Node(L.Parent) != p.Local)
	movedR := R != nil && n.State.ShouldUpload() && (R.Parent < 0 || v.remote.Node(R.Parent) != p.Remote)
	if movedL {
		old := ""
		if L.Parent >= 0 {
			old = v.local.Node(L.Parent).GUID
		}
		ms = append(ms, moveMark(tree.Local, old, p.GUID, reloc))
	}
	if movedR {
		old := ""
		if R.Parent >= 0 {
			old = v.remote.Node(R.Parent).GUID
		}
		ms = append(ms, moveMark(tree.Remote, old, p.GUID, reloc))
	}
	if flags&1 != 0 {
		ms = append(ms, Mark{Kind: MarkReordered, Side: tree.Local, Old: strconv.Itoa(int(L.Position))})
	}
	if flags&2 != 0 {
		ms = append(ms, Mark{Kind: MarkReordered, Side: tree.Remote, Old: strconv.Itoa(int(R.Position))})
	}
	if reloc != nil && !movedL && !movedR {
		// Only on the other side: placed straight into the surviving folder.
		s := tree.Local
		if L != nil {
			s = tree.Remote
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

func moveMark(s tree.Side, old, new string, reloc *merge.Event) Mark {
	if reloc != nil {
		return Mark{Kind: MarkRelocated, Side: s, Old: old, New: new, Partner: old}
	}
	return Mark{Kind: MarkMoved, Side: s, Old: old, New: new}
}

// valueMarks compares the copy on side s (from) with the copy it takes (to).
func valueMarks(ms []Mark, s tree.Side, from, to *tree.Node) []Mark {
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
