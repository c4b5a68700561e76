// Package salvage rebuilds a Places database from whatever a damaged
// profile's sources still hold (see Input), deciding per item where it
// comes from and where it goes, and never bringing back a deleted item.
// It is pure: no I/O, no clock (times are inputs).
package salvage

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/places/urls"
)

// The roots every Places database has.
const (
	RootGUID    = "root________"
	MenuGUID    = "menu________"
	ToolbarGUID = "toolbar_____"
	UnfiledGUID = "unfiled_____"
	MobileGUID  = "mobile______"
	TagsGUID    = "tags________"
	// RecoveredGUID is the folder under Other Bookmarks that takes items
	// whose folder was lost and no other source places.
	RecoveredGUID  = "bmtuiRecover"
	RecoveredTitle = "Recovered"
)

var rootTitles = map[string]string{RootGUID: "", MenuGUID: "menu", ToolbarGUID: "toolbar", UnfiledGUID: "unfiled", MobileGUID: "mobile", TagsGUID: "tags"}

var rootOrder = []string{MenuGUID, ToolbarGUID, TagsGUID, UnfiledGUID, MobileGUID}

func isRoot(guid string) bool { _, ok := rootTitles[guid]; return ok }

// Sync statuses as Places stores them.
const (
	SyncUnknown = 0
	SyncNew     = 1
	SyncNormal  = 2
)

// Options are the inputs Rebuild does not read from the profile.
type Options struct {
	// Now (µs) dates the Recovered folder.
	Now int64
}

// Origin says where an item's values were read.
type Origin struct {
	Source string `json:"source"` // file name, as in Report.Sources
	Page   uint32 `json:"page,omitempty"`
	Orphan bool   `json:"orphan,omitempty"` // on a page cut off from its b-tree
	WAL    bool   `json:"wal,omitempty"`    // from a committed WAL frame
}

func (o Origin) String() string {
	s := o.Source
	if o.Page != 0 {
		s += fmt.Sprintf(" page %d", o.Page)
	}
	if o.WAL {
		s += " (WAL)"
	}
	if o.Orphan {
		s += " (cut off from its table)"
	}
	return s
}

// Item is one rebuilt item with its provenance.
type Item struct {
	GUID       string `json:"guid"`
	Type       int    `json:"type"`
	Title      string `json:"title"`
	URL        string `json:"url,omitempty"`
	ParentGUID string `json:"parentGuid"`
	From       Origin `json:"from"`
	// Placement says how the parent was chosen when not as From says.
	Placement string `json:"placement,omitempty"`
	// Certain: read from the live database, its Sync state kept.
	Certain bool `json:"certain"`
	// OnlyInBackup: no newer source holds it (it may be stale).
	OnlyInBackup bool `json:"onlyInBackup,omitempty"`
	// RowLost: the live database still names it (its GUID index) but its
	// row was on a damaged page; values come from From.
	RowLost bool `json:"rowLost,omitempty"`
}

// Deleted is an item some source holds that stays deleted.
type Deleted struct {
	GUID   string `json:"guid"`
	Title  string `json:"title"`
	Source string `json:"source"` // where it was found
	Why    string `json:"why"`
}

// Lost is an item known to exist that no source gives values for.
type Lost struct {
	GUID   string `json:"guid,omitempty"`
	Source string `json:"source"`
	Why    string `json:"why"`
}

// SourceReport is what one source gave.
type SourceReport struct {
	Name   string           `json:"name"`
	Kind   string           `json:"kind"` // places, corrupt, backup, mirror
	Err    string           `json:"error,omitempty"`
	Read   map[string]int   `json:"read,omitempty"`
	Damage []dbcheck.Damage `json:"damage,omitempty"`
	// Complete: its set of bookmark GUIDs is exact, so an item it lacks
	// that an older source holds was deleted.
	Complete bool `json:"complete"`
}

// Report says what is damaged and what the rebuild does about it.
type Report struct {
	// Damaged: some source is damaged or holds what the live database
	// lacks; salvage has something to do.
	Damaged bool           `json:"damaged"`
	Why     []string       `json:"why,omitempty"`
	Sources []SourceReport `json:"sources"`
	Missing []string       `json:"missing,omitempty"`
	Items   []Item         `json:"items"`
	// LostFolders are folders (by GUID, or row id when even that is
	// lost) whose children were placed elsewhere.
	LostFolders []string  `json:"lostFolders,omitempty"`
	BackupOnly  []string  `json:"backupOnly,omitempty"`
	Deleted     []Deleted `json:"deleted,omitempty"`
	Unrecovered []Lost    `json:"unrecovered,omitempty"`
	Counts      Counts    `json:"counts"`
	Recoverable bool      `json:"recoverable"`
	// PagesNamed counts pages whose rows were lost, named by their
	// url_hash (which an index kept) from a URL another source holds.
	PagesNamed int `json:"pagesNamedByHash,omitempty"`
	// OrphanPages counts pages left out because nothing keeps them (no
	// bookmark, keyword or visit): Firefox's expiration deletes such pages.
	OrphanPages  int `json:"orphanPagesLeftOut,omitempty"`
	UncertainSum int `json:"uncertain"`
}

