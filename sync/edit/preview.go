package edit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bmtui/bmtui/sync/tree"
)

// Result is what a Set does to a local tree, computed by Preview without
// touching any file: the tree after the changes, one line per change for
// people, and what Firefox will upload at its next sync because of them.
type Result struct {
	// Tree is the local tree after the changes. Changed items carry the
	// Sync state the writer gives them (see the package documentation of
	// apply's WriteEdit): inserted items syncStatus NEW, and every item
	// whose change counter is bumped NeedsMerge.
	Tree *tree.Tree
	// Steps are the changes as applied, in order, each with its parent and
	// index resolved and a line for people.
	Steps []Step
	// Upload is what Firefox's next sync sends because of the set.
	Upload Upload
	// Bumps is how much each item's syncChangeCounter grows, as Places
	// counts it: one per write of the item, per change of a folder's
	// children, per change of its URL's keyword or tags, and for the
	// separators after a changed position in a folder.
	Bumps map[string]int
	// URLs are the URLs whose keyword and tags the set writes (those of
	// inserted and updated bookmarks), in the order first written; their
	// values are the bookmarks' in Tree.
	URLs []string
	// Unbookmarked are URLs no bookmark keeps after the set: their
	// keywords go, as Places removes them.
	Unbookmarked []string
}

// Step is one change as applied to the tree.
type Step struct {
	Change
	// Kind and Title are the item's (for a delete: as it was).
	Kind  tree.Kind
	Title string
	// From is the parent a moved or deleted item left, with its index;
	// Parent and Index in Change are resolved (no -1) for inserts and
	// moves.
	From      string
	FromIndex int
	// Removed counts the items a Delete removed, the item included.
	Removed int
	// Text says what happens, for people: `insert bookmark "Go" into
	// Bookmarks Menu/Work at 3 (restored from backup of 2026-11-23)`;
	// Why, when there is one, ends it in parentheses.
	Text string
}

// Upload lists the records Firefox will upload at its next sync because
// of the set (items already waiting for upload are not listed).
type Upload struct {
	// Items are the inserted, moved and updated items, in the order of
	// the changes.
	Items []string
	// Parents are the folders whose children change (their records list
	// the children), in the order first changed.
	Parents []string
	// Tombstones are the deleted items that the server has (syncStatus
	// NORMAL): Firefox uploads a tombstone for each. Unsynced items leave
	// none.
	Tombstones []string
	// Revived are GUIDs whose local tombstone the set removes because an
	// item comes back under that GUID.
	Revived []string
}

// Len is the number of records: items, parents and tombstones.
func (u *Upload) Len() int { return len(u.Items) + len(u.Parents) + len(u.Tombstones) }

// ChangeError names the change of a Set that cannot be applied.
type ChangeError struct {
	Index  int // in Set.Changes
	Change Change
	Reason string
}

func (e *ChangeError) Error() string {
	return fmt.Sprintf("change %d (%s %s): %s", e.Index+1, e.Change.Op, e.Change.GUID, e.Reason)
}

// node is an item of the tree being edited.
type node struct {
	item     tree.Item
	parent   string
	children []string
}

// editor is a local tree opened for changes.
type editor struct {
	nodes      map[string]*node
	order      []string // every GUID ever present, in the order first seen
	tombstones map[string]bool
	upload     Upload
	listed     map[string]bool // in upload.Items or upload.Parents
	bumps      map[string]int
	urls       []string
	urlSeen    map[string]bool
	notes      []string            // for the step being applied
	byURL      map[string][]string // bookmarks (tag entries aside) by URL; may name gone or changed ones
	keywords   map[string]string   // keyword to URL
	maybeGone  []string            // URLs of deleted items and old URLs of updated ones
}

