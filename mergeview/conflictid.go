package mergeview

import (
	"fmt"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// ConflictID names a conflict, stably across re-merges and sessions. Its
// text (String, ParseConflictID) is what Conflict.ID, Resolution.Conflict
// and Step.Conflict hold, what --choose takes and what session files store:
//
//	value:GUID  structure:GUID  order:GUID  deletion:GUID  relocated:GUID
//	dedupe:LOCAL|REMOTE  parent:local:GUID  parent:remote:GUID
//
// The text must never change: saved sessions name conflicts by it.
type ConflictID struct {
	Kind ConflictKind
	// GUID is the item: the remote GUID for value and structure conflicts,
	// the local one for a dedupe.
	GUID string
	// Partner is a dedupe's remote item.
	Partner string
	// Side is the tree in which several folders claim the item of a
	// parent conflict.
	Side tree.Side
}

// String is the ID's text; "" for an ID that names no conflict.
func (id ConflictID) String() string {
	if !id.valid() {
		return ""
	}
	switch id.Kind {
	case ConflictDedupe:
		return "dedupe:" + id.GUID + "|" + id.Partner
	case ConflictParent:
		return "parent:" + id.Side.String() + ":" + id.GUID
	}
	return id.Kind.String() + ":" + id.GUID
}

// valid reports whether the ID names a conflict: a known kind, a GUID, a
// partner exactly for a dedupe and a side exactly for a parent conflict.
func (id ConflictID) valid() bool {
	if id.Kind < ConflictValue || id.Kind > ConflictParent || id.GUID == "" {
		return false
	}
	if (id.Kind == ConflictDedupe) != (id.Partner != "") {
		return false
	}
	if id.Kind == ConflictParent {
		return id.Side == tree.Local || id.Side == tree.Remote
	}
	return id.Side == tree.NoSide
}

// ParseConflictID reads an ID's text. A dedupe's two GUIDs are split at
// the first "|": valid GUIDs never hold one, and String(Parse(s)) == s for
// every s it accepts.
func ParseConflictID(s string) (ConflictID, error) {
	name, rest, _ := strings.Cut(s, ":")
	var id ConflictID
	for k := ConflictValue; k <= ConflictParent; k++ {
		if k.String() == name {
			id.Kind = k
		}
	}
	switch id.Kind {
	case ConflictDedupe:
		id.GUID, id.Partner, _ = strings.Cut(rest, "|")
	case ConflictParent:
		side, g, _ := strings.Cut(rest, ":")
		switch side {
		case "local":
			id.Side = tree.Local
		case "remote":
			id.Side = tree.Remote
		}
		id.GUID = g
	default:
		id.GUID = rest
	}
	if !id.valid() {
		return ConflictID{}, fmt.Errorf("%w: %q is no conflict ID", ErrUnknownConflict, s)
	}
	return id, nil
}

// restorePrefix starts a relocated conflict's alternative that restores the
// deleted folder: "restore:GUID".
const restorePrefix = "restore:"

func restoreChoice(folder string) string { return restorePrefix + folder }

// restoredFolder is the folder a "restore:GUID" alternative restores.
func restoredFolder(choice string) (string, bool) {
	g, ok := strings.CutPrefix(choice, restorePrefix)
	return g, ok && g != ""
}
