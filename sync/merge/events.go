package merge

import "fmt"

// EventKind says what a decision was about.
type EventKind uint8

// Event kinds.
const (
	EventValue         EventKind = iota + 1 // whose value (title, URL, ...) an item takes
	EventChildOrder                         // which side's child order is the base of a folder
	EventStructure                          // which side's parent and position an item takes
	EventDedupe                             // a new local item matched a new remote item by content
	EventRevived                            // changed on one side, deleted on the other: kept
	EventDeletionWon                        // deleted on one side: the deletion wins
	EventDeleted                            // removed because it is not syncable or invalid on both sides
	EventRelocated                          // moved into the closest surviving ancestor
	EventGUIDReplaced                       // an invalid GUID was replaced (Other is the new GUID)
	EventDedupeRefused                      // a content match the user refused (override)
)

var eventKindNames = [...]string{"", "value", "child-order", "structure", "dedupe", "revived", "deletion-won", "deleted", "relocated", "guid-replaced", "dedupe-refused"}

func (k EventKind) String() string {
	if int(k) < len(eventKindNames) && k != 0 {
		return eventKindNames[k]
	}
	return fmt.Sprintf("EventKind(%d)", uint8(k))
}

// Choice is an option a decision picks among.
type Choice uint8

// Choices.
const (
	ChoiceNone      Choice = iota
	ChoiceLocal            // the local side's value or placement
	ChoiceRemote           // the remote side's value or placement
	ChoiceUnchanged        // both sides agree; nothing to pick
	ChoiceKeep             // keep an item deleted on the other side
	ChoiceDelete           // delete it
	ChoiceMatch            // treat two items as the same
	ChoiceSeparate         // keep two similar items apart
)

var choiceNames = [...]string{"none", "local", "remote", "unchanged", "keep", "delete", "match", "separate"}

func (c Choice) String() string {
	if int(c) < len(choiceNames) {
		return choiceNames[c]
	}
	return fmt.Sprintf("Choice(%d)", uint8(c))
}

// Choices is a set of choices.
type Choices uint16

// Has reports whether c is in the set.
func (s Choices) Has(c Choice) bool { return s&(1<<c) != 0 }

// List returns the choices in order.
func (s Choices) List() []Choice {
	var out []Choice
	for c := Choice(0); c < 16; c++ {
		if s.Has(c) {
			out = append(out, c)
		}
	}
	return out
}

func choices(cs ...Choice) Choices {
	var s Choices
	for _, c := range cs {
		s |= 1 << c
	}
	return s
}

var (
	altLocalRemote = choices(ChoiceLocal, ChoiceRemote)
	altKeepDelete  = choices(ChoiceKeep, ChoiceDelete)
	altMatch       = choices(ChoiceMatch, ChoiceSeparate)
)

// Reason says why a choice was made.
type Reason uint8

// Reasons.
const (
	ReasonNone               Reason = iota
	ReasonNewer                     // both sides changed; the newer one wins
	ReasonOnlyLocalChanged          // only the local side changed
	ReasonOnlyRemoteChanged         // only the remote side changed
	ReasonNeitherChanged            // neither side changed (re-upload or repair only)
	ReasonValidity                  // one side's copy is unusable
	ReasonContentRoot               // built-in roots keep the local value and placement
	ReasonPlacesRoot                // the Places root always walks local children first
	ReasonOverride                  // the user chose
	ReasonSameContent               // same title and URL (or folder title, or separator position) in the same folder
	ReasonChangedBeatsDelete        // a changed non-folder beats a deletion
	ReasonFolderDeletion            // a folder deletion beats changes
	ReasonUnchanged                 // the item did not change, so the deletion wins
	ReasonNotSyncable               // outside the synced roots, a livemark or an orphaned query
	ReasonInvalid                   // unusable on every side where it exists
	ReasonParentDeleted             // its folder was deleted on the other side
	ReasonMovedOutOfDeleted         // moved between folders deleted on opposite sides (dogear fails here)
	ReasonInvalidGUID               // not a valid Places GUID
)

var reasonNames = [...]string{"", "newer", "only-local-changed", "only-remote-changed", "neither-changed", "validity",
	"content-root", "places-root", "override", "same-content", "changed-beats-delete", "folder-deletion", "unchanged",
	"not-syncable", "invalid", "parent-deleted", "moved-out-of-deleted", "invalid-guid"}

func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("Reason(%d)", uint8(r))
}

// Event is one recorded decision (Options.Explain).
type Event struct {
	Seq    int    // position in Result.Events
	GUID   string // the item decided about (the merged GUID where there is one)
	Kind   EventKind
	Chosen Choice
	// Default is what the merge would have chosen without an override; it
	// equals Chosen unless Overridden.
	Default       Choice
	Reason        Reason
	LocalAge      int64 // ages of the item on each side (0 when absent)
	RemoteAge     int64
	LocalChanged  bool // needs_merge on each side
	RemoteChanged bool
	Alternatives  Choices // what could have been chosen
	// Other is a second GUID: the dedupe partner (the local GUID), the
	// folder an item went to, or the replacement GUID.
	Other      string
	Overridden bool // a user override made the choice
	IsConflict bool // the merge chose between real alternatives
}

// Conflict reports whether the merge chose between real alternatives, so a
// UI can list it and offer the other choice.
func (e *Event) Conflict() bool { return e.IsConflict }

func (e Event) String() string {
	s := fmt.Sprintf("#%d %s %s: %s (%s)", e.Seq, e.Kind, e.GUID, e.Chosen, e.Reason)
	if e.Other != "" {
		s += " other=" + e.Other
	}
	if e.Overridden {
		s += " overridden, default " + e.Default.String()
	}
	if e.IsConflict {
		s += " [conflict]"
	}
	return s
}