// Preview computes what set does to local, which is not changed. An
// unknown GUID, a GUID already in use, a parent that is not a folder, a
// move into the item's own subtree, a change to a root or to the tags
// folder, or an index out of range is a *ChangeError naming the change.
func Preview(local *tree.Tree, set Set) (*Result, error) {
	if local == nil || local.Len() == 0 {
		return nil, fmt.Errorf("edit: no local tree")
	}
	e := &editor{nodes: make(map[string]*node, local.Len()+len(set.Changes)), tombstones: map[string]bool{}, listed: map[string]bool{},
		bumps: map[string]int{}, urlSeen: map[string]bool{}, byURL: make(map[string][]string, local.Len()), keywords: map[string]string{}}
	local.Walk(func(i int32, n *tree.Node) bool {
		m := &node{item: n.Item}
		if p := local.ParentOf(n); p != nil {
			m.parent = p.GUID
		}
		for _, c := range local.Children(i) {
			if cn := local.Node(c); cn.Parent == i && !slices.Contains(m.children, cn.GUID) {
				m.children = append(m.children, cn.GUID)
			}
		}
		e.nodes[n.GUID] = m
		e.order = append(e.order, n.GUID)
		return true
	})
	for _, g := range local.Tombstones() {
		e.tombstones[g] = true
	}
	for _, g := range e.order {
		if n := e.nodes[g]; isBookmark(&n.item) && !e.inTags(g) {
			e.indexURL(n.item.Info.URL, g)
			if k := n.item.Info.Keyword; k != "" {
				e.keywords[k] = n.item.Info.URL
			}
		}
	}
	p := &Result{}
	for i, c := range set.Changes {
		e.notes = e.notes[:0]
		st, reason := e.apply(c)
		if reason != "" {
			return nil, &ChangeError{Index: i, Change: c, Reason: reason}
		}
		st.Text = e.describe(st)
		p.Steps = append(p.Steps, st)
	}
	t, err := e.build(local.Root().Item)
	if err != nil {
		return nil, fmt.Errorf("edit: the changed tree does not build: %w", err)
	}
	p.Tree, p.Upload, p.Bumps, p.URLs = t, e.upload, e.bumps, e.urls
	p.Unbookmarked = e.unbookmarked()
	return p, nil
}

