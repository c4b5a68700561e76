package salvage_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
)

var damagedCases = testutil.DamagedCases

func unpackDamaged(tb testing.TB, name string) string { return testutil.UnpackDamaged(tb, name) }

type truthItem struct {
	GUID       string   `json:"guid"`
	Type       string   `json:"type"`
	Title      string   `json:"title"`
	URL        string   `json:"url"`
	ParentGUID string   `json:"parentGuid"`
	Tags       []string `json:"tags"`
	Keyword    string   `json:"keyword"`
}

type truthFile struct {
	Items  []truthItem `json:"items"`
	Backup struct {
		OnlyInBackup []string `json:"onlyInBackup"`
		NotInBackup  []string `json:"notInBackup"`
	} `json:"backup"`
	OnDamaged []string `json:"bookmarkGuidsOnDamagedPages"`
	Counts    struct {
		Visits int `json:"moz_historyvisits"`
	} `json:"counts"`
}

type ffItem struct {
	GUID       string `json:"guid"`
	ParentGUID string `json:"parentGuid"`
}

type ffView struct {
	TreeItems []ffItem `json:"treeItems"`
}

type firefoxFile struct {
	Sessions []struct {
		View                 *ffView `json:"view"`
		ViewAfterMaintenance *ffView `json:"viewAfterMaintenance"`
	} `json:"sessions"`
}

type recoverFile struct {
	Files map[string]recoveredFile `json:"files"`
}

type recoveredFile struct {
	Tables map[string]int `json:"tables"`
	// KeptPlaces: of .recover's pages, those Firefox keeps (a bookmark,
	// keyword or visit refers to them; testutil.KeptPages). Only where
	// .recover ran here: the fixtures' JSON has totals.
	KeptPlaces    int               `json:"-"`
	BookmarkGUIDs []string          `json:"bookmarkGuids"`
	Parents       map[string]string `json:"bookmarkParents"`
}

func readJSON(tb testing.TB, v any, elem ...string) {
	tb.Helper()
	data, err := os.ReadFile(testutil.Shared(tb, elem...))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatal(err)
	}
}

// TestDamagedFixtures is the proof: every truth item any source still
// holds comes back (values exact where the live database holds the row),
// a superset of what Firefox keeps and of what SQLite's .recover returns,
// history at least .recover's, and nothing deleted comes back.
func TestDamagedFixtures(t *testing.T) {
	for _, name := range damagedCases {
		t.Run(name, func(t *testing.T) {
			var truth truthFile
			readJSON(t, &truth, "fixtures", "damaged", name, "truth.json")
			var ff firefoxFile
			readJSON(t, &ff, "fixtures", "damaged", name, "firefox.json")
			var rec recoverFile
			readJSON(t, &rec, "fixtures", "damaged", name, "sqlite-recover.json")

			dir := unpackDamaged(t, name)
			if cli := os.Getenv("SQLITE_RECOVER_CLI"); cli != "" {
				f := rec.Files[scan.PlacesName]
				f.KeptPlaces = recoverOf(t, cli, filepath.Join(dir, scan.PlacesName), truth).Files[scan.PlacesName].KeptPlaces
				rec.Files[scan.PlacesName] = f
			}
			in, err := scan.Profile(dir)
			if err != nil {
				t.Fatal(err)
			}
			checkAgainstTruth(t, name, in, truth, ff, rec)
		})
	}
}

