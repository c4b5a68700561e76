package mergeview

import (
	"fmt"

	"github.com/bmtui/bmtui/sync/tree"
)

// MarkKind is one kind of change a merge makes to an item on one side.
type MarkKind uint8

// Mark kinds. Each has a glyph (for monochrome terminals) and a name.
const (
	MarkAdded          MarkKind = iota + 1 // the item is new on this side (it came from the other side)
	MarkDeleted                            // the item disappears from this side
	MarkMoved                              // to another folder (Old -> New parent GUID)
	MarkReordered                          // same folder, another place among its siblings (Old: old position)
	MarkRenamed                            // title Old -> New
	MarkURLChanged                         // URL Old -> New
	MarkTagsChanged                        // tags Old -> New (comma-separated, sorted)
	MarkKeywordChanged                     // keyword Old -> New
	MarkDeduped                            // matched with a new item of the other side (Partner); on the local side the GUID changes Old -> New
	MarkRelocated                          // moved out of a deleted folder (Old) into its closest surviving ancestor (New)
	MarkRevived                            // deleted on this side, but kept because the other side changed it
	MarkReplaced                           // invalid GUID replaced (Old -> New), or an unusable copy replaced by the other side's
)

var markNames = [...]string{"", "added", "deleted", "moved", "reordered", "renamed", "url-changed", "tags-changed",
	"keyword-changed", "deduped", "relocated", "revived", "replaced"}

var markGlyphs = [...]string{"", "+", "-", "→", "↕", "✎", "🔗", "#", "k", "≡", "↳", "↺", "⟲"}

func (k MarkKind) String() string {
	if int(k) < len(markNames) && k != 0 {
		return markNames[k]
	}
	return fmt.Sprintf("MarkKind(%d)", uint8(k))
}

// Glyph is a one-cell symbol for the mark kind.
func (k MarkKind) Glyph() string {
	if int(k) < len(markGlyphs) {
		return markGlyphs[k]
	}
	return "?"
}

// Mark is one change to one side's copy of an item.
type Mark struct {
	Kind MarkKind
	Side tree.Side // the tree that changes
	// Old and New are the values before and after: titles, URLs, tags,
	// keywords, parent GUIDs (moves, relocations) or GUIDs (replacements).
	Old, New string
	// Partner is the dedupe partner's GUID, or the deleted folder a
	// relocated item leaves.
	Partner string
}

// where names the side a change comes from, seen from the side that
// changes: a change applied locally comes from the server.
func (m Mark) origin() string {
	if m.Side == tree.Local {
		return "on the server"
	}
	return "locally"
}

// Describe says in plain words what the mark means, naming folders by their
// titles.
func (v *View) Describe(m Mark) string {
	q := func(s string) string { return "“" + s + "”" }
	switch m.Kind {
	case MarkAdded:
		if m.Side == tree.Local {
			return "added on the server: will be added here"
		}
		return "added locally: will be uploaded"
	case MarkDeleted:
		if m.Side == tree.Local {
			return "deleted on the server: will be removed here"
		}
		return "deleted locally: will be deleted on the server"
	case MarkMoved:
		return fmt.Sprintf("moved %s from %s to %s", m.origin(), q(v.Name(m.Old)), q(v.Name(m.New)))
	case MarkReordered:
		return "reordered " + m.origin() + " within its folder"
	case MarkRenamed:
		return fmt.Sprintf("renamed %s: %s → %s", m.origin(), q(m.Old), q(m.New))
	case MarkURLChanged:
		return fmt.Sprintf("URL changed %s: %s → %s", m.origin(), m.Old, m.New)
	case MarkTagsChanged:
		return fmt.Sprintf("tags changed %s: [%s] → [%s]", m.origin(), m.Old, m.New)
	case MarkKeywordChanged:
		return fmt.Sprintf("keyword changed %s: %s → %s", m.origin(), q(m.Old), q(m.New))
	case MarkDeduped:
		if m.Side == tree.Local {
			return fmt.Sprintf("same as the server's %s: takes its GUID %s", q(v.Name(m.Partner)), m.New)
		}
		return fmt.Sprintf("same as the local %s (%s)", q(v.Name(m.Partner)), m.Partner)
	case MarkRelocated:
		if m.Old == "" {
			return fmt.Sprintf("placed in %s because its folder was deleted", q(v.Name(m.New)))
		}
		return fmt.Sprintf("its folder %s was deleted: moves to %s", q(v.Name(m.Old)), q(v.Name(m.New)))
	case MarkRevived:
		if m.Side == tree.Local {
			return "deleted here, but changed on the server: restored"
		}
		return "deleted on the server, but changed here: uploaded again"
	case MarkReplaced:
		if m.Old == "invalid copy" {
			return "unusable copy replaced by the other side's"
		}
		return fmt.Sprintf("invalid GUID %s replaced by %s", m.Old, m.New)
	}
	return m.Kind.String()
}