// apply makes one change; a non-empty reason refuses it.
func (e *editor) apply(c Change) (Step, string) {
	st := Step{Change: c}
	switch c.Op {
	case Insert:
		if !tree.IsValidGUID(c.GUID) {
			return st, "not a valid GUID"
		}
		if _, ok := e.nodes[c.GUID]; ok {
			return st, "GUID already in use"
		}
		if c.Item == nil {
			return st, "no item to insert"
		}
		if c.Item.Kind < tree.KindBookmark || c.Item.Kind > tree.KindSeparator || c.Item.Kind == tree.KindLivemark {
			return st, fmt.Sprintf("cannot insert a %s", c.Item.Kind)
		}
		if c.Item.Kind == tree.KindBookmark || c.Item.Kind == tree.KindQuery {
			if c.Item.Info == nil || c.Item.Info.URL == "" {
				return st, "a bookmark needs a URL"
			}
		}
		par, idx, reason := e.target(c.Parent, c.Index, "")
		if reason != "" {
			return st, reason
		}
		it := inserted(c.GUID, c.Item)
		e.nodes[c.GUID] = &node{item: it, parent: c.Parent}
		e.order = append(e.order, c.GUID)
		par.children = slices.Insert(par.children, idx, c.GUID)
		st.Index = idx
		st.Kind, st.Title = it.Kind, titleOf(&it)
		if e.tombstones[c.GUID] {
			delete(e.tombstones, c.GUID)
			if i := slices.Index(e.upload.Tombstones, c.GUID); i >= 0 {
				e.upload.Tombstones = slices.Delete(e.upload.Tombstones, i, i+1)
			} else {
				e.upload.Revived = append(e.upload.Revived, c.GUID)
			}
		}
		e.changed(c.GUID, false)
		e.changed(c.Parent, true)
		e.separatorsFrom(c.Parent, idx+1)
		if isBookmark(&it) {
			e.indexURL(it.Info.URL, c.GUID)
			e.mergeURL(c.GUID, c.Item.Info)
		}
	case Move:
		n, reason := e.existing(c.GUID)
		if reason != "" {
			return st, reason
		}
		if c.Item != nil {
			return st, "a move carries no item"
		}
		st.Kind, st.Title = n.item.Kind, titleOf(&n.item)
		old := e.nodes[n.parent]
		st.From, st.FromIndex = n.parent, slices.Index(old.children, c.GUID)
		par, idx, reason := e.target(c.Parent, c.Index, c.GUID)
		if reason != "" {
			return st, reason
		}
		old.children = slices.Delete(old.children, st.FromIndex, st.FromIndex+1)
		idx = min(idx, len(par.children))
		par.children = slices.Insert(par.children, idx, c.GUID)
		n.parent = c.Parent
		st.Index = idx
		e.changed(c.GUID, false)
		e.changed(st.From, true)
		e.separatorsFrom(st.From, st.FromIndex)
		if c.Parent != st.From {
			e.changed(c.Parent, true)
		}
		e.separatorsFrom(c.Parent, idx+1)
	case Delete:
		n, reason := e.existing(c.GUID)
		if reason != "" {
			return st, reason
		}
		st.Kind, st.Title = n.item.Kind, titleOf(&n.item)
		old := e.nodes[n.parent]
		st.From, st.FromIndex = n.parent, slices.Index(old.children, c.GUID)
		old.children = slices.Delete(old.children, st.FromIndex, st.FromIndex+1)
		st.Removed = e.remove(c.GUID)
		e.changed(st.From, true)
		e.separatorsFrom(st.From, st.FromIndex)
	case Update:
		n, reason := e.existing(c.GUID)
		if reason != "" {
			return st, reason
		}
		if c.Item == nil || c.Item.Info == nil {
			return st, "no new values"
		}
		bm := n.item.Kind == tree.KindBookmark || n.item.Kind == tree.KindQuery
		if !bm && (c.Item.Info.URL != "" || c.Item.Info.Keyword != "" || len(c.Item.Info.Tags) > 0) {
			return st, fmt.Sprintf("a %s has no URL, keyword or tags", n.item.Kind)
		}
		if bm && c.Item.Info.URL == "" {
			return st, "a bookmark needs a URL"
		}
		info := tree.Info{}
		if n.item.Info != nil {
			info = *n.item.Info
		}
		if info.URL != "" && info.URL != c.Item.Info.URL {
			e.maybeGone = append(e.maybeGone, info.URL)
		}
		info.Title, info.URL = c.Item.Info.Title, c.Item.Info.URL
		n.item.Info = &info
		if bm {
			n.item.Kind = tree.KindBookmark
			if strings.HasPrefix(info.URL, "place:") {
				n.item.Kind = tree.KindQuery
			}
		}
		if n.item.Content != nil {
			ct := *n.item.Content
			ct.Title, ct.URL = info.Title, info.URL
			n.item.Content = &ct
		}
		st.Kind, st.Title = n.item.Kind, titleOf(&n.item)
		e.changed(c.GUID, false)
		if bm {
			e.indexURL(info.URL, c.GUID)
			e.setURL(c.GUID, c.Item.Info.Keyword, normTags(c.Item.Info.Tags))
		}
	default:
		return st, "unknown operation"
	}
	return st, ""
}

// existing finds an item a change may move, delete or update.
func (e *editor) existing(guid string) (*node, string) {
	n, ok := e.nodes[guid]
	if !ok {
		return nil, "no such item"
	}
	if guid == tree.RootGUID || tree.IsBuiltInRoot(guid) {
		return nil, "a root cannot be changed"
	}
	if e.inTags(guid) {
		return nil, "tags are changed through their bookmarks"
	}
	return n, ""
}

