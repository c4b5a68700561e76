package salvage

import (
	"slices"
	"sort"
	"strings"

	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/rebuild"
)

// prebuilt is one input's source, made on the goroutine that read the
// input as soon as it was read, instead of after every input was: the
// reading of the others overlaps it. Its rank is set when Rebuild ranks
// the inputs.
type prebuilt struct {
	kind string
	view *placesView
	src  *source
}

// Prebuild makes the Places file's source now (kind is how Rebuild names
// the file: "places", "corrupt" or "bmtui-backup"). The first Rebuild of
// the input takes it; one that finds none, or one of another kind, makes
// its own. Not safe to call while a Rebuild reads the input.
func (pf *PlacesFile) Prebuild(kind string) {
	if pf.Err != "" {
		return
	}
	v := newPlacesView(pf)
	v.kind = kind
	pf.pre = &prebuilt{kind: kind, view: v, src: v.source(kind, 0)}
}

// Prebuild makes the backup's source now, as PlacesFile.Prebuild.
func (bk *Backup) Prebuild() {
	if bk.Root != nil {
		bk.pre = &prebuilt{kind: "backup", src: backupSource(bk, 0)}
	}
}

// Prebuild makes the mirror's source now, as PlacesFile.Prebuild.
func (m *Mirror) Prebuild() {
	if m.Err == "" {
		m.pre = &prebuilt{kind: "mirror", src: mirrorSource(m, 0)}
	}
}

// take returns the prebuilt source if it is of kind, ranked rank, and
// forgets it: Rebuild changes what it takes.
func take(pre **prebuilt, kind string, rank int) *prebuilt {
	p := *pre
	*pre = nil
	if p == nil || p.kind != kind {
		return nil
	}
	p.src.rank = rank
	for _, c := range p.src.items {
		c.rank = rank
	}
	return p
}

// placesView joins one Places file's rows: ids to GUIDs and URLs, tag
// folders to tags.
type placesView struct {
	pf     *PlacesFile
	kind   string           // places, corrupt, bmtui-backup
	guidOf map[int64]string // bookmark row id -> GUID (rows and index)
	// rows holds one row per id, in the file's order: walked in order
	// rather than through a map, the rows are read sequentially, not
	// scattered over memory. rowAt is each id's index in rows.
	rows     []*BookmarkRow
	rowAt    map[int64]int
	urlOf    map[int64]string    // place id -> URL
	tags     map[string][]string // URL -> tags
	tagsOf   map[int64][]string  // place id -> tags
	tagRoot  int64
	tagFolds map[int64]string
}

func newPlacesView(pf *PlacesFile) *placesView {
	v := &placesView{pf: pf, guidOf: make(map[int64]string, len(pf.Bookmarks)),
		rows: make([]*BookmarkRow, 0, len(pf.Bookmarks)), rowAt: make(map[int64]int, len(pf.Bookmarks)),
		urlOf: make(map[int64]string, len(pf.Places)),
		tags:  map[string][]string{}, tagsOf: map[int64][]string{}, tagRoot: -1, tagFolds: map[int64]string{}}
	for _, e := range pf.GUIDIndex {
		v.guidOf[e.ID] = e.GUID
	}
	for i := range pf.Bookmarks {
		r := &pf.Bookmarks[i]
		if at, dup := v.rowAt[r.ID]; dup {
			if !v.rows[at].Orphan {
				continue // a stale copy on a cut-off page
			}
			v.rows[at] = r
		} else {
			v.rowAt[r.ID] = len(v.rows)
			v.rows = append(v.rows, r)
		}
		v.guidOf[r.ID] = r.GUID
		if r.GUID == TagsGUID {
			v.tagRoot = r.ID
		}
	}
	if v.tagRoot < 0 {
		for id, g := range v.guidOf {
			if g == TagsGUID {
				v.tagRoot = id
			}
		}
	}
	for i := range pf.Places {
		p := &pf.Places[i]
		if _, dup := v.urlOf[p.ID]; !dup || !p.Orphan {
			v.urlOf[p.ID] = p.URL
		}
	}
	for _, r := range v.rows {
		if r.Parent == v.tagRoot && r.Type == rebuild.TypeFolder {
			v.tagFolds[r.ID] = r.Title
		}
	}
	for _, r := range v.rows {
		if t, ok := v.tagFolds[r.Parent]; ok && r.HasFK {
			v.tagsOf[r.FK] = append(v.tagsOf[r.FK], t)
		}
	}
	for _, ts := range v.tagsOf {
		sort.Strings(ts)
	}
	v.indexTags()
	return v
}

