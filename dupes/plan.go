package dupes

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// None is the choice that leaves a group as it is.
const None = "none"

// Choose sets what a group does: copy is the GUID of the member to keep
// (for a same-url group this turns the fix on), or None to leave the
// group alone. A flattened group takes its folder's GUID (restore it) or
// None.
func (r *Report) Choose(id, copy string) error {
	g := r.Group(id)
	if g == nil {
		return fmt.Errorf("no group %q", id)
	}
	if copy == None {
		g.Fix = false
		return nil
	}
	if g.Kind == Flattened {
		if g.Folder == nil || copy != g.Folder.GUID {
			return fmt.Errorf("group %s: %q is not %s or %s", id, copy, g.Folder.GUID, None)
		}
		g.Fix = true
		return nil
	}
	for i := range g.Copies {
		if g.Copies[i].GUID == copy {
			g.Keep, g.Fix = i, true
			return nil
		}
	}
	guids := make([]string, 0, len(g.Copies)+1)
	for _, c := range g.Copies {
		guids = append(guids, c.GUID)
	}
	return fmt.Errorf("group %s: %q is none of its copies (%s) or %s", id, copy, strings.Join(guids, ", "), None)
}

// ParseChoice splits GROUP=COPY.
func ParseChoice(s string) (id, copy string, err error) {
	i := strings.LastIndexByte(s, '=')
	if i <= 0 || i == len(s)-1 {
		return "", "", fmt.Errorf("choice %q is not GROUP=COPY", s)
	}
	return s[:i], s[i+1:], nil
}

// work is the tree as the changes made so far leave it.
type work struct {
	t       *tree.Tree
	kids    map[string][]string // folders whose children changed
	parent  map[string]string   // items that moved or were inserted
	deleted map[string]bool
	added   map[string]*tree.Item
	// replaced maps a removed copy to the copy that stays.
	replaced map[string]string
	set      *edit.Set
}

func newWork(t *tree.Tree) *work {
	return &work{t: t, kids: map[string][]string{}, parent: map[string]string{}, deleted: map[string]bool{},
		added: map[string]*tree.Item{}, replaced: map[string]string{}, set: &edit.Set{Label: "dupes fix"}}
}

func (w *work) exists(guid string) bool {
	if w.deleted[guid] {
		return false
	}
	_, ok := w.added[guid]
	return ok || w.t.Lookup(guid) != nil
}

func (w *work) item(guid string) *tree.Item {
	if it, ok := w.added[guid]; ok {
		return it
	}
	if n := w.t.Lookup(guid); n != nil {
		return &n.Item
	}
	return nil
}

func (w *work) children(folder string) []string {
	if k, ok := w.kids[folder]; ok {
		return k
	}
	n := w.t.Lookup(folder)
	if n == nil {
		return nil
	}
	i := w.t.IndexOf(n)
	kids := w.t.Children(i)
	out := make([]string, 0, len(kids))
	for _, c := range kids {
		if c >= 0 && w.t.Node(c).Parent == i {
			out = append(out, w.t.Node(c).GUID)
		}
	}
	w.kids[folder] = out
	return out
}

func (w *work) parentOf(guid string) string {
	if p, ok := w.parent[guid]; ok {
		return p
	}
	if n := w.t.Lookup(guid); n != nil {
		if p := w.t.ParentOf(n); p != nil {
			return p.GUID
		}
	}
	return ""
}

func (w *work) detach(guid string) {
	p := w.parentOf(guid)
	k := w.children(p)
	if i := slices.Index(k, guid); i >= 0 {
		w.kids[p] = slices.Delete(slices.Clone(k), i, i+1)
	}
}

func (w *work) attach(guid, parent string, index int) int {
	k := slices.Clone(w.children(parent))
	if index < 0 || index > len(k) {
		index = len(k)
	}
	w.kids[parent] = slices.Insert(k, index, guid)
	w.parent[guid] = parent
	return index
}

// remove deletes guid (a folder with everything still in it).
func (w *work) remove(guid, why string) {
	if !w.exists(guid) {
		return
	}
	w.detach(guid)
	var mark func(g string)
	mark = func(g string) {
		w.deleted[g] = true
		if it := w.item(g); it != nil && it.IsFolder() {
			for _, c := range w.children(g) {
				mark(c)
			}
		}
	}
	mark(guid)
	w.set.Changes = append(w.set.Changes, edit.Change{Op: edit.Delete, GUID: guid, Why: why})
}

func (w *work) move(guid, parent string, index int, why string) {
	w.detach(guid)
	index = w.attach(guid, parent, index)
	w.set.Changes = append(w.set.Changes, edit.Change{Op: edit.Move, GUID: guid, Parent: parent, Index: index, Why: why})
}

