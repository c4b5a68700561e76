// Package redact replaces what people wrote in a bookmark tree (titles,
// URLs, keywords, tags) with stable placeholders, keeping everything else:
// the shape of the tree, every item's kind, GUID, dates and flags, and the
// problems the builder found. `bmtui serve --redact` shows viewers these
// copies so that a helper can see what is wrong without seeing what the
// bookmarks are.
//
// Placeholders are numbered per item GUID by a Redactor: the same item is
// "Bookmark 17" with URL https://redacted.invalid/17 in the local tree, in
// the remote tree and in every session that shares the Redactor. The
// content the merge compares to find duplicates is redacted by value
// instead (equal titles stay equal), so merging two redacted trees made by
// one Redactor finds the same duplicates as merging the originals. Pure:
// no I/O, no clock.
package redact

import (
	"fmt"
	"strconv"

	"github.com/bmtui/bmtui/sync/tree"
)

// URLBase is the prefix of every redacted URL; .invalid never resolves.
const URLBase = "https://redacted.invalid/"

// Redactor hands out placeholders and remembers them, so an item keeps its
// number across trees and calls. It is not safe for concurrent use; redact
// once and share the copies.
type Redactor struct {
	numbers map[string]int // item GUID -> placeholder number
	tags    map[string]int // tag -> placeholder number
	// Dedupe content is redacted by value, so that equal titles and URLs
	// stay equal and a merge of redacted trees dedupes as the original
	// would; each value is named after the first item that had it.
	contentTitles map[string]string
	contentURLs   map[string]string
}

// New returns a Redactor with no numbers handed out yet.
func New() *Redactor {
	return &Redactor{
		numbers:       make(map[string]int),
		tags:          make(map[string]int),
		contentTitles: make(map[string]string),
		contentURLs:   make(map[string]string),
	}
}

// Tree redacts one tree with a fresh Redactor.
func Tree(t *tree.Tree) (*tree.Tree, error) { return New().Tree(t) }

// Number returns the placeholder number of guid, handing out the next one
// the first time a GUID is seen.
func (r *Redactor) Number(guid string) int {
	n, ok := r.numbers[guid]
	if !ok {
		n = len(r.numbers) + 1
		r.numbers[guid] = n
	}
	return n
}

// Title is the placeholder title of an item: "Bookmark 17", "Folder 3".
// The built-in roots keep their fixed names, which say nothing personal.
func (r *Redactor) Title(guid string, k tree.Kind) string {
	switch k {
	case tree.KindBookmark:
		return "Bookmark " + strconv.Itoa(r.Number(guid))
	case tree.KindFolder:
		return "Folder " + strconv.Itoa(r.Number(guid))
	case tree.KindQuery:
		return "Query " + strconv.Itoa(r.Number(guid))
	case tree.KindLivemark:
		return "Livemark " + strconv.Itoa(r.Number(guid))
	case tree.KindSeparator:
		return "Separator " + strconv.Itoa(r.Number(guid))
	}
	return "Item " + strconv.Itoa(r.Number(guid))
}

// URL is the placeholder URL of an item: https://redacted.invalid/17.
func (r *Redactor) URL(guid string) string { return URLBase + strconv.Itoa(r.Number(guid)) }

func (r *Redactor) tag(t string) string {
	n, ok := r.tags[t]
	if !ok {
		n = len(r.tags) + 1
		r.tags[t] = n
	}
	return "tag" + strconv.Itoa(n)
}

// keepsName reports whether an item's own title may stay: the Places root
// and the built-in roots, whose titles Firefox fixes.
func keepsName(guid string) bool { return guid == tree.RootGUID || tree.IsBuiltInRoot(guid) }

// Info returns a redacted copy of in for the item guid of kind k. Empty
// fields stay empty, so "has no title" and "has no URL" stay visible.
func (r *Redactor) Info(guid string, k tree.Kind, in *tree.Info) *tree.Info {
	if in == nil {
		return nil
	}
	out := *in
	if !keepsName(guid) {
		if out.Title != "" {
			out.Title = r.Title(guid, k)
		}
		if out.URL != "" {
			out.URL = r.URL(guid)
		}
		if out.Keyword != "" {
			out.Keyword = "keyword" + strconv.Itoa(r.Number(guid))
		}
	}
	if len(in.Tags) > 0 {
		out.Tags = make([]string, len(in.Tags))
		for i, t := range in.Tags {
			out.Tags[i] = r.tag(t)
		}
	}
	return &out
}

