package catalog_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/catalog"
	"github.com/bmtui/bmtui/source/diff"
	"github.com/bmtui/bmtui/sync/tree"
)

// folderPath is the titles from the root's child down to guid's parent,
// roots named as Firefox shows them; "" when the tree lacks guid.
func folderPath(t *tree.Tree, guid string) string {
	n := t.Lookup(guid)
	if n == nil {
		return ""
	}
	var parts []string
	for p := t.ParentOf(n); p != nil && p.Parent >= 0; p = t.ParentOf(p) {
		title := tree.RootTitle(p.GUID)
		if title == "" && p.Info != nil {
			title = p.Info.Title
		}
		parts = append(parts, title)
	}
	slices.Reverse(parts)
	return strings.Join(parts, "/")
}

func tombstoned(r *source.Result, guid string) bool {
	for _, ts := range r.Tombstones {
		if ts.GUID == guid && !ts.Deleted.IsZero() {
			return true
		}
	}
	return false
}

// Every source of history-14, loaded at once, holds each item exactly
// where History14 says, and no source holds one it should not.
func TestHistory14(t *testing.T) {
	dir := testutil.Profile(t, "history-14", "before")
	entries, err := catalog.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, e := range entries {
		ids = append(ids, e.ID)
	}
	want := []string{"backup:2026-11-01", "backup:2026-11-02", "backup:2026-11-03", "backup:2026-11-04", "mirror", "places"}
	if !slices.Equal(ids[:4], want[:4]) || len(ids) != 6 || !slices.Contains(ids, "mirror") || !slices.Contains(ids, "places") {
		t.Fatalf("IDs %v, want %v (backups oldest first)", ids, want)
	}
	results, err := catalog.LoadAll(context.Background(), entries)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*source.Result{}
	for i, e := range entries {
		byID[e.ID] = results[i]
		if results[i].Provenance.Kind != e.Kind {
			t.Errorf("%s: kind %s, want %s", e.ID, results[i].Provenance.Kind, e.Kind)
		}
	}
	if got := byID["mirror"].Provenance.At; !got.Equal(time.UnixMilli(1790000000000)) {
		t.Errorf("mirror time %v, want its last sync %v", got, time.UnixMilli(1790000000000))
	}
	for _, it := range testutil.History14 {
		for _, d := range []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"} {
			if got := folderPath(byID["backup:"+d].Tree, it.GUID); got != it.Backups[d] {
				t.Errorf("%s in backup %s: %q, want %q", it.GUID, d, got, it.Backups[d])
			}
		}
		if got := folderPath(byID["places"].Tree, it.GUID); got != it.Places {
			t.Errorf("%s in places: %q, want %q", it.GUID, got, it.Places)
		}
		if got := folderPath(byID["mirror"].Tree, it.GUID); got != it.Mirror {
			t.Errorf("%s in mirror: %q, want %q", it.GUID, got, it.Mirror)
		}
		if got := tombstoned(byID["places"], it.GUID); got != it.PlacesTombstone {
			t.Errorf("%s: Places tombstone %v, want %v", it.GUID, got, it.PlacesTombstone)
		}
		if got := tombstoned(byID["mirror"], it.GUID); got != it.MirrorTombstone {
			t.Errorf("%s: mirror tombstone %v, want %v", it.GUID, got, it.MirrorTombstone)
		}
	}
	// The server's deletion is dated by the record's server time.
	for _, ts := range byID["mirror"].Tombstones {
		if ts.GUID == "bmkRemoteDel" && !ts.Deleted.Equal(time.Unix(1790003000, 0)) {
			t.Errorf("mirror tombstone of bmkRemoteDel at %v, want %v", ts.Deleted, time.Unix(1790003000, 0))
		}
	}
	// Places dates its deletions in order: each after the backup before it.
	var removed []time.Time
	for _, g := range []string{"bmkProj1____", "bmkProj2____", "bmkProj4____"} {
		for _, ts := range byID["places"].Tombstones {
			if ts.GUID == g {
				removed = append(removed, ts.Deleted)
			}
		}
	}
	if len(removed) != 3 || !removed[0].Before(removed[1]) || !removed[1].Before(removed[2]) {
		t.Errorf("Places tombstone times %v: want three, in the order of the edits", removed)
	}
	titles := map[string]string{"2026-11-01": "Old title", "2026-11-02": "Old title", "2026-11-03": "New title", "2026-11-04": "New title"}
	for d, want := range titles {
		if got := byID["backup:"+d].Tree.Lookup("bmkRenamed__").Info.Title; got != want {
			t.Errorf("bmkRenamed__ in %s is %q, want %q", d, got, want)
		}
	}
	// The timeline of the backups tells each day's change.
	var points []diff.Point
	for _, d := range []string{"2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"} {
		points = append(points, diff.Point{ID: d, Tree: byID["backup:"+d].Tree})
	}
	var steps []string
	for _, st := range diff.Timeline(points, -1) {
		var tops []string
		for _, top := range st.Summary.Top {
			tops = append(tops, top.Change.String()+" "+top.GUID)
		}
		steps = append(steps, fmt.Sprintf("%s>%s +%d -%d >%d ~%d: %s", st.From, st.To, st.Summary.Added, st.Summary.Removed,
			st.Summary.Moved, st.Summary.Renamed, strings.Join(tops, ", ")))
	}
	wantSteps := []string{
		"2026-11-01>2026-11-02 +0 -1 >1 ~0: removed bmkProj1____, moved bmkMoved____",
		"2026-11-02>2026-11-03 +0 -2 >0 ~1: removed bmkProj2____, removed bmkProj3____, renamed bmkRenamed__",
		"2026-11-03>2026-11-04 +0 -2 >1 ~0: removed bmkProj4____, removed bmkDeleted__, moved bmkMoved____",
	}
	if !slices.Equal(steps, wantSteps) {
		t.Errorf("timeline\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(wantSteps, "\n"))
	}
	if got := byID["mirror"].Tree.Lookup("bmkRenamed__").Info.Title; got != "Old title" {
		t.Errorf("bmkRenamed__ in the mirror is %q, want the synced %q", got, "Old title")
	}
}

