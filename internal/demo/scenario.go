package demo

import (
	"strings"
	"time"
)

// SyncID is the bookmarks sync ID shared by Places (moz_meta) and the mirror.
const SyncID = "bmtuiDemoSy1"

// BadURL is the unparsable bmkUri of Expect.BadURL.
const BadURL = "http://[not a url"

// Scenario lists the GUIDs a test can check against the demo profile.
type Scenario struct {
	// LocalNew are items created locally since the last sync (syncStatus 1).
	LocalNew []string
	// RemoteNew are records created remotely (mirror needsMerge 1), not
	// counting the corrupt ones below.
	RemoteNew []string

	// ValueConflict was renamed on both sides; the remote rename is newer.
	ValueConflict                  string
	ValueLocalTitle, ValueRemTitle string

	// ReorderConflict is a folder whose children were reordered on both
	// sides; the local reorder is newer.
	ReorderConflict         string
	LocalOrder, RemoteOrder []string

	// MoveConflict was moved to MoveLocalParent locally (newer) and to
	// MoveRemoteParent remotely.
	MoveConflict                      string
	MoveLocalParent, MoveRemoteParent string

	// ChangedLocallyDeletedRemotely was renamed locally and has a remote
	// tombstone (needsMerge 1).
	ChangedLocallyDeletedRemotely string

	// DeletedLocally is a synced folder removed locally; LocalTombstones
	// are the moz_bookmarks_deleted rows written for it and its synced
	// descendants; RemoteChildOfDeleted is a child the remote added to it.
	DeletedLocally       string
	LocalTombstones      []string
	RemoteChildOfDeleted string

	// DedupeLocal (NEW) and DedupeRemote have the same title and URL in
	// DedupeParent.
	DedupeLocal, DedupeRemote, DedupeParent string

	// RemoteOnlyChange is a synced bookmark renamed only remotely.
	RemoteOnlyChange string

	// Corruptions of the remote tree (like Firefox's corrupt-remote fixture).
	// MultiParents[0] is the item's parentid, MultiParents[1] the extra folder.
	Orphan, OrphanMissingParent      string // parentid names a folder with no record, listed by no folder
	GhostChild, GhostListedBy        string // listed by a folder, no record
	MultiParentItem                  string // listed by both MultiParents
	MultiParents                     []string
	Misparented                      string // parentid MisparentedClaims, listed only by MisparentedListedBy
	MisparentedClaims, MisparentedBy string
	ChildOfBookmark, BookmarkParent  string // parentid is a bookmark, listed by no folder
	BadURL, BadURLParent             string // validity 3, urlId NULL
}

// Expect describes the demo scenario Create writes.
var Expect = Scenario{
	LocalNew:  []string{"bmkLocalNew1", "fldLocalNew_", "bmkLocalNF1_", "sepLocalNF1_", "bmkLocalNF2_", "bmkDupeLocal"},
	RemoteNew: []string{"bmkRemoteNw1", "fldRemoteNew", "bmkRemoteNF1", "bmkRemoteNF2", "bmkRemoteArc", "bmkDupeRemot"},

	ValueConflict: "bmkMdn______", ValueLocalTitle: "MDN (renamed locally)", ValueRemTitle: "MDN Web Docs (renamed remotely)",

	ReorderConflict: "fldDev______",
	LocalOrder:      []string{"bmkPython___", "bmkRust_____", "bmkGoSpec___", "bmkSqlite___", "bmkWhatwg___"},
	RemoteOrder:     []string{"bmkWhatwg___", "bmkSqlite___", "bmkGoSpec___", "bmkRust_____", "bmkPython___"},

	MoveConflict: "bmkHeise____", MoveLocalParent: "fldReading__", MoveRemoteParent: "unfiled_____",

	ChangedLocallyDeletedRemotely: "bmkCurry____",

	DeletedLocally:       "fldArchive__",
	LocalTombstones:      []string{"bmkOldWiki__", "bmkOldBugs__", "fldEmpty____", "fldArchive__"},
	RemoteChildOfDeleted: "bmkRemoteArc",

	DedupeLocal: "bmkDupeLocal", DedupeRemote: "bmkDupeRemot", DedupeParent: "fldReading__",

	RemoteOnlyChange: "bmkKyoto____",

	Orphan: "bmkOrphan1__", OrphanMissingParent: "fldMissing__",
	GhostChild: "bmkGhost____", GhostListedBy: "fldNews_____",
	MultiParentItem: "bmkTrain____", MultiParents: []string{"fldTravel___", "fldJapan____"},
	Misparented: "bmkUnf1_____", MisparentedClaims: "toolbar_____", MisparentedBy: "unfiled_____",
	ChildOfBookmark: "bmkChildOfBm", BookmarkParent: "bmkGoDev____",
	BadURL: "bmkBadUrl___", BadURLParent: "toolbar_____",
}