func (r *Redactor) content(guid string, k tree.Kind, in *tree.Content) *tree.Content {
	if in == nil {
		return nil
	}
	out := *in
	if !keepsName(guid) {
		if out.Title != "" {
			p, ok := r.contentTitles[in.Title]
			if !ok {
				p = r.Title(guid, k)
				r.contentTitles[in.Title] = p
			}
			out.Title = p
		}
		if out.URL != "" {
			p, ok := r.contentURLs[in.URL]
			if !ok {
				p = r.URL(guid)
				r.contentURLs[in.URL] = p
			}
			out.URL = p
		}
	}
	return &out
}

// Tree returns a copy of t whose items carry placeholders instead of
// titles, URLs, keywords and tags. The copy is rebuilt with tree.Builder
// from the same items and replays the parent records that t's nodes and
// problems imply, so it has the same nodes at the same indices, the same
// children in the same order, the same Diverged and Syncable flags, the same
// tombstones and the same problems (check.Tree on the copy gives the same
// findings, with placeholders in their details).
//
// One approximation: an item reported in a cycle is replayed as a folder
// that lists itself, since the tree no longer records which parents formed
// the cycle. The problem and where the item is shown are the same.
func (r *Redactor) Tree(t *tree.Tree) (*tree.Tree, error) {
	if t == nil {
		return nil, nil
	}
	// Number items in the order a person reads the tree, so numbers grow
	// downwards; the remote tree then only adds what the local one lacks.
	t.Walk(func(_ int32, n *tree.Node) bool {
		if !keepsName(n.GUID) {
			r.Number(n.GUID)
		}
		return true
	})
	p := plan(t)
	n := t.Len()
	root := t.Root().Item
	root.Info = r.Info(root.GUID, root.Kind, root.Info)
	root.Content = r.content(root.GUID, root.Kind, root.Content)
	b := tree.NewBuilderSized(root, n)
	if p.fallback != "" {
		b.ReparentOrphansTo(p.fallback)
	}
	for i := int32(1); i < int32(n); i++ {
		it := t.Node(i).Item
		it.Info = r.Info(it.GUID, it.Kind, it.Info)
		it.Content = r.content(it.GUID, it.Kind, it.Content)
		if err := b.Item(it); err != nil {
			return nil, fmt.Errorf("redact: %w", err)
		}
	}
	for _, c := range p.calls {
		if err := c.apply(b); err != nil {
			return nil, fmt.Errorf("redact: replaying %s: %w", c, err)
		}
	}
	for child, folder := range p.prefer {
		b.PreferParent(child, folder)
	}
	for _, g := range p.tombstones {
		b.Tombstone(g)
	}
	out, err := b.Build()
	if err != nil && !tree.IsErrorKind(err, tree.ErrCycle) {
		return nil, fmt.Errorf("redact: %w", err)
	}
	return out, err
}

type callKind uint8

const (
	callStructure callKind = iota + 1
	callChildOf
	callParentID
)

type call struct {
	kind          callKind
	child, parent string
}

func (c call) apply(b *tree.Builder) error {
	switch c.kind {
	case callStructure:
		return b.Structure(c.child, c.parent)
	case callChildOf:
		return b.ChildOf(c.child, c.parent)
	}
	return b.ParentID(c.child, c.parent)
}

func (c call) String() string {
	return fmt.Sprintf("%d(%s, %s)", c.kind, c.child, c.parent)
}

// replay is the builder input that reproduces a tree.
type replay struct {
	calls      []call
	prefer     map[string]string
	tombstones []string
	fallback   string
}

