package mergeview

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// ConflictKind says what a conflict decides.
type ConflictKind uint8

// Conflict kinds.
const (
	ConflictValue      ConflictKind = iota + 1 // whose title, URL, tags... an item changed on both sides takes
	ConflictStructure                          // where an item moved on both sides lives
	ConflictChildOrder                         // which side's order of a folder is the base (information only: no override exists)
	ConflictDeletion                           // changed on one side, deleted on the other: keep or delete
	ConflictDedupe                             // a new local item matched a new remote item by content
	ConflictRelocated                          // a child of a deleted folder moved to the closest surviving ancestor
	ConflictParent                             // an item claimed by several folders in one tree
)

// conflictNames are also the kinds' words in conflict IDs: they never
// change.
var conflictNames = [...]string{"", "value", "structure", "order", "deletion", "dedupe", "relocated", "parent"}

func (k ConflictKind) String() string {
	if int(k) < len(conflictNames) && k != 0 {
		return conflictNames[k]
	}
	return fmt.Sprintf("ConflictKind(%d)", uint8(k))
}

// Alternative is one option of a conflict.
type Alternative struct {
	ID    string // "local", "remote", "keep", "delete", "match", "separate", "stay", "restore:GUID", or a folder GUID
	Label string // for people, e.g. "keep remote title “Foo”"
}

// Conflict is a decision where the merge chose between alternatives.
type Conflict struct {
	// ID is stable across re-merges and sessions: a ConflictID's text.
	ID           string
	Kind         ConflictKind
	GUID         string // the item (its merged GUID when it is in the merged tree)
	Title        string // the item's name for people
	Alternatives []Alternative
	Default      string // the alternative the merge picks by itself
	Current      string // the alternative in effect
	Decided      bool   // the user resolved it (Resolutions names it)
	Choosable    bool   // Choose can change it
	Reason       string // why Current is in effect, in plain words with ages
	// DefaultReason is why the merge picks Default by itself.
	DefaultReason string
	Step          int      // index of its decision in Steps; -1 when it comes from tree building
	Related       []string // other GUIDs involved (partner, folders)
	// Gone means the decision no longer arises after the user's choice (for
	// example a relocated child whose folder was restored); it is listed so
	// the choice stays visible.
	Gone bool

	ev  *merge.Event // the decision, in src's result (nil for parent conflicts)
	src *View        // the view whose trees and rows explain it
}

// Alt returns the alternative with this ID.
func (c *Conflict) Alt(id string) (Alternative, bool) {
	for _, a := range c.Alternatives {
		if a.ID == id {
			return a, true
		}
	}
	return Alternative{}, false
}

// Resolution is one user decision.
type Resolution struct {
	Conflict string `json:"conflict"`
	Choice   string `json:"choice"`
	Label    string `json:"label,omitempty"` // for people reading a session file
}

// Errors of Choose and Undo.
var (
	ErrUnknownConflict = errors.New("mergeview: no such conflict")
	ErrUnknownChoice   = errors.New("mergeview: no such alternative")
	ErrNotChoosable    = errors.New("mergeview: this decision cannot be overridden")
	ErrNothingToUndo   = errors.New("mergeview: nothing to undo")
)

// Conflicts returns the decisions that chose between alternatives, in merge
// order, then multi-parent items, then decided conflicts that no longer
// arise.
func (v *View) Conflicts() []Conflict {
	v.textOnce.Do(v.fillTexts)
	return v.texts
}

// Conflict returns the conflict with this ID, or nil.
func (v *View) Conflict(id string) *Conflict {
	v.textOnce.Do(v.fillTexts)
	if i, ok := v.conflictIndex[id]; ok {
		return &v.texts[i]
	}
	return nil
}

func (v *View) conflictByID(id string) *Conflict {
	if i, ok := v.conflictIndex[id]; ok {
		return &v.conflicts[i]
	}
	return nil
}

// Choose adds a resolution and re-runs the merge.
func (v *View) Choose(conflictID, alternative string) (*View, error) {
	return v.ChooseContext(context.Background(), conflictID, alternative)
}