// Times of the scenario, derived from now. All are whole milliseconds.
type Times struct {
	Now      time.Time // the merge's local time (now truncated to seconds)
	LastSync time.Time // the last successful sync, three days earlier
	Created  time.Time // when the profile (and its roots) was created
}

// TimesFor returns the scenario times Create uses for now.
func TimesFor(now time.Time) Times {
	n := now.Truncate(time.Second)
	last := n.Add(-3 * 24 * time.Hour)
	return Times{Now: n, LastSync: last, Created: last.Add(-400 * 24 * time.Hour)}
}

// item constructors

type opt func(*node)

func tags(t ...string) opt { return func(n *node) { n.tags = t } }
func keyword(k string) opt { return func(n *node) { n.keyword = k } }
func bm(guid, title, url string, opts ...opt) *node {
	n := &node{guid: guid, kind: kindBookmark, title: title, url: url}
	if strings.HasPrefix(url, "place:") {
		n.kind = kindQuery
	}
	for _, o := range opts {
		o(n)
	}
	return n
}
func fld(guid, title string, kids ...*node) *node {
	return &node{guid: guid, kind: kindFolder, title: title, children: kids}
}
func sep(guid string) *node { return &node{guid: guid, kind: kindSeparator} }

// rootGUIDs in Places id order (docs/formats.md#roots).
var rootGUIDs = []string{"root________", "menu________", "toolbar_____", "tags________", "unfiled_____", "mobile______"}

var rootTitles = map[string]string{
	"root________": "", "menu________": "menu", "toolbar_____": "toolbar",
	"tags________": "tags", "unfiled_____": "unfiled", "mobile______": "mobile",
}

// userRoots in the order the mirror lists them under root________.
var userRoots = []string{"toolbar_____", "menu________", "unfiled_____", "mobile______"}