// Counts tallies the rebuilt database.
type Counts struct {
	Bookmarks  int `json:"bookmarks"`
	Folders    int `json:"folders"`
	Separators int `json:"separators"`
	Places     int `json:"places"`
	Visits     int `json:"visits"`
	Keywords   int `json:"keywords"`
	ItemAnnos  int `json:"itemAnnos"`
	PageAnnos  int `json:"pageAnnos"`
	Tombstones int `json:"tombstones"`
}

// Result is the rebuilt database and the report.
type Result struct {
	DB     *rebuild.Database
	Report Report
}

// cand is one source's version of an item.
type cand struct {
	guid, parent     string
	parentID         int64 // the Places row id of a parent whose GUID is lost
	typ              int
	title, url       string
	tags             []string
	keyword, post    string
	dateAdded, lastM int64
	syncStatus, ctr  int
	position         int
	origin           Origin
	rank             int
	certain          bool
	// unvouched: found on a cut-off page while the freelist is damaged,
	// so the page may be a deleted one; kept only if another source
	// names the item.
	unvouched bool
	// fk and view: a Places row's page id, to name its URL late.
	fk   int64
	view *placesView
	// Once kept: what the report says of it, and (place) its new
	// parent, that parent's item (nil for a root or Recovered) and a
	// mark for the walk that looks for cycles.
	info      *Item
	newParent string
	up        *cand
	walk      uint8
}

// source is one ranked source of items.
type source struct {
	name     string
	kind     string
	rank     int
	time     int64
	complete bool
	items    map[string]*cand
	// exists: GUIDs the source names without values (index entries).
	exists  map[string]bool
	parents map[string]string // guid -> parent guid, for ancestry walks
	// tagLike: rows without a title whose parent row is lost, left out
	// as likely tag entries.
	tagLike []string
	// indexed: GUIDs the file's GUID index names.
	indexed map[string]bool
}

// Rebuild decides the new database from what was read.
func Rebuild(in *Input, opts Options) (*Result, error) {
	if in == nil {
		return nil, fmt.Errorf("salvage: nothing was read")
	}
	b := &builder{in: in, opts: opts, res: &Result{DB: &rebuild.Database{}}}
	b.sources()
	b.fillURLs()
	// Pages and visits need no decision about items: gathered on the
	// other core meanwhile.
	pages := make(chan map[string]int, 1)
	go func() { pages <- b.pageHistory() }()
	b.decide()
	b.place()
	b.emit()
	placeAt := <-pages
	b.history(placeAt)
	b.dropOrphanPages(placeAt)
	b.summarize()
	return b.res, nil
}

type builder struct {
	in   *Input
	opts Options
	res  *Result

	srcs       []*source
	live       *source
	livePlaces *placesView
	views      []*placesView
	tombstones map[string]string // guid -> why
	// keepTombstone: the tombstones the new database keeps, with their
	// dates.
	keepTombstone map[string]int64
	// corrupt and corruptTombstone: the .corrupt's items and deletions,
	// which can be newer than a restored places.sqlite.
	corrupt          *source
	corruptView      *placesView
	corruptTombstone map[string]int64
	restoredKnown    int // 0 not yet computed, 1 yes, -1 no
	kept             map[string]*cand
	children         map[string][]*cand // by new parent GUID, in order
	rootRows         map[string]*cand
}

func (b *builder) rep() *Report { return &b.res.Report }