// TestCorruptBesideRestore is what a user has after Firefox gave up on
// the damaged file: it moved it aside as places.sqlite.corrupt and
// restored the stale backup into a fresh places.sqlite. The .corrupt's
// newer items, edits and deletions must win over the restore.
func TestCorruptBesideRestore(t *testing.T) {
	for _, name := range []string{"a-bookmarks-leaf", "f-wal-recent"} {
		t.Run(name, func(t *testing.T) {
			var truth truthFile
			readJSON(t, &truth, "fixtures", "damaged", name, "truth.json")
			var ff firefoxFile
			readJSON(t, &ff, "fixtures", "damaged", name, "firefox.json")
			var rec recoverFile
			readJSON(t, &rec, "fixtures", "damaged", name, "sqlite-recover.json")
			dir := unpackDamaged(t, name)
			for _, suffix := range []string{"", "-wal"} {
				old := filepath.Join(dir, "places.sqlite"+suffix)
				if _, err := os.Stat(old); err == nil {
					if err := os.Rename(old, filepath.Join(dir, "places.sqlite.corrupt"+suffix)); err != nil {
						t.Fatal(err)
					}
				}
			}
			backups, err := scan.ReadBackups(filepath.Join(dir, "bookmarkbackups"))
			if err != nil {
				t.Fatal(err)
			}
			restored, err := salvage.Rebuild(&salvage.Input{Backups: backups}, salvage.Options{Now: 1_790_000_000_000_000})
			if err != nil {
				t.Fatal(err)
			}
			if err := rebuild.Write(context.Background(), filepath.Join(dir, "places.sqlite"), restored.DB, time.UnixMicro(1_790_000_000_000_000)); err != nil {
				t.Fatal(err)
			}
			in, err := scan.Profile(dir)
			if err != nil {
				t.Fatal(err)
			}
			if in.Corrupt == nil || in.Corrupt.Err != "" {
				t.Fatalf("the .corrupt was not read: %+v", in.Corrupt)
			}
			checkAgainstTruth(t, name, in, truth, ff, rec)
		})
	}
}

