// Package examine gathers the facts doctor diagnoses from a profile on
// disk. It only reads: databases through the same snapshot readers the
// explorer uses, prefs.js and the backups folder by name.
package examine

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/dupes/backups"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/prefs"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Profile gathers the facts of the profile at paths, as of now.
func Profile(paths load.Paths, now time.Time) (*doctor.Facts, error) {
	f := &doctor.Facts{Profile: paths.Dir, Now: now.UTC()}
	var local, remote *tree.Tree
	var refs []dupes.Reference
	if running, pid, _ := places.FirefoxRunning(paths.Dir); running {
		f.FirefoxPID = pid
	}
	var g errgroup.Group
	g.Go(func() error { local = readPlaces(f, paths.Places, now); return nil })
	g.Go(func() error {
		mirrorPath := paths.Mirror
		if mirrorPath == "" && paths.Dir != "" {
			mirrorPath = filepath.Join(paths.Dir, "weave", "bookmarks.sqlite")
		}
		remote = readMirror(f, mirrorPath, now)
		return nil
	})
	g.Go(func() error { f.Prefs = readPrefs(filepath.Join(paths.Dir, "prefs.js")); return nil })
	g.Go(func() error { f.Backups = readBackups(filepath.Join(paths.Dir, backup.FolderName)); return nil })
	g.Go(func() error { f.Corrupt = readCorrupt(filepath.Join(paths.Dir, scan.CorruptName)); return nil })
	// The newest backup is enough to see a flattened folder.
	g.Go(func() error { refs, _, _ = backups.Read(paths.Dir, 1); return nil })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if needsSalvage(f) {
		f.Salvage = salvageSummary(paths.Dir, now)
	}
	if local != nil {
		f.Dupes = dupesSummary(dupes.Find(dupes.Input{Tree: local, Side: tree.Local, Other: remote, Backups: refs}))
	}
	return f, nil
}

// dupesSummary counts what the duplicate finder found in the local tree.
func dupesSummary(r *dupes.Report) *doctor.Dupes {
	out := &doctor.Dupes{Groups: len(r.Groups), Fixable: r.ToFix(), ByKind: map[string]int{}}
	for i := range r.Groups {
		g := &r.Groups[i]
		out.ByKind[string(g.Kind)]++
		if g.Fix && g.Keep >= 0 {
			out.Copies += len(g.Copies) - 1
		}
	}
	return out
}

// needsSalvage says when salvage's full read is worth its cost: the live
// file is missing, unreadable or damaged, Firefox left a .corrupt file, or
// the Library is empty while backups are not.
func needsSalvage(f *doctor.Facts) bool {
	return !f.Places.Present || f.Places.OpenErr != "" || len(f.Places.Damage) > 0 || f.Corrupt != nil ||
		(f.Local != nil && f.Local.Bookmarks == 0 && f.Backups.Count > 0)
}

func readPlaces(f *doctor.Facts, path string, now time.Time) (local *tree.Tree) {
	f.Places = stat(path)
	if !f.Places.Present {
		return nil
	}
	src, err := places.OpenSource(path)
	if err != nil {
		f.Places.OpenErr, f.Places.Corrupt = oneLine(err), errors.Is(err, dbsnap.ErrCorrupt)
		return nil
	}
	defer src.Close()
	res, err := src.Load(now)
	if err != nil {
		f.LoadErr = oneLine(err)
		if errors.Is(err, dbsnap.ErrCorrupt) {
			f.Places.OpenErr, f.Places.Corrupt = f.LoadErr, true
		}
	} else {
		f.Local, local = treeFacts(res, true), res.Tree
	}
	f.PlacesSyncID = src.DB().SyncID()
	if ms := src.DB().LastSync(); ms > 0 {
		f.LastSync = time.UnixMilli(ms).UTC()
	}
	if d, err := src.Damage(); err != nil {
		f.Places.OpenErr = oneLine(err)
	} else {
		f.Places.Damage = d
	}
	return local
}

