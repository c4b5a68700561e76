package dupes

import (
	"cmp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/sync/tree"
)

// userRoots are the roots whose subtrees hold bookmarks people made; the
// tags root is left out (its entries repeat bookmarks by design).
var userRoots = []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID}

// finder carries one Find.
type finder struct {
	in      Input
	t       *tree.Tree
	backups []Reference
	groups  []Group
	items   int
	// twinOf maps a folder in a twin group to the group's first folder.
	twinOf map[int32]int32
	// urlIDs numbers the URLs met, as they are stored; urlOf names each
	// number's normalised URL (URLs that normalise alike share one).
	urlIDs  map[string]int32
	normIDs map[string]int32
	// byURL lists each bookmark with its URL's number, in walk order;
	// urlOrder the numbers in the order bookmarks first had them.
	byURL    []urlUse
	urlOrder []int32
	urlRank  []int32
	keys     map[int32]string
	// paths caches the path of each folder a copy sits in; the last
	// copy's path is kept for the next.
	paths               map[int32]string
	lastParent          int32
	lastTitle, lastPath string
	backupSets          map[uint64][]string
	// shared is the GUID set all the backups' outlines share, if they
	// do; bits[i] is the i-th backup's bit in it.
	shared *GUIDSet
	bits   []uint64
	// copies is where groups' Copies are cut from: a storm makes a
	// group for nearly every bookmark, and one allocation per group was
	// a tenth of finding them.
	copies []Copy
	// copyGroups are the copies groups walk found, as their members
	// (copyMembers[copyEnds[k-1]:copyEnds[k]]), described afterwards by
	// several goroutines at once: a storm has one for nearly every
	// bookmark.
	copyMembers []int32
	copyEnds    []int
	// workers is how many goroutines describe them; 0 lets Find choose.
	workers int
}

// urlUse is a bookmark and its URL's number.
type urlUse struct{ url, node int32 }

// presence makes each backup's outline and notes whether they share one
// GUID set (as backups.Read makes them): then a GUID's backups are one
// lookup.
func (f *finder) presence() {
	for i := range f.backups {
		f.backups[i].outline()
	}
	for i := range f.backups {
		o := f.backups[i].Outline
		if o == nil || o.set == nil || (i > 0 && o.set != f.shared) {
			f.shared, f.bits = nil, nil
			return
		}
		f.shared = o.set
		f.bits = append(f.bits, o.bit)
	}
}

// Find examines in.Tree and returns its groups: copies, twin folders,
// flattened folders and URLs in several folders, each with its copies'
// provenance and a default keeper. Groups of the first three kinds are
// marked to fix; same-url groups are not.
func Find(in Input) *Report { return find(in, 0) }

// find is Find with the copies groups described by workers goroutines
// (0: one per processor, for a large tree).
func find(in Input, workers int) *Report {
	f := &finder{in: in, t: in.Tree, workers: workers, twinOf: map[int32]int32{}, keys: map[int32]string{}, urlIDs: map[string]int32{}, normIDs: map[string]int32{}}
	f.backups = slices.Clone(in.Backups)
	slices.SortStableFunc(f.backups, func(a, b Reference) int { return cmp.Compare(b.At, a.At) })
	f.presence()
	f.describing()
	var copyGroups []Group
	if f.t != nil {
		// Room for every bookmark: growing these a storm at a time
		// copied them over and over.
		f.byURL = make([]urlUse, 0, f.t.Len())
		f.copyMembers = make([]int32, 0, f.t.Len())
		for _, g := range userRoots {
			if i, ok := f.t.Index(g); ok {
				f.walk(i)
			}
		}
		// The copies groups are described while the other kinds are
		// found: they only read the tree.
		done := f.describeCopies(&copyGroups)
		f.sameURL()
		f.flattened()
		done()
	}
	// Kinds in listing order, each in the order found (folders in
	// pre-order): a stable partition, cheaper than sorting big structs.
	// Copies come first, and are found apart.
	groups := slices.Grow(copyGroups, len(f.groups))
	for _, k := range Kinds {
		for i := range f.groups {
			if f.groups[i].Kind == k {
				groups = append(groups, f.groups[i])
			}
		}
	}
	r := &Report{Side: in.Side, Groups: groups, Items: f.items, byID: make(map[string]int, len(groups))}
	for i := range r.Groups {
		r.byID[r.Groups[i].ID] = i
	}
	return r
}

