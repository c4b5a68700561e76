package salvage

import (
	"strings"
	"testing"

	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/rebuild"
)

// placesFile is a Places file with the roots (ids 1-6) and rows given as
// "id guid parentID type title url": url "-" for none.
func placesFile(name string, rows ...string) *PlacesFile {
	pf := &PlacesFile{Name: name, BookmarksComplete: true, Tables: map[string]int{}, BadCells: map[string]int{}, Meta: map[string]any{}}
	roots := []string{"1 root________ 0 2 - -", "2 menu________ 1 2 menu -", "3 toolbar_____ 1 2 toolbar -",
		"4 tags________ 1 2 tags -", "5 unfiled_____ 1 2 unfiled -", "6 mobile______ 1 2 mobile -"}
	urls := map[string]int64{}
	for i, r := range append(roots, rows...) {
		f := strings.Fields(r)
		b := BookmarkRow{ID: atoi(f[0]), GUID: f[1], Parent: atoi(f[2]), Type: atoi(f[3]), Title: strings.ReplaceAll(f[4], "_", " "),
			Position: int64(i), SyncStatus: SyncNormal, DateAdded: 10, LastModified: 20, Where: Where{Page: 2}}
		if f[4] == "-" {
			b.Title = ""
		}
		if f[5] != "-" {
			id, ok := urls[f[5]]
			if !ok {
				id = int64(len(urls) + 1)
				urls[f[5]] = id
				pf.Places = append(pf.Places, PlaceRow{ID: id, URL: f[5], GUID: "place" + f[0] + "______"[:7-len(f[0])]})
			}
			b.FK, b.HasFK = id, true
		}
		pf.Bookmarks = append(pf.Bookmarks, b)
	}
	return pf
}

func atoi(s string) int64 {
	var n int64
	for _, c := range s {
		n = n*10 + int64(c-'0')
	}
	return n
}

// backupOf is a backup holding the given folders and bookmarks:
// "guid parentGuid type title url".
func backupOf(name string, t int64, items ...string) Backup {
	root := &backup.Node{GUID: RootGUID, TypeCode: 2}
	byGUID := map[string]*backup.Node{RootGUID: root}
	for _, g := range []string{MenuGUID, ToolbarGUID, TagsGUID, UnfiledGUID, MobileGUID} {
		n := &backup.Node{GUID: g, TypeCode: 2}
		byGUID[g] = n
		root.Children = append(root.Children, n)
	}
	for _, it := range items {
		f := strings.Fields(it)
		n := &backup.Node{GUID: f[0], TypeCode: int(atoi(f[2])), Title: f[3], DateAdded: 5, LastModified: t}
		if f[4] != "-" {
			n.URI = f[4]
		}
		p := byGUID[f[1]]
		n.Index = int64(len(p.Children))
		p.Children = append(p.Children, n)
		byGUID[f[0]] = n
	}
	return Backup{Name: name, Time: t, Root: root}
}

