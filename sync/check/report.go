package check

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// TelemetryNames are the problem counters Firefox Desktop puts in its
// validation telemetry, in its order (SyncedBookmarksMirror's
// onFetchRemoteTree keeps only these from dogear's counts; missingParents,
// deletedParents, deletedChildren and invalidItems are counted by dogear
// but not reported).
var TelemetryNames = []Kind{Orphan, MisparentedRoot, MultipleParents, NonFolderParent, ParentChildDisagreement, MissingChild}

// Count returns the Firefox-compatible total for k (0 for kinds only we
// count; see Extra).
func (r Report) Count(k Kind) int {
	c := r.Counts
	switch k {
	case Orphan:
		return c.Orphans
	case MisparentedRoot:
		return c.MisparentedRoots
	case MultipleParents:
		return c.MultipleParents
	case MissingParent:
		return c.MissingParents
	case NonFolderParent:
		return c.NonFolderParents
	case DeletedParent:
		return c.DeletedParents
	case ParentChildDisagreement:
		return c.ParentChildDisagreements
	case MissingChild:
		return c.MissingChildren
	case DeletedChild:
		return c.DeletedChildren
	case InvalidItem:
		return c.InvalidItems
	case Cycle:
		return c.Cycles
	}
	return 0
}

// Telemetry is what Firefox Desktop would report as validation problems
// for this tree: the non-zero TelemetryNames counters.
func (r Report) Telemetry() map[Kind]int {
	out := make(map[Kind]int)
	for _, k := range TelemetryNames {
		if n := r.Count(k); n > 0 {
			out[k] = n
		}
	}
	return out
}

// OK reports whether the tree has no finding at all.
func (r Report) OK() bool { return len(r.Findings) == 0 }

// Tree checks a built tree: one Finding per repair the builder made
// (docs/merge.md#building-a-tree), mapped onto Kinds, plus what the builder lets through
// silently (invalid GUIDs, folders listing a child twice). Counts are the
// tree's telemetry totals; Extra totals the kinds Firefox does not count.
// Findings are sorted by GUID, then Kind, then Detail.
func Tree(side tree.Side, t *tree.Tree) Report {
	r := Report{Side: side, Counts: t.ProblemCounts(), Extra: make(map[Kind]int)}
	add := func(guid string, kind Kind, detail string, related ...string) {
		r.Findings = append(r.Findings, Finding{Side: side, GUID: guid, Kind: kind, Detail: detail, Related: related})
	}
	for _, p := range t.Problems() {
		switch p.Kind {
		case tree.ProblemOrphan:
			add(p.GUID, Orphan, "has no parent; shown in "+placedIn(t, p.GUID))
		case tree.ProblemMisparentedRoot:
			add(p.GUID, MisparentedRoot, "built-in root not under the Places root ("+describeParents(t, p.Parents)+"); moved there", parentGUIDs(p.Parents)...)
		case tree.ProblemDivergedParents:
			detail := describeParents(t, p.Parents) + "; shown in " + placedIn(t, p.GUID)
			related := parentGUIDs(p.Parents)
			add(p.GUID, ParentChildDisagreement, detail, related...)
			if !singleParentList(p.Parents) {
				add(p.GUID, MultipleParents, detail, related...)
			}
			seen := map[tree.ParentStatus]bool{}
			for _, ref := range p.Parents {
				if ref.By != tree.ByParentID || seen[ref.Status] {
					continue
				}
				seen[ref.Status] = true
				switch ref.Status {
				case tree.StatusNonFolder:
					add(p.GUID, NonFolderParent, "parentid names "+name(t, ref.GUID)+", which is not a folder", ref.GUID)
				case tree.StatusDeleted:
					add(p.GUID, DeletedParent, "parentid names "+name(t, ref.GUID)+", which is deleted", ref.GUID)
				case tree.StatusMissing:
					add(p.GUID, MissingParent, "parentid names "+ref.GUID+", which does not exist", ref.GUID)
				}
			}
		case tree.ProblemMissingChild:
			add(p.GUID, MissingChild, "lists "+p.Child+", which does not exist", p.Child)
		case tree.ProblemDeletedChild:
			add(p.GUID, DeletedChild, "lists "+p.Child+", which is deleted", p.Child)
		case tree.ProblemInvalidItem:
			add(p.GUID, InvalidItem, invalidDetail(t, p.GUID))
		case tree.ProblemCycle:
			add(p.GUID, Cycle, "its parents lead back to itself; shown in "+placedIn(t, p.GUID))
		}
	}
	t.Walk(func(i int32, n *tree.Node) bool {
		if n.Parent >= 0 && !tree.IsValidGUID(n.GUID) {
			add(n.GUID, InvalidGUID, fmt.Sprintf("GUID %q is not 12 base64url characters", n.GUID))
			r.Extra[InvalidGUID]++
		}
		if kids := t.Children(i); len(kids) > 1 {
			count := make(map[int32]int, len(kids))
			for _, c := range kids {
				count[c]++
			}
			for _, c := range kids {
				if k := count[c]; k > 1 {
					child := t.Node(c)
					add(n.GUID, DuplicateChild, fmt.Sprintf("lists %s %d times", name(t, child.GUID), k), child.GUID)
					r.Extra[DuplicateChild]++
					count[c] = 0 // once per child
				}
			}
		}
		return true
	})
	sort.SliceStable(r.Findings, func(i, j int) bool {
		a, b := &r.Findings[i], &r.Findings[j]
		if a.GUID != b.GUID {
			return a.GUID < b.GUID
		}
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		return a.Detail < b.Detail
	})
	return r
}

