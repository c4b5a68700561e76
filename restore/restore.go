// Package restore plans bringing items back into Places from another copy
// of the bookmarks (a Firefox backup, the Sync mirror, bmtui's own
// copies): one item or a whole folder at a time, as an edit.Set that
// apply.WriteEdit writes. It is pure: the trees are inputs.
//
// The rules:
//
//   - only the GUIDs asked for come back, each with everything in it
//     (a folder's subtree as the source has it); nothing else changes;
//   - an item keeps its GUID, so that Sync sees the same item come back
//     and its tombstone goes, unless Places uses that GUID for another
//     item (another kind, or a bookmark with another URL): then it gets a
//     new GUID derived from the old one (merge.StableGUID), and its
//     children follow it;
//   - an item already live in Places is not duplicated (Plan.Notes says
//     so); for a live folder, what is missing of its contents comes back
//     into it;
//   - an item goes back to its old folder when Places has it, else into
//     the nearest folder above it (by the source's path) that Places has,
//     else into Options.To, else the plan is refused with an error that
//     asks for it; in its old folder it goes after the sibling that
//     preceded it in the source, when that one is there.
package restore

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// Options say what to restore.
type Options struct {
	// GUIDs are the items asked for, in the source.
	GUIDs []string
	// To is the folder (a GUID live in Places) for items none of whose
	// old folders Places still has; "" for none.
	To string
	// From names the source for people: "backup:2026-11-23".
	From string
}

// Plan is what a restore will do.
type Plan struct {
	Set edit.Set
	// Notes are for people: items not restored and why, new GUIDs.
	Notes []string
	// Restored are the GUIDs asked for that bring something back.
	Restored []string
}

// ErrNeedTo is returned when an item's old folders are all gone from
// Places and no --to folder was given.
var ErrNeedTo = errors.New("name a folder to restore into with --to FOLDER_GUID")

// Make plans restoring opts.GUIDs from src into local (the Places tree).
// Errors name the GUID and the source: a GUID the source does not have,
// a To that is not a folder in Places, an item with nowhere to go.
func Make(src *source.Result, local *tree.Tree, opts Options) (*Plan, error) {
	if src == nil || src.Tree == nil || local == nil {
		return nil, errors.New("restore: nothing to restore from")
	}
	from := opts.From
	if from == "" {
		from = src.Provenance.Label
	}
	if opts.To != "" {
		if err := checkFolder(local, opts.To); err != nil {
			return nil, fmt.Errorf("--to %s: %w", opts.To, err)
		}
	}
	if len(opts.GUIDs) == 0 {
		return nil, errors.New("restore: no GUID asked for")
	}
	p := &planner{src: src.Tree, local: local, to: opts.To, why: "restored from " + from,
		guidOf: map[string]string{}, kids: map[string][]string{}}
	p.plan.Set.Label = "restore from " + from
	asked := map[string]bool{}
	for _, g := range opts.GUIDs {
		if asked[g] {
			continue
		}
		asked[g] = true
		n := src.Tree.Lookup(g)
		switch {
		case n == nil && src.Tree.IsTombstone(g):
			return nil, fmt.Errorf("%s is deleted in %s: nothing to restore from there", g, from)
		case n == nil:
			return nil, fmt.Errorf("%s is not in %s", g, from)
		case g == tree.RootGUID || g == tree.TagsGUID || p.inSourceTags(n):
			return nil, fmt.Errorf("%s: tags and the Places root are not restored on their own (tags come back with their bookmarks)", g)
		}
	}
	for _, g := range opts.GUIDs {
		if !asked[g] {
			continue
		}
		delete(asked, g)
		if p.coveredBy(g, opts.GUIDs) {
			continue // inside another item asked for, which brings it
		}
		before := len(p.plan.Set.Changes)
		if err := p.restore(src.Tree.Lookup(g)); err != nil {
			return nil, err
		}
		if len(p.plan.Set.Changes) > before {
			p.plan.Restored = append(p.plan.Restored, g)
		}
	}
	return &p.plan, nil
}

// checkFolder says why guid cannot receive restored items, if it cannot.
func checkFolder(local *tree.Tree, guid string) error {
	n := local.Lookup(guid)
	switch {
	case n == nil:
		return errors.New("not in Places")
	case !n.IsFolder():
		return fmt.Errorf("%s is a %s, not a folder", guid, n.Kind)
	case guid == tree.RootGUID:
		return errors.New("the Places root holds only the built-in folders")
	case guid == tree.TagsGUID || inTags(local, n):
		return errors.New("a tag folder")
	}
	return nil
}

func inTags(t *tree.Tree, n *tree.Node) bool {
	for p := t.ParentOf(n); p != nil; p = t.ParentOf(p) {
		if p.GUID == tree.TagsGUID {
			return true
		}
	}
	return false
}

type planner struct {
	src, local *tree.Tree
	to, why    string
	plan       Plan
	// guidOf maps a source GUID to the GUID it has in Places after the
	// plan: itself, or a new one.
	guidOf map[string]string
	// kids are the children of folders the plan inserts into, as they
	// will be (copied from Places when first needed).
	kids map[string][]string
}

