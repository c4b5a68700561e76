package mergeview

import "github.com/bmtui/bmtui/sync/tree"

// Old names of sync/tree's vocabulary, until the callers use it (removed
// by the commit that updates them).
type (
	Side  = tree.Side
	Times = tree.Clocks
)

// Old names of tree.Local and tree.Remote.
const (
	Local  = tree.Local
	Remote = tree.Remote
)
