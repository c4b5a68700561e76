package mergeview

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
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

// initialResolutions turns Input.Overrides and ParentChoices into
// resolutions, in a fixed order.
func initialResolutions(ov merge.Overrides, pc ParentChoices) []Resolution {
	var out []Resolution
	sideID := func(s merge.Side) string {
		switch s {
		case merge.SideLocal:
			return "local"
		case merge.SideRemote:
			return "remote"
		}
		return ""
	}
	for _, g := range sortedKeys(ov.Value) {
		if id := sideID(ov.Value[g]); id != "" {
			out = append(out, Resolution{Conflict: ConflictID{Kind: ConflictValue, GUID: g}.String(), Choice: id})
		}
	}
	for _, g := range sortedKeys(ov.Structure) {
		if id := sideID(ov.Structure[g]); id != "" {
			out = append(out, Resolution{Conflict: ConflictID{Kind: ConflictStructure, GUID: g}.String(), Choice: id})
		}
	}
	for _, g := range sortedKeys(ov.Deletion) {
		id := ConflictID{Kind: ConflictDeletion, GUID: g}.String()
		switch ov.Deletion[g] {
		case merge.ResolveKeep:
			out = append(out, Resolution{Conflict: id, Choice: "keep"})
		case merge.ResolveDelete:
			out = append(out, Resolution{Conflict: id, Choice: "delete"})
		}
	}
	var pairs []merge.DedupePair
	for p, refuse := range ov.RefuseDedupe {
		if refuse {
			pairs = append(pairs, p)
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].Local != pairs[j].Local {
			return pairs[i].Local < pairs[j].Local
		}
		return pairs[i].Remote < pairs[j].Remote
	})
	for _, p := range pairs {
		out = append(out, Resolution{Conflict: ConflictID{Kind: ConflictDedupe, GUID: p.Local, Partner: p.Remote}.String(), Choice: "separate"})
	}
	for _, g := range sortedKeys(pc.Local) {
		out = append(out, Resolution{Conflict: ConflictID{Kind: ConflictParent, GUID: g, Side: tree.Local}.String(), Choice: pc.Local[g]})
	}
	for _, g := range sortedKeys(pc.Remote) {
		out = append(out, Resolution{Conflict: ConflictID{Kind: ConflictParent, GUID: g, Side: tree.Remote}.String(), Choice: pc.Remote[g]})
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// overridesOf turns resolutions into merge overrides and parent
// preferences. A later resolution of the same conflict replaces an earlier
// one; resolutions apply in the order of their last occurrence.
func overridesOf(res []Resolution) (merge.Overrides, ParentChoices, error) {
	var ov merge.Overrides
	var pc ParentChoices
	last := make(map[string]int, len(res))
	for i, r := range res {
		last[r.Conflict] = i
	}
	for i, r := range res {
		if last[r.Conflict] != i {
			continue
		}
		id, err := ParseConflictID(r.Conflict)
		if err != nil {
			return ov, pc, fmt.Errorf("mergeview: resolution %s=%s: %w", r.Conflict, r.Choice, err)
		}
		bad := func() error {
			return fmt.Errorf("mergeview: resolution %s=%s: %w", r.Conflict, r.Choice, ErrUnknownChoice)
		}
		side := func() (merge.Side, error) {
			switch r.Choice {
			case "local":
				return merge.SideLocal, nil
			case "remote":
				return merge.SideRemote, nil
			}
			return 0, bad()
		}
		switch id.Kind {
		case ConflictValue:
			s, err := side()
			if err != nil {
				return ov, pc, err
			}
			if ov.Value == nil {
				ov.Value = map[string]merge.Side{}
			}
			ov.Value[id.GUID] = s
		case ConflictStructure:
			s, err := side()
			if err != nil {
				return ov, pc, err
			}
			if ov.Structure == nil {
				ov.Structure = map[string]merge.Side{}
			}
			ov.Structure[id.GUID] = s
		case ConflictDeletion, ConflictRelocated:
			g, res := id.GUID, merge.ResolveDefault
			folder, restore := restoredFolder(r.Choice)
			switch {
			case id.Kind == ConflictDeletion && r.Choice == "keep":
				res = merge.ResolveKeep
			case id.Kind == ConflictDeletion && r.Choice == "delete":
				res = merge.ResolveDelete
			case id.Kind == ConflictRelocated && r.Choice == "stay":
				continue
			case id.Kind == ConflictRelocated && restore:
				g, res = folder, merge.ResolveKeep
			default:
				return ov, pc, bad()
			}
			if ov.Deletion == nil {
				ov.Deletion = map[string]merge.Resolution{}
			}
			ov.Deletion[g] = res
		case ConflictDedupe:
			p := merge.DedupePair{Local: id.GUID, Remote: id.Partner}
			switch r.Choice {
			case "match":
				delete(ov.RefuseDedupe, p)
			case "separate":
				if ov.RefuseDedupe == nil {
					ov.RefuseDedupe = map[merge.DedupePair]bool{}
				}
				ov.RefuseDedupe[p] = true
			default:
				return ov, pc, bad()
			}
		case ConflictParent:
			if r.Choice == "" {
				return ov, pc, bad()
			}
			m := &pc.Local
			if id.Side == tree.Remote {
				m = &pc.Remote
			}
			if *m == nil {
				*m = map[string]string{}
			}
			(*m)[id.GUID] = r.Choice
		default:
			return ov, pc, fmt.Errorf("mergeview: resolution for %s: %w", r.Conflict, ErrNotChoosable)
		}
	}
	return ov, pc, nil
}

// choiceID maps a merge choice to an alternative ID.
func choiceID(c merge.Choice) string {
	switch c {
	case merge.ChoiceLocal:
		return "local"
	case merge.ChoiceRemote, merge.ChoiceUnchanged:
		return "remote"
	case merge.ChoiceKeep:
		return "keep"
	case merge.ChoiceDelete:
		return "delete"
	case merge.ChoiceMatch:
		return "match"
	case merge.ChoiceSeparate:
		return "separate"
	}
	return ""
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
		c := v.eventConflict(e, false)
		c.ev, c.Step = e, e.Seq
		add(c)
	}
	for _, s := range [...]Side{Local, Remote} {
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
	for i := range v.conflicts {
		c := &v.conflicts[i]
		if c.Current == c.Default && !c.Gone {
			v.known.add(c)
		}
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

// fillTexts gives every conflict its texts.
func (v *View) fillTexts() {
	v.texts = make([]Conflict, len(v.conflicts))
	// A first sync has a conflict per duplicate (81,000 on a 40k first
	// sync, 0.1–0.3 s of text): the cores share them. texted only reads
	// the views.
	parts := min(runtime.GOMAXPROCS(0), len(v.conflicts)/4096+1)
	var wg sync.WaitGroup
	for p := range parts {
		wg.Go(func() {
			for i := p * len(v.conflicts) / parts; i < (p+1)*len(v.conflicts)/parts; i++ {
				v.texts[i] = v.texted(&v.conflicts[i])
			}
		})
	}
	wg.Wait()
}

// texted returns c with its title, labels and reasons.
func (v *View) texted(c *Conflict) Conflict {
	out := *c
	if c.ev != nil {
		// Explained by the view whose merge recorded the event (for a
		// conflict that is gone, the view that last saw it).
		t := c.src.eventConflict(c.ev, true)
		out.Title, out.Alternatives, out.Reason = t.Title, t.Alternatives, t.Reason
	}
	switch {
	case out.Current == out.Default || out.Gone || c.ev == nil:
		out.DefaultReason = out.Reason
	default:
		if k := v.known.get(c.ID); k != nil && k.ev != nil {
			out.DefaultReason = k.src.eventConflict(k.ev, true).Reason
		}
	}
	if out.Current != out.Default {
		a, _ := out.Alt(out.Current)
		out.Reason = "you chose to " + a.Label
		if out.DefaultReason != "" {
			out.Reason += "; by default: " + out.DefaultReason
		}
	}
	if out.Gone {
		out.Reason += " (the decision no longer arises)"
	}
	return out
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

// eventConflict turns a recorded decision into a conflict, with or without
// its texts.
func (v *View) eventConflict(e *merge.Event, text bool) Conflict {
	var c Conflict
	switch e.Kind {
	case merge.EventValue:
		c = v.valueConflict(e, text)
	case merge.EventChildOrder:
		c = v.orderConflict(e, text)
	case merge.EventStructure:
		c = v.structureConflict(e, text)
	case merge.EventRevived, merge.EventDeletionWon:
		c = v.deletionConflict(e, text)
	case merge.EventDedupe, merge.EventDedupeRefused:
		c = v.dedupeConflict(e, text)
	case merge.EventRelocated:
		c = v.relocatedConflict(e, text)
	}
	return c
}

// Alternative sets without labels, shared until texts are filled in.
var (
	altsLocalRemote = []Alternative{{ID: "local"}, {ID: "remote"}}
	altsKeepDelete  = []Alternative{{ID: "keep"}, {ID: "delete"}}
	altsMatch       = []Alternative{{ID: "match"}, {ID: "separate"}}
	altsStay        = []Alternative{{ID: "stay"}}
)

func (v *View) valueConflict(e *merge.Event, text bool) Conflict {
	r := v.row(e.GUID)
	if r == nil || r.local == nil || r.remote == nil {
		return Conflict{}
	}
	L, R := r.local, r.remote
	c := Conflict{ID: ConflictID{Kind: ConflictValue, GUID: R.GUID}.String(), Kind: ConflictValue, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen),
		Choosable: L.Validity != tree.Replace && R.Validity != tree.Replace && !tree.IsBuiltInRoot(R.GUID),
	}
	if L.GUID != R.GUID {
		c.Related = []string{L.GUID}
	}
	if !text {
		return c
	}
	c.Title = v.Name(e.GUID)
	c.Alternatives = []Alternative{
		{ID: "local", Label: "keep local " + differing(L, R)},
		{ID: "remote", Label: "keep remote " + differing(R, L)},
	}
	c.Reason = v.valueReason(e, e.Default, e.Reason)
	return c
}

func (v *View) orderConflict(e *merge.Event, text bool) Conflict {
	c := Conflict{ID: ConflictID{Kind: ConflictChildOrder, GUID: e.GUID}.String(), Kind: ConflictChildOrder, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen)}
	if !text {
		return c
	}
	c.Title = v.Name(e.GUID)
	c.Alternatives = []Alternative{
		{ID: "local", Label: "use the local order, then add the server's new items"},
		{ID: "remote", Label: "use the server's order, then add the new local items"},
	}
	switch e.Reason {
	case merge.ReasonNewer:
		win, wAge, lAge := "remote", e.RemoteAge, e.LocalAge
		if e.Chosen == merge.ChoiceLocal {
			win, wAge, lAge = "local", e.LocalAge, e.RemoteAge
		}
		c.Reason = fmt.Sprintf("the %s folder changed more recently (%s), so its order is the base", win, agesText(wAge, lAge))
	case merge.ReasonPlacesRoot:
		c.Reason = "the Places root always keeps the local order"
	default:
		side := "remote"
		if e.Chosen == merge.ChoiceLocal {
			side = "local"
		}
		c.Reason = "only the " + side + " folder changed, so its order is the base"
	}
	return c
}

func (v *View) structureConflict(e *merge.Event, text bool) Conflict {
	r := v.row(e.GUID)
	if r == nil || r.local == nil || r.remote == nil {
		return Conflict{}
	}
	L, R := r.local, r.remote
	lp, rp := v.local.ParentOf(L), v.remote.ParentOf(R)
	if lp == nil || rp == nil {
		return Conflict{}
	}
	c := Conflict{ID: ConflictID{Kind: ConflictStructure, GUID: R.GUID}.String(), Kind: ConflictStructure, GUID: e.GUID, Alternatives: altsLocalRemote,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen),
		Choosable: e.Reason != merge.ReasonParentDeleted && !tree.IsBuiltInRoot(R.GUID),
		Related:   []string{lp.GUID, rp.GUID},
	}
	if !text {
		return c
	}
	c.Title = v.Name(e.GUID)
	c.Alternatives = []Alternative{
		{ID: "local", Label: "keep it in " + q(v.Name(lp.GUID)) + " (where it is locally)"},
		{ID: "remote", Label: "keep it in " + q(v.Name(rp.GUID)) + " (where it is on the server)"},
	}
	c.Reason = v.structureReason(e.Default, e.Reason, L, R, lp, rp)
	return c
}

func (v *View) valueReason(e *merge.Event, chosen merge.Choice, reason merge.Reason) string {
	win, lose := Local, Remote
	wAge, lAge := e.LocalAge, e.RemoteAge
	if chosen != merge.ChoiceLocal {
		win, lose, wAge, lAge = Remote, Local, e.RemoteAge, e.LocalAge
	}
	switch reason {
	case merge.ReasonNewer:
		return fmt.Sprintf("%s copy is newer: %s", sideWord(win), agesText(wAge, lAge))
	case merge.ReasonOnlyLocalChanged:
		return "only the local copy changed"
	case merge.ReasonOnlyRemoteChanged:
		return "only the remote copy changed"
	case merge.ReasonNeitherChanged:
		return "neither copy changed"
	case merge.ReasonValidity:
		if chosen == merge.ChoiceUnchanged {
			return "both copies are unusable"
		}
		return fmt.Sprintf("the %s copy is unusable, so the %s copy wins", sideWord(lose), sideWord(win))
	case merge.ReasonContentRoot:
		return "built-in folders always keep the local value"
	}
	return reason.String()
}

func (v *View) structureReason(chosen merge.Choice, reason merge.Reason, L, R, lp, rp *tree.Node) string {
	switch reason {
	case merge.ReasonNewer:
		la, ra := min(L.Age, lp.Age), min(R.Age, rp.Age)
		if chosen == merge.ChoiceLocal {
			return "the local move is newer: " + agesText(la, ra)
		}
		return "the server's move is newer: " + agesText(ra, la)
	case merge.ReasonOnlyLocalChanged:
		return "only the local side moved it (its folder " + q(v.Name(lp.GUID)) + " changed here)"
	case merge.ReasonOnlyRemoteChanged:
		return "only the server moved it (its folder " + q(v.Name(rp.GUID)) + " changed there)"
	case merge.ReasonNeitherChanged:
		return "neither folder changed; the server's placement is kept"
	case merge.ReasonParentDeleted:
		if chosen == merge.ChoiceLocal {
			return "its folder on the server " + q(v.Name(rp.GUID)) + " was deleted locally, so it stays in " + q(v.Name(lp.GUID))
		}
		return "its local folder " + q(v.Name(lp.GUID)) + " was deleted on the server, so it goes to " + q(v.Name(rp.GUID))
	case merge.ReasonContentRoot:
		return "built-in folders never move"
	}
	return reason.String()
}

// deletedBy says which side deleted guid: the side where it is a tombstone.
func (v *View) deletedBy(guid string) Side {
	if v.remote.IsTombstone(guid) && v.local.Lookup(guid) != nil {
		return Remote
	}
	return Local
}

func (v *View) deletionConflict(e *merge.Event, text bool) Conflict {
	c := Conflict{ID: ConflictID{Kind: ConflictDeletion, GUID: e.GUID}.String(), Kind: ConflictDeletion, GUID: e.GUID, Alternatives: altsKeepDelete,
		Default: choiceID(e.Default), Current: choiceID(e.Chosen), Choosable: true}
	if !text {
		return c
	}
	by := v.deletedBy(e.GUID)
	where := "here"
	if by == Remote {
		where = "on the server"
	}
	name := v.Name(e.GUID)
	c.Title = name
	c.Alternatives = []Alternative{
		{ID: "keep", Label: "keep " + q(name) + " (undo its deletion " + where + ")"},
		{ID: "delete", Label: "delete " + q(name) + " as it was " + where},
	}
	c.Reason = deletionReason(e, by, e.Default, e.Reason)
	return c
}

func deletionReason(e *merge.Event, by Side, chosen merge.Choice, reason merge.Reason) string {
	changedOn, age := "on the server", e.RemoteAge
	deletedOn := "here"
	if by == Remote {
		changedOn, age, deletedOn = "locally", e.LocalAge, "on the server"
	}
	switch reason {
	case merge.ReasonChangedBeatsDelete:
		return fmt.Sprintf("changed %s %s while it was deleted %s: a changed item beats a deletion", changedOn, ago(age), deletedOn)
	case merge.ReasonFolderDeletion:
		return fmt.Sprintf("the folder changed %s %s but was deleted %s: a folder deletion wins, and what was added to it moves to the closest kept folder", changedOn, ago(age), deletedOn)
	case merge.ReasonUnchanged:
		return fmt.Sprintf("deleted %s and not changed %s since, so the deletion wins", deletedOn, changedOn)
	}
	return reason.String()
}

func (v *View) dedupeConflict(e *merge.Event, text bool) Conflict {
	var L, R *tree.Node
	var parent string
	if e.Kind == merge.EventDedupe {
		r := v.row(e.GUID)
		if r == nil || r.local == nil || r.remote == nil {
			return Conflict{}
		}
		L, R, parent = r.local, r.remote, r.ParentGUID()
	} else {
		L, R = v.local.Lookup(e.Other), v.remote.Lookup(e.GUID)
		if L == nil || R == nil {
			return Conflict{}
		}
		if p := v.remote.ParentOf(R); p != nil {
			parent = p.GUID
		}
	}
	c := Conflict{ID: ConflictID{Kind: ConflictDedupe, GUID: L.GUID, Partner: R.GUID}.String(), Kind: ConflictDedupe, GUID: R.GUID, Alternatives: altsMatch,
		Default: "match", Current: choiceID(e.Chosen), Choosable: true, Related: []string{L.GUID}}
	if !text {
		return c
	}
	lt, _ := valueOf(L)
	rt, _ := valueOf(R)
	c.Title = displayName(rt, "", R.GUID)
	c.Alternatives = []Alternative{
		{ID: "match", Label: "treat them as one item (the local one takes the GUID " + R.GUID + ")"},
		{ID: "separate", Label: "keep both as separate items"},
	}
	same := "same title and URL"
	if R.Content != nil {
		switch R.Content.Kind {
		case tree.ContentFolder:
			same = "same folder title"
		case tree.ContentSeparator:
			same = "separators at the same position"
		}
	}
	c.Reason = fmt.Sprintf("matched local %s (%s) with remote %s (%s): %s in %s",
		q(displayName(lt, "", L.GUID)), L.GUID, q(displayName(rt, "", R.GUID)), R.GUID, same, q(v.Name(parent)))
	return c
}

func (v *View) relocatedConflict(e *merge.Event, text bool) Conflict {
	r := v.row(e.GUID)
	if r == nil {
		return Conflict{}
	}
	// The deleted folder it leaves: on the side whose parent did not survive.
	var from string
	var onlyOther bool
	if r.remote != nil {
		if p := v.remote.ParentOf(r.remote); p != nil && v.RowIndex(p.GUID) < 0 {
			from, onlyOther = p.GUID, r.local == nil
		}
	}
	if from == "" && r.local != nil {
		if p := v.local.ParentOf(r.local); p != nil && v.RowIndex(p.GUID) < 0 {
			from, onlyOther = p.GUID, r.remote == nil
		}
	}
	to := e.Other
	c := Conflict{ID: ConflictID{Kind: ConflictRelocated, GUID: e.GUID}.String(), Kind: ConflictRelocated, GUID: e.GUID, Alternatives: altsStay,
		Default: "stay", Current: "stay", Related: []string{to}}
	if from != "" {
		c.Related = append(c.Related, from)
	}
	restore := from != "" && e.Reason != merge.ReasonMovedOutOfDeleted && v.restorable(from)
	if restore {
		c.Alternatives = []Alternative{{ID: "stay"}, {ID: restoreChoice(from)}}
		c.Choosable = true
	}
	if !text {
		return c
	}
	c.Title = v.Name(e.GUID)
	c.Alternatives = []Alternative{{ID: "stay", Label: "move it to " + q(v.Name(to))}}
	if restore {
		c.Alternatives = append(c.Alternatives, Alternative{ID: restoreChoice(from),
			Label: "restore the folder " + q(v.Name(from)) + " (undo its deletion) and keep it there"})
	}
	switch {
	case e.Reason == merge.ReasonMovedOutOfDeleted:
		c.Reason = "it was moved between folders deleted on opposite sides, so it moves to " + q(v.Name(to))
	case from == "":
		c.Reason = "its folder was deleted, so it moves to " + q(v.Name(to))
	default:
		where := "locally"
		if v.remote.IsTombstone(from) {
			where = "on the server"
		}
		child := "its child"
		if onlyOther {
			child = "its new child"
		}
		c.Reason = fmt.Sprintf("the folder %s was deleted %s, so %s moves to %s", q(v.Name(from)), where, child, q(v.Name(to)))
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

// parentConflicts lists items that several folders claim in side s's tree.
func (v *View) parentConflicts(s Side) []Conflict {
	orig, cur := v.in.Local, v.local
	if s == Remote {
		orig, cur = v.in.Remote, v.remote
	}
	var out []Conflict
	for _, p := range orig.Problems() {
		if p.Kind != tree.ProblemDivergedParents {
			continue
		}
		type cand struct {
			guid          string
			byKids, byPID bool
		}
		var cands []*cand
		find := func(g string) *cand {
			for _, c := range cands {
				if c.guid == g {
					return c
				}
			}
			c := &cand{guid: g}
			cands = append(cands, c)
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
		if len(cands) < 2 {
			continue
		}
		n := orig.Lookup(p.GUID)
		if n == nil {
			continue
		}
		c := Conflict{ID: ConflictID{Kind: ConflictParent, GUID: p.GUID, Side: tree.Side(s)}.String(), Kind: ConflictParent, GUID: p.GUID,
			Title: v.Name(p.GUID), Step: -1, Choosable: v.in.Rebuild != nil}
		var claims []string
		for _, k := range cands {
			how := "its parentid"
			if k.byKids {
				how = "listed by that folder"
				if k.byPID {
					how += " and its parentid"
				}
				if f := orig.Lookup(k.guid); f != nil {
					how += ", changed " + ago(f.Age)
				}
			}
			c.Alternatives = append(c.Alternatives, Alternative{ID: k.guid, Label: "keep it in " + q(v.Name(k.guid)) + " (" + how + ")"})
			c.Related = append(c.Related, k.guid)
			claims = append(claims, v.Name(k.guid))
		}
		if pn := orig.ParentOf(n); pn != nil {
			c.Default = pn.GUID
		}
		if cn := cur.Lookup(p.GUID); cn != nil {
			if pn := cur.ParentOf(cn); pn != nil {
				c.Current = pn.GUID
			}
		}
		where := map[Side]string{Local: "locally", Remote: "on the server"}[s]
		rule := "the first parentid wins"
		for _, k := range cands {
			if k.guid == c.Default && k.byKids {
				rule = "a folder that lists it beats a parentid, and the most recently changed listing folder wins"
			}
		}
		if c.Default != "" {
			c.Reason = fmt.Sprintf("claimed %s by %s; %s keeps it: %s", where, joinNames(claims), q(v.Name(c.Default)), rule)
		}
		out = append(out, c)
	}
	return out
}

// explainDeletions gives every deletion row its reason.
func (v *View) explainDeletions() {
	if len(v.deleted) == 0 {
		return
	}
	why := make(map[string]string, len(v.deleted))
	evs := v.result.Events
	for i := range evs {
		e := &evs[i]
		if _, ok := why[e.GUID]; ok {
			continue
		}
		switch e.Kind {
		case merge.EventDeletionWon:
			why[e.GUID] = deletionReason(e, v.deletedBy(e.GUID), e.Chosen, e.Reason)
		case merge.EventDeleted:
			switch e.Reason {
			case merge.ReasonNotSyncable:
				why[e.GUID] = "not synced (outside the synced folders, a livemark or an orphaned query): removed on both sides"
			case merge.ReasonInvalid:
				why[e.GUID] = "unusable on every side where it exists: removed"
			}
		}
	}
	for i := range v.deleted {
		r := &v.deleted[i]
		if s, ok := why[r.GUID()]; ok {
			r.Reason = s
			continue
		}
		switch {
		case r.local != nil && v.remote.IsTombstone(r.GUID()):
			r.Reason = "deleted on the server"
		case r.remote != nil && v.local.IsTombstone(r.GUID()):
			r.Reason = "deleted locally"
		default:
			r.Reason = "deleted with its folder"
		}
	}
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

func (k *knownSet) add(c *Conflict) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[c.ID]; !ok {
		cp := *c
		k.m[c.ID] = &cp
	}
}
