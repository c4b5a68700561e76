package dupes

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// flattened finds folders that a reference (the backups, newest first,
// then the other side) has and the examined tree has lost or emptied,
// whose items now sit together in one folder. A flattened folder takes
// the flattened folders inside it along (their items count as its own),
// so that the fix puts the whole nesting back. Each folder is reported
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
	for k := range refs {
		o := refs[k].outline()
		if o == nil {
			continue
		}
		for _, root := range userRoots {
			ri, ok := o.index[root]
			if !ok {
				continue
			}
			stack := []int32{ri}
			for len(stack) > 0 {
				i := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				fo := &o.Folders[i]
				for s := len(fo.Sub) - 1; s >= 0; s-- {
					stack = append(stack, fo.Sub[s])
				}
				if i == ri || done[fo.Item.GUID] {
					continue
				}
				if g, ok := f.flattenedFolder(refs[k].Name, o, i); ok {
					for _, rf := range g.restore.folders {
						done[rf.item.GUID] = true
					}
					f.groups = append(f.groups, g)
				}
			}
		}
	}
}

// goneOrEmpty reports whether the examined tree lacks the folder guid or
// has it empty.
func (f *finder) goneOrEmpty(guid string) bool {
	cur := f.t.Lookup(guid)
	return cur == nil || (cur.IsFolder() && len(f.t.ChildrenOf(cur)) == 0)
}

// flattenedFolder checks the outline's folder at i.
func (f *finder) flattenedFolder(refName string, o *Outline, i int32) (Group, bool) {
	n := &o.Folders[i]
	if !f.goneOrEmpty(n.Item.GUID) {
		return Group{}, false
	}
	// The folder and the gone or emptied folders inside it, in pre-order.
	var chain []int32
	var walk func(c int32)
	walk = func(c int32) {
		chain = append(chain, c)
		for _, s := range o.Folders[c].Sub {
			if f.goneOrEmpty(o.Folders[s].Item.GUID) {
				walk(s)
			}
		}
	}
	walk(i)
	items := make([][]string, len(chain))
	total := 0
	count := map[int32]int{}
	for k, c := range chain {
		for _, guid := range o.Folders[c].Children {
			if o.isFolder(guid) {
				continue
			}
			items[k] = append(items[k], guid)
			total++
			if ti, ok := f.t.Index(guid); ok {
				count[f.t.Node(ti).Parent]++
			}
		}
	}
	into, best := int32(-1), 0
	for p, k := range count {
		if k > best || (k == best && p < into) {
			into, best = p, k
		}
	}
	if best < 2 || 2*best < total || into < 0 {
		return Group{}, false
	}
	intoNode := f.t.Node(into)
	if !f.underUserRoot(into) {
		return Group{}, false
	}
	g := Group{Kind: Flattened, ID: string(Flattened) + ":" + n.Item.GUID, Keep: -1, Default: -1, Fix: true,
		From: refName, Into: intoNode.GUID}
	// Each folder's children that sit in into (its items, and the folders
	// in it that kept their own items), and whether the folder has any
	// in it or below: only those folders are put back.
	members := make([][]string, len(chain))
	needed := make([]bool, len(chain))
	at := make(map[int32]int, len(chain))
	for k, c := range chain {
		at[c] = k
	}
	for k, c := range chain {
		for _, guid := range o.Folders[c].Children {
			if fi, ok := o.index[guid]; ok {
				if _, flat := at[fi]; flat {
					continue
				}
			}
			if ti, ok := f.t.Index(guid); ok && f.t.Node(ti).Parent == into {
				members[k] = append(members[k], guid)
				g.Copies = append(g.Copies, f.copyOf(ti))
			}
		}
	}
	for k := len(chain) - 1; k >= 0; k-- {
		needed[k] = needed[k] || len(members[k]) > 0
		if p, ok := at[o.Folders[chain[k]].Parent]; ok && needed[k] {
			needed[p] = true
		}
	}
	rs := &restore{depth: n.Level}
	restored := 0
	for k, c := range chain {
		if !needed[k] {
			continue
		}
		fo := &o.Folders[c]
		rf := restoreFolder{item: fo.Item, children: fo.Children, members: members[k]}
		if fo.Parent >= 0 {
			rf.refParent = o.Folders[fo.Parent].Item.GUID
			rf.siblings = o.Folders[fo.Parent].Children
		}
		rs.folders = append(rs.folders, rf)
		folder := f.outlineCopy(o, c, len(items[k]))
		if k == 0 {
			g.Folder = &folder
		} else {
			g.Nested = append(g.Nested, folder)
		}
		restored++
	}
	g.restore = rs
	state := "is gone"
	if f.t.Lookup(n.Item.GUID) != nil {
		state = "is empty"
	}
	inside := ""
	switch restored {
	case 1:
	case 2:
		inside = " (with the folder inside it)"
	default:
		inside = fmt.Sprintf(" (with the %d folders inside it)", restored-1)
	}
	g.Reason = fmt.Sprintf("the folder %q %s and %d of its %d items%s sit in %q: re-nested as %s had it",
		g.Folder.Title, state, len(g.Copies), total, inside, displayTitle(&intoNode.Item), ShortName(refName))
	return g, true
}

// outlineCopy describes the outline's folder at i, with items its
// bookmarks and separators.
func (f *finder) outlineCopy(o *Outline, i int32, items int) Copy {
	n := &o.Folders[i]
	c := Copy{GUID: n.Item.GUID, Kind: tree.KindFolder, Title: itemTitle(&n.Item), Path: o.path(i), SyncStatus: -1,
		Children: items, Sides: f.sidesOf(n.Item.GUID), Backups: f.backupsOf(n.Item.GUID)}
	if n.Item.Info != nil {
		c.DateAdded = n.Item.Info.DateAdded
	}
	if n.Parent >= 0 {
		c.Parent = o.Folders[n.Parent].Item.GUID
	}
	return c
}

func (f *finder) underUserRoot(i int32) bool {
	for n := f.t.Node(i); n != nil; n = f.t.ParentOf(n) {
		if tree.IsUserContentRoot(n.GUID) {
			return true
		}
	}
	return false
}
