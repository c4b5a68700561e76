package mergeview

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// The texts people read about conflicts and deletions: titles, the labels
// of alternatives and the reasons, in plain words with ages. They are
// filled in lazily (Conflicts); the model (conflicts.go) never needs them.

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
		t := c.src.explained(c.ev)
		out.Title, out.Alternatives, out.Reason = t.Title, t.Alternatives, t.Reason
	}
	switch {
	case out.Current == out.Default || out.Gone || c.ev == nil:
		out.DefaultReason = out.Reason
	default:
		if k := v.known.get(c.ID); k != nil && k.ev != nil {
			out.DefaultReason = k.src.explained(k.ev).Reason
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

// withTexts gives conflict c, built from event e, its title, the labels of
// its alternatives and its reason.
func (v *View) withTexts(c Conflict, e *merge.Event) Conflict {
	if c.ID == "" {
		return c
	}
	c.Title = v.Name(e.GUID)
	switch c.Kind {
	case ConflictValue:
		v.valueTexts(&c, e)
	case ConflictChildOrder:
		orderTexts(&c, e)
	case ConflictStructure:
		v.structureTexts(&c, e)
	case ConflictDeletion:
		v.deletionTexts(&c, e)
	case ConflictDedupe:
		v.dedupeTexts(&c, e)
	case ConflictRelocated:
		v.relocatedTexts(&c, e)
	}
	return c
}

func (v *View) valueTexts(c *Conflict, e *merge.Event) {
	L, R := v.bothCopies(e.GUID)
	c.Alternatives = []Alternative{
		{ID: "local", Label: "keep local " + differing(L, R)},
		{ID: "remote", Label: "keep remote " + differing(R, L)},
	}
	c.Reason = v.valueReason(e, e.Default, e.Reason)
}

func orderTexts(c *Conflict, e *merge.Event) {
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
}

func (v *View) structureTexts(c *Conflict, e *merge.Event) {
	L, R := v.bothCopies(e.GUID)
	lp, rp := v.parents(L, R)
	c.Alternatives = []Alternative{
		{ID: "local", Label: "keep it in " + q(v.Name(lp.GUID)) + " (where it is locally)"},
		{ID: "remote", Label: "keep it in " + q(v.Name(rp.GUID)) + " (where it is on the server)"},
	}
	c.Reason = v.structureReason(e.Default, e.Reason, L, R, lp, rp)
}

func (v *View) valueReason(e *merge.Event, chosen merge.Choice, reason merge.Reason) string {
	win, lose := tree.Local, tree.Remote
	wAge, lAge := e.LocalAge, e.RemoteAge
	if chosen != merge.ChoiceLocal {
		win, lose, wAge, lAge = tree.Remote, tree.Local, e.RemoteAge, e.LocalAge
	}
	switch reason {
	case merge.ReasonNewer:
		return fmt.Sprintf("%s copy is newer: %s", win, agesText(wAge, lAge))
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
		return fmt.Sprintf("the %s copy is unusable, so the %s copy wins", lose, win)
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

func (v *View) deletionTexts(c *Conflict, e *merge.Event) {
	by := v.deletedBy(e.GUID)
	where := "here"
	if by == tree.Remote {
		where = "on the server"
	}
	name := c.Title
	c.Alternatives = []Alternative{
		{ID: "keep", Label: "keep " + q(name) + " (undo its deletion " + where + ")"},
		{ID: "delete", Label: "delete " + q(name) + " as it was " + where},
	}
	c.Reason = deletionReason(e, by, e.Default, e.Reason)
}

func deletionReason(e *merge.Event, by tree.Side, chosen merge.Choice, reason merge.Reason) string {
	changedOn, age := "on the server", e.RemoteAge
	deletedOn := "here"
	if by == tree.Remote {
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

func (v *View) dedupeTexts(c *Conflict, e *merge.Event) {
	L, R, parent := v.dedupePair(e)
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
}

func (v *View) relocatedTexts(c *Conflict, e *merge.Event) {
	from, onlyOther := v.relocatedFrom(v.row(e.GUID))
	to := e.Other
	labels := []Alternative{{ID: "stay", Label: "move it to " + q(v.Name(to))}}
	if len(c.Alternatives) > 1 {
		labels = append(labels, Alternative{ID: restoreChoice(from),
			Label: "restore the folder " + q(v.Name(from)) + " (undo its deletion) and keep it there"})
	}
	c.Alternatives = labels
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
}

// parentTexts labels a parent conflict's claims and says which one the
// tree builder kept and why.
func (v *View) parentTexts(c *Conflict, s tree.Side, orig *tree.Tree, claims []*parentClaim) {
	c.Title = v.Name(c.GUID)
	names := make([]string, len(claims))
	for i, k := range claims {
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
		c.Alternatives[i].Label = "keep it in " + q(v.Name(k.guid)) + " (" + how + ")"
		names[i] = v.Name(k.guid)
	}
	where := map[tree.Side]string{tree.Local: "locally", tree.Remote: "on the server"}[s]
	rule := "the first parentid wins"
	for _, k := range claims {
		if k.guid == c.Default && k.byKids {
			rule = "a folder that lists it beats a parentid, and the most recently changed listing folder wins"
		}
	}
	if c.Default != "" {
		c.Reason = fmt.Sprintf("claimed %s by %s; %s keeps it: %s", where, joinNames(names), q(v.Name(c.Default)), rule)
	}
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