func (v *placesView) indexTags() {
	clear(v.tags)
	for id, ts := range v.tagsOf {
		if u := v.urlOf[id]; u != "" {
			v.tags[u] = ts
		}
	}
}

// fillURLs names the pages whose rows were lost but whose url_hash the
// index kept, from the URLs other sources give: a hash that only one
// known URL has names its page.
func (v *placesView) fillURLs(known map[uint64]string) int {
	n := 0
	for id, h := range v.pf.URLHashes {
		if _, ok := v.urlOf[id]; ok {
			continue
		}
		if u := known[uint64(h)]; u != "" {
			v.urlOf[id] = u
			n++
		}
	}
	if n > 0 {
		v.indexTags()
	}
	return n
}

// source lists the file's items (roots included, tag folders and entries
// left out) as candidates.
func (v *placesView) source(kind string, rank int) *source {
	pf := v.pf
	s := &source{name: pf.Name, kind: kind, rank: rank, items: make(map[string]*cand, len(v.rows)), exists: map[string]bool{},
		parents:  make(map[string]string, len(v.rows)),
		complete: pf.BookmarksComplete || pf.GUIDIndexComplete}
	kw := map[int64]KeywordRow{}
	for _, k := range pf.Keywords {
		kw[k.PlaceID] = k
	}
	for _, r := range v.rows {
		if r.Parent == v.tagRoot && v.tagRoot >= 0 {
			continue
		}
		if _, tagEntry := v.tagFolds[r.Parent]; tagEntry {
			continue
		}
		c := &cand{guid: r.GUID, typ: int(r.Type), title: r.Title, position: int(r.Position),
			dateAdded: r.DateAdded, lastM: r.LastModified, syncStatus: int(r.SyncStatus), ctr: int(r.SyncChangeCounter),
			origin: Origin{Source: pf.Name, Page: r.Page, Orphan: r.Orphan, WAL: r.WAL}, rank: rank, certain: kind == "places",
			unvouched: r.Orphan && !pf.FreelistComplete}
		if p, ok := v.guidOf[r.Parent]; ok {
			c.parent = p
			s.parents[r.GUID] = p
		} else if r.GUID != RootGUID {
			c.parentID = r.Parent
			if v.lostTagEntry(r) {
				// Most likely an entry of a lost tag folder: only another
				// source can say it is a bookmark.
				s.tagLike = append(s.tagLike, r.GUID)
				continue
			}
		}
		if r.HasFK && r.Type == rebuild.TypeBookmark {
			c.fk, c.view = r.FK, v
			c.url = v.urlOf[r.FK]
			c.tags = v.tagsOf[r.FK]
			if k, ok := kw[r.FK]; ok {
				c.keyword, c.post = k.Keyword, k.PostData
			}
		}
		if old := s.items[r.GUID]; old != nil && !old.origin.Orphan {
			continue
		}
		s.items[r.GUID] = c
	}
	s.indexed = make(map[string]bool, len(pf.GUIDIndex))
	for _, e := range pf.GUIDIndex {
		s.indexed[e.GUID] = true
		if _, hasRow := v.rowAt[e.ID]; !hasRow {
			s.exists[e.GUID] = true
		}
	}
	return s
}

// lostTagEntry: a bookmark row without a title whose parent row is lost
// looks like what Firefox writes for a tag entry.
func (v *placesView) lostTagEntry(r *BookmarkRow) bool {
	return r.Type == rebuild.TypeBookmark && r.Title == "" && r.HasFK
}

