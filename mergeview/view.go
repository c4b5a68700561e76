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
	"sync"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// RebuildFunc rebuilds one side's tree with the user's parent preferences
// (child GUID -> folder GUID, tree.Builder.PreferParent). It is called only
// when the preferences of that side change; an empty map must give the
// tree built without preferences.
type RebuildFunc func(side tree.Side, prefer map[string]string) (*tree.Tree, error)

// ParentChoices are the folders chosen for items claimed by several
// folders, per side: child GUID -> folder GUID.
type ParentChoices struct {
	Local, Remote map[string]string
}

// Input is what a view is built from.
type Input struct {
	// Local and Remote are the trees as built without parent preferences.
	Local, Remote *tree.Tree
	// Now are the clocks the trees' ages were measured against (the local
	// clock for Places, the server's for the mirror); they are part of a
	// session's identity. The view only records them; ages come from the
	// trees.
	Now tree.Clocks
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
	nv.local, err = v.treeFor(tree.Local, prefs.Local)
	if err != nil {
		return nil, err
	}
	nv.remote, err = v.treeFor(tree.Remote, prefs.Remote)
	if err != nil {
		return nil, err
	}
	// Invalid GUIDs are replaced by merge.StableGUID, the one generator:
	// the screen, the command line's preview and the apply name every
	// replacement alike, and a replayed session reproduces them.
	r, err := merge.Merge(ctx, nv.local, nv.remote, merge.Options{NewGUID: merge.StableGUID, Overrides: ov, Explain: true})
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
func (v *View) treeFor(s tree.Side, prefer map[string]string) (*tree.Tree, error) {
	cur, orig, have := v.local, v.in.Local, v.prefs.Local
	if s == tree.Remote {
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

// RebuildFrom makes a RebuildFunc from functions that replay each side's
// builder input into a fresh tree.Builder (nil for a side that cannot be
// rebuilt). Builder errors other than a cycle fail the rebuild.
func RebuildFrom(local, remote func() (*tree.Builder, error)) RebuildFunc {
	return func(s tree.Side, prefer map[string]string) (*tree.Tree, error) {
		f := local
		if s == tree.Remote {
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