// singleParentList is dogear's test for a "single" candidate list: one
// entry, or one by children plus one by parentid (docs/merge.md#problem-counts).
func singleParentList(p []tree.ParentRef) bool {
	return len(p) == 1 || (len(p) == 2 && p[0].By != p[1].By)
}

func parentGUIDs(refs []tree.ParentRef) []string {
	var out []string
	seen := map[string]bool{}
	for _, r := range refs {
		if !seen[r.GUID] {
			seen[r.GUID] = true
			out = append(out, r.GUID)
		}
	}
	return out
}

// describeParents says "listed by Work and News; parentid says Projects".
func describeParents(t *tree.Tree, refs []tree.ParentRef) string {
	var listed, ids []string
	for _, r := range refs {
		if r.By == tree.ByChildren {
			listed = append(listed, name(t, r.GUID))
			continue
		}
		s := name(t, r.GUID)
		switch r.Status {
		case tree.StatusNonFolder:
			s += " (not a folder)"
		case tree.StatusDeleted:
			s += " (deleted)"
		case tree.StatusMissing:
			s = r.GUID + " (missing)"
		}
		ids = append(ids, s)
	}
	var parts []string
	if len(listed) > 0 {
		parts = append(parts, "listed by "+andList(listed))
	} else {
		parts = append(parts, "listed by no folder")
	}
	if len(ids) > 0 {
		parts = append(parts, "parentid says "+andList(ids))
	} else {
		parts = append(parts, "no parentid")
	}
	return strings.Join(parts, "; ")
}

func andList(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// name is a short human name for guid: a root's name, the item's title, or
// the GUID itself.
func name(t *tree.Tree, guid string) string {
	if guid == tree.RootGUID {
		return "the " + tree.RootTitle(guid) // "the Places root" reads as a place, not a title
	}
	if s := tree.RootTitle(guid); s != "" {
		return s
	}
	if n := t.Lookup(guid); n != nil && n.Info != nil && n.Info.Title != "" {
		title := n.Info.Title
		if r := []rune(title); len(r) > 40 {
			title = string(r[:39]) + "…"
		}
		return title
	}
	return guid
}

func placedIn(t *tree.Tree, guid string) string {
	n := t.Lookup(guid)
	if n == nil {
		return "nowhere"
	}
	if p := t.ParentOf(n); p != nil {
		return name(t, p.GUID)
	}
	return "nowhere"
}

func invalidDetail(t *tree.Tree, guid string) string {
	n := t.Lookup(guid)
	if n != nil && (n.Kind == tree.KindBookmark || n.Kind == tree.KindQuery) {
		if n.Info != nil && n.Info.URL != "" {
			return fmt.Sprintf("URL %q does not parse; the item will be replaced or deleted", n.Info.URL)
		}
		return "has no usable URL; the item will be replaced or deleted"
	}
	return "is unusable; the item will be replaced or deleted"
}