// sources turns every input into ranked item sources: the live database,
// the .corrupt, then backups and the mirror by time, newest first.
func (b *builder) sources() {
	b.tombstones = map[string]string{}
	b.keepTombstone = map[string]int64{}
	b.corruptTombstone = map[string]int64{}
	b.rootRows = map[string]*cand{}
	r := b.rep()
	r.Missing = b.in.Missing
	// The inputs in rank order: the live database, the .corrupt, then
	// backups and the mirror, newest first.
	type input struct {
		t    int64
		pf   *PlacesFile
		kind string
		bk   *Backup
		mir  *Mirror
		rank int
		// built concurrently: each source from its own input alone
		src  *source
		view *placesView
	}
	var first, rest []*input
	if b.in.Places != nil {
		first = append(first, &input{pf: b.in.Places, kind: "places"})
	}
	if b.in.Corrupt != nil {
		first = append(first, &input{pf: b.in.Corrupt, kind: "corrupt"})
	}
	if b.in.Snapshot != nil {
		rest = append(rest, &input{t: b.in.SnapshotTime, pf: b.in.Snapshot, kind: "bmtui-backup"})
	}
	for i := range b.in.Backups {
		rest = append(rest, &input{t: b.in.Backups[i].Time, bk: &b.in.Backups[i], kind: "backup"})
	}
	if m := b.in.Mirror; m != nil {
		rest = append(rest, &input{t: m.Time, mir: m, kind: "mirror"})
	}
	sort.SliceStable(rest, func(i, j int) bool { return rest[i].t > rest[j].t })
	all := append(first, rest...)
	// A source's rank is its place among the inputs that give one.
	var wg sync.WaitGroup
	rank := 0
	for _, x := range all {
		x.rank = rank
		switch {
		case x.pf != nil && x.pf.Err == "":
			if p := take(&x.pf.pre, x.kind, x.rank); p != nil {
				x.view, x.src = p.view, p.src
				break
			}
			wg.Go(func() {
				x.view = newPlacesView(x.pf)
				x.view.kind = x.kind
				x.src = x.view.source(x.kind, x.rank)
			})
		case x.bk != nil && x.bk.Root != nil:
			if p := take(&x.bk.pre, "backup", x.rank); p != nil {
				x.src = p.src
				break
			}
			wg.Go(func() { x.src = backupSource(x.bk, x.rank) })
		case x.mir != nil && x.mir.Err == "":
			if p := take(&x.mir.pre, "mirror", x.rank); p != nil {
				x.src = p.src
				break
			}
			wg.Go(func() { x.src = mirrorSource(x.mir, x.rank) })
		default:
			continue
		}
		rank++
	}
	wg.Wait()
	for _, x := range all {
		switch {
		case x.pf != nil:
			b.addPlaces(x.pf, x.kind, x.view, x.src)
		case x.bk != nil:
			sr := SourceReport{Name: x.bk.Name, Kind: "backup", Err: x.bk.Err}
			if x.src != nil {
				b.srcs = append(b.srcs, x.src)
				sr.Complete = true
				sr.Read = map[string]int{"items": len(x.src.items)}
			}
			r.Sources = append(r.Sources, sr)
		default:
			sr := SourceReport{Name: x.mir.Name, Kind: "mirror", Err: x.mir.Err, Damage: x.mir.Damage}
			if x.src != nil {
				b.srcs = append(b.srcs, x.src)
				dead := 0
				for _, it := range x.mir.Items {
					if it.Deleted {
						dead++
						if _, ok := b.tombstones[it.GUID]; !ok {
							b.tombstones[it.GUID] = "a tombstone in the Sync mirror"
						}
					}
				}
				sr.Read = map[string]int{"items": len(x.src.items), "tombstones": dead}
			}
			r.Sources = append(r.Sources, sr)
		}
	}
}