// ChooseContext is Choose with a context for cancelling the merge.
func (v *View) ChooseContext(ctx context.Context, conflictID, alternative string) (*View, error) {
	c := v.conflictByID(conflictID)
	if c == nil {
		return nil, fmt.Errorf("%w: %s", ErrUnknownConflict, conflictID)
	}
	if !c.Choosable {
		return nil, fmt.Errorf("%w: %s", ErrNotChoosable, conflictID)
	}
	if _, ok := c.Alt(alternative); !ok {
		return nil, fmt.Errorf("%w: %s for %s", ErrUnknownChoice, alternative, conflictID)
	}
	tc := v.texted(c)
	a, _ := tc.Alt(alternative)
	res := append(append(make([]Resolution, 0, len(v.resolutions)+1), v.resolutions...),
		Resolution{Conflict: conflictID, Choice: alternative, Label: a.Label})
	return v.with(ctx, res)
}

// Undo removes the most recent resolution and re-runs the merge.
func (v *View) Undo() (*View, error) {
	if len(v.resolutions) == 0 {
		return v, ErrNothingToUndo
	}
	return v.with(context.Background(), v.resolutions[:len(v.resolutions)-1:len(v.resolutions)-1])
}

// buildConflicts derives the conflicts from the merge events and the trees'
// problems. Texts (titles, labels, reasons) are filled in lazily.
func (v *View) buildConflicts() {
	decided := make(map[string]bool, len(v.resolutions))
	for _, r := range v.resolutions {
		decided[r.Conflict] = true
	}
	// A first sync has a conflict per duplicate: size the list once.
	n := len(v.resolutions)
	for i := range v.result.Events {
		if e := &v.result.Events[i]; e.IsConflict || e.Overridden {
			n++
		}
	}
	v.conflicts = make([]Conflict, 0, n)
	v.conflictIndex = make(map[string]int32, n)
	add := func(c Conflict) {
		if c.ID == "" {
			return
		}
		if _, dup := v.conflictIndex[c.ID]; dup {
			return
		}
		c.Decided = decided[c.ID]
		if c.src == nil {
			c.src = v
		}
		v.conflictIndex[c.ID] = int32(len(v.conflicts))
		v.conflicts = append(v.conflicts, c)
	}
	evs := v.result.Events
	for i := range evs {
		e := &evs[i]
		if !e.IsConflict && !e.Overridden {
			continue
		}
		c := v.eventConflict(e)
		c.ev, c.Step = e, e.Seq
		add(c)
	}
	for _, s := range [...]tree.Side{tree.Local, tree.Remote} {
		for _, c := range v.parentConflicts(s) {
			add(c)
		}
	}
	// Decided conflicts the choice made disappear.
	for _, r := range v.resolutions {
		if _, ok := v.conflictIndex[r.Conflict]; ok {
			continue
		}
		k := v.known.get(r.Conflict)
		if k == nil {
			continue
		}
		c := *k
		c.Current, c.Gone, c.Step = lastChoice(v.resolutions, r.Conflict), true, -1
		add(c)
	}
	v.known.addDefaults(v.conflicts)
	for i := range v.conflicts {
		c := &v.conflicts[i]
		switch {
		case c.Decided:
			v.summary.ConflictsDecided++
		case !c.Choosable:
			v.summary.Unchoosable++
		default:
			v.summary.ConflictsOpen++
		}
	}
}

func lastChoice(res []Resolution, id string) string {
	for i := len(res) - 1; i >= 0; i-- {
		if res[i].Conflict == id {
			return res[i].Choice
		}
	}
	return ""
}

// row returns the merged row for a merged GUID.
func (v *View) row(guid string) *Row {
	if i := v.RowIndex(guid); i >= 0 {
		return &v.rows[i]
	}
	return nil
}

// eventConflict turns a recorded decision into a conflict, without its
// texts (withTexts adds them).
func (v *View) eventConflict(e *merge.Event) Conflict {
	switch e.Kind {
	case merge.EventValue:
		return v.valueConflict(e)
	case merge.EventChildOrder:
		return v.orderConflict(e)
	case merge.EventStructure:
		return v.structureConflict(e)
	case merge.EventRevived, merge.EventDeletionWon:
		return v.deletionConflict(e)
	case merge.EventDedupe, merge.EventDedupeRefused:
		return v.dedupeConflict(e)
	case merge.EventRelocated:
		return v.relocatedConflict(e)
	}
	return Conflict{}
}

// explained is the conflict of event e with its texts.
func (v *View) explained(e *merge.Event) Conflict {
	return v.withTexts(v.eventConflict(e), e)
}

// Alternative sets without labels, shared until texts are filled in.
var (
	altsLocalRemote = []Alternative{{ID: "local"}, {ID: "remote"}}
	altsKeepDelete  = []Alternative{{ID: "keep"}, {ID: "delete"}}
	altsMatch       = []Alternative{{ID: "match"}, {ID: "separate"}}
	altsStay        = []Alternative{{ID: "stay"}}
)

