package testutil

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"testing"

	"github.com/bmtui/bmtui/internal/replay"
	"github.com/bmtui/bmtui/sync/tree"
)

// DogearFixture is one file of ../shared/fixtures/dogear (format in its
// README), or one of the gzipped bench workloads.
type DogearFixture struct {
	Schema string        `json:"schema"`
	Name   string        `json:"name"`
	Type   string        `json:"type"`
	Driver *DogearDriver `json:"driver"`
	Local  *DogearSide   `json:"local"`
	Remote *DogearSide   `json:"remote"`
	Expect DogearExpect  `json:"expect"`
}

// DogearDriver says how invalid GUIDs are handled.
type DogearDriver struct {
	InvalidGUIDs string `json:"invalid_guids"`
	Generator    *struct {
		Prefix       string `json:"prefix"`
		ZeroPadWidth int    `json:"zero_pad_width"`
		First        int    `json:"first"`
	} `json:"generator"`
	Generated []struct {
		Old string `json:"old"`
		New string `json:"new"`
	} `json:"generated"`
}

// DogearSide is one side's builder input and the tree dogear built.
type DogearSide struct {
	Input DogearInput     `json:"input"`
	Tree  *DogearTreeDump `json:"tree"`
}

// DogearItem is an item as the fixtures spell it.
type DogearItem = replay.Item

// DogearContent is dedupe content.
type DogearContent = replay.Content

// DogearInput is the builder call sequence.
type DogearInput struct {
	Root              DogearItem     `json:"root"`
	ReparentOrphansTo *string        `json:"reparent_orphans_to"`
	Items             []DogearItem   `json:"items"`
	Parents           []DogearParent `json:"parents"`
	Tombstones        []string       `json:"tombstones"`
}

// DogearParent is one parent record.
type DogearParent = replay.ParentRecord

// DogearTreeDump is the tree dogear built.
type DogearTreeDump struct {
	Size          int             `json:"size"`
	Nodes         []DogearNode    `json:"nodes"`
	Tombstones    []string        `json:"tombstones"`
	Problems      []DogearProblem `json:"problems"`
	ProblemCounts map[string]int  `json:"problem_counts"`
}

// DogearNode is a built node.
type DogearNode struct {
	DogearItem
	Parent   *string  `json:"parent"`
	Position *int     `json:"position"`
	Level    int      `json:"level"`
	Children []string `json:"children"`
	Diverged bool     `json:"diverged"`
	Syncable bool     `json:"syncable"`
}

// DogearProblem is one recorded problem.
type DogearProblem struct {
	GUID    string `json:"guid"`
	Type    string `json:"type"`
	Parents []struct {
		By     string `json:"by"`
		GUID   string `json:"guid"`
		Status string `json:"status"`
	} `json:"parents"`
	Child string `json:"child"`
}

// DogearExpect holds every kind of expectation; which fields are set
// depends on the fixture type.
type DogearExpect struct {
	Root            *DogearMerged   `json:"root"`
	Deletions       []string        `json:"deletions"`
	LocalDeletions  []string        `json:"local_deletions"`
	RemoteDeletions []string        `json:"remote_deletions"`
	Counts          map[string]int  `json:"counts"`
	CompletionOps   *DogearOps      `json:"completion_ops"`
	Error           *DogearError    `json:"error"`
	Problems        []DogearProblem `json:"problems"`
	ProblemCounts   map[string]int  `json:"problem_counts"`
	Valid           []string        `json:"valid"`
	Invalid         []string        `json:"invalid"`
	InvalidUTF8     [][]byte        `json:"-"`
	RawInvalidUTF8  [][]int         `json:"invalid_utf8_bytes"`
}

// DogearError is an expected failure.
type DogearError struct {
	Kind   string          `json:"kind"`
	GUID   string          `json:"guid"`
	Local  json.RawMessage `json:"local"`
	Remote json.RawMessage `json:"remote"`
}

// DogearMerged is a merged node.
type DogearMerged struct {
	GUID                 string          `json:"guid"`
	MergeState           string          `json:"merge_state"`
	LocalGUID            *string         `json:"local_guid"`
	RemoteGUID           *string         `json:"remote_guid"`
	ShouldApplyItem      bool            `json:"should_apply_item"`
	ShouldApplyStructure bool            `json:"should_apply_structure"`
	ShouldUpload         bool            `json:"should_upload"`
	Children             []*DogearMerged `json:"children"`
}

// DogearOps are the completion ops.
type DogearOps struct {
	ChangeGUIDs []struct {
		LocalGUID  string `json:"local_guid"`
		MergedGUID string `json:"merged_guid"`
		Level      int    `json:"level"`
	} `json:"change_guids"`
	ApplyRemoteItems []struct {
		RemoteGUID string `json:"remote_guid"`
		MergedGUID string `json:"merged_guid"`
		Level      int    `json:"level"`
	} `json:"apply_remote_items"`
	ApplyNewLocalStructure []struct {
		GUID     string `json:"guid"`
		Parent   string `json:"parent"`
		Position int    `json:"position"`
		Level    int    `json:"level"`
	} `json:"apply_new_local_structure"`
	SetLocalUnmerged      []string `json:"set_local_unmerged"`
	SetLocalMerged        []string `json:"set_local_merged"`
	SetRemoteMerged       []string `json:"set_remote_merged"`
	DeleteLocalTombstones []string `json:"delete_local_tombstones"`
	InsertLocalTombstones []string `json:"insert_local_tombstones"`
	DeleteLocalItems      []string `json:"delete_local_items"`
	UploadItems           []string `json:"upload_items"`
	UploadTombstones      []string `json:"upload_tombstones"`
}

