package mergeview

import (
	"fmt"
	"sort"

	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// initialResolutions turns Input.Overrides and ParentChoices into
// resolutions, in a fixed order.
func initialResolutions(ov merge.Overrides, pc ParentChoices) []Resolution {
	var out []Resolution
	sideID := func(s tree.Side) string {
		switch s {
		case tree.Local:
			return "local"
		case tree.Remote:
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
		side := func() (tree.Side, error) {
			switch r.Choice {
			case "local":
				return tree.Local, nil
			case "remote":
				return tree.Remote, nil
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
				ov.Value = map[string]tree.Side{}
			}
			ov.Value[id.GUID] = s
		case ConflictStructure:
			s, err := side()
			if err != nil {
				return ov, pc, err
			}
			if ov.Structure == nil {
				ov.Structure = map[string]tree.Side{}
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