// target checks a parent and index for an insert or a move of moving
// ("" for an insert) and resolves the index (-1 appends).
func (e *editor) target(parent string, index int, moving string) (*node, int, string) {
	par, ok := e.nodes[parent]
	switch {
	case !ok:
		return nil, 0, "parent " + parent + " does not exist"
	case !par.item.IsFolder():
		return nil, 0, "parent " + parent + " is not a folder"
	case parent == tree.RootGUID:
		return nil, 0, "only the built-in roots live in the Places root"
	case parent == tree.TagsGUID || e.inTags(parent):
		return nil, 0, "parent " + parent + " is a tag folder"
	}
	for g := parent; g != "" && moving != ""; g = e.nodes[g].parent {
		if g == moving {
			return nil, 0, "would move the item into itself (a cycle)"
		}
	}
	n := len(par.children)
	if moving != "" && e.nodes[moving].parent == parent {
		n-- // the index counts the children without the item itself
	}
	switch {
	case index == -1:
		index = n
	case index < 0 || index > n:
		return nil, 0, fmt.Sprintf("index %d out of range (0..%d)", index, n)
	}
	return par, index, ""
}

// inTags reports whether guid is in the tags folder's subtree.
func (e *editor) inTags(guid string) bool {
	for g := e.nodes[guid].parent; g != ""; g = e.nodes[g].parent {
		if g == tree.TagsGUID {
			return true
		}
	}
	return false
}

// remove deletes guid and its subtree, recording tombstones for synced
// items, and returns how many items went.
func (e *editor) remove(guid string) int {
	n := e.nodes[guid]
	count := 1
	for _, c := range n.children {
		count += e.remove(c)
	}
	delete(e.nodes, guid)
	delete(e.bumps, guid)
	if isBookmark(&n.item) {
		e.maybeGone = append(e.maybeGone, n.item.Info.URL)
	}
	if n.item.Info != nil && n.item.Info.SyncStatus == tree.SyncStatusNormal {
		e.tombstones[guid] = true
		e.upload.Tombstones = append(e.upload.Tombstones, guid)
	}
	if e.listed[guid] {
		e.upload.Items = slices.DeleteFunc(e.upload.Items, func(g string) bool { return g == guid })
		e.upload.Parents = slices.DeleteFunc(e.upload.Parents, func(g string) bool { return g == guid })
		delete(e.listed, guid)
	}
	return count
}

// changed bumps guid's change counter, as Places does for an item it
// writes and for a folder whose children change, and lists it for upload
// when it is synced (under a user content root).
func (e *editor) changed(guid string, parent bool) {
	n := e.nodes[guid]
	info := tree.Info{}
	if n.item.Info != nil {
		info = *n.item.Info
	}
	info.SyncChangeCounter++
	e.bumps[guid]++
	n.item.Info = &info
	n.item.NeedsMerge = true
	n.item.Age = 0
	if e.listed[guid] || !e.synced(guid) {
		return
	}
	e.listed[guid] = true
	if parent {
		e.upload.Parents = append(e.upload.Parents, guid)
	} else {
		e.upload.Items = append(e.upload.Items, guid)
	}
}

// synced reports whether guid is a user content root or below one.
func (e *editor) synced(guid string) bool {
	for g := guid; g != ""; g = e.nodes[g].parent {
		if tree.IsUserContentRoot(g) {
			return true
		}
	}
	return false
}