func (p *planner) inSourceTags(n *tree.Node) bool { return inTags(p.src, n) }

// coveredBy reports whether an ancestor of g in the source is asked for.
func (p *planner) coveredBy(g string, asked []string) bool {
	for a := p.src.ParentOf(p.src.Lookup(g)); a != nil; a = p.src.ParentOf(a) {
		if slices.Contains(asked, a.GUID) {
			return true
		}
	}
	return false
}

// live reports whether Places has the source item n as the same item
// (same GUID and kind, and for a bookmark the same URL).
func (p *planner) live(n *tree.Node) (*tree.Node, bool) {
	l := p.local.Lookup(n.GUID)
	if l == nil || inTags(p.local, l) {
		return l, false
	}
	if !tree.CompatibleKinds(l.Kind, n.Kind) && !(l.IsFolder() && n.Kind == tree.KindLivemark) {
		return l, false
	}
	if urlOf(n) != "" && urlOf(l) != urlOf(n) {
		return l, false
	}
	return l, true
}

func urlOf(n *tree.Node) string {
	if n.Info == nil {
		return ""
	}
	return n.Info.URL
}

// restore plans one item asked for and its subtree.
func (p *planner) restore(n *tree.Node) error {
	if l, ok := p.live(n); ok {
		if !n.IsFolder() {
			p.note("%s is already in Places at %s: not restored", p.named(n, l), pathOf(p.local, p.local.ParentOf(l)))
			return nil
		}
		p.guidOf[n.GUID] = n.GUID
		missing := p.countMissing(n)
		if missing == 0 {
			p.note("folder %q is already in Places at %s with everything %s has in it: nothing to restore", title(n), pathOf(p.local, p.local.ParentOf(l)), "the source")
			return nil
		}
		return p.children(n)
	}
	parent, index, how, err := p.place(n)
	if err != nil {
		return err
	}
	if how != "" {
		p.note("%s %q goes to %s: %s", n.Kind, title(n), p.folderPath(parent), how)
	}
	return p.insert(n, parent, index)
}

// countMissing counts the items under folder n (in the source) that
// Places does not have.
func (p *planner) countMissing(n *tree.Node) int {
	k := 0
	for _, c := range p.src.ChildrenOf(n) {
		cn := p.src.Node(c)
		if p.src.ParentOf(cn) != n {
			continue
		}
		if _, ok := p.live(cn); !ok {
			k++
		} else if cn.IsFolder() {
			k += p.countMissing(cn)
		}
	}
	return k
}

// place finds where an item asked for goes: its old folder, else the
// nearest surviving one above it, else To. how explains anything but the
// old folder.
func (p *planner) place(n *tree.Node) (parent string, index int, how string, err error) {
	old := p.src.ParentOf(n)
	if old != nil && p.usable(old.GUID) {
		return old.GUID, p.indexAfterSibling(n, old.GUID), "", nil
	}
	for a := old; a != nil; a = p.src.ParentOf(a) {
		if a.GUID != tree.RootGUID && p.usable(a.GUID) {
			return a.GUID, -1, fmt.Sprintf("its folder %s is gone; the nearest folder above it that remains", pathOf(p.src, old)), nil
		}
	}
	if p.to != "" {
		return p.to, -1, "its folders are all gone; --to", nil
	}
	return "", 0, "", fmt.Errorf("%s %q: its folder %s is not in Places: %w", n.GUID, title(n), pathOf(p.src, old), ErrNeedTo)
}

// usable reports whether guid is a folder Places has (not the root or a
// tag folder).
func (p *planner) usable(guid string) bool {
	return checkFolder(p.local, guid) == nil
}

// indexAfterSibling is where n goes in folder: after the nearest sibling
// before it in the source that folder holds, else before the nearest one
// after it, else at the end.
func (p *planner) indexAfterSibling(n *tree.Node, folder string) int {
	kids := p.children0(folder)
	srcParent := p.src.ParentOf(n)
	sibs := p.src.ChildrenOf(srcParent)
	at := slices.IndexFunc(sibs, func(c int32) bool { return p.src.Node(c) == n })
	for i := at - 1; i >= 0; i-- {
		if k := slices.Index(kids, p.mapped(p.src.Node(sibs[i]).GUID)); k >= 0 {
			return k + 1
		}
	}
	for i := at + 1; i < len(sibs); i++ {
		if k := slices.Index(kids, p.mapped(p.src.Node(sibs[i]).GUID)); k >= 0 {
			return k
		}
	}
	return -1
}

func (p *planner) mapped(g string) string {
	if m, ok := p.guidOf[g]; ok {
		return m
	}
	return g
}