func TestRebuild(t *testing.T) {
	type want struct {
		parents   map[string]string // guid -> parent; "" = absent
		deleted   []string
		backupish []string // OnlyInBackup
		unknown   []string // SyncStatus UNKNOWN
		placement map[string]string
	}
	for _, tc := range []struct {
		name string
		in   func() *Input
		want want
	}{
		{
			name: "a tombstone keeps an item deleted that an older backup holds",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "11 bookmarkB___ 10 1 B https://b.example/")
				live.Tombstones = []TombstoneRow{{GUID: "goneGone____", DateRemoved: 99}}
				live.BookmarksComplete = false // the tombstone decides alone
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "goneGone____ folderA_____ 1 Gone https://gone.example/")}}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID, "bookmarkB___": "folderA_____", "goneGone____": ""}, deleted: []string{"goneGone____"}},
		},
		{
			name: "absent from a newer complete source: deleted",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "oldOld______ folderA_____ 1 Old https://old.example/")}}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID, "oldOld______": ""}, deleted: []string{"oldOld______"}},
		},
		{
			name: "live GUIDs incomplete: a backup-only item is kept and marked",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
				live.BookmarksComplete, live.BadBookmarkCells = false, 3
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "oldOld______ folderA_____ 1 Old https://old.example/")}}
			},
			want: want{parents: map[string]string{"oldOld______": "folderA_____"}, backupish: []string{"oldOld______"}, unknown: []string{"oldOld______"}},
		},
		{
			name: "a row lost but named by the GUID index: values from the backup, not backup-only",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
				live.BookmarksComplete = false
				live.GUIDIndexComplete = true
				live.GUIDIndex = []IndexEntry{{GUID: "folderA_____", ID: 10}, {GUID: "lostRow_____", ID: 11}}
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "lostRow_____ folderA_____ 1 L https://l.example/")}}
			},
			want: want{parents: map[string]string{"lostRow_____": "folderA_____"}, unknown: []string{"lostRow_____"}},
		},
		{
			name: "a lost folder: the backup knows it, so it comes back with its children",
			in: func() *Input {
				// Row 12's parent, id 11, is lost and unnamed.
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "12 child_______ 11 1 C https://c.example/")
				live.BookmarksComplete = false
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -",
					"folderGone__ folderA_____ 2 G -", "child_______ folderGone__ 1 C https://c.example/")}}
			},
			want: want{parents: map[string]string{"child_______": "folderGone__", "folderGone__": "folderA_____"}, backupish: []string{"folderGone__"},
				placement: map[string]string{"child_______": "nearest ancestor known from bk"}},
		},
		{
			name: "a lost folder only named: its children go to the nearest ancestor the mirror knows",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "12 child_______ 11 1 C https://c.example/")
				live.BookmarksComplete = false
				live.GUIDIndex = []IndexEntry{{GUID: "folderA_____", ID: 10}, {GUID: "folderGone__", ID: 11}, {GUID: "child_______", ID: 12}}
				return &Input{Places: live, Mirror: &Mirror{Name: "mirror", Items: []MirrorItem{
					{GUID: "folderGone__", ParentGUID: "folderA_____", Kind: KindFolder, Deleted: true}}}}
			},
			want: want{parents: map[string]string{"child_______": "folderA_____", "folderGone__": ""},
				placement: map[string]string{"child_______": "its folder folderGone__ was lost; placed in its nearest ancestor known from mirror"}},
		},
		{
			name: "a lost folder no source knows: the Recovered folder under Other Bookmarks",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "12 child_______ 11 1 C https://c.example/")
				live.BookmarksComplete = false
				return &Input{Places: live}
			},
			want: want{parents: map[string]string{"child_______": RecoveredGUID, RecoveredGUID: UnfiledGUID},
				placement: map[string]string{"child_______": "no other source places it"}},
		},
		{
			name: "an earlier salvage's Recovered folder takes the new strays too",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "12 child_______ 11 1 C https://c.example/",
					"13 bmtuiRecover 5 2 Recovered -", "14 strayOld____ 13 1 S https://s.example/")
				live.BookmarksComplete = false
				return &Input{Places: live}
			},
			want: want{parents: map[string]string{"child_______": RecoveredGUID, "strayOld____": RecoveredGUID, RecoveredGUID: UnfiledGUID}},
		},
		{
			name: "an earlier Recovered folder moved into a folder that is now lost: back under Other Bookmarks, nothing lost",
			in: func() *Input {
				// folderGone__ (id 11) is lost and holds the Recovered folder.
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "12 child_______ 11 1 C https://c.example/",
					"13 bmtuiRecover 11 2 Recovered -", "14 strayOld____ 13 1 S https://s.example/")
				live.BookmarksComplete = false
				return &Input{Places: live}
			},
			want: want{parents: map[string]string{"child_______": RecoveredGUID, "strayOld____": RecoveredGUID, RecoveredGUID: UnfiledGUID},
				placement: map[string]string{RecoveredGUID: "put back under Other Bookmarks"}},
		},
		{
			name: "a mirror tombstone keeps a backup-only item deleted",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
				live.BookmarksComplete = false
				return &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "remoteGone__ folderA_____ 1 R https://r.example/")},
					Mirror: &Mirror{Name: "mirror", Items: []MirrorItem{{GUID: "remoteGone__", Deleted: true}}}}
			},
			want: want{parents: map[string]string{"remoteGone__": ""}, deleted: []string{"remoteGone__"}},
		},
		{
			name: "a fresh places.sqlite does not delete what the .corrupt it replaced holds",
			in: func() *Input {
				live := placesFile("places.sqlite")
				corrupt := placesFile("places.sqlite.corrupt", "10 folderA_____ 2 2 A -", "11 keepMe______ 10 1 K https://k.example/")
				return &Input{Places: live, Corrupt: corrupt}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID, "keepMe______": "folderA_____"}, unknown: []string{"keepMe______", "folderA_____"}},
		},
		{
			name: "an old .corrupt beside a places.sqlite used since: absence from places.sqlite deletes",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
				live.Bookmarks[6].LastModified = 500
				corrupt := placesFile("places.sqlite.corrupt", "10 folderA_____ 2 2 A -", "11 oldGone_____ 10 1 O https://o.example/")
				return &Input{Places: live, Corrupt: corrupt}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID, "oldGone_____": ""}, deleted: []string{"oldGone_____"}},
		},
		{
			name: "folders in a cycle across sources go to Recovered",
			in: func() *Input {
				live := placesFile("places.sqlite")
				live.BookmarksComplete = false
				return &Input{Places: live,
					Backups: []Backup{backupOf("new", 60, "cycleA______ menu________ 2 A -"), backupOf("old", 50, "cycleB______ menu________ 2 B -")},
					Mirror: &Mirror{Name: "mirror", Time: 70, Items: []MirrorItem{
						{GUID: "cycleA______", ParentGUID: "cycleB______", Kind: KindFolder},
						{GUID: "cycleB______", ParentGUID: "cycleA______", Kind: KindFolder}}}}
			},
			want: want{parents: map[string]string{"cycleA______": "", "cycleB______": ""}, placement: map[string]string{"cycleA______": "cycle"}},
		},
		{
			name: "bmtui's own backup copy gives what an unreadable places.sqlite lost, older backups' deletions kept",
			in: func() *Input {
				snap := placesFile("bmtui-backups/x/places.sqlite", "10 folderA_____ 2 2 A -", "11 fromSnap____ 10 1 S https://s.example/")
				return &Input{Places: &PlacesFile{Name: "places.sqlite", Err: "not an SQLite database"}, Snapshot: snap, SnapshotTime: 100,
					Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -", "oldGone_____ folderA_____ 1 O https://o.example/")}}
			},
			want: want{parents: map[string]string{"fromSnap____": "folderA_____", "oldGone_____": ""}, deleted: []string{"oldGone_____"},
				unknown: []string{"fromSnap____", "folderA_____"}},
		},
		{
			name: "rows on cut-off pages need a voucher when the freelist is damaged",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "11 orphanOk____ 10 1 K https://k.example/", "12 orphanGone__ 10 1 G https://g.example/")
				live.BookmarksComplete = false
				for i := range live.Bookmarks[6:] {
					live.Bookmarks[6+i].Orphan = i > 0
				}
				live.GUIDIndex = []IndexEntry{{GUID: "orphanOk____", ID: 11}}
				return &Input{Places: live}
			},
			want: want{parents: map[string]string{"orphanOk____": "folderA_____", "orphanGone__": ""}, deleted: []string{"orphanGone__"}},
		},
		{
			name: "invalid rows are reported, not written",
			in: func() *Input {
				live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "11 bad 10 1 B https://b.example/", "12 badType_____ 10 7 X -")
				return &Input{Places: live}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID, "bad": "", "badType_____": ""}},
		},
		{
			name: "certain items keep their Sync state",
			in: func() *Input {
				return &Input{Places: placesFile("places.sqlite", "10 folderA_____ 2 2 A -")}
			},
			want: want{parents: map[string]string{"folderA_____": MenuGUID}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Rebuild(tc.in(), Options{Now: 1000})
			if err != nil {
				t.Fatal(err)
			}
			checkTree(t, res.DB)
			got := map[string]rebuild.Bookmark{}
			for _, b := range res.DB.Bookmarks {
				got[b.GUID] = b
			}
			for g, p := range tc.want.parents {
				b, ok := got[g]
				switch {
				case p == "" && ok && g != "cycleA______" && g != "cycleB______":
					t.Errorf("%s is back, in %s", g, b.ParentGUID)
				case p != "" && !ok:
					t.Errorf("%s is missing", g)
				case p != "" && b.ParentGUID != p:
					t.Errorf("%s in %s, want %s", g, b.ParentGUID, p)
				}
			}
			var deleted []string
			for _, d := range res.Report.Deleted {
				deleted = append(deleted, d.GUID)
			}
			if strings.Join(deleted, " ") != strings.Join(tc.want.deleted, " ") {
				t.Errorf("deleted %v, want %v", deleted, tc.want.deleted)
			}
			if strings.Join(res.Report.BackupOnly, " ") != strings.Join(tc.want.backupish, " ") {
				t.Errorf("backup-only %v, want %v", res.Report.BackupOnly, tc.want.backupish)
			}
			unknown := map[string]bool{}
			for _, g := range tc.want.unknown {
				unknown[g] = true
			}
			for _, b := range res.DB.Bookmarks {
				if b.GUID == RecoveredGUID || isRoot(b.GUID) {
					continue
				}
				if (b.SyncStatus == SyncUnknown && b.SyncChangeCounter == 1) != unknown[b.GUID] && tc.want.unknown != nil {
					t.Errorf("%s: syncStatus %d counter %d", b.GUID, b.SyncStatus, b.SyncChangeCounter)
				}
				if tc.want.unknown == nil && tc.name == "certain items keep their Sync state" && b.SyncStatus != SyncNormal {
					t.Errorf("%s: syncStatus %d, want NORMAL kept", b.GUID, b.SyncStatus)
				}
			}
			for _, it := range res.Report.Items {
				if want, ok := tc.want.placement[it.GUID]; ok && !strings.Contains(it.Placement, want) {
					t.Errorf("%s placement %q, want it to say %q", it.GUID, it.Placement, want)
				}
			}
		})
	}
}