// inserted is the item an Insert adds: what Places holds for a new item
// (syncStatus NEW, one change), with the content Firefox's merger dedupes
// new items by.
func inserted(guid string, src *tree.Item) tree.Item {
	it := tree.Item{GUID: guid, Kind: src.Kind, NeedsMerge: true, Validity: tree.Valid}
	info := tree.Info{}
	if src.Info != nil {
		info = *src.Info
	}
	info.Tags = normTags(info.Tags)
	info.SyncStatus, info.SyncChangeCounter = tree.SyncStatusNew, 0
	info.ServerModified, info.ParentGUID = 0, ""
	if it.Kind == tree.KindBookmark && strings.HasPrefix(info.URL, "place:") {
		it.Kind = tree.KindQuery
	}
	if it.Kind != tree.KindBookmark && it.Kind != tree.KindQuery {
		info.URL, info.Keyword, info.Tags = "", "", nil
	}
	it.Info = &info
	switch it.Kind {
	case tree.KindBookmark, tree.KindQuery:
		it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: info.Title, URL: info.URL}
	case tree.KindFolder:
		it.Content = &tree.Content{Kind: tree.ContentFolder, Title: info.Title}
	case tree.KindSeparator:
		it.Content = &tree.Content{Kind: tree.ContentSeparator}
	}
	return it
}

