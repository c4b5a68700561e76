package dupes

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// flattened finds folders that a reference (the backups, newest first,
// then the other side) has and the examined tree has lost or emptied,
// whose items now sit together in one folder. Each folder is reported
// from the first reference that shows it so.
func (f *finder) flattened() {
	refs := f.backups
	if f.in.Other != nil {
		name := "server (Sync mirror)"
		if f.in.Side == tree.Remote {
			name = "local (Places)"
		}
		refs = append(refs[:len(refs):len(refs)], Reference{Name: name, Tree: f.in.Other})
	}
	done := map[string]bool{}
	for _, ref := range refs {
		if ref.Tree == nil {
			continue
		}
		r := ref.Tree
		for _, root := range userRoots {
			ri, ok := r.Index(root)
			if !ok {
				continue
			}
			stack := []int32{ri}
			for len(stack) > 0 {
				i := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				n := r.Node(i)
				for k := len(n.Children) - 1; k >= 0; k-- {
					if c := n.Children[k]; c >= 0 && r.Node(c).Parent == i && r.Node(c).Kind == tree.KindFolder {
						stack = append(stack, c)
					}
				}
				if i == ri || done[n.GUID] {
					continue
				}
				if g, ok := f.flattenedFolder(ref, i); ok {
					done[n.GUID] = true
					f.groups = append(f.groups, g)
				}
			}
		}
	}
}

// flattenedFolder checks the reference's folder at i.
func (f *finder) flattenedFolder(ref Reference, i int32) (Group, bool) {
	r := ref.Tree
	n := r.Node(i)
	if cur := f.t.Lookup(n.GUID); cur != nil {
		if !cur.IsFolder() || len(cur.Children) > 0 {
			return Group{}, false
		}
	}
	var items []string
	count := map[int32]int{}
	for _, c := range n.Children {
		if c < 0 || r.Node(c).Parent != i || r.Node(c).Kind == tree.KindFolder {
			continue
		}
		guid := r.Node(c).GUID
		items = append(items, guid)
		if ti, ok := f.t.Index(guid); ok {
			count[f.t.Node(ti).Parent]++
		}
	}
	into, best := int32(-1), 0
	for p, k := range count {
		if k > best || (k == best && p < into) {
			into, best = p, k
		}
	}
	if best < 2 || 2*best < len(items) || into < 0 {
		return Group{}, false
	}
	intoNode := f.t.Node(into)
	if !f.underUserRoot(into) {
		return Group{}, false
	}
	g := Group{Kind: Flattened, ID: string(Flattened) + ":" + n.GUID, Keep: -1, Default: -1, Fix: true,
		From: ref.Name, Into: intoNode.GUID}
	rs := &restore{item: n.Item, depth: n.Level}
	if p := r.ParentOf(n); p != nil {
		rs.refParent = p.GUID
	}
	for _, guid := range items {
		if ti, ok := f.t.Index(guid); ok && f.t.Node(ti).Parent == into {
			rs.members = append(rs.members, guid)
			g.Copies = append(g.Copies, f.copyOf(ti))
		}
	}
	g.restore = rs
	folder := Copy{GUID: n.GUID, Kind: tree.KindFolder, Title: titleOf(n), Path: pathOf(r, n), SyncStatus: -1,
		Children: len(items), Sides: f.sidesOf(n.GUID)}
	if p := r.ParentOf(n); p != nil {
		folder.Parent = p.GUID
	}
	if n.Info != nil {
		folder.DateAdded = n.Info.DateAdded
	}
	for _, b := range f.backups {
		if b.Tree != nil && b.Tree.Lookup(n.GUID) != nil {
			folder.Backups = append(folder.Backups, b.Name)
		}
	}
	g.Folder = &folder
	state := "is gone"
	if f.t.Lookup(n.GUID) != nil {
		state = "is empty"
	}
	g.Reason = fmt.Sprintf("the folder %q %s and %d of its %d items sit in %q: re-nested as %s had it",
		folder.Title, state, len(rs.members), len(items), displayTitle(&intoNode.Item), ShortName(ref.Name))
	return g, true
}

func (f *finder) underUserRoot(i int32) bool {
	for n := f.t.Node(i); n != nil; n = f.t.ParentOf(n) {
		if tree.IsUserContentRoot(n.GUID) {
			return true
		}
	}
	return false
}