// baseTree is the tree both sides agreed on at the last sync.
func baseTree(tm Times) *tree {
	created := tm.Created.UnixMilli()
	t := &tree{byGUID: map[string]*node{}, tombs: map[string]int64{}, changed: map[string]int64{}}
	t.root = &node{guid: "root________", kind: kindFolder}
	t.register(t.root)
	for i, g := range rootGUIDs[1:] {
		r := &node{guid: g, kind: kindFolder, title: rootTitles[g]}
		t.add(t.root, i, r)
	}
	content := map[string][]*node{
		"menu________": {
			fld("fldWork_____", "Work",
				fld("fldProjects_", "Projects",
					bm("bmkRepoA____", "bmtui repository", "https://github.com/bmtui/bmtui", tags("work", "code")),
					bm("bmkRepoB____", "Dogear — the Sync merger", "https://github.com/mozilla/dogear", tags("code", "sync")),
					sep("sepProjects1"),
					bm("bmkCi_______", "CI dashboard", "https://ci.example.com/bmtui", tags("work")),
					fld("fldArchive__", "Archive",
						bm("bmkOldWiki__", "Old wiki", "https://wiki.example.com/old"),
						bm("bmkOldBugs__", "Old bug tracker", "https://bugs.example.com/old"),
						fld("fldEmpty____", "Empty folder"),
					),
				),
				bm("bmkMail_____", "Webmail", "https://mail.example.com/", keyword("mail")),
				bm("bmkCalendar_", "Calendar", "https://calendar.example.com/"),
				bm("bmkWikiWork_", "Team wiki", "https://wiki.example.com/team", tags("work", "wiki")),
			),
			fld("fldRecipes__", "Recipes",
				bm("bmkBread____", "Sourdough bread", "https://food.example.org/bread", tags("baking")),
				bm("bmkPizza____", "Pizza dough", "https://food.example.org/pizza", tags("baking", "italian")),
				sep("sepRecipes1_"),
				bm("bmkCurry____", "Green curry", "https://food.example.org/curry"),
				bm("bmkRamen____", "Tonkotsu ラーメン", "https://food.example.org/ramen"),
			),
			fld("fldDev______", "Développement",
				bm("bmkRust_____", "The Rust Book", "https://doc.rust-lang.org/book/", keyword("rust")),
				bm("bmkGoSpec___", "The Go Programming Language Specification", "https://go.dev/ref/spec", keyword("gospec")),
				bm("bmkSqlite___", "SQLite documentation", "https://sqlite.org/docs.html", tags("docs")),
				bm("bmkWhatwg___", "URL Standard", "https://url.spec.whatwg.org/", tags("docs", "web")),
				bm("bmkPython___", "Python 3 documentation", "https://docs.python.org/3/"),
			),
			sep("sepMenu1____"),
			bm("bmkUnicode__", "Ünïcödé — 日本語 🚀", "https://example.org/%E6%97%A5%E6%9C%AC?q=%C3%BC#frag"),
			bm("bmkSameUrl1_", "Shared page (first)", "https://shared.example.net/page"),
			bm("bmkSameUrl2_", "Shared page (second)", "https://shared.example.net/page"),
			bm("bmkJs_______", "Bookmarklet: page title", "javascript:alert(document.title)"),
			bm("bmkData_____", "Data URL", "data:text/plain,hello"),
		},
		"toolbar_____": {
			bm("bmkMdn______", "MDN Web Docs", "https://developer.mozilla.org/", tags("docs", "web"), keyword("mdn")),
			bm("bmkGoDev____", "Go", "https://go.dev/", tags("golang"), keyword("go")),
			sep("sepToolbar1_"),
			fld("fldNews_____", "News",
				bm("bmkLwn______", "LWN.net", "https://lwn.net/"),
				bm("bmkHn_______", "Hacker News", "https://news.ycombinator.com/", keyword("hn")),
				bm("bmkBbc______", "BBC News", "https://www.bbc.co.uk/news"),
				bm("bmkHeise____", "heise online", "https://www.heise.de/"),
			),
			fld("fldReading__", "Reading list",
				bm("bmkArsTech__", "Ars Technica", "https://arstechnica.com/"),
				bm("bmkQuanta___", "Quanta Magazine", "https://www.quantamagazine.org/"),
			),
			bm("bmkQuery____", "Most visited", "place:sort=8&maxResults=10"),
			bm("bmkTagQuery_", "Tagged “docs”", "place:tag=docs"),
		},
		"unfiled_____": {
			bm("bmkUnf1_____", "Read later: SQLite WAL", "https://sqlite.org/wal.html"),
			bm("bmkUnf2_____", "Read later: Sync storage API", "https://mozilla-services.readthedocs.io/en/latest/storage/apis-1.5.html", tags("later", "sync")),
			bm("bmkUnf3_____", "Zürich tram map", "https://www.zvv.ch/zvv/de/fahrplan.html", tags("later")),
			bm("bmkFtp______", "Debian FTP mirror", "ftp://ftp.debian.org/debian/"),
			bm("bmkFile_____", "Local notes", "file:///home/user/notes.txt"),
			fld("fldTravel___", "Travel ✈",
				bm("bmkTrain____", "Train tickets", "https://www.sbb.ch/en"),
				bm("bmkMaps_____", "OpenStreetMap", "https://www.openstreetmap.org/", keyword("osm")),
				fld("fldJapan____", "日本旅行",
					bm("bmkJrPass___", "Japan Rail Pass", "https://japanrailpass.net/"),
					bm("bmkKyoto____", "京都 guide", "https://kyoto.travel/en/"),
				),
			),
		},
		"mobile______": {
			bm("bmkMobile1__", "Phone: weather", "https://m.weather.example.com/"),
			bm("bmkMobile2__", "Phone: podcasts", "https://podcasts.example.com/", tags("mobile")),
			fld("fldMobileSv_", "Saved on phone",
				bm("bmkMobile3__", "Recipe from the phone", "https://food.example.org/phone-recipe", tags("baking")),
			),
		},
	}
	// insertTree per root, menu first; items were added over the year
	// before the last sync, one every ~31 hours.
	step := int64(31*3600*1000 + 7)
	at := created + 3*24*3600*1000
	for _, g := range []string{"menu________", "toolbar_____", "unfiled_____", "mobile______"} {
		r := t.get(g)
		for _, n := range content[g] {
			t.add(r, -1, n)
		}
		for _, n := range r.children {
			n.walk(func(m *node) {
				m.dateAdded = at
				at += step
			})
		}
	}
	// Roots were created with the profile; the mobile root a few ms later.
	for _, g := range rootGUIDs {
		n := t.get(g)
		n.dateAdded = created
		if g == "mobile______" {
			n.dateAdded = created + 7
		}
	}
	// Everything is synced: status NORMAL, counter 0; lastModified of a
	// folder is the latest dateAdded below it (inserts touch ancestors).
	var fix func(n *node) int64
	fix = func(n *node) int64 {
		n.status, n.counter = 2, 0
		n.lastModified = n.dateAdded
		for _, c := range n.children {
			n.lastModified = max(n.lastModified, fix(c))
		}
		return n.lastModified
	}
	fix(t.root)
	t.get("root________").counter = 1 // never uploaded, never reset
	return t
}

