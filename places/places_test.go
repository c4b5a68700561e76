package places_test

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/tree"
)

// beforeDump is the part of a fixture's before.json this package checks.
type beforeDump struct {
	ServerTime int64  `json:"serverTime"`
	SyncID     string `json:"syncId"`
	Local      *struct {
		Tree  json.RawMessage `json:"tree"`
		Items []struct {
			GUID              string  `json:"guid"`
			Type              int     `json:"type"`
			ParentGUID        *string `json:"parentGuid"`
			Position          int     `json:"position"`
			Title             *string `json:"title"`
			URL               *string `json:"url"`
			Keyword           *string `json:"keyword"`
			DateAdded         int64   `json:"dateAdded"`
			LastModified      int64   `json:"lastModified"`
			SyncStatus        int     `json:"syncStatus"`
			SyncChangeCounter int     `json:"syncChangeCounter"`
		} `json:"items"`
		Tombstones []struct {
			GUID string `json:"guid"`
		} `json:"tombstones"`
		Meta []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"meta"`
	} `json:"local"`
}

type treeNode struct {
	GUID     string      `json:"guid"`
	Tags     string      `json:"tags"`
	Keyword  string      `json:"keyword"`
	Children []*treeNode `json:"children"`
}

func flattenTree(n *treeNode, out map[string]*treeNode) {
	out[n.GUID] = n
	for _, c := range n.Children {
		flattenTree(c, out)
	}
}

func openPlaces(t testing.TB, dir string) *places.DB {
	return testutil.MustOpen(t, places.Open, filepath.Join(dir, "places.sqlite"))
}

var ptr = testutil.Deref[string]

// TestLocalTreeMatchesFirefox reads every "before" profile and, for the
// small fixtures, compares each item with Firefox's own dump.
func TestLocalTreeMatchesFirefox(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			want := testutil.LoadBeforeJSON[beforeDump](t, scenario)
			dir := testutil.Profile(t, scenario, "before")
			db := openPlaces(t, dir)
			if w := db.Warnings(); len(w) > 0 {
				t.Errorf("warnings on a supported file: %v", w)
			}
			if db.SchemaVersion() != places.SupportedSchemaVersion {
				t.Errorf("schema version %d", db.SchemaVersion())
			}
			if db.SyncID() != want.SyncID {
				t.Errorf("SyncID = %q, want %q", db.SyncID(), want.SyncID)
			}
			const now = 1_800_000_000_000
			tr, err := db.ReadTree(now)
			if err != nil {
				t.Fatalf("ReadTree: %v", err)
			}
			if s := db.Skipped(); len(s) > 0 {
				t.Errorf("skipped records: %v", s)
			}
			if p := tr.Problems(); len(p) > 0 {
				t.Errorf("local tree of a Firefox profile has problems: %v", p)
			}
			var rows, tombs int
			if err := db.SQL().QueryRow(`SELECT (SELECT count(*) FROM moz_bookmarks), (SELECT count(*) FROM moz_bookmarks_deleted)`).Scan(&rows, &tombs); err != nil {
				t.Fatal(err)
			}
			if tr.Len() != rows {
				t.Errorf("tree has %d items, moz_bookmarks %d rows", tr.Len(), rows)
			}
			if n, err := db.RowCount(); err != nil || n != rows {
				t.Errorf("RowCount = %d, %v; want %d", n, err, rows)
			}
			if tr.TombstoneCount() != tombs {
				t.Errorf("tree has %d tombstones, moz_bookmarks_deleted %d rows", tr.TombstoneCount(), tombs)
			}
			testutil.CheckTreeShape(t, tr, func(n *tree.Node) {
				if n.Age < 0 || n.Info == nil {
					t.Errorf("%s: age %d, info %v", n.GUID, n.Age, n.Info)
				}
			})
			if want.Local == nil {
				return // large-40k: no dumps
			}
			var root treeNode
			if err := json.Unmarshal(want.Local.Tree, &root); err != nil {
				t.Fatal(err)
			}
			dumped := map[string]*treeNode{}
			flattenTree(&root, dumped)
			if len(want.Local.Items) != tr.Len() {
				t.Errorf("Firefox dumped %d items, tree has %d", len(want.Local.Items), tr.Len())
			}
			for _, w := range want.Local.Items {
				n := tr.Lookup(w.GUID)
				if n == nil {
					t.Errorf("%s missing from the tree", w.GUID)
					continue
				}
				parent := ""
				if p := tr.ParentOf(n); p != nil {
					parent = p.GUID
				}
				pos := int(n.Position)
				if n.Parent < 0 {
					pos = 0
				}
				if parent != ptr(w.ParentGUID) || pos != w.Position {
					t.Errorf("%s: parent/position %s/%d, want %s/%d", w.GUID, parent, pos, ptr(w.ParentGUID), w.Position)
				}
				info := n.Info
				if info.Title != ptr(w.Title) || info.URL != ptr(w.URL) || info.Keyword != ptr(w.Keyword) {
					t.Errorf("%s: title/url/keyword %q %q %q, want %q %q %q", w.GUID, info.Title, info.URL, info.Keyword, ptr(w.Title), ptr(w.URL), ptr(w.Keyword))
				}
				if info.DateAdded != w.DateAdded || info.LastModified != w.LastModified ||
					info.SyncStatus != w.SyncStatus || info.SyncChangeCounter != w.SyncChangeCounter {
					t.Errorf("%s: dates/sync %d %d %d %d, want %d %d %d %d", w.GUID, info.DateAdded, info.LastModified, info.SyncStatus,
						info.SyncChangeCounter, w.DateAdded, w.LastModified, w.SyncStatus, w.SyncChangeCounter)
				}
				if d := dumped[w.GUID]; d != nil {
					if got := strings.Join(info.Tags, ","); got != d.Tags {
						t.Errorf("%s: tags %q, want %q", w.GUID, got, d.Tags)
					}
					if d.Keyword != "" && d.Keyword != info.Keyword {
						t.Errorf("%s: keyword %q, tree dump says %q", w.GUID, info.Keyword, d.Keyword)
					}
				}
				wantKind := map[int]tree.Kind{1: tree.KindBookmark, 2: tree.KindFolder, 3: tree.KindSeparator}[w.Type]
				if w.Type == 1 && strings.HasPrefix(ptr(w.URL), "place:") {
					wantKind = tree.KindQuery
				}
				if n.Kind != wantKind {
					t.Errorf("%s: kind %v, want %v", w.GUID, n.Kind, wantKind)
				}
				if n.NeedsMerge != (w.SyncChangeCounter > 0) {
					t.Errorf("%s: NeedsMerge %v with counter %d", w.GUID, n.NeedsMerge, w.SyncChangeCounter)
				}
				if wantAge := max(now-w.LastModified/1000, 0); n.Age != wantAge {
					t.Errorf("%s: age %d, want %d", w.GUID, n.Age, wantAge)
				}
				wantContent := w.SyncStatus != 2 && w.GUID != tree.RootGUID && n.Validity == tree.Valid
				if (n.Content != nil) != wantContent {
					t.Errorf("%s: content %+v with syncStatus %d", w.GUID, n.Content, w.SyncStatus)
				}
				if n.Content != nil && n.Content.Kind == tree.ContentBookmark && (n.Content.Title != ptr(w.Title) || n.Content.URL != ptr(w.URL)) {
					t.Errorf("%s: content %+v", w.GUID, n.Content)
				}
			}
			var wantTombs []string
			for _, tb := range want.Local.Tombstones {
				wantTombs = append(wantTombs, tb.GUID)
			}
			if got := strings.Join(tr.Tombstones(), ","); got != strings.Join(wantTombs, ",") {
				t.Errorf("tombstones %s, want %s", got, strings.Join(wantTombs, ","))
			}
			for _, m := range want.Local.Meta {
				if m.Key == "sync/bookmarks/lastsync" {
					if f, ok := m.Value.(float64); !ok || int64(f) != db.LastSync() {
						t.Errorf("LastSync = %d, want %v", db.LastSync(), m.Value)
					}
				}
			}
		})
	}
}

// TestPlacesURLHash checks url_hash against urls.Hash for every moz_places
// row of every fixture state opened (a strong check of both the hash and
// the reading).
func TestPlacesURLHash(t *testing.T) {
	testutil.EachProfileState(t, func(t *testing.T, _, dir string) {
		db := openPlaces(t, dir)
		if testutil.CheckURLHashes(t, db.SQL(), `SELECT url, url_hash FROM moz_places`, urls.Hash) == 0 {
			t.Error("no moz_places rows")
		}
	})
}
