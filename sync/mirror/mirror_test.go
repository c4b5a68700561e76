package mirror_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

type mirrorItem struct {
	GUID           string   `json:"guid"`
	ParentGUID     *string  `json:"parentGuid"`
	ServerModified int64    `json:"serverModified"`
	NeedsMerge     int      `json:"needsMerge"`
	Validity       int      `json:"validity"`
	IsDeleted      int      `json:"isDeleted"`
	Kind           int      `json:"kind"`
	DateAdded      int64    `json:"dateAdded"`
	Title          *string  `json:"title"`
	Keyword        *string  `json:"keyword"`
	URL            *string  `json:"url"`
	Tags           []string `json:"tags"`
}

type beforeDump struct {
	SyncID string `json:"syncId"`
	Mirror *struct {
		Meta []struct {
			Key   string `json:"key"`
			Value any    `json:"value"`
		} `json:"meta"`
		Items     []mirrorItem `json:"items"`
		Structure []struct {
			ParentGUID string `json:"parentGuid"`
			GUID       string `json:"guid"`
			Position   int64  `json:"position"`
		} `json:"structure"`
	} `json:"mirror"`
}

func openMirror(t testing.TB, dir string) *mirror.DB {
	return testutil.MustOpen(t, mirror.Open, filepath.Join(dir, "weave", "bookmarks.sqlite"))
}

var str = testutil.Deref[string]

// prepareReupload runs Firefox's prepare() condition as a SELECT: the
// GUIDs that must become REUPLOAD.
func prepareReupload(t *testing.T, db *mirror.DB) map[string]bool {
	rows, err := db.SQL().Query(`SELECT guid FROM items WHERE validity = 1 AND (
		urlId IN (SELECT urlId FROM items GROUP BY urlId
			HAVING COUNT(DISTINCT keyword) + COUNT(DISTINCT CASE WHEN keyword IS NULL THEN 1 END) > 1)
		OR keyword IN (SELECT keyword FROM items WHERE keyword NOT NULL GROUP BY keyword HAVING COUNT(DISTINCT urlId) > 1))`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			t.Fatal(err)
		}
		out[g] = true
	}
	return out
}

var kinds = map[int]tree.Kind{1: tree.KindBookmark, 2: tree.KindQuery, 3: tree.KindFolder, 4: tree.KindLivemark, 5: tree.KindSeparator}