// bmKey is a bookmark's dedupe key: its normalised title and its
// normalised URL's number.
type bmKey struct {
	title string
	url   int32
}

// urlID numbers u's normalised URL (NormalURL), remembered: a storm
// repeats each URL.
func (f *finder) urlID(u string) int32 {
	if id, ok := f.urlIDs[u]; ok {
		return id
	}
	n := NormalURL(u)
	id, ok := f.normIDs[n]
	if !ok {
		id = int32(len(f.normIDs))
		f.normIDs[n] = id
		f.urlRank = append(f.urlRank, -1)
	}
	f.urlIDs[u] = id
	return id
}

// describing readies the finder's memos for describing copies.
func (f *finder) describing() {
	f.paths, f.lastParent, f.backupSets = map[int32]string{}, -1, map[uint64][]string{}
}

// describeCopies describes the copies groups walk found into *out,
// in order, on as many goroutines as there are processors; the
// function it returns waits for them. Each goroutine has its own memos;
// they only read the tree and the backups.
func (f *finder) describeCopies(out *[]Group) (wait func()) {
	n := len(f.copyEnds)
	*out = make([]Group, n)
	groups := *out
	members := func(k int) []int32 {
		start := 0
		if k > 0 {
			start = f.copyEnds[k-1]
		}
		return f.copyMembers[start:f.copyEnds[k]]
	}
	workers := f.workers
	if workers <= 0 {
		// Fewer than a few thousand groups are not worth a goroutine.
		workers = max(1, min(runtime.GOMAXPROCS(0), n/2048))
	}
	per := (n + workers - 1) / workers
	var wg sync.WaitGroup
	for w := range workers {
		d := &finder{in: f.in, t: f.t, backups: f.backups, shared: f.shared, bits: f.bits}
		d.describing()
		wg.Go(func() {
			for k := w * per; k < min(n, (w+1)*per); k++ {
				groups[k] = d.group(Copies, members(k))
			}
		})
	}
	return wg.Wait
}

// walk visits the folder at i and everything below it, finding copies and
// twin folders among each folder's children.
func (f *finder) walk(root int32) {
	stack := []int32{root}
	marks := map[bmKey][]int32{}
	folders := map[string][]int32{}
	var markOrder []bmKey
	var folderOrder []string
	var sub []int32
	for len(stack) > 0 {
		i := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		clear(marks)
		clear(folders)
		markOrder, folderOrder = markOrder[:0], folderOrder[:0]
		for _, c := range f.t.Children(i) {
			if c < 0 {
				continue
			}
			child := f.t.Node(c)
			if child.Parent != i || child.Position < 0 {
				continue // a repeated reference
			}
			f.items++
			switch child.Kind {
			case tree.KindBookmark, tree.KindQuery:
				u := urlOf(child)
				if u == "" {
					continue
				}
				id := f.urlID(u)
				k := bmKey{NormalTitle(titleOf(child)), id}
				m, seen := marks[k]
				if !seen {
					markOrder = append(markOrder, k)
				}
				marks[k] = append(m, c)
				if child.Kind == tree.KindBookmark {
					if f.urlRank[id] < 0 {
						f.urlRank[id] = int32(len(f.urlOrder))
						f.urlOrder = append(f.urlOrder, id)
					}
					f.byURL = append(f.byURL, urlUse{id, c})
				}
			case tree.KindFolder:
				k := NormalTitle(titleOf(child))
				m, seen := folders[k]
				if !seen {
					folderOrder = append(folderOrder, k)
				}
				folders[k] = append(m, c)
				sub = append(sub, c)
			}
		}
		for k := len(sub) - 1; k >= 0; k-- {
			stack = append(stack, sub[k]) // children in order, depth first
		}
		sub = sub[:0]
		for _, k := range markOrder {
			if m := marks[k]; len(m) > 1 {
				f.copyMembers = append(f.copyMembers, m...)
				f.copyEnds = append(f.copyEnds, len(f.copyMembers))
			}
		}
		for _, k := range folderOrder {
			if m := folders[k]; len(m) > 1 {
				f.twins(m)
			}
		}
	}
}