func readMirror(f *doctor.Facts, path string, now time.Time) (remote *tree.Tree) {
	if path == "" {
		return nil
	}
	f.Mirror = stat(path)
	if !f.Mirror.Present {
		return nil
	}
	src, err := mirror.OpenSource(path)
	if err != nil {
		f.Mirror.OpenErr, f.Mirror.Corrupt = oneLine(err), errors.Is(err, dbsnap.ErrCorrupt)
		return nil
	}
	defer src.Close()
	if res, err := src.Load(now); err == nil {
		f.Remote, remote = treeFacts(res, false), res.Tree
	}
	f.MirrorSyncID = src.DB().SyncID()
	if d, err := src.Damage(); err != nil {
		f.Mirror.OpenErr = oneLine(err)
	} else {
		f.Mirror.Damage = d
	}
	return remote
}

func stat(path string) doctor.File {
	out := doctor.File{Path: path}
	if st, err := os.Stat(path); err == nil && st.Mode().IsRegular() {
		out.Present, out.Size = true, st.Size()
	}
	return out
}

func treeFacts(res *source.Result, local bool) *doctor.Tree {
	t := &doctor.Tree{Problems: res.Report.Counts, Tombstones: len(res.Tombstones)}
	if res.Tree == nil {
		return t
	}
	tags, _ := res.Tree.Index(tree.TagsGUID)
	res.Tree.Walk(func(_ int32, n *tree.Node) bool {
		if n.Parent < 0 || !n.Syncable || n.GUID == tree.TagsGUID || underTags(res.Tree, n, tags) {
			return true // the root, tags and anything outside the four user roots
		}
		t.Items++
		switch n.Kind {
		case tree.KindBookmark, tree.KindQuery:
			t.Bookmarks++
		case tree.KindFolder:
			if !tree.IsBuiltInRoot(n.GUID) {
				t.Folders++
			}
		}
		if local && n.Info != nil && n.Info.SyncChangeCounter > 0 && n.Syncable {
			t.Changed++
		}
		return true
	})
	return t
}

// underTags reports whether n lies in the tags root (a tag folder or one
// of its entries): tags are not bookmarks a user counts.
func underTags(t *tree.Tree, n *tree.Node, tags int32) bool {
	for p := n.Parent; p > 0; p = t.Node(p).Parent {
		if p == tags {
			return true
		}
	}
	return false
}

// relevantPrefs are the prefs that tell a bookmark story, by exact name or
// (ending in '.') by prefix.
var relevantPrefs = []string{
	"places.database.",
	"services.sync.bookmarks.",
	"services.sync.engine.bookmarks",
	"services.sync.declinedEngines",
	"services.sync.lastSync",
	"services.sync.username",
	"services.sync.engineStatusChanged.bookmarks",
	"browser.bookmarks.",
	"browser.places.",
}