func backupSource(bk *Backup, rank int) *source {
	n := bk.Root.Count()
	s := &source{name: bk.Name, kind: "backup", rank: rank, time: bk.Time, complete: true,
		items: make(map[string]*cand, n), exists: map[string]bool{}, parents: make(map[string]string, n)}
	bk.Root.Walk(func(n, parent *backup.Node) {
		if parent == nil || n.GUID == "" {
			return
		}
		s.parents[n.GUID] = parent.GUID
		if isRoot(n.GUID) || parent.GUID == TagsGUID {
			return
		}
		c := &cand{guid: n.GUID, parent: parent.GUID, typ: n.TypeCode, title: n.Title, url: n.URI, tags: n.TagList(),
			keyword: n.Keyword, position: int(n.Index), dateAdded: n.DateAdded, lastM: n.LastModified,
			origin: Origin{Source: bk.Name}, rank: rank}
		if n.PostData != nil {
			c.post = *n.PostData
		}
		s.items[n.GUID] = c
	})
	return s
}

func mirrorSource(m *Mirror, rank int) *source {
	s := &source{name: m.Name, kind: "mirror", rank: rank, time: m.Time,
		items: make(map[string]*cand, len(m.Items)), exists: map[string]bool{}, parents: make(map[string]string, len(m.Items))}
	for _, it := range m.Items {
		if it.ParentGUID != "" {
			s.parents[it.GUID] = it.ParentGUID
		}
		if it.Deleted || isRoot(it.GUID) || it.ParentGUID == "" {
			continue
		}
		typ := 0
		switch it.Kind {
		case KindBookmark, KindQuery:
			typ = rebuild.TypeBookmark
		case KindFolder:
			typ = rebuild.TypeFolder
		case KindSeparator:
			typ = rebuild.TypeSeparator
		default:
			continue // livemarks are gone from Firefox
		}
		s.items[it.GUID] = &cand{guid: it.GUID, parent: it.ParentGUID, typ: typ, title: it.Title, url: it.URL, tags: it.Tags,
			keyword: it.Keyword, position: it.Position, dateAdded: it.DateAdded, lastM: it.ServerModified,
			origin: Origin{Source: m.Name, Page: it.Page}, rank: rank}
	}
	return s
}

// pageHistory gathers pages, visits and page annotations: the live
// database's, then what only the .corrupt holds. It needs no decision
// about items, so it runs beside decide, place and emit; it returns
// where each URL's page is in the database's Places.
func (b *builder) pageHistory() map[string]int {
	db := b.res.DB
	n := 0
	for _, v := range b.views {
		n = max(n, len(v.pf.Places))
	}
	placeAt := make(map[string]int, n)
	db.Places = slices.Grow(db.Places, n)
	addPlace := func(p rebuild.Place) {
		if p.URL == "" {
			return
		}
		if _, ok := placeAt[p.URL]; ok {
			return
		}
		placeAt[p.URL] = len(db.Places)
		db.Places = append(db.Places, p)
	}
	nv := 0
	for _, v := range b.views {
		nv = max(nv, len(v.pf.Visits))
	}
	visit := make(map[rebuild.Visit]bool, nv)
	pageAnno := map[[2]string]bool{}
	for _, v := range b.views {
		if v.kind == "bmtui-backup" && b.livePlaces != nil {
			// History cleared since that copy stays cleared.
			continue
		}
		pf := v.pf
		for _, p := range pf.Places {
			if v.urlOf[p.ID] != p.URL {
				continue // a stale copy
			}
			addPlace(rebuild.Place{URL: p.URL, Title: p.Title, GUID: p.GUID, VisitCount: int(p.VisitCount), Typed: int(p.Typed),
				Hidden: int(p.Hidden), LastVisitDate: p.LastVisitDate, Frecency: int(p.Frecency),
				Description: p.Description, PreviewImageURL: p.PreviewImageURL, SiteName: p.Site, RevHost: p.RevHost})
		}
		for _, vr := range pf.Visits {
			u := v.urlOf[vr.PlaceID]
			if u == "" {
				continue
			}
			x := rebuild.Visit{URL: u, VisitDate: vr.VisitDate, VisitType: int(vr.VisitType), Source: int(vr.Source)}
			if !visit[x] {
				visit[x] = true
				db.Visits = append(db.Visits, x)
			}
		}
		for _, a := range pf.PageAnnos {
			u := v.urlOf[a.Owner]
			name := pf.AnnoNames[a.AttrID]
			if u == "" || name == "" || pageAnno[[2]string{u, name}] {
				continue
			}
			pageAnno[[2]string{u, name}] = true
			db.PageAnnos = append(db.PageAnnos, rebuild.PageAnno{URL: u, Name: name, Content: a.Content, Flags: int(a.Flags),
				Expiration: int(a.Expiration), Type: int(a.Type), DateAdded: a.DateAdded, LastModified: a.LastModified})
		}
	}
	return placeAt
}

