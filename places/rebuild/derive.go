package rebuild

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bmtui/bmtui/places/urls"
)

// Built-in root GUIDs, in the order Firefox creates them under the root.
const (
	RootGUID    = "root________"
	MenuGUID    = "menu________"
	ToolbarGUID = "toolbar_____"
	TagsGUID    = "tags________"
	UnfiledGUID = "unfiled_____"
	MobileGUID  = "mobile______"
)

var builtinRoots = []struct{ guid, title string }{
	{MenuGUID, "menu"}, {ToolbarGUID, "toolbar"}, {TagsGUID, "tags"}, {UnfiledGUID, "unfiled"}, {MobileGUID, "mobile"},
}

// The rows Write inserts, with their ids. derive makes them from a
// Database without I/O, so Write and Verify agree on every value.
type tables struct {
	origins    []originRow
	places     []placeRow
	bookmarks  []bookmarkRow
	visits     []visitRow
	keywords   []keywordRow
	attrs      []string // moz_anno_attributes names; id = index + 1
	itemAnnos  []annoRow
	pageAnnos  []annoRow
	tombstones []Tombstone
	meta       []metaRow
}

type originRow struct {
	id           int64
	prefix, host string
	frecency     int64 // recalc flags are always 1: Firefox recalculates
}

type placeRow struct {
	id                                int64
	url, title, revHost, guid         string
	urlHash                           int64
	visitCount, hidden, typed         int64
	frecency, lastVisitDate           int64 // lastVisitDate 0 = NULL
	foreignCount, originID            int64
	description, previewImage, site   string
	recalcFrecency, recalcAltFrecency int64
}

type bookmarkRow struct {
	id, fk, parent          int64 // fk 0 = NULL
	typ, position           int64
	title                   *string
	dateAdded, lastModified int64
	guid                    string
	syncStatus, counter     int64
}

type visitRow struct {
	id, placeID, date, visitType, source int64
}

type keywordRow struct {
	id       int64
	keyword  string
	placeID  int64
	postData string
}

type annoRow struct {
	id, target, attr        int64 // target: item id or place id
	content                 string
	flags, expiration, typ  int64
	dateAdded, lastModified int64
}

type metaRow struct {
	key   string
	value any // string, int64 or float64
}

// excludedVisitTypes are not counted in visit_count (Places' triggers and
// its coherence check): invalid, EMBED, DOWNLOAD, FRAMED_LINK, RELOAD.
func countsAsVisit(t int) bool {
	switch t {
	case 0, 4, 7, 8, 9:
		return false
	}
	return true
}