func readPrefs(path string) doctor.Prefs {
	var out doctor.Prefs
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return out
	}
	if err != nil {
		out.Err = oneLine(err)
		return out
	}
	out.Found = true
	file := prefs.Parse(data)
	for _, m := range file.Malformed {
		out.Malformed = append(out.Malformed, m.Error())
	}
	for _, p := range file.Prefs {
		if v, _ := file.Get(p.Name); v != p.Value || !relevant(p.Name) {
			continue // a later line sets it again, or it says nothing about bookmarks
		}
		out.Relevant = append(out.Relevant, doctor.Pref{Name: p.Name, Value: p.Value.String(), Line: p.Line})
	}
	sort.SliceStable(out.Relevant, func(i, j int) bool { return out.Relevant[i].Name < out.Relevant[j].Name })
	if v, ok := file.Get("places.database.replaceDatabaseOnStartup"); ok && v.Kind == prefs.Bool {
		out.ReplaceOnStartup = v.Bool
	}
	if v, ok := file.Get("places.database.lastPlacesCorruptionInDaysFromEpoch"); ok && v.Kind == prefs.Int {
		out.LastCorruptionDay = v.Int
	}
	if v, ok := file.Get("services.sync.declinedEngines"); ok && v.Kind == prefs.String {
		for _, e := range strings.Split(v.Str, ",") {
			out.BookmarksDeclined = out.BookmarksDeclined || strings.TrimSpace(e) == "bookmarks"
		}
	}
	if v, ok := file.Get("services.sync.engine.bookmarks"); ok && v.Kind == prefs.Bool {
		out.BookmarksDisabled = !v.Bool
	}
	if v, ok := file.Get("services.sync.username"); ok && v.Kind == prefs.String && v.Str != "" {
		out.SyncConfigured = true
	}
	if v, ok := file.Get("services.sync.lastSync"); ok {
		if t, ok := parseSyncDate(v); ok {
			out.LastSync = t
		} else {
			out.LastSyncUnreadable = v.String()
		}
	}
	return out
}

func relevant(name string) bool {
	for _, r := range relevantPrefs {
		if name == r || strings.HasSuffix(r, ".") && strings.HasPrefix(name, r) {
			return true
		}
	}
	return false
}

// parseSyncDate reads services.sync.lastSync: a JavaScript Date string
// ("Sat Dec 05 2026 05:00:00 GMT+0000 (Coordinated Universal Time)") or,
// in some versions, seconds since the epoch.
func parseSyncDate(v prefs.Value) (time.Time, bool) {
	switch v.Kind {
	case prefs.Int:
		return time.Unix(v.Int, 0).UTC(), v.Int > 0
	case prefs.String:
		s := v.Str
		if i := strings.Index(s, " ("); i > 0 {
			s = s[:i]
		}
		for _, layout := range []string{"Mon Jan 02 2006 15:04:05 GMT-0700", time.RFC1123Z, time.RFC3339} {
			if t, err := time.Parse(layout, s); err == nil {
				return t.UTC(), true
			}
		}
	}
	return time.Time{}, false
}

func readBackups(dir string) doctor.Backups {
	var out doctor.Backups
	entries, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".jsonlz4") || strings.HasSuffix(name, ".json")) {
			continue
		}
		out.Count++
		info, ok := backup.ParseFileName(name)
		if !ok {
			out.Unnamed++
			continue
		}
		day, err := time.Parse("2006-01-02", info.Date)
		if err != nil {
			out.Unnamed++
			continue
		}
		if out.Newest.IsZero() || day.After(out.Newest) || day.Equal(out.Newest) && name > out.NewestName {
			out.Newest, out.NewestName = day, name
		}
		if out.Oldest.IsZero() || day.Before(out.Oldest) {
			out.Oldest = day
		}
	}
	return out
}

func readCorrupt(path string) *doctor.Corrupt {
	st, err := os.Stat(path)
	if err != nil || !st.Mode().IsRegular() {
		return nil
	}
	return &doctor.Corrupt{Path: path, Size: st.Size(), Modified: st.ModTime().UTC()}
}

func salvageSummary(dir string, now time.Time) *doctor.Salvage {
	in, err := scan.Profile(dir)
	if err != nil {
		return &doctor.Salvage{Err: oneLine(err)}
	}
	res, err := salvage.Rebuild(in, salvage.Options{Now: now.UnixMicro()})
	if err != nil {
		return &doctor.Salvage{Err: oneLine(err)}
	}
	r := res.Report
	return &doctor.Salvage{
		Damaged: r.Damaged, Why: r.Why,
		Bookmarks: r.Counts.Bookmarks, Folders: r.Counts.Folders,
		LostFolders: len(r.LostFolders), BackupOnly: len(r.BackupOnly),
	}
}

func oneLine(err error) string {
	s := err.Error()
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	return s
}
