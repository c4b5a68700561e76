package tree

import "fmt"

// ProblemKind names a repair the builder had to make.
type ProblemKind uint8

const (
	ProblemOrphan          ProblemKind = iota + 1 // no parent at all; moved to the fallback folder
	ProblemMisparentedRoot                        // a built-in root not directly under the Places root
	ProblemDivergedParents                        // several or disagreeing parents
	ProblemMissingChild                           // a folder lists a GUID that does not exist
	ProblemDeletedChild                           // a folder lists a GUID that has a tombstone
	ProblemInvalidItem                            // validity "replace"
	ProblemCycle                                  // following parents never reaches the root
)

var problemNames = [...]string{"", "orphan", "misparented_root", "diverged_parents", "missing_child", "deleted_child", "invalid_item", "cycle"}

func (k ProblemKind) String() string {
	if int(k) < len(problemNames) && k != 0 {
		return problemNames[k]
	}
	return fmt.Sprintf("problem(%d)", uint8(k))
}

// ParseProblemKind is the inverse of ProblemKind.String.
func ParseProblemKind(s string) (ProblemKind, error) {
	for i := 1; i < len(problemNames); i++ {
		if problemNames[i] == s {
			return ProblemKind(i), nil
		}
	}
	return 0, fmt.Errorf("unknown problem type %q", s)
}

// ParentBy says how a candidate parent was named.
type ParentBy uint8

const (
	ByChildren ParentBy = iota + 1 // the folder's children list names the item
	ByParentID                     // the item's own parentid names the folder
)

func (b ParentBy) String() string {
	if b == ByChildren {
		return "children"
	}
	return "parent_guid"
}

// ParentStatus describes what a parentid names.
type ParentStatus uint8

const (
	StatusFolder ParentStatus = iota + 1
	StatusNonFolder
	StatusDeleted
	StatusMissing
)

var statusNames = [...]string{"", "folder", "non_folder", "deleted", "missing"}

func (s ParentStatus) String() string {
	if int(s) < len(statusNames) && s != 0 {
		return statusNames[s]
	}
	return ""
}

// ParseParentStatus is the inverse of ParentStatus.String.
func ParseParentStatus(s string) (ParentStatus, error) {
	for i := 1; i < len(statusNames); i++ {
		if statusNames[i] == s {
			return ParentStatus(i), nil
		}
	}
	return 0, fmt.Errorf("unknown parent status %q", s)
}

// ParentRef is one candidate parent as listed in a problem.
type ParentRef struct {
	By     ParentBy
	GUID   string
	Status ParentStatus // only for ByParentID
}

// Problem is one repair made while building, attached to an item.
type Problem struct {
	GUID    string
	Kind    ProblemKind
	Parents []ParentRef // MisparentedRoot, DivergedParents
	Child   string      // MissingChild, DeletedChild
}

// ProblemCounts are the telemetry totals Firefox reports for a tree
// (dogear's Problem::counts).
type ProblemCounts struct {
	Orphans                  int `json:"orphans"`
	MisparentedRoots         int `json:"misparentedRoots"`
	MultipleParents          int `json:"multipleParents"`
	DeletedParents           int `json:"deletedParents"`
	MissingParents           int `json:"missingParents"`
	NonFolderParents         int `json:"nonFolderParents"`
	ParentChildDisagreements int `json:"parentChildDisagreements"`
	DeletedChildren          int `json:"deletedChildren"`
	MissingChildren          int `json:"missingChildren"`
	InvalidItems             int `json:"invalidItems"`
	Cycles                   int `json:"cycles,omitempty"`
}

// Total is the number of problems counted.
func (c ProblemCounts) Total() int {
	return c.Orphans + c.MisparentedRoots + c.MultipleParents + c.DeletedParents + c.MissingParents +
		c.NonFolderParents + c.ParentChildDisagreements + c.DeletedChildren + c.MissingChildren +
		c.InvalidItems + c.Cycles
}

// CountProblems sums problems the way Firefox's telemetry does (docs/merge.md#problem-counts).
func CountProblems(problems []Problem) ProblemCounts {
	var c ProblemCounts
	for i := range problems {
		p := &problems[i]
		switch p.Kind {
		case ProblemOrphan:
			c.Orphans++
		case ProblemDeletedChild:
			c.DeletedChildren++
		case ProblemMissingChild:
			c.MissingChildren++
		case ProblemInvalidItem:
			c.InvalidItems++
		case ProblemCycle:
			c.Cycles++
		case ProblemMisparentedRoot:
			c.MisparentedRoots++
			c.addParentList(p.Parents)
		case ProblemDivergedParents:
			c.addParentList(p.Parents)
		}
	}
	return c
}

func (c *ProblemCounts) addParentList(parents []ParentRef) {
	single := len(parents) == 1 ||
		(len(parents) == 2 && parents[0].By != parents[1].By)
	if !single {
		c.MultipleParents++
	}
	c.ParentChildDisagreements++
	var nonFolder, deleted, missing bool
	for _, p := range parents {
		if p.By != ByParentID {
			continue
		}
		switch p.Status {
		case StatusNonFolder:
			nonFolder = true
		case StatusDeleted:
			deleted = true
		case StatusMissing:
			missing = true
		}
	}
	if nonFolder {
		c.NonFolderParents++
	}
	if deleted {
		c.DeletedParents++
	}
	if missing {
		c.MissingParents++
	}
}