// addPlaces adds a Places file's source (nil when it could not be read)
// and its tombstones.
func (b *builder) addPlaces(pf *PlacesFile, kind string, v *placesView, s *source) {
	r := b.rep()
	sr := SourceReport{Name: pf.Name, Kind: kind, Err: pf.Err, Damage: pf.Damage}
	if s != nil {
		b.views = append(b.views, v)
		for g, c := range s.items {
			if isRoot(g) {
				if _, ok := b.rootRows[g]; !ok {
					b.rootRows[g] = c
				}
				delete(s.items, g)
			}
		}
		b.srcs = append(b.srcs, s)
		switch kind {
		case "places":
			b.live, b.livePlaces = s, v
		case "corrupt":
			b.corrupt, b.corruptView = s, v
		}
		for _, t := range pf.Tombstones {
			if _, ok := b.tombstones[t.GUID]; !ok {
				b.tombstones[t.GUID] = "a tombstone in " + pf.Name
			}
			if kind == "places" || kind == "corrupt" {
				b.keepTombstone[t.GUID] = t.DateRemoved
			}
			if kind == "corrupt" {
				b.corruptTombstone[t.GUID] = t.DateRemoved
			}
		}
		sr.Complete = s.complete
		sr.Read = map[string]int{"items": len(s.items), "namedOnly": len(s.exists), "tombstones": len(pf.Tombstones),
			"places": len(pf.Places), "visits": len(pf.Visits), "keywords": len(pf.Keywords), "damagedCells": sum(pf.BadCells)}
	}
	r.Sources = append(r.Sources, sr)
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// fillURLs gives the Places files' pages whose rows were lost the URL
// another source knows with the same url_hash.
func (b *builder) fillURLs() {
	// The url_hashes of the pages whose rows were lost: few, so only the
	// URLs with one of them are remembered, not every URL of every source.
	wanted := map[uint64]bool{}
	for _, v := range b.views {
		for id, h := range v.pf.URLHashes {
			if _, ok := v.urlOf[id]; !ok {
				wanted[uint64(h)] = true
			}
		}
	}
	if len(wanted) == 0 {
		return
	}
	// Hashing every URL of every source is most of this: each source is
	// hashed on its own goroutine (wanted is only read), and the few hits
	// are merged after. The merge does not depend on their order: two
	// URLs for one hash are a clash either way.
	type hit struct {
		h uint64
		u string
	}
	var lists []func(note func(string))
	for _, s := range b.srcs {
		lists = append(lists, func(note func(string)) {
			for _, c := range s.items {
				if c.view == nil { // a Places row's URL is among its view's, below
					note(c.url)
				}
			}
		})
	}
	for _, v := range b.views {
		lists = append(lists, func(note func(string)) {
			for _, u := range v.urlOf {
				note(u)
			}
		})
	}
	hits := make([][]hit, len(lists))
	var wg sync.WaitGroup
	for i, list := range lists {
		wg.Go(func() {
			list(func(u string) {
				if u == "" {
					return
				}
				if h := urls.Hash(u); wanted[h] {
					hits[i] = append(hits[i], hit{h, u})
				}
			})
		})
	}
	wg.Wait()
	known := map[uint64]string{}
	clash := map[uint64]bool{}
	for _, hs := range hits {
		for _, x := range hs {
			if old, ok := known[x.h]; ok && old != x.u {
				clash[x.h] = true
			}
			known[x.h] = x.u
		}
	}
	for h := range clash {
		delete(known, h)
	}
	for _, v := range b.views {
		n := v.fillURLs(known)
		b.rep().PagesNamed += n
		if n == 0 {
			continue
		}
		for _, s := range b.srcs {
			for _, c := range s.items {
				if c.view == v && c.url == "" {
					c.url = v.urlOf[c.fk]
					c.tags = v.tagsOf[c.fk]
				}
			}
		}
	}
}

// decide keeps, per GUID, the newest source's version, unless the item
// was deleted: a tombstone names it, or a newer complete source lacks it.
func (b *builder) decide() {
	most := 0
	for _, s := range b.srcs {
		most = max(most, len(s.items))
	}
	b.kept = make(map[string]*cand, most)
	r := b.rep()
	// Every GUID once, from the first (best-ranked) source that holds
	// it. The decision for one GUID does not depend on the others', so
	// GUIDs are taken as the maps give them; the few report lines are put
	// in rank then GUID order afterwards.
	deleted, unrecovered, backupOnly := len(r.Deleted), len(r.Unrecovered), len(r.BackupOnly)
	for i, s := range b.srcs {
		for g, best := range s.items {
			if b.heldBefore(g, i) {
				continue
			}
			b.decideOne(g, best)
		}
	}
	b.sortReportTail(deleted, unrecovered, backupOnly)
	inAny := func(g string) bool { return b.heldBefore(g, len(b.srcs)) }
	seen := map[string]bool{}
	for _, s := range b.srcs {
		for _, g := range s.tagLike {
			if _, ok := b.kept[g]; !ok && !seen[g] && !inAny(g) {
				seen[g] = true
				r.Unrecovered = append(r.Unrecovered, Lost{GUID: g, Source: s.name,
					Why: "an untitled row whose parent row was lost: most likely an entry of a lost tag folder, left out"})
			}
		}
	}
	// Names without values anywhere.
	if b.live != nil {
		for _, g := range sortedKeys(b.live.exists) {
			if _, ok := b.kept[g]; !ok && !seen[g] && !inAny(g) && !isRoot(g) {
				r.Unrecovered = append(r.Unrecovered, Lost{GUID: g, Source: b.live.name, Why: "named by the GUID index, but its row was on a damaged page and no other source holds it"})
			}
		}
	}
}

// heldBefore reports whether a source ranked before n has an item g.
func (b *builder) heldBefore(g string, n int) bool {
	for _, s := range b.srcs[:n] {
		if s.items[g] != nil {
			return true
		}
	}
	return false
}

// firstRank is the rank of the first source that has an item g.
func (b *builder) firstRank(g string) int {
	for i, s := range b.srcs {
		if s.items[g] != nil {
			return i
		}
	}
	return len(b.srcs)
}

// sortReportTail puts the report lines decide added after the given
// lengths in the order of the GUIDs' first source, then GUID.
func (b *builder) sortReportTail(deleted, unrecovered, backupOnly int) {
	r := b.rep()
	cmp := func(x, y string) int {
		if rx, ry := b.firstRank(x), b.firstRank(y); rx != ry {
			return rx - ry
		}
		return strings.Compare(x, y)
	}
	slices.SortFunc(r.Deleted[deleted:], func(x, y Deleted) int { return cmp(x.GUID, y.GUID) })
	slices.SortFunc(r.Unrecovered[unrecovered:], func(x, y Lost) int { return cmp(x.GUID, y.GUID) })
	slices.SortFunc(r.BackupOnly[backupOnly:], cmp)
}

// decideOne decides GUID g, whose best-ranked version is best.
func (b *builder) decideOne(g string, best *cand) {
	r := b.rep()
	if best.unvouched && !b.vouched(g, best) {
		r.Deleted = append(r.Deleted, Deleted{GUID: g, Title: best.title, Source: best.origin.String(),
			Why: "found only on a page cut off from its table while the freelist is damaged (it may be a deleted page), and no other source names it"})
		return
	}
	liveRow := b.live != nil && b.live.items[g] != nil
	namedLive := b.live != nil && b.live.exists[g]
	if liveRow && b.corrupt != nil {
		// places.sqlite was made after the .corrupt, often restored
		// from an older backup: the .corrupt's newer edits and
		// deletions win over what the restore brought back.
		if d, dead := b.corruptTombstone[g]; dead && d > best.lastM {
			r.Deleted = append(r.Deleted, Deleted{GUID: g, Title: best.title, Source: best.origin.Source,
				Why: "deleted: a tombstone in " + b.corrupt.name + " newer than this copy"})
			return
		}
		if c := b.corrupt.items[g]; c != nil && c.lastM > best.lastM {
			best = c
		}
	}
	if !liveRow {
		if why, dead := b.tombstones[g]; dead && !namedLive {
			r.Deleted = append(r.Deleted, Deleted{GUID: g, Title: best.title, Source: best.origin.Source, Why: "deleted: " + why})
			return
		}
		if s := b.lacking(g, best.rank); s != nil {
			r.Deleted = append(r.Deleted, Deleted{GUID: g, Title: best.title, Source: best.origin.Source,
				Why: "deleted since: " + s.name + " (newer and complete) no longer has it"})
			return
		}
	}
	if !rebuild.ValidGUID(g) || best.typ < rebuild.TypeBookmark || best.typ > rebuild.TypeSeparator {
		r.Unrecovered = append(r.Unrecovered, Lost{GUID: g, Source: best.origin.Source, Why: fmt.Sprintf("not a valid Places item (GUID %q, type %d)", g, best.typ)})
		return
	}
	if best.typ != rebuild.TypeBookmark {
		best.url = ""
	}
	if best.typ == rebuild.TypeBookmark && best.url == "" {
		// A bookmark's page was lost: another source may know it.
		for _, s := range b.srcs {
			if c := s.items[g]; c != nil && c.url != "" {
				best.url = c.url
				break
			}
		}
		if best.url == "" {
			r.Unrecovered = append(r.Unrecovered, Lost{GUID: g, Source: best.origin.Source, Why: "a bookmark whose page (URL) no source holds"})
			return
		}
	}
	b.kept[g] = best
	info := &Item{GUID: g, Type: best.typ, Title: best.title, URL: best.url, From: best.origin, Certain: best.certain}
	if !best.certain {
		info.RowLost = namedLive
		if !namedLive && b.srcs[best.rank].kind == "backup" {
			info.OnlyInBackup = true
			r.BackupOnly = append(r.BackupOnly, g)
		}
	}
	best.info = info
}

// restored reports whether places.sqlite looks made from an older state
// than the .corrupt beside it: nothing in it is newer.
func (b *builder) restored() bool {
	if b.corrupt == nil || b.live == nil {
		return b.corrupt != nil
	}
	if b.restoredKnown == 0 {
		b.restoredKnown = -1
		if newestEdit(b.corrupt) > newestEdit(b.live) {
			b.restoredKnown = 1
		}
	}
	return b.restoredKnown > 0
}

func newestEdit(s *source) int64 {
	var t int64
	for _, c := range s.items {
		t = max(t, c.lastM, c.dateAdded)
	}
	return t
}

// vouched reports whether a source other than c's own names g (a row,
// a backup or mirror item, or an index entry).
func (b *builder) vouched(g string, c *cand) bool {
	for _, s := range b.srcs {
		if s.rank == c.rank {
			if s.indexed[g] {
				return true
			}
			continue
		}
		if s.items[g] != nil || s.exists[g] {
			return true
		}
	}
	return false
}

// lacking returns a complete source newer than rank that does not have g.
// The live database does not count against a .corrupt it replaced when it
// holds nothing newer than the .corrupt (a restore of an older state); it
// does when it was used since (the .corrupt is then an old leftover).
func (b *builder) lacking(g string, rank int) *source {
	for _, s := range b.srcs[:rank] {
		if !s.complete || s.items[g] != nil || s.exists[g] {
			continue
		}
		if s.kind == "places" && b.restored() {
			continue
		}
		return s
	}
	return nil
}

// place gives every kept item a parent that is kept: its own, else the
// nearest ancestor another source knows, else the Recovered folder.
func (b *builder) place() {
	r := b.rep()
	lost := map[string]bool{}
	// inTreeAt also returns p's kept folder (nil for a root).
	inTreeAt := func(p string) (*cand, bool) {
		if isRoot(p) && p != TagsGUID && p != RootGUID {
			return nil, true
		}
		c := b.kept[p]
		return c, c != nil && c.typ == rebuild.TypeFolder
	}
	inTree := func(p string) bool { _, ok := inTreeAt(p); return ok }
	items := make([]*cand, 0, len(b.kept))
	// Each item is placed on its own: the order does not matter.
	for g, c := range b.kept {
		items = append(items, c)
		if up, ok := inTreeAt(c.parent); ok {
			c.newParent, c.up = c.parent, upOf(c.parent, up)
			continue
		}
		lostName := c.parent
		if lostName == "" {
			lostName = fmt.Sprintf("row id %d of %s", c.parentID, c.origin.Source)
		}
		lost[lostName] = true
		// Nearest ancestor: the item's own parent chain in the other
		// sources, then the lost folder's.
		p, from := b.ancestor(g, c.rank, inTree)
		if p == "" && c.parent != "" {
			p, from = b.ancestor(c.parent, -1, inTree)
		}
		if p != "" {
			c.newParent, c.up = p, upOf(p, b.kept[p])
			c.info.Placement = fmt.Sprintf("its folder %s was lost; placed in its nearest ancestor known from %s", lostName, from)
			continue
		}
		c.newParent, c.up = RecoveredGUID, nil
		c.info.Placement = fmt.Sprintf("its folder %s was lost and no other source places it: put in %q under Other Bookmarks", lostName, RecoveredTitle)
	}
	// An earlier salvage's Recovered folder takes this one's strays too.
	// It goes back under Other Bookmarks, where bmtui made it: walks up
	// stop at it, so anywhere else a cycle through it would go unseen.
	if rc := b.kept[RecoveredGUID]; rc != nil && rc.typ == rebuild.TypeFolder && rc.newParent != UnfiledGUID {
		rc.newParent, rc.up = UnfiledGUID, nil
		rc.info.Placement = fmt.Sprintf("bmtui's %q folder, put back under Other Bookmarks", RecoveredTitle)
	}
	if hasCycle(items) {
		b.breakCycles()
	}
	folders := 0
	for _, c := range items {
		if c.typ == rebuild.TypeFolder {
			folders++
		}
	}
	b.children = make(map[string][]*cand, folders+len(rootOrder)+1)
	for _, c := range items {
		b.children[c.newParent] = append(b.children[c.newParent], c)
		c.info.ParentGUID = c.newParent
	}
	for _, kids := range b.children {
		slices.SortFunc(kids, func(a, c *cand) int {
			if a.position != c.position {
				return a.position - c.position
			}
			if a.rank != c.rank {
				return a.rank - c.rank
			}
			return strings.Compare(a.guid, c.guid)
		})
	}
	r.LostFolders = sortedKeys(lost)
}

// upOf is the item a walk up from a child of p goes on to: none past
// the Recovered folder, as for a root.
func upOf(p string, c *cand) *cand {
	if p == RecoveredGUID {
		return nil
	}
	return c
}

// hasCycle reports whether some kept item's chain of new parents loops:
// a chain is walked once, not once per item below it.
func hasCycle(items []*cand) bool {
	const walking, acyclic = 1, 2
	for _, c := range items {
		c.walk = 0
	}
	var path []*cand
	for _, c := range items {
		path = path[:0]
		for p := c; p != nil && p.walk != acyclic; p = p.up {
			if p.walk == walking {
				return true
			}
			p.walk = walking
			path = append(path, p)
		}
		for _, q := range path {
			q.walk = acyclic
		}
	}
	return false
}

// breakCycles breaks the cycles that mixing sources can make, in GUID
// order, so the same item moves each time: an item whose chain of new
// parents comes back to it goes to the Recovered folder.
func (b *builder) breakCycles() {
	for _, g := range sortedKeys(b.kept) {
		c := b.kept[g]
		seen := map[*cand]bool{c: true}
		for p := c.up; p != nil; p = p.up {
			if seen[p] {
				c.newParent, c.up = RecoveredGUID, nil
				c.info.Placement = fmt.Sprintf("its folders formed a cycle; put in %q under Other Bookmarks", RecoveredTitle)
				break
			}
			seen[p] = true
		}
	}
}

// ancestor walks g's parents in every source but skip and returns the
// first that is in the tree.
func (b *builder) ancestor(g string, skip int, inTree func(string) bool) (string, string) {
	for _, s := range b.srcs {
		if s.rank == skip {
			continue
		}
		seen := map[string]bool{}
		for p, ok := s.parents[g]; ok && p != "" && !seen[p]; p, ok = s.parents[p] {
			seen[p] = true
			if inTree(p) {
				return p, s.name
			}
		}
	}
	return "", ""
}

// emit writes the bookmarks, parents first.
func (b *builder) emit() {
	db := b.res.DB
	r := b.rep()
	db.Bookmarks = make([]rebuild.Bookmark, 0, len(b.kept)+len(rootOrder)+2)
	r.Items = make([]Item, 0, len(b.kept)+1)
	root := func(g, parent string, pos int) {
		bm := rebuild.Bookmark{GUID: g, ParentGUID: parent, Type: rebuild.TypeFolder, Position: pos, Title: rootTitles[g], SyncStatus: SyncNormal}
		if c := b.rootRows[g]; c != nil {
			bm.Title, bm.DateAdded, bm.LastModified = c.title, c.dateAdded, c.lastM
			bm.SyncStatus, bm.SyncChangeCounter = c.syncStatus, c.ctr
		} else {
			bm.DateAdded, bm.LastModified = b.opts.Now, b.opts.Now
			bm.SyncStatus, bm.SyncChangeCounter = SyncUnknown, 1
		}
		db.Bookmarks = append(db.Bookmarks, bm)
	}
	root(RootGUID, "", 0)
	for i, g := range rootOrder {
		root(g, RootGUID, i)
	}
	if kids := b.children[RecoveredGUID]; len(kids) > 0 && b.kept[RecoveredGUID] == nil {
		rc := &cand{guid: RecoveredGUID, typ: rebuild.TypeFolder, title: RecoveredTitle,
			dateAdded: b.opts.Now, lastM: b.opts.Now, origin: Origin{Source: "bmtui"}, rank: -1}
		rc.info = &Item{GUID: RecoveredGUID, Type: rebuild.TypeFolder, Title: RecoveredTitle, ParentGUID: UnfiledGUID,
			From: Origin{Source: "bmtui"}, Placement: "made for items whose folder was lost"}
		b.children[UnfiledGUID] = append(b.children[UnfiledGUID], rc)
		b.kept[RecoveredGUID] = rc
	}
	tagsByURL := b.tagsByURL()
	queue := append([]string{}, rootOrder...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for pos, c := range b.children[p] {
			g := c.guid
			bm := rebuild.Bookmark{GUID: g, ParentGUID: p, Type: c.typ, Position: pos, Title: c.title,
				DateAdded: c.dateAdded, LastModified: max(c.lastM, c.dateAdded),
				SyncStatus: c.syncStatus, SyncChangeCounter: c.ctr}
			if !c.certain {
				// As Firefox marks restored items: its next sync merges
				// them with the server instead of trusting either.
				bm.SyncStatus, bm.SyncChangeCounter = SyncUnknown, 1
			}
			if c.typ == rebuild.TypeBookmark {
				bm.URL = c.url
				bm.Tags = tagsByURL[c.url]
			}
			db.Bookmarks = append(db.Bookmarks, bm)
			r.Items = append(r.Items, *c.info)
			if c.typ == rebuild.TypeFolder {
				queue = append(queue, g)
			}
		}
	}
	// The live database's tombstones (or the .corrupt's) are still to
	// upload; older copies' were uploaded already.
	for _, g := range sortedKeys(b.keepTombstone) {
		if _, kept := b.kept[g]; !kept && rebuild.ValidGUID(g) {
			db.Tombstones = append(db.Tombstones, rebuild.Tombstone{GUID: g, DateRemoved: b.keepTombstone[g]})
		}
	}
	if b.livePlaces != nil && len(b.livePlaces.pf.Meta) > 0 {
		db.Meta = map[string]any{}
		for k, v := range b.livePlaces.pf.Meta {
			db.Meta[k] = v
		}
	}
}

// dropOrphanPages leaves out the pages that no bookmark, keyword or visit
// refers to, with their page annotations. Firefox deletes such pages
// itself: its expiration (nsPlacesExpiration's orphan query: no visit,
// last_visit_date NULL, foreign_count 0) removes up to 60 of them every
// few minutes, and their annotations with them. Writing them would hand
// Firefox a database its own maintenance changes; no value makes them
// keepable without inventing a visit or a bookmark, and such a page is
// usually what a deleted bookmark left behind.
func (b *builder) dropOrphanPages(placeAt map[string]int) {
	db := b.res.DB
	used := make([]bool, len(db.Places))
	use := func(u string) {
		if i, ok := placeAt[u]; ok {
			used[i] = true
		}
	}
	for i := range db.Bookmarks {
		if db.Bookmarks[i].URL != "" {
			use(db.Bookmarks[i].URL)
		}
	}
	for _, k := range db.Keywords {
		use(k.URL)
	}
	for _, v := range db.Visits {
		use(v.URL)
	}
	kept := db.Places[:0]
	for i, p := range db.Places {
		if used[i] {
			kept = append(kept, p)
		}
	}
	b.rep().OrphanPages = len(db.Places) - len(kept)
	clear(db.Places[len(kept):])
	db.Places = kept
	// A page annotation's page is listed (pageHistory adds it first);
	// one whose page is gone would make the writer add an orphan page.
	annos := db.PageAnnos[:0]
	for _, a := range db.PageAnnos {
		if i, ok := placeAt[a.URL]; ok && used[i] {
			annos = append(annos, a)
		}
	}
	db.PageAnnos = annos
}

// CorruptName is the file Firefox moves a corrupt database to.
const CorruptName = "places.sqlite.corrupt"

// tagsByURL: the live database's tags where it is certain; where items
// came from elsewhere, their source's tags too.
func (b *builder) tagsByURL() map[string][]string {
	out := map[string]map[string]bool{}
	addTag := func(u, t string) {
		if u == "" || t == "" {
			return
		}
		if out[u] == nil {
			out[u] = map[string]bool{}
		}
		out[u][t] = true
	}
	// The .corrupt's tags too: a restored places.sqlite lacks the tags
	// added since its backup.
	for _, v := range []*placesView{b.livePlaces, b.corruptView} {
		if v == nil {
			continue
		}
		for u, ts := range v.tags {
			for _, t := range ts {
				addTag(u, t)
			}
		}
	}
	for _, c := range b.kept {
		if c.typ == rebuild.TypeBookmark {
			for _, t := range c.tags {
				addTag(c.url, t)
			}
		}
	}
	res := map[string][]string{}
	for u, set := range out {
		res[u] = sortedKeys(set)
	}
	return res
}

// summarize decides whether there is anything to salvage.
func (b *builder) summarize() {
	r := b.rep()
	for _, bm := range b.res.DB.Bookmarks[6:] {
		switch bm.Type {
		case rebuild.TypeBookmark:
			r.Counts.Bookmarks++
		case rebuild.TypeFolder:
			r.Counts.Folders++
		case rebuild.TypeSeparator:
			r.Counts.Separators++
		}
	}
	db := b.res.DB
	r.Counts.Places, r.Counts.Visits, r.Counts.Keywords = len(db.Places), len(db.Visits), len(db.Keywords)
	r.Counts.ItemAnnos, r.Counts.PageAnnos, r.Counts.Tombstones = len(db.ItemAnnos), len(db.PageAnnos), len(db.Tombstones)
	for _, it := range r.Items {
		if !it.Certain {
			r.UncertainSum++
		}
	}
	why := func(s string) { r.Why = append(r.Why, s) }
	for _, s := range r.Sources {
		switch {
		case s.Kind == "places" && s.Err != "":
			why(s.Name + " cannot be read: " + s.Err)
		case s.Kind == "places" && len(s.Damage) > 0:
			why(fmt.Sprintf("%s is damaged (%d damaged spots)", s.Name, len(s.Damage)))
		case s.Kind == "places" && s.Read["damagedCells"] > 0:
			why(fmt.Sprintf("%s has %d damaged rows", s.Name, s.Read["damagedCells"]))
		case s.Kind == "corrupt":
			why(s.Name + " lies in the profile: Firefox found its database corrupt")
		}
	}
	if b.in.Places == nil {
		why("no places.sqlite")
	}
	if n := len(r.Items) - r.UncertainSum; b.live != nil && r.UncertainSum > 0 && n >= 0 {
		why(fmt.Sprintf("%d items come from other sources than places.sqlite", r.UncertainSum))
	}
	r.Damaged = len(r.Why) > 0
	r.Recoverable = len(r.Items) > 0 || len(db.Places) > 0
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