// checkTree asserts what the writer needs: the root first, every parent a
// folder listed before its children, unique GUIDs, URLs on bookmarks only,
// nothing in the tags root.
func checkTree(t *testing.T, db *rebuild.Database) {
	t.Helper()
	if len(db.Bookmarks) == 0 || db.Bookmarks[0].GUID != RootGUID || db.Bookmarks[0].ParentGUID != "" {
		t.Fatalf("the root is not first")
	}
	typ := map[string]int{}
	for _, b := range db.Bookmarks {
		if _, dup := typ[b.GUID]; dup {
			t.Errorf("%s listed twice", b.GUID)
		}
		if b.GUID != RootGUID {
			if typ[b.ParentGUID] != rebuild.TypeFolder {
				t.Errorf("%s: parent %s is not a folder listed before it", b.GUID, b.ParentGUID)
			}
			if b.ParentGUID == TagsGUID {
				t.Errorf("%s is in the tags root", b.GUID)
			}
		}
		if (b.Type == rebuild.TypeBookmark) != (b.URL != "") {
			t.Errorf("%s: type %d with URL %q", b.GUID, b.Type, b.URL)
		}
		typ[b.GUID] = b.Type
	}
}

// TestTakePrebuilt: a prebuilt source is taken once, only as the kind it
// was made for, and ranked where Rebuild ranks its input, candidates
// included.
func TestTakePrebuilt(t *testing.T) {
	bk := backupOf("bk", 50, "folderA_____ menu________ 2 A -", "bookmarkB___ folderA_____ 1 B https://b.example/")
	bk.Prebuild()
	if p := take(&bk.pre, "mirror", 3); p != nil || bk.pre != nil {
		t.Fatalf("a backup's source taken as a mirror's: %v, left %v", p, bk.pre)
	}
	bk.Prebuild()
	p := take(&bk.pre, "backup", 3)
	if p == nil || bk.pre != nil {
		t.Fatalf("take = %v, left %v", p, bk.pre)
	}
	if p.src.rank != 3 || len(p.src.items) != 2 {
		t.Fatalf("rank %d, %d items", p.src.rank, len(p.src.items))
	}
	for g, c := range p.src.items {
		if c.rank != 3 {
			t.Errorf("%s ranked %d, want 3", g, c.rank)
		}
	}
	live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -")
	live.Prebuild("places")
	if p := take(&live.pre, "places", 0); p == nil || p.view == nil || p.view.kind != "places" || !p.src.items["folderA_____"].certain {
		t.Fatalf("places source: %+v", p)
	}
}