// ValidGUID reports whether g is a Places GUID: 12 characters of the
// base64url alphabet (Firefox's IS_VALID_GUID).
func ValidGUID(g string) bool {
	if len(g) != 12 {
		return false
	}
	for i := 0; i < len(g); i++ {
		c := g[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// stableGUID is a valid GUID made from its parts, so that rows the writer
// creates (pages without a GUID, tag folders and entries) get the same
// GUIDs every time the same Database is written.
func stableGUID(parts ...string) string {
	h := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return base64.RawURLEncoding.EncodeToString(h[:9])
}

// msTime is t in Firefox's precision: µs, a multiple of 1000.
func msTime(t time.Time) int64 { return t.UnixMilli() * 1000 }

// derive checks db and computes every row Write inserts, with the values
// Places' triggers and APIs would leave (docs/formats.md#places-database):
// url_hash, rev_host, origins, foreign_count, visit_count,
// last_visit_date, hidden, frecency placeholders and recalculation flags,
// tag folders and entries, contiguous positions. now dates the built-in
// roots db lacks.
func derive(db *Database, now time.Time) (*tables, error) {
	bms, err := completeRoots(db.Bookmarks, now)
	if err != nil {
		return nil, err
	}
	d := &deriver{t: &tables{}, now: now, bms: bms, pages: make(map[string]*page, len(db.Places)+len(db.Keywords))}
	steps := []func() error{
		func() error { return d.listPages(db.Places) },
		d.bookmarks,
		d.tags,
		func() error { return d.keywords(db.Keywords) },
		func() error { return d.references(db) },
		d.placesAndOrigins,
		func() error { return d.annotations(db) },
		func() error { return d.tombstones(db.Tombstones) },
		func() error { return d.meta(db.Meta) },
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return d.t, nil
}

// deriver holds what derive's steps share.
type deriver struct {
	t        *tables
	now      time.Time
	bms      []Bookmark       // with the built-in roots; row id = index + 1
	byGUID   map[string]int   // index in bms
	children map[string][]int // parent GUID -> indexes in bms
	pages    map[string]*page // by URL
	order    []*page          // listed pages, then those only referred to
	fkPages  []*page          // each bookmark row's page (nil for folders, separators): its fk
	kws      []Keyword        // normalized
}

// page is one moz_places row in the making.
type page struct {
	id                  int64 // its row id: its place in order, from 1
	listed              Place
	implicit            bool
	bookmarks, keywords int64
	visits              []Visit
}

func (d *deriver) listPages(places []Place) error {
	slab := make([]page, len(places)) // one allocation, not one per page
	d.order = make([]*page, 0, len(places))
	for i, pl := range places {
		if pl.URL == "" {
			return fmt.Errorf("a page has an empty URL")
		}
		if d.pages[pl.URL] != nil {
			return fmt.Errorf("page %q is listed twice", pl.URL)
		}
		p := &slab[i]
		p.listed = pl
		p.id = int64(len(d.order) + 1)
		d.pages[pl.URL] = p
		d.order = append(d.order, p)
	}
	return nil
}

// page returns the page of URL u, adding one with default values (as
// Places creates a page a bookmark or keyword needs) when it is not
// listed.
func (d *deriver) page(u string, what string) (*page, error) {
	if u == "" {
		return nil, fmt.Errorf("%s has an empty URL", what)
	}
	if p := d.pages[u]; p != nil {
		return p, nil
	}
	p := &page{id: int64(len(d.order) + 1), implicit: true, listed: Place{URL: u, Frecency: -1}}
	d.pages[u] = p
	d.order = append(d.order, p)
	return p, nil
}

// bookmarks validates the tree and makes its rows, positions renumbered.
func (d *deriver) bookmarks() error {
	bms := d.bms
	d.byGUID = make(map[string]int, len(bms))
	folders := 0
	for _, b := range bms {
		if b.Type == TypeFolder {
			folders++
		}
	}
	d.children = make(map[string][]int, folders)
	for i, b := range bms {
		if err := d.checkBookmark(i, b); err != nil {
			return err
		}
	}
	if len(bms) == 0 || bms[0].GUID != RootGUID {
		return fmt.Errorf("the Places root %s is missing", RootGUID)
	}
	for _, root := range builtinRoots {
		if i := d.byGUID[root.guid]; bms[i].ParentGUID != RootGUID {
			return fmt.Errorf("built-in root %s is not a child of the Places root", root.guid)
		}
	}
	position := make([]int64, len(bms))
	for _, kids := range d.children {
		sorted := slices.Clone(kids)
		sort.SliceStable(sorted, func(a, b int) bool { return bms[sorted[a]].Position < bms[sorted[b]].Position })
		for pos, i := range sorted {
			position[i] = int64(pos)
		}
	}
	d.t.bookmarks = make([]bookmarkRow, 0, 2*len(bms))
	d.fkPages = make([]*page, len(bms), 2*len(bms))
	for i, b := range bms {
		row := bookmarkRow{id: int64(i + 1), typ: int64(b.Type), position: position[i], guid: b.GUID,
			syncStatus: int64(b.SyncStatus), counter: int64(b.SyncChangeCounter)}
		row.dateAdded, row.lastModified = fixDates(b.DateAdded, b.LastModified, d.now)
		if b.GUID != RootGUID {
			row.parent = int64(d.byGUID[b.ParentGUID] + 1)
		}
		switch {
		case b.GUID == RootGUID:
			row.title = new(string) // '' for the root, as Firefox writes it
		case b.Type != TypeSeparator && b.Title != "":
			title := b.Title // not &b.Title: that would keep a copy of all of b
			row.title = &title
		}
		d.t.bookmarks = append(d.t.bookmarks, row)
		if b.Type == TypeBookmark {
			// checkBookmark refused an empty URL: the name is not needed.
			p, err := d.page(b.URL, "bookmark")
			if err != nil {
				return err
			}
			p.bookmarks++
			d.fkPages[i] = p
		}
	}
	return nil
}

func (d *deriver) checkBookmark(i int, b Bookmark) error {
	if !ValidGUID(b.GUID) {
		return fmt.Errorf("bookmark %q: invalid GUID", b.GUID)
	}
	if _, dup := d.byGUID[b.GUID]; dup {
		return fmt.Errorf("bookmark %s is listed twice", b.GUID)
	}
	d.byGUID[b.GUID] = i
	switch b.Type {
	case TypeBookmark:
		if b.URL == "" {
			return fmt.Errorf("bookmark %s has no URL", b.GUID)
		}
	case TypeFolder, TypeSeparator:
		if b.URL != "" {
			return fmt.Errorf("%s %s has a URL", typeName(b.Type), b.GUID)
		}
	default:
		return fmt.Errorf("bookmark %s has type %d", b.GUID, b.Type)
	}
	if b.GUID == RootGUID {
		if i != 0 || b.ParentGUID != "" {
			return fmt.Errorf("the Places root must come first, with no parent")
		}
		return nil
	}
	pi, ok := d.byGUID[b.ParentGUID]
	if !ok {
		return fmt.Errorf("bookmark %s: parent %q is not listed before it", b.GUID, b.ParentGUID)
	}
	if d.bms[pi].Type != TypeFolder {
		return fmt.Errorf("bookmark %s: parent %s is not a folder", b.GUID, b.ParentGUID)
	}
	if b.ParentGUID == TagsGUID {
		return fmt.Errorf("bookmark %s is in the tags root: give tags as Bookmark.Tags", b.GUID)
	}
	d.children[b.ParentGUID] = append(d.children[b.ParentGUID], i)
	return nil
}

// tags makes one folder per exact title under the tags root and one entry
// per tag and URL, appended after the other rows.
func (d *deriver) tags() error {
	type tagEntry struct {
		row  bookmarkRow
		page *page
	}
	type tagFolder struct {
		row     bookmarkRow
		entries []tagEntry
		urls    map[string]bool
	}
	var folders []*tagFolder
	folderByTitle := map[string]*tagFolder{}
	tagsRootID := int64(d.byGUID[TagsGUID] + 1)
	for i, b := range d.bms {
		if b.Type != TypeBookmark {
			continue
		}
		when := d.t.bookmarks[i].lastModified
		for _, tag := range b.Tags {
			tag = strings.TrimSpace(tag)
			if tag == "" {
				continue
			}
			f := folderByTitle[tag]
			if f == nil {
				title := tag
				f = &tagFolder{urls: map[string]bool{}, row: bookmarkRow{typ: TypeFolder, parent: tagsRootID,
					title: &title, guid: stableGUID("tag", tag), counter: 1, dateAdded: when, lastModified: when}}
				folderByTitle[tag] = f
				folders = append(folders, f)
			}
			if f.urls[b.URL] {
				continue
			}
			f.urls[b.URL] = true
			f.row.dateAdded = min(f.row.dateAdded, when)
			f.row.lastModified = max(f.row.lastModified, when)
			p := d.fkPages[i]
			f.entries = append(f.entries, tagEntry{page: p, row: bookmarkRow{typ: TypeBookmark, guid: stableGUID("tagentry", tag, b.URL),
				position: int64(len(f.entries)), dateAdded: when, lastModified: when, counter: 1}})
			p.bookmarks++
		}
	}
	tagsRootKids := int64(len(d.children[TagsGUID]))
	nextID := int64(len(d.t.bookmarks))
	for fi, f := range folders {
		nextID++
		f.row.id = nextID
		f.row.position = tagsRootKids + int64(fi)
		d.t.bookmarks = append(d.t.bookmarks, f.row)
		d.fkPages = append(d.fkPages, nil)
		for _, e := range f.entries {
			nextID++
			e.row.id, e.row.parent = nextID, f.row.id
			d.t.bookmarks = append(d.t.bookmarks, e.row)
			d.fkPages = append(d.fkPages, e.page)
		}
	}
	// The items' own GUIDs are unique (checkBookmark): only the
	// generated ones need checking, against those and each other.
	seen := make(map[string]bool, len(d.t.bookmarks)-len(d.bms))
	for _, row := range d.t.bookmarks[len(d.bms):] {
		if _, item := d.byGUID[row.guid]; item || seen[row.guid] {
			return fmt.Errorf("generated tag GUID %s collides with another item", row.guid)
		}
		seen[row.guid] = true
	}
	return nil
}

// keywords are trimmed and lowercased, as Places stores them.
func (d *deriver) keywords(in []Keyword) error {
	kwSeen := map[string]Keyword{}
	type urlPost struct{ url, post string }
	postSeen := map[urlPost]string{}
	for _, k := range in {
		k.Keyword = strings.ToLower(strings.TrimSpace(k.Keyword))
		if k.Keyword == "" {
			return fmt.Errorf("an empty keyword for %q", k.URL)
		}
		if old, ok := kwSeen[k.Keyword]; ok {
			if old != k {
				return fmt.Errorf("keyword %q is given for two URLs or POST data", k.Keyword)
			}
			continue
		}
		if other, ok := postSeen[urlPost{k.URL, k.PostData}]; ok {
			return fmt.Errorf("keywords %q and %q share URL %q and POST data", other, k.Keyword, k.URL)
		}
		kwSeen[k.Keyword] = k
		postSeen[urlPost{k.URL, k.PostData}] = k.Keyword
		p, err := d.page(k.URL, "keyword "+k.Keyword)
		if err != nil {
			return err
		}
		p.keywords++
		d.kws = append(d.kws, k)
	}
	return nil
}

// references adds the pages visits and page annotations name.
func (d *deriver) references(db *Database) error {
	for _, v := range db.Visits {
		p, err := d.page(v.URL, "a visit")
		if err != nil {
			return err
		}
		p.visits = append(p.visits, v)
	}
	for _, a := range db.PageAnnos {
		if _, err := d.page(a.URL, "annotation "+a.Name); err != nil {
			return err
		}
	}
	return nil
}

// placesAndOrigins makes moz_places and moz_origins as Places' insert,
// visit and bookmark triggers leave them, then the rows that refer to
// pages: bookmark fks, visits, keywords.
func (d *deriver) placesAndOrigins() error {
	type originKey struct{ prefix, host string }
	originIDs := make(map[originKey]int64, len(d.order)/4)
	t := d.t
	t.places = make([]placeRow, 0, len(d.order))
	placeGUIDs := make(map[string]bool, len(d.order))
	for _, p := range d.order {
		pl := p.listed
		q := urls.IsQuery(pl.URL)
		row := placeRow{id: p.id, url: pl.URL, title: pl.Title, guid: pl.GUID,
			urlHash: int64(urls.Hash(pl.URL)), revHost: pl.RevHost, typed: int64(pl.Typed), hidden: int64(pl.Hidden),
			description: pl.Description, previewImage: pl.PreviewImageURL, site: pl.SiteName,
			foreignCount: p.bookmarks + p.keywords}
		if row.revHost == "" {
			row.revHost = revHost(pl.URL)
		}
		if !ValidGUID(row.guid) || placeGUIDs[row.guid] {
			row.guid = stableGUID("page", pl.URL)
		}
		placeGUIDs[row.guid] = true
		// The frecency the page had when inserted: a bookmark turns -1
		// into 1, so 1 is that placeholder (kept when the bookmark goes,
		// with both flags set by the delete trigger), never a computed
		// value: the page was inserted with -1.
		insertFrecency := int64(pl.Frecency)
		if p.implicit {
			insertFrecency = -1
			if q {
				insertFrecency, row.hidden = 0, 1
			}
		}
		row.frecency = insertFrecency
		if !q && (insertFrecency == 1 || insertFrecency == -1) {
			insertFrecency = -1
			row.recalcFrecency, row.recalcAltFrecency = 1, 1
		}
		k := originKey{urls.Prefix(pl.URL), urls.HostAndPort(pl.URL)}
		id, ok := originIDs[k]
		if !ok {
			id = int64(len(t.origins) + 1)
			originIDs[k] = id
			t.origins = append(t.origins, originRow{id: id, prefix: k.prefix, host: k.host, frecency: insertFrecency})
		}
		row.originID = id
		for _, v := range p.visits {
			if countsAsVisit(v.VisitType) {
				row.visitCount++
			}
			row.lastVisitDate = max(row.lastVisitDate, v.VisitDate)
			row.recalcFrecency, row.recalcAltFrecency = 1, 1
		}
		if p.bookmarks > 0 {
			if row.frecency == -1 {
				row.frecency = 1
				if q {
					row.frecency = 0
				}
			}
			row.hidden = b2i(q)
			row.recalcFrecency, row.recalcAltFrecency = b2i(!q), b2i(!q)
		}
		t.places = append(t.places, row)
	}

	// Each bookmark's page was found when its row was made: its id is
	// known now, without looking the URL up again.
	for i, p := range d.fkPages {
		if p != nil {
			t.bookmarks[i].fk = p.id
		}
	}
	return nil
}

func (d *deriver) placeID(u string) int64 { return d.pages[u].id }

// annotations makes the visit, keyword and annotation rows.
func (d *deriver) annotations(db *Database) error {
	t := d.t
	t.visits = make([]visitRow, 0, len(db.Visits))
	for i, v := range db.Visits {
		t.visits = append(t.visits, visitRow{id: int64(i + 1), placeID: d.placeID(v.URL), date: v.VisitDate, visitType: int64(v.VisitType), source: int64(v.Source)})
	}
	for i, k := range d.kws {
		t.keywords = append(t.keywords, keywordRow{id: int64(i + 1), keyword: k.Keyword, placeID: d.placeID(k.URL), postData: k.PostData})
	}
	// Item annotations are checked but not written: Firefox has not used
	// moz_items_annos since schema 53, and its maintenance deletes every
	// attribute name no page annotation uses (A.3), which Firefox's
	// coherence check would count as a repair.
	for _, a := range db.ItemAnnos {
		if _, ok := d.byGUID[a.GUID]; !ok {
			return fmt.Errorf("annotation %s on missing item %s", a.Name, a.GUID)
		}
	}
	attrIDs := map[string]int64{}
	type placeAttr struct{ place, attr int64 }
	seen := map[placeAttr]bool{}
	for _, a := range db.PageAnnos {
		if a.Name == "" {
			return fmt.Errorf("an annotation on %s has no name", a.URL)
		}
		id, ok := attrIDs[a.Name]
		if !ok {
			t.attrs = append(t.attrs, a.Name)
			id = int64(len(t.attrs))
			attrIDs[a.Name] = id
		}
		pid := d.placeID(a.URL)
		if seen[placeAttr{pid, id}] {
			return fmt.Errorf("annotation %s on page %s is given twice", a.Name, a.URL)
		}
		seen[placeAttr{pid, id}] = true
		t.pageAnnos = append(t.pageAnnos, annoRow{id: int64(len(t.pageAnnos) + 1), target: pid, attr: id, content: a.Content,
			flags: int64(a.Flags), expiration: int64(a.Expiration), typ: int64(a.Type), dateAdded: a.DateAdded, lastModified: a.LastModified})
	}
	return nil
}

func (d *deriver) tombstones(in []Tombstone) error {
	seen := map[string]bool{}
	for _, tb := range in {
		if !ValidGUID(tb.GUID) {
			return fmt.Errorf("tombstone %q: invalid GUID", tb.GUID)
		}
		if _, live := d.byGUID[tb.GUID]; live {
			return fmt.Errorf("tombstone for %s, which is a live item", tb.GUID)
		}
		if seen[tb.GUID] {
			continue
		}
		seen[tb.GUID] = true
		d.t.tombstones = append(d.t.tombstones, tb)
	}
	return nil
}

// meta keys are lowercased, as Firefox's metadata API stores them.
func (d *deriver) meta(in map[string]any) error {
	keys := make([]string, 0, len(in))
	for k := range in {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	seen := map[string]bool{}
	for _, k := range keys {
		v, err := metaValue(in[k])
		if err != nil {
			return fmt.Errorf("moz_meta %s: %w", k, err)
		}
		if v == nil {
			continue
		}
		key := strings.ToLower(k)
		if seen[key] {
			return fmt.Errorf("moz_meta %s is given twice", key)
		}
		seen[key] = true
		d.t.meta = append(d.t.meta, metaRow{key: key, value: v})
	}
	return nil
}

// completeRoots returns the bookmarks with any missing built-in root added
// (as restored items: syncStatus UNKNOWN, counter 1, dated now).
func completeRoots(in []Bookmark, now time.Time) ([]Bookmark, error) {
	// Only the built-in roots' GUIDs are looked for.
	have := make(map[string]bool, len(builtinRoots)+1)
	for _, b := range in {
		if isBuiltinRoot(b.GUID) {
			have[b.GUID] = true
		}
	}
	complete := have[RootGUID]
	for _, r := range builtinRoots {
		complete = complete && have[r.guid]
	}
	if complete {
		return in, nil
	}
	out := slices.Clone(in)
	when := msTime(now)
	if !have[RootGUID] {
		out = slices.Insert(out, 0, Bookmark{GUID: RootGUID, Type: TypeFolder, DateAdded: when, LastModified: when, SyncChangeCounter: 1})
	}
	// Missing roots go right after the Places root, before any child.
	at := 1
	for i, r := range builtinRoots {
		if have[r.guid] {
			continue
		}
		out = slices.Insert(out, at, Bookmark{GUID: r.guid, ParentGUID: RootGUID, Type: TypeFolder, Title: r.title,
			Position: i, DateAdded: when, LastModified: when, SyncChangeCounter: 1})
		at++
	}
	return out, nil
}

func isBuiltinRoot(g string) bool {
	switch g {
	case RootGUID, MenuGUID, ToolbarGUID, TagsGUID, UnfiledGUID, MobileGUID:
		return true
	}
	return false
}

// fixDates gives the dates Places' coherence check would leave: both set,
// dateAdded <= lastModified.
func fixDates(added, modified int64, now time.Time) (int64, int64) {
	if added == 0 {
		added = modified
	}
	if modified == 0 {
		modified = added
	}
	if added == 0 {
		added, modified = msTime(now), msTime(now)
	}
	if added > modified {
		added = modified
	}
	return added, modified
}

func metaValue(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case string:
		return x, nil
	case int:
		return int64(x), nil
	case int64:
		return x, nil
	case float64:
		return x, nil
	case bool:
		return b2i(x), nil
	}
	return nil, fmt.Errorf("unsupported value type %T", v)
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func typeName(t int) string {
	switch t {
	case TypeFolder:
		return "folder"
	case TypeSeparator:
		return "separator"
	}
	return "bookmark"
}

// revHost is urls.RevHost (the WHATWG host reversed, plus "."), with a
// fast path for the common http(s) URL whose host is already canonical:
// lowercase ASCII letters, digits, dots and hyphens, no port, no userinfo,
// not an IPv4 address and no punycode to validate. Anything else goes
// through the full parser.
func revHost(u string) string {
	rest, ok := strings.CutPrefix(u, "https://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "http://"); !ok {
			return urls.RevHost(u)
		}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	host := rest[:end]
	if host == "" || host[0] == '.' || host[len(host)-1] == '.' || strings.Contains(host, "..") || strings.Contains(host, "xn--") {
		return urls.RevHost(u)
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return urls.RevHost(u)
		}
	}
	// A last label that starts with a digit may make the host an IPv4
	// address, which the parser normalizes.
	if last := host[strings.LastIndexByte(host, '.')+1:]; last[0] < 'a' || last[0] > 'z' {
		return urls.RevHost(u)
	}
	b := make([]byte, len(host)+1)
	for i := 0; i < len(host); i++ {
		b[len(host)-1-i] = host[i]
	}
	b[len(host)] = '.'
	return string(b)
}