func (w *work) insert(it tree.Item, parent string, index int, why string) {
	cp := it
	w.added[it.GUID] = &cp
	w.kids[it.GUID] = nil
	index = w.attach(it.GUID, parent, index)
	w.set.Changes = append(w.set.Changes, edit.Change{Op: edit.Insert, GUID: it.GUID, Parent: parent, Index: index, Item: &cp, Why: why})
}

// resolve follows removed copies to the copy kept in their place.
func (w *work) resolve(guid string) string {
	for range 64 {
		r, ok := w.replaced[guid]
		if !ok {
			break
		}
		guid = r
	}
	return guid
}

// ErrNothingToFix means no group is marked to fix.
var ErrNothingToFix = errors.New("nothing to fix")

// Plan turns the groups marked to fix into one change set on the tree
// Find examined: copies removed (the keeper stays where it is), twin
// folders merged into their keeper (children deduplicated, both orders
// kept), flattened folders re-nested as their reference had them. A
// removed copy's place in later groups is taken by its keeper.
func Plan(t *tree.Tree, r *Report) (*edit.Set, error) {
	if r.ToFix() == 0 {
		return nil, ErrNothingToFix
	}
	w := newWork(t)
	for _, kind := range []Kind{Copies, SameURL} {
		for i := range r.Groups {
			if g := &r.Groups[i]; g.Fix && g.Kind == kind {
				w.dropCopies(g)
			}
		}
	}
	for i := range r.Groups {
		if g := &r.Groups[i]; g.Fix && g.Kind == TwinFolders {
			w.mergeTwins(g)
		}
	}
	var flat []*Group
	for i := range r.Groups {
		if g := &r.Groups[i]; g.Fix && g.Kind == Flattened && g.restore != nil {
			flat = append(flat, g)
		}
	}
	slices.SortStableFunc(flat, func(a, b *Group) int { return cmp.Compare(a.restore.depth, b.restore.depth) })
	for _, g := range flat {
		w.renest(g)
	}
	return w.set, nil
}

func (w *work) dropCopies(g *Group) {
	keep := g.Keeper()
	if keep == nil {
		return
	}
	// The keeper may itself be a copy an earlier group removed: then the
	// copy kept in its place stays.
	k := w.resolve(keep.GUID)
	if !w.exists(k) {
		return
	}
	for _, c := range g.Copies {
		if c.GUID == keep.GUID || c.GUID == k || !w.exists(c.GUID) {
			continue
		}
		w.remove(c.GUID, "copy of "+k)
		w.replaced[c.GUID] = k
	}
}

func (w *work) mergeTwins(g *Group) {
	keep := g.Keeper()
	if keep == nil || !w.exists(keep.GUID) {
		return
	}
	for _, c := range g.Copies {
		if c.GUID != keep.GUID && w.exists(c.GUID) {
			w.mergeFolder(keep.GUID, c.GUID)
		}
	}
}

// key is the dedupe key of a child in the working tree.
func (w *work) key(guid string, seps *int) string {
	it := w.item(guid)
	if it == nil {
		return ""
	}
	var title, url string
	if it.Info != nil {
		title, url = it.Info.Title, it.Info.URL
	}
	switch it.Kind {
	case tree.KindBookmark, tree.KindQuery:
		if url != "" {
			return "b" + bookmarkKey(title, url)
		}
	case tree.KindFolder:
		return "f" + NormalTitle(title)
	case tree.KindSeparator:
		*seps++
		return fmt.Sprintf("s%d", *seps)
	}
	return ""
}

// mergeFolder moves what other holds into keep, dropping what keep
// already has (folders of the same title merged in turn), each new child
// placed after the last one of other's that keep had, and removes other.
func (w *work) mergeFolder(keep, other string) {
	have := map[string]string{}
	seps := 0
	for _, c := range w.children(keep) {
		if k := w.key(c, &seps); k != "" {
			if _, ok := have[k]; !ok {
				have[k] = c
			}
		}
	}
	after := -1
	oseps := 0
	for _, c := range slices.Clone(w.children(other)) {
		k := w.key(c, &oseps)
		if m, ok := have[k]; ok && k != "" {
			if w.item(c).IsFolder() && w.item(m).IsFolder() {
				w.mergeFolder(m, c)
			} else {
				w.remove(c, fmt.Sprintf("copy of %s, in the twin %s kept", m, keep))
				w.replaced[c] = w.resolve(m)
			}
			after = slices.Index(w.children(keep), m)
			continue
		}
		w.move(c, keep, after+1, fmt.Sprintf("from the twin %s, merged into %s", other, keep))
		after = slices.Index(w.children(keep), c)
		if k != "" {
			have[k] = c
		}
	}
	w.remove(other, fmt.Sprintf("twin of %s, merged into it", keep))
	w.replaced[other] = keep
}