// plan works out, from a built tree, parent records that make the builder
// build it again.
//
// Items without a structural problem were placed consistently: one
// Structure call at their position in their parent. Items with diverged or
// misparented-root problems get exactly the candidate parents the problem
// lists, in its order, with the candidate that placed them emitted at their
// position in the folder (the folder's child order is the order of its
// records). Orphans get no record. Missing and deleted children are listed
// again after each folder's children. Existing tombstoned items and folders
// that lost a child to another folder were marked Diverged by the original
// build; a tombstone for an existing item marks it Diverged and nothing
// else, so every originally diverged item gets one.
func plan(t *tree.Tree) replay {
	n := int32(t.Len())
	type pending struct {
		refs []tree.ParentRef
		done []bool
	}
	structural := make(map[string]*pending) // diverged or misparented: candidates to replay
	orphan := make(map[string]bool)
	cycle := make(map[string]bool)
	type childProblem struct {
		child   string
		deleted bool
	}
	listed := make(map[string][]childProblem) // folder GUID -> missing/deleted children
	var fallbackFrom string                   // an item known to sit in the fallback folder
	for _, pr := range t.Problems() {
		switch pr.Kind {
		case tree.ProblemOrphan:
			orphan[pr.GUID] = true
			if !tree.IsBuiltInRoot(pr.GUID) && fallbackFrom == "" {
				fallbackFrom = pr.GUID
			}
		case tree.ProblemMisparentedRoot, tree.ProblemDivergedParents:
			structural[pr.GUID] = &pending{refs: pr.Parents, done: make([]bool, len(pr.Parents))}
		case tree.ProblemCycle:
			cycle[pr.GUID] = true
		case tree.ProblemMissingChild:
			listed[pr.GUID] = append(listed[pr.GUID], childProblem{child: pr.Child})
		case tree.ProblemDeletedChild:
			listed[pr.GUID] = append(listed[pr.GUID], childProblem{child: pr.Child, deleted: true})
		}
	}
	var rp replay
	rp.prefer = make(map[string]string)
	emit := func(p *pending, child string, upto int) {
		for k := 0; k <= upto; k++ {
			if p.done[k] {
				continue
			}
			p.done[k] = true
			ref := p.refs[k]
			if ref.By == tree.ByChildren {
				rp.calls = append(rp.calls, call{callChildOf, child, ref.GUID})
			} else {
				rp.calls = append(rp.calls, call{callParentID, child, ref.GUID})
			}
		}
	}
	for i := range n {
		f := t.Node(i)
		if !f.IsFolder() {
			continue
		}
		for _, c := range t.Children(i) {
			child := t.Node(c)
			if p, ok := structural[child.GUID]; ok {
				// The next unreplayed listing of child by this folder.
				for k, ref := range p.refs {
					if !p.done[k] && ref.By == tree.ByChildren && ref.GUID == f.GUID {
						emit(p, child.GUID, k)
						break
					}
				}
				continue // otherwise appended after the folder's records
			}
			if orphan[child.GUID] || cycle[child.GUID] || child.Parent != i {
				continue
			}
			rp.calls = append(rp.calls, call{callStructure, child.GUID, f.GUID})
		}
		for _, lc := range listed[f.GUID] {
			rp.calls = append(rp.calls, call{callChildOf, lc.child, f.GUID})
			if lc.deleted {
				rp.tombstones = append(rp.tombstones, lc.child)
			}
		}
	}
	for i := int32(1); i < n; i++ {
		node := t.Node(i)
		g := node.GUID
		if p, ok := structural[g]; ok {
			emit(p, g, len(p.refs)-1)
			natural := naturalParent(t, p.refs)
			// A cycle item now sits where the cycle was broken, not where
			// its records put it: leave its choice to the builder.
			if parent := t.ParentOf(node); parent != nil && natural != parent.GUID && !cycle[g] {
				rp.prefer[g] = parent.GUID
			}
			if natural == "" && !tree.IsBuiltInRoot(g) && fallbackFrom == "" {
				fallbackFrom = g
			}
		}
		if cycle[g] && structural[g] == nil {
			// A folder listing itself makes a one-item cycle at g.
			rp.calls = append(rp.calls, call{callStructure, g, g})
			if fallbackFrom == "" {
				fallbackFrom = g
			}
		}
		if node.Diverged {
			rp.tombstones = append(rp.tombstones, g)
		}
	}
	rp.tombstones = append(rp.tombstones, t.Tombstones()...)
	if fallbackFrom != "" {
		if parent := t.ParentOf(t.Lookup(fallbackFrom)); parent != nil {
			rp.fallback = parent.GUID
		}
	}
	return rp
}

// naturalParent is the parent the builder picks among refs without a
// preference: the newest folder listing the item (the earliest on a tie),
// else the first parentid if it names a folder, else "" for the fallback
// folder.
func naturalParent(t *tree.Tree, refs []tree.ParentRef) string {
	best := ""
	var bestAge int64
	for _, r := range refs {
		if r.By != tree.ByChildren {
			continue
		}
		n := t.Lookup(r.GUID)
		if n == nil {
			continue
		}
		if best == "" || n.Age < bestAge {
			best, bestAge = r.GUID, n.Age
		}
	}
	if best != "" {
		return best
	}
	if len(refs) > 0 {
		if n := t.Lookup(refs[0].GUID); n != nil && n.IsFolder() {
			return refs[0].GUID
		}
	}
	return ""
}