// history adds, once the items are decided, the keywords and item
// annotations of the Places files (in pageHistory's order of files),
// then the pages and keywords bookmarks from other sources need.
func (b *builder) history(placeAt map[string]int) {
	db := b.res.DB
	kwSeen := map[string]bool{}
	itemAnno := map[[2]string]bool{}
	for _, v := range b.views {
		if v.kind == "bmtui-backup" && b.livePlaces != nil {
			continue // as in pageHistory
		}
		pf := v.pf
		for _, k := range pf.Keywords {
			u := v.urlOf[k.PlaceID]
			if u == "" {
				u = b.keywordURL(k.Keyword)
			}
			if u == "" || k.Keyword == "" || kwSeen[k.Keyword] {
				continue
			}
			kwSeen[k.Keyword] = true
			db.Keywords = append(db.Keywords, rebuild.Keyword{Keyword: k.Keyword, URL: u, PostData: k.PostData})
		}
		for _, a := range pf.ItemAnnos {
			g := v.guidOf[a.Owner]
			name := pf.AnnoNames[a.AttrID]
			if _, kept := b.kept[g]; !kept || name == "" || itemAnno[[2]string{g, name}] {
				continue
			}
			itemAnno[[2]string{g, name}] = true
			db.ItemAnnos = append(db.ItemAnnos, rebuild.ItemAnno{GUID: g, Name: name, Content: a.Content, Flags: int(a.Flags),
				Expiration: int(a.Expiration), Type: int(a.Type), DateAdded: a.DateAdded, LastModified: a.LastModified})
		}
	}
	addPlace := func(p rebuild.Place) {
		if _, ok := placeAt[p.URL]; ok {
			return
		}
		placeAt[p.URL] = len(db.Places)
		db.Places = append(db.Places, p)
	}
	// When the live keyword table was read whole, its keywords are all;
	// otherwise the items' own sources add theirs.
	liveKeywordsWhole := b.livePlaces != nil && b.livePlaces.pf.BadCells["moz_keywords"] == 0 && b.livePlaces.pf.Tables["moz_keywords"] > 0
	// In GUID order, only the bookmarks that may add something: a page
	// not listed yet, or a keyword.
	var adding []*cand
	for _, c := range b.kept {
		if c.typ != rebuild.TypeBookmark || c.url == "" {
			continue
		}
		if _, ok := placeAt[c.url]; !ok || c.keyword != "" {
			adding = append(adding, c)
		}
	}
	slices.SortFunc(adding, func(x, y *cand) int { return strings.Compare(x.guid, y.guid) })
	for _, c := range adding {
		if _, ok := placeAt[c.url]; !ok {
			addPlace(rebuild.Place{URL: c.url, Title: c.title, Frecency: -1})
		}
		if c.keyword != "" && !kwSeen[c.keyword] && (!liveKeywordsWhole || !c.certain) && !b.keywordTaken(c.url) {
			kwSeen[c.keyword] = true
			db.Keywords = append(db.Keywords, rebuild.Keyword{Keyword: c.keyword, URL: c.url, PostData: c.post})
		}
	}
}

// keywordTaken: Places allows one keyword per URL and post data; a URL
// the live database gave a keyword keeps that one.
func (b *builder) keywordTaken(u string) bool {
	for _, k := range b.res.DB.Keywords {
		if k.URL == u {
			return true
		}
	}
	return false
}

// keywordURL finds the URL another source gives a keyword whose page row
// was lost.
func (b *builder) keywordURL(kw string) string {
	for _, s := range b.srcs {
		for _, g := range sortedKeys(s.items) {
			if c := s.items[g]; c.keyword == kw && c.url != "" {
				return c.url
			}
		}
	}
	return ""
}