func checkAgainstTruth(t *testing.T, name string, in *salvage.Input, truth truthFile, ff firefoxFile, rec recoverFile) {
	t.Helper()
	{
		{
			res, err := salvage.Rebuild(in, salvage.Options{Now: 1_800_000_000_000_000})
			if err != nil {
				t.Fatal(err)
			}
			if !res.Report.Damaged {
				t.Errorf("not reported as damaged")
			}
			got := map[string]rebuild.Bookmark{}
			for _, b := range res.DB.Bookmarks {
				got[b.GUID] = b
			}
			keywords := map[string]string{}
			for _, k := range res.DB.Keywords {
				keywords[k.URL] = k.Keyword
			}
			// What any source holds: the backup and the mirror by GUID;
			// the live database unless the row was on a damaged page.
			held := map[string]bool{}
			for _, s := range in.Backups {
				if s.Root != nil {
					s.Root.Walk(func(n, _ *backup.Node) { held[n.GUID] = true })
				}
			}
			for _, it := range in.Mirror.Items {
				held[it.GUID] = true
			}
			onDamaged := map[string]bool{}
			for _, g := range truth.OnDamaged {
				onDamaged[g] = true
			}
			var heldN, back, rightParent, exact, exactOld int
			for _, ti := range truth.Items {
				if !onDamaged[ti.GUID] {
					held[ti.GUID] = true
				}
				if !held[ti.GUID] {
					continue
				}
				heldN++
				b, ok := got[ti.GUID]
				if !ok {
					t.Errorf("truth item %s %q is held by a source but not rebuilt", ti.GUID, ti.Title)
					continue
				}
				back++
				if b.ParentGUID == ti.ParentGUID {
					rightParent++
				}
				tags := slices.Clone(b.Tags)
				slices.Sort(tags)
				want := slices.Clone(ti.Tags)
				slices.Sort(want)
				kw := ""
				if b.URL != "" {
					kw = keywords[b.URL]
				}
				same := b.Title == ti.Title && b.URL == ti.URL && b.ParentGUID == ti.ParentGUID && slices.Equal(tags, want) && kw == ti.Keyword
				if onDamaged[ti.GUID] {
					// Values from an older source: counted, not required.
					if same {
						exactOld++
					}
					continue
				}
				if !same {
					t.Errorf("%s: got title %q url %q parent %s tags %v keyword %q; truth %q %q %s %v %q",
						ti.GUID, b.Title, b.URL, b.ParentGUID, tags, kw, ti.Title, ti.URL, ti.ParentGUID, want, ti.Keyword)
					continue
				}
				exact++
			}
			truthGUIDs := map[string]string{}
			for _, ti := range truth.Items {
				truthGUIDs[ti.GUID] = ti.ParentGUID
			}
			// Firefox's final tree (none for a case Firefox did not open).
			view := &ffView{}
			if len(ff.Sessions) > 0 {
				last := ff.Sessions[len(ff.Sessions)-1]
				view = last.View
				if last.ViewAfterMaintenance != nil && len(ff.Sessions) == 1 {
					view = last.ViewAfterMaintenance
				}
			}
			ffTruth, ffRight := 0, 0
			for _, it := range view.TreeItems {
				if _, inTruth := truthGUIDs[it.GUID]; !inTruth {
					continue // removed after the backup Firefox restored
				}
				ffTruth++
				if truthGUIDs[it.GUID] == it.ParentGUID {
					ffRight++
				}
				if _, ok := got[it.GUID]; !ok {
					t.Errorf("Firefox keeps %s; we do not", it.GUID)
				}
			}
			// SQLite's .recover.
			recTruth, recVisits, recPlaces, recKept := 0, 0, 0, 0
			for _, f := range rec.Files {
				recVisits = max(recVisits, f.Tables["moz_historyvisits"])
				recPlaces = max(recPlaces, f.Tables["moz_places"])
				recKept = max(recKept, f.KeptPlaces)
				for _, g := range f.BookmarkGUIDs {
					if _, inTruth := truthGUIDs[g]; !inTruth {
						continue
					}
					recTruth++
					if _, ok := got[g]; !ok {
						t.Errorf(".recover returns %s; we do not", g)
					}
				}
			}
			// Nothing deleted comes back, nothing unknown appears.
			for _, g := range truth.Backup.OnlyInBackup {
				if _, ok := got[g]; ok {
					t.Errorf("deleted item %s came back", g)
				}
			}
			for _, b := range res.DB.Bookmarks {
				if _, ok := truthGUIDs[b.GUID]; !ok && !isRootOrRecovered(b.GUID) {
					t.Errorf("%s %q is not in the truth", b.GUID, b.Title)
				}
			}
			t.Logf("truth %d items, %d held by a source; rebuilt %d, right parent %d, exact %d (%d of the %d on damaged pages); Firefox final %d truth items (%d right parent); .recover %d; pages/visits ours %d/%d (%d orphan pages left out), .recover %d/%d (%d pages Firefox keeps), truth visits %d",
				len(truth.Items), heldN, back, rightParent, exact+exactOld, exactOld, len(truth.OnDamaged), ffTruth, ffRight, recTruth, len(res.DB.Places), len(res.DB.Visits), res.Report.OrphanPages, recPlaces, recVisits, recKept, truth.Counts.Visits)
			// The writer takes what we rebuilt, and reads it back.
			out := filepath.Join(t.TempDir(), "places.sqlite")
			now := time.UnixMicro(1_800_000_000_000_000)
			if err := rebuild.Write(context.Background(), out, res.DB, now); err != nil {
				t.Fatalf("write: %v", err)
			}
			if err := rebuild.Verify(context.Background(), out, res.DB, now); err != nil {
				t.Fatalf("verify: %v", err)
			}
			if n := testutil.ExpirablePages(t, out); n > 0 {
				t.Errorf("%d pages written that Firefox's expiration deletes (no bookmark, keyword or visit)", n)
			}
			// .recover's pages include those Firefox deletes itself (no
			// bookmark, keyword or visit), which we leave out: the bars
			// are its pages Firefox keeps (where .recover ran here; the
			// JSON has totals only), and its total against the pages we
			// read (written or left out).
			if len(res.DB.Places) < recKept {
				t.Errorf("pages: %d, .recover keeps %d that Firefox keeps", len(res.DB.Places), recKept)
			}
			if len(res.DB.Places)+res.Report.OrphanPages < recPlaces {
				t.Errorf("pages: %d (and %d left out as orphans), .recover keeps %d", len(res.DB.Places), res.Report.OrphanPages, recPlaces)
			}
			if len(res.DB.Visits) < recVisits && in.Places != nil && in.Corrupt == nil {
				t.Errorf("visits: %d, .recover keeps %d", len(res.DB.Visits), recVisits)
			}
		}
	}
}

func isRootOrRecovered(g string) bool {
	switch g {
	case salvage.RootGUID, salvage.MenuGUID, salvage.ToolbarGUID, salvage.UnfiledGUID, salvage.MobileGUID, salvage.TagsGUID, salvage.RecoveredGUID:
		return true
	}
	return false
}
