package merge

import "github.com/bmtui/bmtui/sync/tree"

// ChangeGUID renames a local item to its merged GUID.
type ChangeGUID struct {
	Local, Merged string
	Level         int
}

// ApplyRemoteItem writes a remote item's value locally.
type ApplyRemoteItem struct {
	Remote, Merged string
	Level          int
}

// ApplyNewLocalStructure moves an item locally to Parent at Position.
type ApplyNewLocalStructure struct {
	GUID, Parent string
	Position     int
	Level        int
}

// Ops are the steps that apply a merge (docs/merge.md#completion-ops). Lists marked
// "tree order" follow a pre-order walk of the merged tree; the others are
// derived from tombstones and deletions, in GUID order per pass.
type Ops struct {
	ChangeGUIDs            []ChangeGUID             // tree order
	ApplyRemoteItems       []ApplyRemoteItem        // tree order
	ApplyNewLocalStructure []ApplyNewLocalStructure // tree order
	SetLocalUnmerged       []string                 // tree order
	SetLocalMerged         []string                 // tree order
	SetRemoteMerged        []string                 // tree order, then tombstone-derived
	DeleteLocalTombstones  []string
	InsertLocalTombstones  []string
	DeleteLocalItems       []string
	UploadItems            []string // tree order
	UploadTombstones       []string
}

// Ops computes what to apply locally and upload.
func (r *Result) Ops() Ops {
	var ops Ops
	var walk func(p *Node, level int, tagging bool)
	walk = func(p *Node, level int, tagging bool) {
		for pos, c := range p.Children {
			tag := tagging || c.GUID == tree.TagsGUID
			if c.State.ShouldApplyItem() {
				ops.ApplyRemoteItems = append(ops.ApplyRemoteItems, ApplyRemoteItem{Remote: c.Remote.GUID, Merged: c.GUID, Level: level})
			}
			if c.LocalGUIDChanged() {
				ops.ChangeGUIDs = append(ops.ChangeGUIDs, ChangeGUID{Local: c.Local.GUID, Merged: c.GUID, Level: level})
			}
			inPlace := false
			if p.Local != nil && c.Local != nil {
				kids := r.local.ChildrenOf(p.Local)
				inPlace = pos < len(kids) && r.local.Node(kids[pos]).GUID == c.Local.GUID
			}
			if !inPlace {
				ops.ApplyNewLocalStructure = append(ops.ApplyNewLocalStructure, ApplyNewLocalStructure{GUID: c.GUID, Parent: p.GUID, Position: pos, Level: level})
			}
			localFlag := c.Local != nil && c.Local.NeedsMerge
			upload := c.State.ShouldUpload()
			switch {
			case upload && !localFlag:
				ops.SetLocalUnmerged = append(ops.SetLocalUnmerged, c.GUID)
			case localFlag && !upload:
				ops.SetLocalMerged = append(ops.SetLocalMerged, c.GUID)
			}
			if upload && !tag {
				ops.UploadItems = append(ops.UploadItems, c.GUID)
			}
			if c.Remote != nil && c.Remote.NeedsMerge && !upload {
				ops.SetRemoteMerged = append(ops.SetRemoteMerged, c.Remote.GUID)
			}
			walk(c, level+1, tag)
		}
	}
	walk(r.Root, 1, false)

	l, rt := r.local, r.remote
	for _, g := range l.Tombstones() {
		if r.deletedRemotely(g) {
			continue
		}
		ops.DeleteLocalTombstones = append(ops.DeleteLocalTombstones, g)
		if rt.IsTombstone(g) {
			ops.SetRemoteMerged = append(ops.SetRemoteMerged, g)
		}
	}
	for _, g := range rt.Tombstones() {
		if r.deletedLocally(g) {
			continue
		}
		if _, ok := l.Index(g); ok {
			continue
		}
		ops.SetRemoteMerged = append(ops.SetRemoteMerged, g)
		if l.IsTombstone(g) {
			ops.DeleteLocalTombstones = append(ops.DeleteLocalTombstones, g)
		}
	}
	for _, g := range r.Deletions {
		_, inL := l.Index(g)
		_, inR := rt.Index(g)
		switch {
		case inL && inR:
			ops.DeleteLocalItems = append(ops.DeleteLocalItems, g)
			ops.InsertLocalTombstones = append(ops.InsertLocalTombstones, g)
			ops.UploadTombstones = append(ops.UploadTombstones, g)
		case inL:
			ops.DeleteLocalItems = append(ops.DeleteLocalItems, g)
			if rt.IsTombstone(g) {
				ops.SetRemoteMerged = append(ops.SetRemoteMerged, g)
			}
		case inR:
			if !l.IsTombstone(g) {
				ops.InsertLocalTombstones = append(ops.InsertLocalTombstones, g)
			}
			ops.UploadTombstones = append(ops.UploadTombstones, g)
		default:
			if l.IsTombstone(g) {
				ops.DeleteLocalTombstones = append(ops.DeleteLocalTombstones, g)
			}
			if rt.IsTombstone(g) {
				ops.SetRemoteMerged = append(ops.SetRemoteMerged, g)
			}
		}
	}
	return ops
}
