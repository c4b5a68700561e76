// Package jsonout is the JSON the scriptable commands print. Its shapes are
// documented in the README; change both together.
package jsonout

import (
	"sort"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Node is one item of a tree.
type Node struct {
	GUID         string   `json:"guid"`
	Kind         string   `json:"kind"`
	Title        string   `json:"title,omitempty"`
	URL          string   `json:"url,omitempty"`
	Tags         []string `json:"tags,omitempty"`
	Keyword      string   `json:"keyword,omitempty"`
	DateAdded    int64    `json:"dateAdded,omitempty"`
	LastModified int64    `json:"lastModified,omitempty"`
	NeedsMerge   bool     `json:"needsMerge,omitempty"`
	Validity     string   `json:"validity,omitempty"`
	Problems     []string `json:"problems,omitempty"`
	Children     []*Node  `json:"children,omitempty"`
}

// Tree is `bmtui tree --json`.
type Tree struct {
	Side       string   `json:"side"`
	Items      int      `json:"items"`
	Root       *Node    `json:"root"`
	Tombstones []string `json:"tombstones"`
}

// NewTree renders a whole tree, marking each node with the kinds of its
// findings.
func NewTree(side tree.Side, t *tree.Tree, r check.Report) *Tree {
	kinds := make(map[string][]string)
	for _, f := range r.Findings {
		kinds[f.GUID] = append(kinds[f.GUID], string(f.Kind))
	}
	seen := make([]bool, t.Len())
	var build func(i int32) *Node
	build = func(i int32) *Node {
		seen[i] = true
		n := t.Node(i)
		out := &Node{GUID: n.GUID, Kind: n.Kind.String(), NeedsMerge: n.NeedsMerge, Problems: kinds[n.GUID]}
		if n.Validity != tree.Valid {
			out.Validity = n.Validity.String()
		}
		if info := n.Info; info != nil {
			out.Title, out.URL, out.Tags, out.Keyword = info.Title, info.URL, info.Tags, info.Keyword
			out.DateAdded, out.LastModified = info.DateAdded, info.LastModified
		}
		for _, c := range t.Children(i) {
			if !seen[c] {
				out.Children = append(out.Children, build(c))
			}
		}
		return out
	}
	return &Tree{Side: side.String(), Items: t.Len(), Root: build(0), Tombstones: t.Tombstones()}
}

// Finding is one problem. A DamagedFile finding has no GUID; it names the
// file, the table or index and the pages instead.
type Finding struct {
	Side       string   `json:"side"`
	GUID       string   `json:"guid"`
	Kind       string   `json:"kind"`
	Detail     string   `json:"detail"`
	Related    []string `json:"related,omitempty"`
	File       string   `json:"file,omitempty"`
	ObjectType string   `json:"objectType,omitempty"` // "table" or "index"
	Object     string   `json:"object,omitempty"`
	Pages      []int64  `json:"pages,omitempty"`
}

// DamagedFile is the kind of a finding of SQLite's structural check: the
// database file itself is damaged.
const DamagedFile = "damagedFile"

// AddDamage puts what the structural check found in side's file first
// among r's findings (Detail is SQLite's own line), counted in Extra.
func (r *SideReport) AddDamage(side string, ds []dbcheck.Damage) {
	if len(ds) == 0 {
		return
	}
	out := make([]Finding, 0, len(ds)+len(r.Findings))
	for _, d := range ds {
		out = append(out, Finding{Side: side, Kind: DamagedFile, Detail: d.Detail, File: d.File, ObjectType: d.Type, Object: d.Object, Pages: d.Pages})
	}
	r.Findings = append(out, r.Findings...)
	r.Extra[DamagedFile] += len(ds)
}

// Damage is the finding as the structural check reported it.
func (f Finding) Damage() dbcheck.Damage {
	return dbcheck.Damage{File: f.File, Type: f.ObjectType, Object: f.Object, Pages: f.Pages, Detail: f.Detail}
}

// FirefoxCounts are the six counters Firefox's own validation telemetry
// reports for a tree, under Firefox's names.
type FirefoxCounts struct {
	Orphans                  int `json:"orphans"`
	MisparentedRoots         int `json:"misparentedRoots"`
	MultipleParents          int `json:"multipleParents"`
	NonFolderParents         int `json:"nonFolderParents"`
	ParentChildDisagreements int `json:"parentChildDisagreements"`
	MissingChildren          int `json:"missingChildren"`
}

// SideReport is one side of `bmtui validate --json`.
type SideReport struct {
	Items      int            `json:"items"`
	Tombstones int            `json:"tombstones"`
	Counts     FirefoxCounts  `json:"counts"`
	Extra      map[string]int `json:"extra"`
	Findings   []Finding      `json:"findings"`
}

// NewSideReport converts a check report. Counters Firefox does not report
// go to Extra.
func NewSideReport(t *tree.Tree, r check.Report) *SideReport {
	c := r.Counts
	out := &SideReport{
		Items:      t.Len(),
		Tombstones: t.TombstoneCount(),
		Counts: FirefoxCounts{
			Orphans:                  c.Orphans,
			MisparentedRoots:         c.MisparentedRoots,
			MultipleParents:          c.MultipleParents,
			NonFolderParents:         c.NonFolderParents,
			ParentChildDisagreements: c.ParentChildDisagreements,
			MissingChildren:          c.MissingChildren,
		},
		Extra: map[string]int{
			"deletedParents":  c.DeletedParents,
			"missingParents":  c.MissingParents,
			"deletedChildren": c.DeletedChildren,
			"invalidItems":    c.InvalidItems,
			"cycles":          c.Cycles,
		},
		Findings: []Finding{},
	}
	for k, v := range r.Extra {
		out.Extra[string(k)] = v
	}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, Finding{Side: f.Side.String(), GUID: f.GUID, Kind: string(f.Kind), Detail: f.Detail, Related: f.Related})
	}
	sort.SliceStable(out.Findings, func(i, j int) bool { return out.Findings[i].GUID < out.Findings[j].GUID })
	return out
}

// Validate is `bmtui validate --json`.
type Validate struct {
	Places string `json:"places"`
	Mirror string `json:"mirror,omitempty"`
	// Dump is the server dump read as the remote side (--remote), and
	// DumpKind its kind (about-sync, ffsclient, server-records).
	Dump     string      `json:"dump,omitempty"`
	DumpKind string      `json:"dumpKind,omitempty"`
	Problems int         `json:"problems"`
	Local    *SideReport `json:"local"`
	Remote   *SideReport `json:"remote"`
	Notes    []string    `json:"notes"`
}