// bothCopies returns the local and remote copies of a merged item present
// on both sides, or nils.
func (v *View) bothCopies(guid string) (L, R *tree.Node) {
	r := v.row(guid)
	if r == nil || r.local == nil || r.remote == nil {
		return nil, nil
	}
	return r.local, r.remote
}

func (v *View) valueConflict(e *merge.Event) Conflict {
	L, R := v.bothCopies(e.GUID)
	if L == nil {
		return Conflict{}
	}
	c := Conflict{ID: ConflictID{Kind: ConflictValue, GUID: R.GUID}.String(), Kind: ConflictValue, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen),
		Choosable: L.Validity != tree.Replace && R.Validity != tree.Replace && !tree.IsBuiltInRoot(R.GUID),
	}
	if L.GUID != R.GUID {
		c.Related = []string{L.GUID}
	}
	return c
}

func (v *View) orderConflict(e *merge.Event) Conflict {
	return Conflict{ID: ConflictID{Kind: ConflictChildOrder, GUID: e.GUID}.String(), Kind: ConflictChildOrder, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen)}
}

// parents returns the folders of an item's local and remote copies, or
// nils.
func (v *View) parents(L, R *tree.Node) (lp, rp *tree.Node) {
	if L == nil || R == nil {
		return nil, nil
	}
	lp, rp = v.local.ParentOf(L), v.remote.ParentOf(R)
	if lp == nil || rp == nil {
		return nil, nil
	}
	return lp, rp
}

func (v *View) structureConflict(e *merge.Event) Conflict {
	L, R := v.bothCopies(e.GUID)
	lp, rp := v.parents(L, R)
	if lp == nil {
		return Conflict{}
	}
	return Conflict{ID: ConflictID{Kind: ConflictStructure, GUID: R.GUID}.String(), Kind: ConflictStructure, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen),
		Choosable: e.Reason != merge.ReasonParentDeleted && !tree.IsBuiltInRoot(R.GUID),
		Related:   []string{lp.GUID, rp.GUID},
	}
}

// deletedBy says which side deleted guid: the side where it is a tombstone.
func (v *View) deletedBy(guid string) tree.Side {
	if v.remote.IsTombstone(guid) && v.local.Lookup(guid) != nil {
		return tree.Remote
	}
	return tree.Local
}

func (v *View) deletionConflict(e *merge.Event) Conflict {
	return Conflict{ID: ConflictID{Kind: ConflictDeletion, GUID: e.GUID}.String(), Kind: ConflictDeletion, GUID: e.GUID, Alternatives: altsKeepDelete,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen), Choosable: true}
}

// dedupePair returns the local and remote items a dedupe decision matched
// or kept apart, and the folder they are in (nils if they are gone).
func (v *View) dedupePair(e *merge.Event) (L, R *tree.Node, parent string) {
	if e.Kind == merge.EventDedupe {
		r := v.row(e.GUID)
		if r == nil || r.local == nil || r.remote == nil {
			return nil, nil, ""
		}
		return r.local, r.remote, r.ParentGUID()
	}
	L, R = v.local.Lookup(e.Other), v.remote.Lookup(e.GUID)
	if L == nil || R == nil {
		return nil, nil, ""
	}
	if p := v.remote.ParentOf(R); p != nil {
		parent = p.GUID
	}
	return L, R, parent
}

func (v *View) dedupeConflict(e *merge.Event) Conflict {
	L, R, _ := v.dedupePair(e)
	if L == nil {
		return Conflict{}
	}
	return Conflict{ID: ConflictID{Kind: ConflictDedupe, GUID: L.GUID, Partner: R.GUID}.String(), Kind: ConflictDedupe, GUID: R.GUID, Alternatives: altsMatch,
		Default: "match", Current: choiceID(e.Chosen), Choosable: true, Related: []string{L.GUID}}
}

// relocatedFrom is the deleted folder a relocated item leaves: its parent
// on the side whose parent did not survive, "" if none. onlyOther: the item
// exists only on that side (a new child).
func (v *View) relocatedFrom(r *Row) (from string, onlyOther bool) {
	if r.remote != nil {
		if p := v.remote.ParentOf(r.remote); p != nil && v.RowIndex(p.GUID) < 0 {
			return p.GUID, r.local == nil
		}
	}
	if r.local != nil {
		if p := v.local.ParentOf(r.local); p != nil && v.RowIndex(p.GUID) < 0 {
			return p.GUID, r.remote == nil
		}
	}
	return "", false
}