// contentKey is what makes two children of twin folders the same item:
// title and URL for a bookmark, the title for a folder, the n-th
// separator for a separator.
func contentKey(t *tree.Tree, c int32, seps *int) (string, bool) {
	n := t.Node(c)
	switch n.Kind {
	case tree.KindBookmark, tree.KindQuery:
		if u := urlOf(n); u != "" {
			return "b" + bookmarkKey(titleOf(n), u), true
		}
	case tree.KindFolder:
		return "f" + NormalTitle(titleOf(n)), true
	case tree.KindSeparator:
		*seps++
		return "s" + strconv.Itoa(*seps), true
	}
	return "", false
}

// twins groups same-titled folders of one parent whose contents overlap
// (an empty one overlaps any).
func (f *finder) twins(folders []int32) {
	parent := make([]int, len(folders))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	union := func(a, b int) {
		a, b = find(a), find(b)
		if a != b {
			parent[max(a, b)] = min(a, b)
		}
	}
	owner := map[string]int{}
	firstEmpty, firstFull := -1, -1
	for j, fi := range folders {
		seps, keys := 0, 0
		for _, c := range f.t.Children(fi) {
			if c < 0 || f.t.Node(c).Parent != fi {
				continue
			}
			k, ok := contentKey(f.t, c, &seps)
			if !ok || k[0] == 's' {
				continue // separators alone make no overlap
			}
			keys++
			if o, seen := owner[k]; seen {
				union(o, j)
			} else {
				owner[k] = j
			}
		}
		if keys == 0 {
			if firstEmpty < 0 {
				firstEmpty = j
			} else {
				union(firstEmpty, j)
			}
		} else if firstFull < 0 {
			firstFull = j
		}
	}
	if firstEmpty >= 0 && firstFull >= 0 {
		union(firstEmpty, firstFull)
	}
	sets := map[int][]int32{}
	var roots []int
	for j, fi := range folders {
		r := find(j)
		if _, ok := sets[r]; !ok {
			roots = append(roots, r)
		}
		sets[r] = append(sets[r], fi)
	}
	for _, r := range roots {
		if m := sets[r]; len(m) > 1 {
			for _, fi := range m {
				f.twinOf[fi] = m[0]
			}
			f.addGroup(TwinFolders, m)
		}
	}
}

// sameURL groups bookmarks of one URL in several folders, unless the
// folders are twins (merging them makes the bookmarks copies).
func (f *finder) sameURL() {
	// The bookmarks of each URL, in walk order: bucketed by the URL's
	// number.
	start := make([]int32, len(f.urlRank)+1)
	for _, u := range f.byURL {
		start[u.url+1]++
	}
	for k := 1; k < len(start); k++ {
		start[k] += start[k-1]
	}
	nodes := make([]int32, len(f.byURL))
	next := slices.Clone(start)
	for _, u := range f.byURL {
		nodes[next[u.url]] = u.node
		next[u.url]++
	}
	for _, u := range f.urlOrder {
		m := nodes[start[u]:start[u+1]]
		if len(m) < 2 {
			continue
		}
		folders := map[int32]bool{}
		twinSets := map[string]bool{}
		for _, c := range m {
			p := f.t.Node(c).Parent
			folders[p] = true
			twinSets[f.mergedKey(p)] = true
		}
		if len(folders) < 2 || len(twinSets) < 2 {
			continue
		}
		f.addGroup(SameURL, m)
	}
}

// pathOfMemo is pathOf, the same string again for the next copy in the
// same folder under the same title (a copies group's members).
func (f *finder) pathOfMemo(n *tree.Node) string {
	title := displayTitle(&n.Item)
	if n.Parent == f.lastParent && title == f.lastTitle && f.lastPath != "" {
		return f.lastPath
	}
	f.lastParent, f.lastTitle, f.lastPath = n.Parent, title, f.pathOf(n)
	return f.lastPath
}

// pathOf is pathOf with the folders' paths remembered.
func (f *finder) pathOf(n *tree.Node) string {
	if n.Parent < 0 {
		return ""
	}
	p, ok := f.paths[n.Parent]
	if !ok {
		p = pathOf(f.t, f.t.Node(n.Parent))
		f.paths[n.Parent] = p
	}
	if p == "" {
		return displayTitle(&n.Item)
	}
	return p + "/" + displayTitle(&n.Item)
}