// children0 is the folder's children as they will be.
func (p *planner) children0(folder string) []string {
	if k, ok := p.kids[folder]; ok {
		return k
	}
	var out []string
	if n := p.local.Lookup(folder); n != nil {
		for _, c := range p.local.ChildrenOf(n) {
			if cn := p.local.Node(c); p.local.ParentOf(cn) == n && !slices.Contains(out, cn.GUID) {
				out = append(out, cn.GUID)
			}
		}
	}
	p.kids[folder] = out
	return out
}

// insert adds n (and its subtree) under parent at index.
func (p *planner) insert(n *tree.Node, parent string, index int) error {
	if n.Kind == tree.KindLivemark {
		p.note("livemark %q is not restored: Firefox no longer has livemarks", title(n))
		return nil
	}
	if (n.Kind == tree.KindBookmark || n.Kind == tree.KindQuery) && urlOf(n) == "" {
		p.note("bookmark %q has no URL: not restored", title(n))
		return nil
	}
	guid, err := p.newGUID(n)
	if err != nil {
		return err
	}
	p.guidOf[n.GUID] = guid
	it := n.Item
	info := tree.Info{}
	if n.Info != nil {
		info = tree.Info{Title: n.Info.Title, URL: n.Info.URL, Keyword: n.Info.Keyword, Tags: slices.Clone(n.Info.Tags), DateAdded: n.Info.DateAdded}
	}
	if tree.IsBuiltInRoot(n.GUID) {
		info.Title = ""
	}
	it.GUID, it.Info = guid, &info
	kids := p.children0(parent)
	if index < 0 || index > len(kids) {
		index = len(kids)
	}
	p.kids[parent] = slices.Insert(kids, index, guid)
	p.kids[guid] = nil
	p.plan.Set.Changes = append(p.plan.Set.Changes, edit.Change{Op: edit.Insert, GUID: guid, Parent: parent, Index: index, Item: &it, Why: p.why})
	if n.IsFolder() {
		return p.children(n)
	}
	return nil
}

// children restores what folder n (in the source) holds that Places does
// not, into the folder's GUID in Places.
func (p *planner) children(n *tree.Node) error {
	folder := p.guidOf[n.GUID]
	for _, c := range p.src.ChildrenOf(n) {
		cn := p.src.Node(c)
		if p.src.ParentOf(cn) != n {
			continue // a repeated reference
		}
		if l, ok := p.live(cn); ok {
			if cn.IsFolder() {
				p.guidOf[cn.GUID] = cn.GUID
				if err := p.children(cn); err != nil {
					return err
				}
			} else if lp := p.local.ParentOf(l); lp == nil || lp.GUID != folder {
				p.note("%s is already in Places at %s: not restored", p.named(cn, l), pathOf(p.local, lp))
			}
			continue
		}
		index := -1
		if p.local.Lookup(folder) != nil {
			index = p.indexAfterSibling(cn, folder)
		}
		if err := p.insert(cn, folder, index); err != nil {
			return err
		}
	}
	return nil
}

// newGUID keeps n's GUID unless Places uses it for another item, or the
// plan already gave it out.
func (p *planner) newGUID(n *tree.Node) (string, error) {
	g := n.GUID
	taken := func(g string) bool {
		if p.local.Lookup(g) != nil {
			return true
		}
		_, planned := p.kids[g]
		return planned
	}
	if !taken(g) && tree.IsValidGUID(g) {
		return g, nil
	}
	for i := 0; i < 8; i++ {
		var err error
		if g, err = merge.StableGUID(g); err != nil {
			return "", err
		}
		if !taken(g) {
			why := "Places uses its GUID for another item"
			if !tree.IsValidGUID(n.GUID) {
				why = "its GUID is not one Places accepts"
			}
			p.note("%s %q comes back as %s: %s", n.Kind, title(n), g, why)
			return g, nil
		}
	}
	return "", fmt.Errorf("%s: no free GUID to restore it under", n.GUID)
}

// named names a source item that Places has live as l: by its title in
// Places, and the source's when that differs.
func (p *planner) named(n, l *tree.Node) string {
	s := fmt.Sprintf("%s %q", l.Kind, title(l))
	if title(n) != title(l) {
		s += fmt.Sprintf(" (%q in the source)", title(n))
	}
	return s
}

func (p *planner) note(format string, args ...any) {
	p.plan.Notes = append(p.plan.Notes, fmt.Sprintf(format, args...))
}

// folderPath names a Places folder, or one the plan inserts.
func (p *planner) folderPath(guid string) string {
	if n := p.local.Lookup(guid); n != nil {
		return pathOf(p.local, n)
	}
	return guid
}

// pathOf names a folder by its titles from the top.
func pathOf(t *tree.Tree, n *tree.Node) string {
	var parts []string
	for ; n != nil && n.GUID != tree.RootGUID; n = t.ParentOf(n) {
		parts = append(parts, title(n))
	}
	if len(parts) == 0 {
		return "the Places root"
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

func title(n *tree.Node) string {
	if t := tree.RootTitle(n.GUID); t != "" {
		return t
	}
	if n.Info != nil {
		return n.Info.Title
	}
	return ""
}