// renest puts a flattened folder back, with the flattened folders inside
// it (outer first, each where its reference had it among its siblings),
// and moves each one's items into it.
func (w *work) renest(g *Group) {
	rs := g.restore
	into := g.Into
	if !w.exists(into) {
		into = w.resolve(into)
		if !w.exists(into) {
			return
		}
	}
	n := len(rs.folders)
	at := make(map[string]int, n)
	members := make([][]string, n)
	needed := make([]bool, n)
	for k, rf := range rs.folders {
		at[rf.item.GUID] = k
		for _, m := range rf.members {
			m = w.resolve(m)
			if w.exists(m) && w.parentOf(m) == into && !slices.Contains(members[k], m) {
				members[k] = append(members[k], m)
			}
		}
	}
	// Folders come parents first: a folder is needed if it or one below
	// it still has items to take back.
	for k := n - 1; k >= 0; k-- {
		needed[k] = needed[k] || len(members[k]) > 0
		if p, ok := at[rs.folders[k].refParent]; ok && needed[k] {
			needed[p] = true
		}
	}
	why := "re-nested as " + ShortName(g.From) + " had it"
	skip := make([]bool, n)
	for k, rf := range rs.folders {
		p, nested := at[rf.refParent]
		folder := rf.item.GUID
		// A folder merged away as a twin in this same fix stays away, and
		// so do those that were inside it.
		if !needed[k] || w.deleted[folder] || (nested && skip[p]) {
			skip[k] = true
			continue
		}
		rp := w.resolve(rf.refParent)
		switch {
		case !w.exists(folder):
			parent, index := into, -1
			if rp != "" && rp != into && w.exists(rp) {
				parent, index = rp, w.placeAmong(rp, folder, rf.siblings)
			} else if first := w.firstMember(rs, members, k); first != "" {
				index = slices.Index(w.children(into), first)
			}
			w.insert(tree.Item{GUID: folder, Kind: tree.KindFolder, Info: rf.item.Info}, parent, index,
				"restored from "+ShortName(g.From))
		case nested && w.exists(rp) && w.parentOf(folder) != rp && !w.holds(folder, rp):
			// An emptied folder that was inside a restored one goes back in.
			w.move(folder, rp, w.placeAmong(rp, folder, rf.siblings), why)
		}
		for _, m := range members[k] {
			// A member may now hold the folder: a twin merged, in this
			// fix, into the folder the reference had around this one.
			// Moving it in would make a cycle; it stays where it is.
			if !w.holds(m, folder) {
				w.move(m, folder, w.placeAmong(folder, m, rf.children), why)
			}
		}
	}
}

// holds reports whether folder is guid or lies inside it, in the
// working tree.
func (w *work) holds(guid, folder string) bool {
	// No chain is longer than the items; the bound keeps a cycle, which
	// Plan must never make, from hanging it.
	steps := w.t.Len() + len(w.added)
	for g := folder; g != "" && steps >= 0; g, steps = w.parentOf(g), steps-1 {
		if g == guid {
			return true
		}
	}
	return false
}

// firstMember is the first item to take back in the folder k of rs or in
// those below it.
func (w *work) firstMember(rs *restore, members [][]string, k int) string {
	below := map[string]bool{rs.folders[k].item.GUID: true}
	for j := k; j < len(rs.folders); j++ {
		if j > k && !below[rs.folders[j].refParent] {
			continue
		}
		below[rs.folders[j].item.GUID] = true
		if len(members[j]) > 0 {
			return members[j][0]
		}
	}
	return ""
}

// placeAmong is the index in parent's children where guid goes so that it
// follows the nearest sibling its reference put before it (or precedes
// the nearest one after it, when none before is there); -1, the end,
// when none is.
func (w *work) placeAmong(parent, guid string, siblings []string) int {
	i := slices.Index(siblings, guid)
	if i < 0 {
		return -1
	}
	kids := w.children(parent)
	for j := i - 1; j >= 0; j-- {
		if k := slices.Index(kids, siblings[j]); k >= 0 {
			return k + 1
		}
	}
	for j := i + 1; j < len(siblings); j++ {
		if k := slices.Index(kids, siblings[j]); k >= 0 {
			return k
		}
	}
	return -1
}

// ShortName is how people read a reference's name: "the backup of
// 2026-11-23" for a Firefox backup, the name itself otherwise.
func ShortName(name string) string {
	base := name[strings.LastIndexByte(name, '/')+1:]
	if d, ok := strings.CutPrefix(base, "bookmarks-"); ok && len(d) >= 10 {
		return "the backup of " + d[:10]
	}
	return name
}
