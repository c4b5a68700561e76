package merge

import "github.com/bmtui/bmtui/sync/tree"

// Resolution says what to do with an item changed on one side and deleted on
// the other.
type Resolution uint8

// Resolutions.
const (
	ResolveDefault Resolution = iota
	ResolveKeep               // keep the item (revive it)
	ResolveDelete             // let the deletion win
)

// DedupePair names a local item and a remote item that deduplication would
// match.
type DedupePair struct{ Local, Remote string }

// Overrides are per-GUID user resolutions that replace the merge's default
// choices. Whatever they say, the result is a complete, consistent tree;
// overrides that cannot apply (for example choosing an unusable value, or a
// side on which the item does not exist) are ignored.
type Overrides struct {
	// Value picks whose value an item present on both sides takes
	// (tree.NoSide: the merge decides). Keyed by the remote or the local
	// GUID. Built-in roots always keep the local value; an unusable
	// (replace) value is never chosen.
	Value map[string]tree.Side
	// Structure picks whose parent and position an item present on both
	// sides takes (tree.NoSide: the merge decides), keyed by GUID.
	// Built-in roots are never moved.
	Structure map[string]tree.Side
	// Deletion keeps or deletes an item that exists on one side and is
	// deleted on the other, keyed by GUID. Built-in roots are never deleted
	// and unusable items are always deleted.
	Deletion map[string]Resolution
	// RefuseDedupe lists content matches not to make; both items survive
	// separately.
	RefuseDedupe map[DedupePair]bool
}

func (o *Overrides) empty() bool {
	return len(o.Value) == 0 && len(o.Structure) == 0 && len(o.Deletion) == 0 && len(o.RefuseDedupe) == 0
}