// mergedKey names the folder p will be once twin folders are merged:
// its GUID, or for a twin and everything below one, the path of titles
// from the twins' parent.
func (f *finder) mergedKey(p int32) string {
	if k, ok := f.keys[p]; ok {
		return k
	}
	n := f.t.Node(p)
	k := n.GUID
	if n.Parent >= 0 {
		pk := f.mergedKey(n.Parent)
		if _, twin := f.twinOf[p]; twin || strings.HasPrefix(pk, "/") {
			k = "/" + pk + "/" + NormalTitle(titleOf(n))
		}
	}
	f.keys[p] = k
	return k
}

// addGroup adds a group of kind made from the nodes members.
func (f *finder) addGroup(kind Kind, members []int32) {
	f.groups = append(f.groups, f.group(kind, members))
}

// group makes a group of kind from the nodes members.
func (f *finder) group(kind Kind, members []int32) Group {
	g := Group{Kind: kind, Keep: -1, Default: -1, Copies: f.copySlice(len(members))}
	for _, c := range members {
		g.Copies = append(g.Copies, f.copyOf(c))
	}
	minGUID := g.Copies[0].GUID
	for _, c := range g.Copies {
		minGUID = min(minGUID, c.GUID)
	}
	g.ID = string(kind) + ":" + minGUID
	if kind != SameURL {
		g.Default, g.Reason = f.keeper(g.Copies)
		g.Keep, g.Fix = g.Default, true
	} else {
		_, why := f.keeper(g.Copies)
		g.Reason = "the same URL in several folders, often on purpose: not fixed unless a copy is chosen (" + why + ")"
	}
	return g
}

// copySlice is an empty slice with room for k copies, cut from the
// finder's slab (appending past k copies elsewhere, as a slice does).
func (f *finder) copySlice(k int) []Copy {
	if cap(f.copies)-len(f.copies) < k {
		f.copies = hugepages.Make[Copy](0, max(k, min(f.t.Len(), 1<<16)))
	}
	n := len(f.copies)
	f.copies = f.copies[:n+k]
	return f.copies[n : n : n+k]
}

// copyOf describes the node at i.
func (f *finder) copyOf(i int32) Copy {
	n := f.t.Node(i)
	c := Copy{
		GUID:       n.GUID,
		Kind:       n.Kind,
		Title:      titleOf(n),
		URL:        urlOf(n),
		Path:       f.pathOfMemo(n),
		SyncStatus: -1,
	}
	if p := f.t.ParentOf(n); p != nil {
		c.Parent = p.GUID
	}
	if n.Info != nil {
		c.DateAdded = n.Info.DateAdded
		if f.in.Side == tree.Local {
			c.SyncStatus = n.Info.SyncStatus
		}
	}
	if n.Kind == tree.KindFolder {
		for _, k := range f.t.Children(i) {
			if k >= 0 && f.t.Node(k).Parent == i {
				c.Children++
			}
		}
	}
	c.Sides = f.sidesOf(n.GUID)
	c.Backups = f.backupsOf(n.GUID)
	return c
}

// backupsOf names the backups that have guid, newest first: one shared
// slice for each combination (read-only).
func (f *finder) backupsOf(guid string) []string {
	var set uint64
	if f.shared != nil {
		if m := f.shared.mask(guid); m != 0 {
			for i, bit := range f.bits {
				if i < 64 && m&bit != 0 {
					set |= 1 << i
				}
			}
		}
	} else {
		for i := range f.backups {
			if o := f.backups[i].Outline; i < 64 && o != nil && o.Has(guid) {
				set |= 1 << i
			}
		}
	}
	if set == 0 {
		return nil
	}
	if names, ok := f.backupSets[set]; ok {
		return names
	}
	var names []string
	for i, b := range f.backups {
		if i < 64 && set&(1<<i) != 0 {
			names = append(names, b.Name)
		}
	}
	names = slices.Clip(names)
	f.backupSets[set] = names
	return names
}

func (f *finder) sidesOf(guid string) Sides {
	this, other := OnLocal, OnServer
	if f.in.Side == tree.Remote {
		this, other = OnServer, OnLocal
	}
	s := this
	if f.in.Other != nil && f.in.Other.Lookup(guid) != nil {
		s |= other
	}
	return s
}