// localEdits are the user's changes since the last sync.
func localEdits(t *tree, tm Times) {
	last := tm.LastSync.UnixMilli()
	h := int64(3600 * 1000)
	t.localInsert("toolbar_____", 0, bm("bmkLocalNew1", "The Go Blog", "https://go.dev/blog/", tags("golang")), last+5*h+123)
	t.localRename("bmkMdn______", Expect.ValueLocalTitle, last+20*h+456)
	t.localRename("bmkCurry____", "Green curry (with tofu)", last+26*h+789)
	t.localRemove("fldArchive__", last+30*h+42)
	t.localInsert("fldReading__", -1, bm("bmkDupeLocal", "Firefox Sync documentation", "https://mozilla-services.readthedocs.io/en/latest/"), last+34*h+5)
	t.localInsert("unfiled_____", -1, fld("fldLocalNew_", "Local new folder",
		bm("bmkLocalNF1_", "Local child 1", "https://local.example.com/1", tags("local")),
		sep("sepLocalNF1_"),
		bm("bmkLocalNF2_", "Local child — ✓ two", "https://local.example.com/2", keyword("lc2")),
	), last+40*h+77)
	t.localMove("bmkHeise____", "fldReading__", 0, last+60*h+314)
	t.localReorder("fldDev______", Expect.LocalOrder, last+66*h+271)
}

// remoteEdits are the records other clients uploaded since the last sync.
// Server times are whole seconds, like the fixtures'.
func remoteEdits(t *tree, tm Times) {
	last := tm.LastSync.UnixMilli()
	h := int64(3600 * 1000)
	t.remoteMove("bmkHeise____", "unfiled_____", -1, last+12*h)
	t.remoteReorder("fldDev______", Expect.RemoteOrder, last+24*h)
	t.remoteRename("bmkKyoto____", "京都 travel guide", last+30*h)
	t.remoteRename("bmkMdn______", Expect.ValueRemTitle, last+48*h)
	t.remoteRemove("bmkCurry____", last+49*h)
	t.remoteInsert("fldArchive__", -1, bm("bmkRemoteArc", "Remote archived item", "https://wiki.example.com/remote-archived"), last+50*h)
	t.remoteInsert("menu________", -1, bm("bmkRemoteNw1", "Firefox release notes", "https://www.mozilla.org/firefox/releases/", tags("mozilla"), keyword("relnotes")), last+51*h)
	t.remoteInsert("mobile______", -1, fld("fldRemoteNew", "Remote new folder 🌍",
		bm("bmkRemoteNF1", "Remote child 1", "https://remote.example.com/1"),
		bm("bmkRemoteNF2", "Remote child 2", "https://remote.example.com/2", tags("remotetag")),
	), last+52*h)
	t.remoteInsert("fldReading__", -1, bm("bmkDupeRemot", "Firefox Sync documentation", "https://mozilla-services.readthedocs.io/en/latest/"), last+54*h)
}