// normTags sorts tags and drops empty and repeated ones, as Places keeps
// them (one tag folder per title, one entry per URL).
func normTags(tags []string) []string {
	var out []string
	for _, t := range tags {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// build turns the edited nodes into a tree.
func (e *editor) build(root tree.Item) (*tree.Tree, error) {
	b := tree.NewBuilderSized(e.nodes[tree.RootGUID].item, len(e.nodes))
	b.ReparentOrphansTo("")
	var walk []string
	var visit func(g string)
	visit = func(g string) {
		walk = append(walk, g)
		for _, c := range e.nodes[g].children {
			visit(c)
		}
	}
	visit(root.GUID)
	for _, g := range walk[1:] {
		if err := b.Item(e.nodes[g].item); err != nil {
			return nil, err
		}
	}
	for _, g := range walk {
		for _, c := range e.nodes[g].children {
			if err := b.Structure(c, g); err != nil {
				return nil, err
			}
		}
	}
	for g := range e.tombstones {
		b.Tombstone(g)
	}
	return b.Build()
}

// describe is a step's line for people.
func (e *editor) describe(st Step) string {
	what := fmt.Sprintf("%s %q", st.Kind, st.Title)
	var s string
	switch st.Op {
	case Insert:
		s = fmt.Sprintf("insert %s into %s at %d", what, e.path(st.Parent), st.Index)
	case Move:
		s = fmt.Sprintf("move %s from %s to %s at %d", what, e.path(st.From), e.path(st.Parent), st.Index)
	case Delete:
		s = fmt.Sprintf("delete %s from %s", what, e.path(st.From))
		if st.Removed > 1 {
			s += fmt.Sprintf(" with the %d items in it", st.Removed-1)
		}
	case Update:
		s = fmt.Sprintf("update %s", what)
	}
	for _, n := range e.notes {
		s += "; " + n
	}
	if st.Why != "" {
		s += " (" + st.Why + ")"
	}
	return s
}

// path names a folder by its titles from the top: "Bookmarks Menu/Work".
func (e *editor) path(guid string) string {
	var parts []string
	for g := guid; g != "" && g != tree.RootGUID; g = e.nodes[g].parent {
		parts = append(parts, titleOf(&e.nodes[g].item))
	}
	slices.Reverse(parts)
	if len(parts) == 0 {
		return "the Places root"
	}
	return strings.Join(parts, "/")
}

// titleOf is an item's title for people: a root's name, else its own.
func titleOf(it *tree.Item) string {
	if t := tree.RootTitle(it.GUID); t != "" {
		return t
	}
	if it.Info != nil {
		return it.Info.Title
	}
	return ""
}

// separatorsFrom bumps the separators of folder from position start on:
// Places marks them changed whenever an item before them comes or goes,
// since Firefox's merger matches separators by position.
func (e *editor) separatorsFrom(folder string, start int) {
	for _, c := range e.nodes[folder].children[min(start, len(e.nodes[folder].children)):] {
		if e.nodes[c].item.Kind == tree.KindSeparator {
			e.changed(c, false)
		}
	}
}

// isBookmark reports whether it has a URL (a bookmark or a query).
func isBookmark(it *tree.Item) bool {
	return (it.Kind == tree.KindBookmark || it.Kind == tree.KindQuery) && it.Info != nil && it.Info.URL != ""
}

// bookmarksOf are the live bookmarks of url, in tree order of insertion.
func (e *editor) bookmarksOf(url string) []*node {
	var out []*node
	for _, g := range e.byURL[url] {
		if n, ok := e.nodes[g]; ok && n.item.Info.URL == url && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

// keywordOwner is the bookmarked URL that holds keyword, or "".
func (e *editor) keywordOwner(keyword string) string {
	url, ok := e.keywords[keyword]
	if !ok {
		return ""
	}
	for _, n := range e.bookmarksOf(url) {
		if n.item.Info.Keyword == keyword {
			return url
		}
	}
	return ""
}

// mergeURL gives an inserted bookmark its URL's keyword and tags: the tags
// it brings are added to the URL's (Places keeps tags per URL), and its
// keyword is kept only when the URL has none and no other URL uses it,
// so that restoring never takes anything from another bookmark.
func (e *editor) mergeURL(guid string, info *tree.Info) {
	url := info.URL
	want := info.Keyword
	keyword, tags := "", []string(nil)
	for _, n := range e.bookmarksOf(url) {
		if n.item.GUID == guid {
			continue
		}
		keyword, tags = n.item.Info.Keyword, n.item.Info.Tags
		break
	}
	switch {
	case want == "" || want == keyword:
	case keyword != "":
		e.notes = append(e.notes, fmt.Sprintf("keyword %q not restored: the URL has %q", want, keyword))
	case e.keywordOwner(want) != "" && e.keywordOwner(want) != url:
		e.notes = append(e.notes, fmt.Sprintf("keyword %q not restored: %s uses it", want, e.keywordOwner(want)))
	default:
		keyword = want
	}
	e.setURL(guid, keyword, normTags(append(slices.Clone(tags), info.Tags...)))
}

// setURL gives every bookmark of guid's URL this keyword and these tags.
// When they change, Places bumps every bookmark of the URL; a keyword
// another URL held moves here, and that URL's bookmarks are bumped too.
func (e *editor) setURL(guid, keyword string, tags []string) {
	url := e.nodes[guid].item.Info.URL
	if !e.urlSeen[url] {
		e.urlSeen[url] = true
		e.urls = append(e.urls, url)
	}
	if keyword != "" {
		if owner := e.keywordOwner(keyword); owner != "" && owner != url {
			for _, n := range e.bookmarksOf(owner) {
				e.setInfo(n, "", n.item.Info.Tags)
			}
		}
	}
	for _, n := range e.bookmarksOf(url) {
		if n.item.GUID == guid || n.item.Info.Keyword != keyword || !slices.Equal(n.item.Info.Tags, tags) {
			e.setInfo(n, keyword, tags)
		}
	}
}

func (e *editor) setInfo(n *node, keyword string, tags []string) {
	info := *n.item.Info
	changed := info.Keyword != keyword || !slices.Equal(info.Tags, tags)
	info.Keyword, info.Tags = keyword, slices.Clone(tags)
	n.item.Info = &info
	if keyword != "" {
		e.keywords[keyword] = info.URL
	}
	if changed && e.bumps[n.item.GUID] == 0 {
		e.changed(n.item.GUID, false)
	}
}

// unbookmarked lists the URLs that had a bookmark, before or during the
// set, and have none after it, in the order first seen.
func (e *editor) unbookmarked() []string {
	var out []string
	seen := map[string]bool{}
	for _, url := range e.maybeGone {
		if !seen[url] && len(e.bookmarksOf(url)) == 0 {
			out = append(out, url)
		}
		seen[url] = true
	}
	return out
}

// indexURL records that guid is a bookmark of url.
func (e *editor) indexURL(url, guid string) {
	e.byURL[url] = append(e.byURL[url], guid)
}