func (v *View) relocatedConflict(e *merge.Event) Conflict {
	r := v.row(e.GUID)
	if r == nil {
		return Conflict{}
	}
	from, _ := v.relocatedFrom(r)
	c := Conflict{ID: ConflictID{Kind: ConflictRelocated, GUID: e.GUID}.String(), Kind: ConflictRelocated, GUID: e.GUID, Alternatives: altsStay,
		Default: "stay", Current: "stay", Related: []string{e.Other}}
	if from != "" {
		c.Related = append(c.Related, from)
	}
	if from != "" && e.Reason != merge.ReasonMovedOutOfDeleted && v.restorable(from) {
		c.Alternatives = []Alternative{{ID: "stay"}, {ID: restoreChoice(from)}}
		c.Choosable = true
	}
	return c
}

// restorable reports whether a deletion override can keep guid: an item on
// one side that the other side deleted.
func (v *View) restorable(guid string) bool {
	if tree.IsBuiltInRoot(guid) || guid == "" {
		return false
	}
	l, r := v.local.Lookup(guid), v.remote.Lookup(guid)
	switch {
	case l != nil && r == nil:
		return v.remote.IsTombstone(guid) && l.Validity != tree.Replace
	case r != nil && l == nil:
		return v.local.IsTombstone(guid) && r.Validity != tree.Replace
	}
	return false
}

// parentClaim is a folder that claims an item of a tree: by listing it
// among its children, by the item's parentid, or both.
type parentClaim struct {
	guid          string
	byKids, byPID bool
}

// parentConflicts lists items that several folders claim in side s's tree.
// They come from tree building, not from a merge event, and carry their
// texts from the start.
func (v *View) parentConflicts(s tree.Side) []Conflict {
	orig, cur := v.in.Local, v.local
	if s == tree.Remote {
		orig, cur = v.in.Remote, v.remote
	}
	var out []Conflict
	for _, p := range orig.Problems() {
		if p.Kind != tree.ProblemDivergedParents {
			continue
		}
		var claims []*parentClaim
		find := func(g string) *parentClaim {
			for _, c := range claims {
				if c.guid == g {
					return c
				}
			}
			c := &parentClaim{guid: g}
			claims = append(claims, c)
			return c
		}
		for _, ref := range p.Parents {
			switch {
			case ref.By == tree.ByChildren:
				find(ref.GUID).byKids = true
			case ref.Status == tree.StatusFolder:
				find(ref.GUID).byPID = true
			}
		}
		if len(claims) < 2 {
			continue
		}
		n := orig.Lookup(p.GUID)
		if n == nil {
			continue
		}
		c := Conflict{ID: ConflictID{Kind: ConflictParent, GUID: p.GUID, Side: s}.String(), Kind: ConflictParent, GUID: p.GUID,
			Step: -1, Choosable: v.in.Rebuild != nil}
		for _, k := range claims {
			c.Alternatives = append(c.Alternatives, Alternative{ID: k.guid})
			c.Related = append(c.Related, k.guid)
		}
		if pn := orig.ParentOf(n); pn != nil {
			c.Default = pn.GUID
		}
		if cn := cur.Lookup(p.GUID); cn != nil {
			if pn := cur.ParentOf(cn); pn != nil {
				c.Current = pn.GUID
			}
		}
		v.parentTexts(&c, s, orig, claims)
		out = append(out, c)
	}
	return out
}

// knownSet is the conflicts seen so far by the views of one New.
type knownSet struct {
	mu sync.Mutex
	m  map[string]*Conflict
}

func (k *knownSet) get(id string) *Conflict {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[id]
}

// addDefaults remembers the conflicts of cs still at their default
// choice that are not known yet: copies in one array, under one lock (a
// first sync has a conflict per duplicate, 40,000 of them).
func (k *knownSet) addDefaults(cs []Conflict) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var copies []Conflict
	for i := range cs {
		c := &cs[i]
		if c.Current != c.Default || c.Gone {
			continue
		}
		if _, ok := k.m[c.ID]; ok {
			continue
		}
		if copies == nil {
			copies = make([]Conflict, 0, len(cs)-i)
			if len(k.m) == 0 {
				k.m = make(map[string]*Conflict, len(cs)-i)
			}
		}
		copies = append(copies, *c)
		k.m[c.ID] = &copies[len(copies)-1]
	}
}