func TestRemoteTreeMatchesFirefox(t *testing.T) {
	for _, scenario := range testutil.ProfileScenarios {
		t.Run(scenario, func(t *testing.T) {
			want := testutil.LoadBeforeJSON[beforeDump](t, scenario)
			db := openMirror(t, testutil.Profile(t, scenario, "before"))
			if w := db.Warnings(); len(w) > 0 {
				t.Errorf("warnings: %v", w)
			}
			if db.SyncID() != want.SyncID {
				t.Errorf("SyncID %q, want %q", db.SyncID(), want.SyncID)
			}
			now, err := db.RemoteNow()
			if err != nil || now < db.LastModified() || (now == 0) != (scenario == "small-first-sync") {
				t.Fatalf("RemoteNow = %d, %v (lastModified %d)", now, err, db.LastModified())
			}
			if now == 0 {
				now = 1_800_000_000_000 // a fresh mirror knows no server time
			}
			tr, err := db.ReadTree(now)
			if err != nil {
				t.Fatalf("ReadTree: %v", err)
			}
			if s := db.Skipped(); len(s) > 0 && scenario != "corrupt-remote" {
				t.Errorf("skipped: %v", s)
			}
			rows, err := db.Items()
			if err != nil {
				t.Fatal(err)
			}
			structure, err := db.Structure()
			if err != nil {
				t.Fatal(err)
			}
			var live, mergeTombs, nItems, nStruct int
			if err := db.SQL().QueryRow(`SELECT (SELECT count(*) FROM items WHERE NOT isDeleted),
				(SELECT count(*) FROM items WHERE isDeleted AND needsMerge), (SELECT count(*) FROM items), (SELECT count(*) FROM structure)`).
				Scan(&live, &mergeTombs, &nItems, &nStruct); err != nil {
				t.Fatal(err)
			}
			if len(rows) != nItems || len(structure) != nStruct {
				t.Errorf("raw rows %d/%d, want %d/%d", len(rows), len(structure), nItems, nStruct)
			}
			if tr.Len() != live {
				t.Errorf("tree has %d items, mirror %d live rows", tr.Len(), live)
			}
			deletedChildren := map[string]bool{}
			for _, p := range tr.Problems() {
				if p.Kind == tree.ProblemDeletedChild {
					deletedChildren[p.Child] = true
				}
			}
			if got := tr.TombstoneCount() + len(deletedChildren); got != mergeTombs {
				t.Errorf("tombstones %d (+%d consumed), want %d", tr.TombstoneCount(), len(deletedChildren), mergeTombs)
			}
			testutil.CheckTreeShape(t, tr, nil)

			reupload := prepareReupload(t, db)
			byGUID := map[string]*tree.Node{}
			tr.Walk(func(_ int32, n *tree.Node) bool { byGUID[n.GUID] = n; return true })
			for _, r := range rows {
				n := byGUID[r.GUID]
				if r.IsDeleted {
					if n != nil {
						t.Errorf("%s: deleted row is an item", r.GUID)
					}
					if r.NeedsMerge != (tr.IsTombstone(r.GUID) || deletedChildren[r.GUID]) {
						t.Errorf("%s: tombstone needsMerge %v, in tree %v", r.GUID, r.NeedsMerge, tr.IsTombstone(r.GUID))
					}
					continue
				}
				if n == nil {
					t.Errorf("%s: missing from the tree", r.GUID)
					continue
				}
				wantV := map[int]tree.Validity{1: tree.Valid, 2: tree.Reupload, 3: tree.Replace}[r.Validity]
				if reupload[r.GUID] {
					wantV = tree.Reupload
				}
				if n.Kind != kinds[r.Kind] || n.Validity != wantV || n.NeedsMerge != r.NeedsMerge || n.Age != max(now-r.ServerModified, 0) {
					t.Errorf("%s: kind/validity/needsMerge/age %v %v %v %d, row %+v", r.GUID, n.Kind, n.Validity, n.NeedsMerge, n.Age, r)
				}
				wantContent := r.NeedsMerge && wantV != tree.Replace && r.GUID != tree.RootGUID
				if (n.Content != nil) != wantContent {
					t.Errorf("%s: content %+v", r.GUID, n.Content)
				}
				if n.Info.Title != r.Title || n.Info.URL != r.URL || n.Info.Keyword != r.Keyword ||
					n.Info.DateAdded != r.DateAdded*1000 || n.Info.ServerModified != r.ServerModified ||
					n.Info.ParentGUID != r.ParentGUID || !slices.Equal(n.Info.Tags, r.Tags) {
					t.Errorf("%s: info %+v, row %+v", r.GUID, *n.Info, r)
				}
			}

			if want.Mirror == nil {
				return // large-40k: no dumps
			}
			// Raw rows equal Firefox's dump.
			wantItems := map[string]mirrorItem{}
			for _, w := range want.Mirror.Items {
				wantItems[w.GUID] = w
			}
			if len(wantItems) != len(rows) {
				t.Errorf("%d items, Firefox dumped %d", len(rows), len(wantItems))
			}
			for _, r := range rows {
				w, ok := wantItems[r.GUID]
				if !ok {
					t.Errorf("%s not in the dump", r.GUID)
					continue
				}
				wt := append([]string(nil), w.Tags...)
				slices.Sort(wt)
				if r.ParentGUID != str(w.ParentGUID) || r.HasParent != (w.ParentGUID != nil) || r.ServerModified != w.ServerModified ||
					r.NeedsMerge != (w.NeedsMerge == 1) || r.Validity != w.Validity || r.IsDeleted != (w.IsDeleted == 1) ||
					r.Kind != w.Kind || r.DateAdded != w.DateAdded || r.Title != str(w.Title) || r.Keyword != str(w.Keyword) ||
					r.URL != str(w.URL) || !slices.Equal(r.Tags, wt) {
					t.Errorf("%s: row %+v, Firefox %+v", r.GUID, r, w)
				}
			}
			if len(structure) != len(want.Mirror.Structure) {
				t.Fatalf("%d structure rows, Firefox dumped %d", len(structure), len(want.Mirror.Structure))
			}
			for i, s := range structure {
				w := want.Mirror.Structure[i]
				if s.GUID != w.GUID || s.ParentGUID != w.ParentGUID || s.Position != w.Position {
					t.Errorf("structure[%d] = %+v, want %+v", i, s, w)
				}
			}
			// Where records agree (one structure row, naming the item's own
			// parentGuid), the tree keeps that parent; positions hold in
			// folders the builder did not repair.
			listed := map[string][]string{}
			for _, s := range structure {
				listed[s.GUID] = append(listed[s.GUID], s.ParentGUID)
			}
			for _, s := range structure {
				w := wantItems[s.GUID]
				n := tr.Lookup(s.GUID)
				if n == nil || s.GUID == tree.RootGUID || len(listed[s.GUID]) != 1 || str(w.ParentGUID) != s.ParentGUID {
					continue
				}
				p := tr.ParentOf(n)
				if p == nil || p.GUID != s.ParentGUID {
					t.Errorf("%s: parent %v, records say %s", s.GUID, p, s.ParentGUID)
					continue
				}
				if !p.Diverged && int64(n.Position) != s.Position {
					t.Errorf("%s: position %d, want %d", s.GUID, n.Position, s.Position)
				}
			}
		})
	}
}

// TestCorruptRemoteReparented: corrupt-remote's odd records are all
// accepted by the builder (nothing skipped) and repaired: the child of a
// bookmark and the orphans land in unfiled, the ghost child is no
// tombstone.
func TestCorruptRemoteReparented(t *testing.T) {
	db := openMirror(t, testutil.Profile(t, "corrupt-remote", "before"))
	now, _ := db.RemoteNow()
	tr, err := db.ReadTree(now)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range db.Skipped() {
		got = append(got, s.String())
	}
	if len(got) != 0 {
		t.Errorf("skipped %v", got)
	}
	n := tr.Lookup("bmkChildOfBm")
	if n == nil || tr.ParentOf(n).GUID != tree.UnfiledGUID {
		t.Errorf("bmkChildOfBm not reparented to unfiled: %+v", n)
	}
	for _, g := range []string{"bmkOrphan1__", "bmkOrphan2__"} {
		if n := tr.Lookup(g); n == nil || tr.ParentOf(n).GUID != tree.UnfiledGUID {
			t.Errorf("%s not in unfiled", g)
		}
	}
	if strings.Contains(strings.Join(tr.Tombstones(), ","), "bmkGhost") {
		t.Error("ghost child became a tombstone")
	}
}

// TestMirrorURLHash checks urls.hash against urls.Hash for every urls row
// of every fixture state opened.
func TestMirrorURLHash(t *testing.T) {
	testutil.EachProfileState(t, func(t *testing.T, scenario, dir string) {
		db := openMirror(t, dir)
		if testutil.CheckURLHashes(t, db.SQL(), `SELECT url, hash FROM urls`, urls.Hash) == 0 && scenario != "small-first-sync" {
			t.Error("no urls rows")
		}
	})
}
