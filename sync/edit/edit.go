// Package edit is a change set to the local (Places) tree that is not a
// merge: restoring items from another source, removing duplicate copies,
// re-nesting a flattened folder. Like a merge it is previewed first (the
// tree after the change, and what Firefox will upload at its next sync)
// and then written by apply with the same backups, atomic write,
// verification and undo. It is pure: no storage, view or clock.
//
// Only Places is changed. The mirror is left as it is, so that Firefox's
// next sync sees the edits as local changes and uploads them: items
// inserted or moved are marked changed, removed items leave tombstones
// where Firefox would write one.
package edit

import "github.com/bmtui/bmtui/sync/tree"

// Op is what one change does.
type Op uint8

// Kinds of change.
const (
	// Insert adds Item under Parent at Index. A folder's children are
	// inserted by changes of their own, after the folder.
	Insert Op = iota + 1
	// Move puts the existing item GUID under Parent at Index.
	Move
	// Delete removes the existing item GUID and, for a folder, everything
	// in it that is not moved out by an earlier change.
	Delete
	// Update replaces the title, URL, keyword or tags of GUID with
	// Item's.
	Update
)

var opNames = [...]string{"", "insert", "move", "delete", "update"}

func (o Op) String() string {
	if int(o) < len(opNames) && o != 0 {
		return opNames[o]
	}
	return "op?"
}

// Change is one step of a Set. Changes apply in order.
type Change struct {
	Op   Op
	GUID string
	// Parent and Index place an inserted or moved item; Index -1 appends.
	Parent string
	Index  int
	// Item is the inserted item (kind, content, info) or the new values of
	// an update; nil for Move and Delete.
	Item *tree.Item
	// Why is for people: "restored from backup of 2026-11-23", "copy of
	// fldA (kept: oldest, on the server and in the newest backup)".
	Why string
}

// Set is a change set with what it was made from.
type Set struct {
	// Label names the operation for people and for the backup's
	// manifest: "restore from backup:2026-11-23", "dupes fix".
	Label   string
	Changes []Change
}