// TestOrphanPagesLeftOut: a page no bookmark, keyword or visit refers to
// is left out, with its annotations (Firefox's expiration would delete
// it); a page a bookmark from another source needs, a visited page and a
// keyword's page stay.
func TestOrphanPagesLeftOut(t *testing.T) {
	live := placesFile("places.sqlite", "10 folderA_____ 2 2 A -", "11 bookmarkB___ 10 1 B https://b.example/")
	live.BookmarksComplete, live.BadBookmarkCells = false, 1
	for i, u := range []string{"https://orphan.example/", "https://visited.example/", "https://kw.example/",
		"https://anno.example/", "https://fromBackup.example/"} {
		live.Places = append(live.Places, PlaceRow{ID: int64(100 + i), URL: u, GUID: "page" + string(rune('a'+i)) + "_______"})
	}
	live.Visits = []VisitRow{{PlaceID: 101, VisitDate: 30, VisitType: 1}}
	live.Keywords = []KeywordRow{{Keyword: "kw", PlaceID: 102}}
	live.AnnoNames = map[int64]string{1: "test/anno"}
	live.PageAnnos = []AnnoRow{{Owner: 103, AttrID: 1, Content: "x", Type: 3}, {Owner: 101, AttrID: 1, Content: "y", Type: 3}}
	in := &Input{Places: live, Backups: []Backup{backupOf("bk", 50, "folderA_____ menu________ 2 A -",
		"lostRow_____ folderA_____ 1 L https://fromBackup.example/")}}
	res, err := Rebuild(in, Options{Now: 1})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range res.DB.Places {
		got = append(got, p.URL)
	}
	want := []string{"https://b.example/", "https://visited.example/", "https://kw.example/", "https://fromBackup.example/"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("pages %v, want %v", got, want)
	}
	if len(res.DB.PageAnnos) != 1 || res.DB.PageAnnos[0].URL != "https://visited.example/" {
		t.Errorf("page annotations %+v, want only the visited page's", res.DB.PageAnnos)
	}
	if r := res.Report; r.OrphanPages != 2 || r.Counts.Places != 4 || r.Counts.PageAnnos != 1 {
		t.Errorf("report: %d orphan pages, %d pages, %d page annotations; want 2, 4, 1", r.OrphanPages, r.Counts.Places, r.Counts.PageAnnos)
	}
}
