// Package check turns a built tree into the list of problems a user sees:
// every repair the builder made (docs/merge.md#building-a-tree) plus what the builder lets
// through silently (invalid GUIDs, unusable URLs, folders listing a child
// twice). Pure: no I/O.
package check

import "github.com/bmtui/bmtui/sync/tree"

// Kind names a kind of finding. The names that Firefox's validation
// telemetry also reports are spelled as Firefox spells them.
type Kind string

const (
	Orphan                  Kind = "orphans"
	MisparentedRoot         Kind = "misparentedRoots"
	MultipleParents         Kind = "multipleParents"
	MissingParent           Kind = "missingParents"
	NonFolderParent         Kind = "nonFolderParents"
	DeletedParent           Kind = "deletedParents"
	ParentChildDisagreement Kind = "parentChildDisagreements"
	MissingChild            Kind = "missingChildren"
	DeletedChild            Kind = "deletedChildren"
	DuplicateChild          Kind = "duplicateChildren"
	Cycle                   Kind = "cycles"
	InvalidGUID             Kind = "invalidGuids"
	InvalidItem             Kind = "invalidItems" // unusable item, e.g. a bookmark whose URL does not parse
)

// Finding is one problem on one item.
type Finding struct {
	Side    tree.Side
	GUID    string // the item the finding is about (for child problems, the folder)
	Kind    Kind
	Detail  string   // one line for people
	Related []string // other GUIDs involved: candidate parents, the missing child...
}

// Report is every finding of one tree, with Firefox-compatible counts.
type Report struct {
	Side     tree.Side
	Findings []Finding
	Counts   tree.ProblemCounts // dogear's telemetry totals for this tree
	Extra    map[Kind]int       // totals of kinds Firefox does not count (invalid GUIDs, duplicate children)
}