// LoadDogear reads a fixture file (plain or gzipped JSON).
func LoadDogear(path string) (*DogearFixture, error) {
	r, err := OpenMaybeGzip(path)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	var f DogearFixture
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("decode %s: %w", filepath.Base(path), err)
	}
	for _, bs := range f.Expect.RawInvalidUTF8 {
		b := make([]byte, len(bs))
		for i, v := range bs {
			b[i] = byte(v)
		}
		f.Expect.InvalidUTF8 = append(f.Expect.InvalidUTF8, b)
	}
	return &f, nil
}

// DogearFiles lists the fixture files directly in fixtures/dogear (extra/
// not included), sorted.
func DogearFiles(dir string) ([]string, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	sort.Strings(files)
	return files, err
}

// Builder replays the input into a tree builder ("root, then every item in
// order, then every parent record in order, then the tombstones"). Builder
// errors on individual records are returned, as dogear's test helpers do
// not ignore them except for duplicate items.
func (in *DogearInput) Builder() (*tree.Builder, error) {
	root, err := in.Root.ToItem()
	if err != nil {
		return nil, err
	}
	b := tree.NewBuilderSized(root, len(in.Items))
	if in.ReparentOrphansTo != nil {
		b.ReparentOrphansTo(*in.ReparentOrphansTo)
	} else {
		b.ReparentOrphansTo("")
	}
	for _, fi := range in.Items {
		it, err := fi.ToItem()
		if err != nil {
			return nil, err
		}
		if err := b.Item(it); err != nil && !tree.IsErrorKind(err, tree.ErrDuplicateItem) {
			return nil, err
		}
	}
	for _, p := range in.Parents {
		var err error
		switch p.By {
		case "children":
			err = b.ChildOf(p.Child, p.Parent)
		case "parent_guid":
			err = b.ParentID(p.Child, p.Parent)
		case "structure":
			err = b.Structure(p.Child, p.Parent)
		default:
			err = fmt.Errorf("unknown parent record kind %q", p.By)
		}
		if err != nil {
			return nil, err
		}
	}
	for _, g := range in.Tombstones {
		b.Tombstone(g)
	}
	return b, nil
}

// Build replays the input and builds the tree.
func (in *DogearInput) Build() (*tree.Tree, error) {
	b, err := in.Builder()
	if err != nil {
		return nil, err
	}
	return b.Build()
}

// ProblemCountsFromFixture maps the fixture's snake_case counter names onto
// tree.ProblemCounts.
func ProblemCountsFromFixture(m map[string]int) tree.ProblemCounts {
	return tree.ProblemCounts{
		Orphans:                  m["orphans"],
		MisparentedRoots:         m["misparented_roots"],
		MultipleParents:          m["multiple_parents_by_children"],
		DeletedParents:           m["deleted_parent_guids"],
		MissingParents:           m["missing_parent_guids"],
		NonFolderParents:         m["non_folder_parent_guids"],
		ParentChildDisagreements: m["parent_child_disagreements"],
		DeletedChildren:          m["deleted_children"],
		MissingChildren:          m["missing_children"],
		InvalidItems:             m["invalid_items"],
	}
}

// ProblemFromFixture converts a fixture problem.
func ProblemFromFixture(p DogearProblem) (tree.Problem, error) {
	kind, err := tree.ParseProblemKind(p.Type)
	if err != nil {
		return tree.Problem{}, err
	}
	out := tree.Problem{GUID: p.GUID, Kind: kind, Child: p.Child}
	for _, r := range p.Parents {
		ref := tree.ParentRef{GUID: r.GUID, By: tree.ByChildren}
		if r.By == "parent_guid" {
			ref.By = tree.ByParentID
			if ref.Status, err = tree.ParseParentStatus(r.Status); err != nil {
				return tree.Problem{}, err
			}
		}
		out.Parents = append(out.Parents, ref)
	}
	return out, nil
}

// DogearSideCase names one side of one fixture.
type DogearSideCase struct {
	Fixture *DogearFixture
	Name    string // "local" or "remote"
	Side    *DogearSide
}

// AllDogearSides loads every fixture in fixtures/dogear and its extra/
// folder and returns each side that has input, local before remote. It
// fails the test if the fixtures are missing (fewer than 70 sides).
func AllDogearSides(tb testing.TB) []DogearSideCase {
	tb.Helper()
	dir := Shared(tb, "fixtures", "dogear")
	files, err := DogearFiles(dir)
	if err != nil {
		tb.Fatal(err)
	}
	extra, _ := filepath.Glob(filepath.Join(dir, "extra", "*.json"))
	var out []DogearSideCase
	for _, path := range append(files, extra...) {
		f, err := LoadDogear(path)
		if err != nil {
			tb.Fatal(err)
		}
		for _, c := range []DogearSideCase{{f, "local", f.Local}, {f, "remote", f.Remote}} {
			if c.Side != nil {
				out = append(out, c)
			}
		}
	}
	if len(out) < 70 {
		tb.Fatalf("only %d fixture sides in %s; fixtures missing?", len(out), dir)
	}
	return out
}