func TestBmtuiFolderIsApplys(t *testing.T) {
	if catalog.BmtuiBackupFolder != apply.BackupFolder {
		t.Fatalf("catalog looks in %q, apply writes to %q", catalog.BmtuiBackupFolder, apply.BackupFolder)
	}
}

// copyFile copies src to dst, making dst's folder.
func copyFile(t *testing.T, src, dst string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

const sharedBackup = "bookmarks-2026-11-23_45_lvSpPz00cBwXZKWqUj22YRpNmflIpn5rTCeXupBeGd4=.jsonlz4"

// The other kinds a profile may hold: two backups of one day, a .json
// backup, places.sqlite.corrupt, bmtui's own copies, bookmarks.html.
func TestListKinds(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	src := testutil.Shared(t, "fixtures", "backups", sharedBackup)
	bdir := filepath.Join(dir, backup.FolderName)
	copyFile(t, src, filepath.Join(bdir, sharedBackup))
	second := "bookmarks-2026-11-23_45_" + strings.Repeat("A", 43) + "=.jsonlz4"
	copyFile(t, src, filepath.Join(bdir, second))
	os.Chtimes(filepath.Join(bdir, second), time.Now(), time.Now().Add(time.Hour)) //nolint:errcheck
	raw, _, err := backup.ExportFile(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bdir, "bookmarks-2026-10-01.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	copyFile(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "places.sqlite.corrupt"))
	name := "20261120T101500.000000000Z"
	copyFile(t, filepath.Join(dir, "places.sqlite"), filepath.Join(dir, catalog.BmtuiBackupFolder, name, "places.sqlite"))
	copyFile(t, filepath.Join(dir, "weave", "bookmarks.sqlite"), filepath.Join(dir, catalog.BmtuiBackupFolder, name, "weave", "bookmarks.sqlite"))
	copyFile(t, filepath.Join("..", "..", "places", "bookmarkshtml", "testdata", "firefox.html"), filepath.Join(dir, "bookmarks.html"))

	entries, err := catalog.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]source.Kind{}
	for _, e := range entries {
		got[e.ID] = e.Kind
	}
	want := map[string]source.Kind{
		"places": source.Places, "mirror": source.Mirror, "corrupt": source.Corrupt, "html": source.HTML,
		"backup:2026-10-01": source.Backup, "backup:2026-11-23": source.Backup, "backup:2026-11-23.2": source.Backup,
		"bmtui:" + name: source.BmtuiPlaces, "bmtui:" + name + "/mirror": source.BmtuiMirror,
	}
	if len(got) != len(want) {
		t.Errorf("IDs %v, want %v", got, want)
	}
	for id, k := range want {
		if got[id] != k {
			t.Errorf("%s: kind %q, want %q", id, got[id], k)
		}
	}
	if entries[0].ID != "backup:2026-10-01" {
		t.Errorf("first entry %s, want the oldest backup", entries[0].ID)
	}
	results, err := catalog.LoadAll(context.Background(), entries)
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range results {
		e := entries[i]
		if r.Tree.Lookup(tree.MenuGUID) == nil {
			t.Errorf("%s: no menu in its tree", e.ID)
		}
		if r.Provenance.Kind != e.Kind {
			t.Errorf("%s: provenance kind %s", e.ID, r.Provenance.Kind)
		}
	}
	at := time.Date(2026, 11, 20, 10, 15, 0, 0, time.UTC)
	for i, e := range entries {
		if strings.HasPrefix(e.ID, "bmtui:") && (!e.Time.Equal(at) || !results[i].Provenance.At.Equal(at)) {
			t.Errorf("%s: time %v / %v, want %v from the folder name", e.ID, e.Time, results[i].Provenance.At, at)
		}
	}
	// Resolve by ID and by path.
	for _, spec := range []string{"backup:2026-11-23.2", filepath.Join(bdir, sharedBackup), filepath.Join(dir, "places.sqlite"), filepath.Join(dir, "weave", "bookmarks.sqlite"), filepath.Join(dir, "bookmarks.html")} {
		s, err := catalog.Resolve(dir, spec)
		if err != nil {
			t.Errorf("Resolve %s: %v", spec, err)
			continue
		}
		r, err := s.Load(time.Now())
		s.Close()
		if err != nil || r.Tree.Len() < 5 {
			t.Errorf("Resolve %s: load: %v", spec, err)
		}
	}
	s, err := catalog.Resolve("", filepath.Join(dir, "weave", "bookmarks.sqlite"))
	if err != nil || s.Provenance().Kind != source.Mirror {
		t.Errorf("a mirror file resolves to %v, %v", s, err)
	}
	if s != nil {
		s.Close()
	}
}

// Bad input: one clear line each, wrapping what it is.
func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	good, err := os.ReadFile(testutil.Shared(t, "fixtures", "backups", sharedBackup))
	if err != nil {
		t.Fatal(err)
	}
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	wrongSize := slices.Clone(good)
	binary.LittleEndian.PutUint32(wrongSize[8:], binary.LittleEndian.Uint32(good[8:])+7)
	tests := []struct {
		name, spec string
		is         error
		says       string
	}{
		{"truncated jsonlz4", write("cut.jsonlz4", good[:len(good)/2]), nil, "cut.jsonlz4"},
		{"truncated header", write("short.jsonlz4", good[:10]), backup.ErrTruncated, "truncated"},
		{"wrong size header", write("size.jsonlz4", wrongSize), backup.ErrSizeMismatch, "size"},
		{"JSON object not a tree", write("obj.json", []byte(`{"guid":"x","children":[]}`)), backup.ErrNotBookmarkTree, "Places root"},
		{"JSON array", write("arr.json", []byte(`[1,2,3]`)), backup.ErrNotBookmarkTree, "array"},
		{"HTML page", write("page.html", []byte("<!DOCTYPE html><html><body><p>Hello</p><ul><li>x</li></ul></body></html>")), nil, "not a bookmarks.html"},
		{"unknown spec", "backup:1999-01-01", catalog.ErrUnknownSource, "unknown source"},
		{"unknown file", write("notes.txt", []byte("just text")), catalog.ErrUnknownSource, "notes.txt"},
		{"corrupt not a database", "corrupt", nil, "does not open as Places"},
	}
	write("places.sqlite.corrupt", []byte(strings.Repeat("garbage ", 100)))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := catalog.Resolve(dir, tc.spec)
			if err == nil {
				_, err = s.Load(time.Now())
				s.Close()
			}
			if err == nil {
				t.Fatal("no error")
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.says) {
				t.Errorf("error %q: want one line saying %q", msg, tc.says)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %q does not wrap %v", msg, tc.is)
			}
		})
	}
}

// The unknown-source message lists the profile's IDs in one order
// whatever the files' times, so scripts and users see the same line.
func TestUnknownSourceListsInStableOrder(t *testing.T) {
	dir := testutil.Profile(t, "small-clean", "before")
	old := time.Now().Add(-time.Hour)
	for _, tc := range []struct {
		name  string
		older string
	}{
		{"places older", "places.sqlite"},
		{"mirror older", filepath.Join("weave", "bookmarks.sqlite")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, f := range []string{"places.sqlite", filepath.Join("weave", "bookmarks.sqlite")} {
				at := time.Now()
				if f == tc.older {
					at = old
				}
				for _, p := range []string{f, f + "-wal"} {
					os.Chtimes(filepath.Join(dir, p), at, at) //nolint:errcheck // no -wal is fine
				}
			}
			_, err := catalog.Find(dir, "backup:1999-01-01")
			if err == nil || !strings.Contains(err.Error(), "this profile has places, mirror;") {
				t.Errorf("error %v: want places listed before mirror", err)
			}
		})
	}
}
