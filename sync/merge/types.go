package merge

import (
	"errors"
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// State is a merged node's merge state (dogear's MergeState): whose value
// wins and whether the node's structure must be written locally, uploaded,
// or both.
type State uint8

// Merge states, named as dogear names them.
const (
	StateLocalOnly State = iota
	StateLocalOnlyWithNewLocalStructure
	StateRemoteOnly
	StateRemoteOnlyWithNewRemoteStructure
	StateLocal
	StateLocalWithNewLocalStructure
	StateRemote
	StateRemoteWithNewRemoteStructure
	StateUnchanged
	StateUnchangedWithNewLocalStructure
)

var stateNames = [...]string{
	"LocalOnly", "LocalOnlyWithNewLocalStructure",
	"RemoteOnly", "RemoteOnlyWithNewRemoteStructure",
	"Local", "LocalWithNewLocalStructure",
	"Remote", "RemoteWithNewRemoteStructure",
	"Unchanged", "UnchangedWithNewLocalStructure",
}

func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// ParseState is the inverse of State.String.
func ParseState(s string) (State, error) {
	for i, n := range stateNames {
		if n == s {
			return State(i), nil
		}
	}
	return 0, fmt.Errorf("unknown merge state %q", s)
}

// stateFlags: apply item, apply structure, upload.
var stateFlags = [...][3]bool{
	{false, false, true},
	{false, true, true},
	{true, true, false},
	{true, true, true},
	{false, false, true},
	{false, true, true},
	{true, true, false},
	{true, true, true},
	{false, false, false},
	{false, true, false},
}

// ShouldApplyItem reports whether the remote value must be written locally.
func (s State) ShouldApplyItem() bool { return stateFlags[s][0] }

// ShouldApplyStructure reports whether the node's parent and position must be
// written locally.
func (s State) ShouldApplyStructure() bool { return stateFlags[s][1] }

// ShouldUpload reports whether the node must be uploaded.
func (s State) ShouldUpload() bool { return stateFlags[s][2] }

// withNewLocalStructure is the "the local tree must change here" transition.
func (s State) withNewLocalStructure() State {
	switch s {
	case StateLocalOnly:
		return StateLocalOnlyWithNewLocalStructure
	case StateLocal:
		return StateLocalWithNewLocalStructure
	case StateUnchanged:
		return StateUnchangedWithNewLocalStructure
	}
	return s
}

// withNewRemoteStructure is the "the server must change here" transition.
func (s State) withNewRemoteStructure() State {
	switch s {
	case StateRemoteOnly:
		return StateRemoteOnlyWithNewRemoteStructure
	case StateRemote:
		return StateRemoteWithNewRemoteStructure
	case StateUnchanged:
		return StateLocal
	case StateUnchangedWithNewLocalStructure:
		return StateLocalWithNewLocalStructure
	}
	return s
}

// Node is a node of the merged tree.
//
// The small fields come last, so that a node takes 64 bytes, not 72: one
// cache line in the merger's slab.
type Node struct {
	GUID     string     // the merged GUID
	Local    *tree.Node // the local item merged into this node, or nil
	Remote   *tree.Node // the remote item merged into this node, or nil
	Children []*Node
	State    State // merge state

	same sameGUID // which sides' items have GUID, when the merger knows it
}

// sameGUID says which of a merged node's items have the node's own GUID.
// The merger knows it from how it paired them, and the string comparison
// it saves reads two GUIDs scattered over memory: a quarter of the merge
// of a million items went to it.
type sameGUID uint8

const (
	sameKnown sameGUID = 1 << iota
	sameLocal
	sameRemote
)

func (n *Node) newLocal()  { n.State = n.State.withNewLocalStructure() }
func (n *Node) newRemote() { n.State = n.State.withNewRemoteStructure() }

// LocalGUIDChanged reports whether the node has a local item under another GUID.
func (n *Node) LocalGUIDChanged() bool {
	if n.Local == nil {
		return false
	}
	if n.same&sameKnown != 0 {
		return n.same&sameLocal == 0
	}
	return n.Local.GUID != n.GUID
}

// RemoteGUIDChanged reports whether the node has a remote item under another GUID.
func (n *Node) RemoteGUIDChanged() bool {
	if n.Remote == nil {
		return false
	}
	if n.same&sameKnown != 0 {
		return n.same&sameRemote == 0
	}
	return n.Remote.GUID != n.GUID
}

// Counts are dogear's merge telemetry counters.
type Counts struct {
	RemoteRevives int // remote edits that revived a locally deleted item
	LocalDeletes  int // local folder deletions that beat remote changes
	LocalRevives  int // local edits that revived a remotely deleted item
	RemoteDeletes int // remote folder deletions that beat local changes
	Dupes         int // local items deduplicated to remote ones
	MergedNodes   int // nodes appended to a merged parent (the root excluded)
}

// ErrorKind classifies merge errors.
type ErrorKind uint8

// Merge error kinds, named as dogear names them.
const (
	ErrMismatchedItemKind ErrorKind = iota + 1
	ErrInvalidGUID
	ErrDuplicateItem
	ErrUnmergedLocalItems
	ErrUnmergedRemoteItems
)

var errorKindNames = [...]string{"", "MismatchedItemKind", "InvalidGuid", "DuplicateItem", "UnmergedLocalItems", "UnmergedRemoteItems"}

func (k ErrorKind) String() string {
	if int(k) < len(errorKindNames) && k != 0 {
		return errorKindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", uint8(k))
}

// Error is a merge failure. No partial result is returned with it.
type Error struct {
	Kind ErrorKind
	GUID string // the item involved (the remote GUID for mismatched kinds)
	// MismatchedItemKind only.
	LocalGUID  string
	LocalKind  tree.Kind
	RemoteKind tree.Kind
	Err        error // the generator's error, for InvalidGuid
}

func (e *Error) Error() string {
	switch e.Kind {
	case ErrMismatchedItemKind:
		return fmt.Sprintf("merge: local %s %s cannot merge with remote %s %s", e.LocalKind, e.LocalGUID, e.RemoteKind, e.GUID)
	case ErrInvalidGUID:
		if e.Err != nil {
			return fmt.Sprintf("merge: invalid GUID %q: %v", e.GUID, e.Err)
		}
		return fmt.Sprintf("merge: invalid GUID %q", e.GUID)
	case ErrDuplicateItem:
		return fmt.Sprintf("merge: GUID %s merged twice", e.GUID)
	case ErrUnmergedLocalItems:
		return fmt.Sprintf("merge: local item %s was neither merged nor deleted", e.GUID)
	case ErrUnmergedRemoteItems:
		return fmt.Sprintf("merge: remote item %s was neither merged nor deleted", e.GUID)
	}
	return fmt.Sprintf("merge: %s %s", e.Kind, e.GUID)
}

func (e *Error) Unwrap() error { return e.Err }

// IsErrorKind reports whether err is a merge *Error of kind k.
func IsErrorKind(err error, k ErrorKind) bool {
	var e *Error
	return errors.As(err, &e) && e.Kind == k
}

// Options configure a merge.
type Options struct {
	// NewGUID returns a replacement for an invalid GUID. When nil, meeting an
	// invalid GUID fails the merge with InvalidGuid (dogear's default
	// driver).
	NewGUID func(invalid string) (string, error)
	// Overrides are the user's resolutions replacing default choices.
	Overrides Overrides
	// Explain records every decision as an Event in Result.Events.
	Explain bool
}

// Result is a successful merge.
type Result struct {
	Root *Node
	// Deletions is every GUID deleted on either side; LocalDeletions those
	// deleted locally but not remotely; RemoteDeletions those to delete on
	// the server. All sorted.
	Deletions, LocalDeletions, RemoteDeletions []string
	Counts                                     Counts
	// Events are the recorded decisions in merge order (Options.Explain).
	Events []Event

	local, remote         *tree.Tree
	lDel, rDel            []bool              // by index: deleted locally, on the server
	tombLocal, tombRemote map[string]struct{} // the other side's tombstones, applied
}

// deletedLocally reports whether the merge deletes guid locally.
func (r *Result) deletedLocally(g string) bool {
	if i, ok := r.local.Index(g); ok && r.lDel[i] {
		return true
	}
	_, ok := r.tombLocal[g]
	return ok
}

// deletedRemotely reports whether the merge deletes guid on the server.
func (r *Result) deletedRemotely(g string) bool {
	if j, ok := r.remote.Index(g); ok && r.rDel[j] {
		return true
	}
	_, ok := r.tombRemote[g]
	return ok
}

// Local and Remote return the trees that were merged.
func (r *Result) Local() *tree.Tree { return r.local }

// Remote returns the remote tree that was merged.
func (r *Result) Remote() *tree.Tree { return r.remote }

// Conflicts returns the events that chose between real alternatives.
func (r *Result) Conflicts() []Event {
	var out []Event
	for _, e := range r.Events {
		if e.Conflict() {
			out = append(out, e)
		}
	}
	return out
}

// Walk visits every merged node in pre-order, with its parent (nil for the
// root) and its index there.
func (r *Result) Walk(fn func(n, parent *Node, pos int) bool) {
	var rec func(n, p *Node, pos int) bool
	rec = func(n, p *Node, pos int) bool {
		if !fn(n, p, pos) {
			return false
		}
		for i, c := range n.Children {
			if !rec(c, n, i) {
				return false
			}
		}
		return true
	}
	rec(r.Root, nil, -1)
}
