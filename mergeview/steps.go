package mergeview

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/merge"
)

// Step is one decision of the merge, in the order it was made.
type Step struct {
	Index    int
	Kind     merge.EventKind
	GUIDs    []string // every GUID involved: merged, local, remote, partner, folder
	Text     string   // one line for people
	Conflict string   // the conflict ID when the decision is listed as a conflict
	Event    merge.Event
}

// Steps returns the decisions in merge order (empty unless Input.Explain).
func (v *View) Steps() []Step {
	v.buildSteps()
	return v.steps
}

// Breakpoint returns the index of the first step that involves guid (a
// merged, local or remote GUID), or -1.
func (v *View) Breakpoint(guid string) int {
	v.buildSteps()
	if i, ok := v.firstStep[guid]; ok {
		return i
	}
	return -1
}

func (v *View) buildSteps() {
	v.stepsOnce.Do(func() {
		if !v.in.Explain {
			return
		}
		conflictAt := make(map[int]string, len(v.conflicts))
		for _, c := range v.conflicts {
			if c.Step >= 0 && !c.Gone {
				conflictAt[c.Step] = c.ID
			}
		}
		evs := v.result.Events
		v.steps = make([]Step, len(evs))
		v.firstStep = make(map[string]int, len(evs))
		for i := range evs {
			e := &evs[i]
			st := Step{Index: i, Kind: e.Kind, Event: *e, Conflict: conflictAt[e.Seq]}
			add := func(g string) {
				if g == "" {
					return
				}
				for _, x := range st.GUIDs {
					if x == g {
						return
					}
				}
				st.GUIDs = append(st.GUIDs, g)
				if _, ok := v.firstStep[g]; !ok {
					v.firstStep[g] = i
				}
			}
			add(e.GUID)
			add(e.Other)
			if r := v.row(e.GUID); r != nil {
				add(r.LocalGUID())
				add(r.RemoteGUID())
			}
			st.Text = v.stepText(e)
			v.steps[i] = st
		}
	})
}

var choiceWords = map[merge.Choice]string{
	merge.ChoiceLocal: "local", merge.ChoiceRemote: "remote", merge.ChoiceUnchanged: "unchanged",
	merge.ChoiceKeep: "keep", merge.ChoiceDelete: "delete", merge.ChoiceMatch: "match", merge.ChoiceSeparate: "separate",
}

// stepText is a one-line description of an event.
func (v *View) stepText(e *merge.Event) string {
	name := q(v.Name(e.GUID))
	why := ""
	if e.Overridden {
		why = "your choice (default: " + choiceWords[e.Default] + ")"
	}
	switch e.Kind {
	case merge.EventValue:
		if why == "" {
			why = v.valueReason(e, e.Chosen, e.Reason)
		}
		return fmt.Sprintf("value of %s: %s, %s", name, choiceWords[e.Chosen], why)
	case merge.EventChildOrder:
		return fmt.Sprintf("children of %s: %s order first (%s)", name, choiceWords[e.Chosen], e.Reason)
	case merge.EventStructure:
		if why == "" {
			why = e.Reason.String()
		}
		return fmt.Sprintf("place of %s: %s, into %s (%s)", name, choiceWords[e.Chosen], q(v.Name(e.Other)), why)
	case merge.EventDedupe:
		return fmt.Sprintf("%s matched local %s (%s)", name, q(v.Name(e.Other)), e.Other)
	case merge.EventDedupeRefused:
		return fmt.Sprintf("%s kept apart from local %s (your choice)", name, e.Other)
	case merge.EventRevived, merge.EventDeletionWon:
		if why == "" {
			why = deletionReason(e, v.deletedBy(e.GUID), e.Chosen, e.Reason)
		}
		return fmt.Sprintf("%s: %s, %s", name, choiceWords[e.Chosen], why)
	case merge.EventDeleted:
		return fmt.Sprintf("%s removed (%s)", name, e.Reason)
	case merge.EventRelocated:
		return fmt.Sprintf("%s relocated to %s (%s)", name, q(v.Name(e.Other)), e.Reason)
	case merge.EventGUIDReplaced:
		return fmt.Sprintf("invalid GUID %s replaced by %s", e.GUID, e.Other)
	}
	return e.String()
}
