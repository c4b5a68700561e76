package apply

import (
	"context"
	"errors"
	"fmt"
	"golang.org/x/sync/errgroup"
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"time"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Times are the two clocks of a merge: the local clock (Places ages, and
// the apply's `now`) and the server clock (mirror ages).
type Times struct {
	Local, Remote time.Time
}

// nowMillis is how Firefox hands a clock to the merger: whole seconds, in
// milliseconds.
func nowMillis(t time.Time) int64 { return t.Unix() * 1000 }

// FileID identifies a database file on disk at the time it was read: any
// write by anyone changes it.
type FileID struct {
	Path    string
	Size    int64
	ModTime time.Time
	Dev     uint64
	Ino     uint64
	// Companion is the size and modification time of the -wal (Places) or
	// -journal (mirror) file, zero when absent.
	CompanionSize    int64
	CompanionModTime time.Time
}

// StatFile returns the identity of a database file and its companion file
// (suffix "-wal" or "-journal").
func StatFile(path, companionSuffix string) (FileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return FileID{}, err
	}
	id := FileID{Path: path, Size: fi.Size(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino = uint64(st.Dev), uint64(st.Ino)
	}
	// An empty companion carries nothing (Firefox leaves an empty -wal
	// after a clean quit, and any connection creates one): it counts as
	// absent.
	if ci, err := os.Stat(path + companionSuffix); err == nil && ci.Size() > 0 {
		id.CompanionSize, id.CompanionModTime = ci.Size(), ci.ModTime()
	}
	return id, nil
}

// Same reports whether two identities describe the same unchanged file.
func (a FileID) Same(b FileID) bool {
	return a.Path == b.Path && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Dev == b.Dev && a.Ino == b.Ino &&
		a.CompanionSize == b.CompanionSize && a.CompanionModTime.Equal(b.CompanionModTime)
}

// PlacesFingerprint is a cheap summary of a Places database's bookmark
// state: any bookmark edit through Firefox's APIs changes at least one of
// these numbers (every edit bumps a change counter or a lastModified, every
// removal changes a count).
type PlacesFingerprint struct {
	Bookmarks, MaxBookmarkID, ChangeCounterSum, MaxLastModified int64
	Tombstones, MaxDateRemoved                                  int64
	Pages, MaxPageID, Keywords, Origins                         int64
	SchemaVersion                                               int64
}

// MirrorFingerprint is the same for the Sync mirror.
type MirrorFingerprint struct {
	Items, MaxItemID, MaxServerModified, NeedsMerge int64
	Structure, URLs, Tags                           int64
	SchemaVersion                                   int64
}

// ReadPlacesFingerprint computes the fingerprint over db, whose schema
// prefix is schema ("main" normally).
func ReadPlacesFingerprint(db Queryer, schema string) (PlacesFingerprint, error) {
	s := schema + "."
	var f PlacesFingerprint
	err := db.QueryRow(`SELECT (SELECT count(*) FROM `+s+`moz_bookmarks), (SELECT IFNULL(max(id), 0) FROM `+s+`moz_bookmarks),
		(SELECT IFNULL(sum(syncChangeCounter), 0) FROM `+s+`moz_bookmarks), (SELECT IFNULL(max(lastModified), 0) FROM `+s+`moz_bookmarks),
		(SELECT count(*) FROM `+s+`moz_bookmarks_deleted), (SELECT IFNULL(max(dateRemoved), 0) FROM `+s+`moz_bookmarks_deleted),
		(SELECT count(*) FROM `+s+`moz_places), (SELECT IFNULL(max(id), 0) FROM `+s+`moz_places),
		(SELECT count(*) FROM `+s+`moz_keywords), (SELECT count(*) FROM `+s+`moz_origins)`).Scan(
		&f.Bookmarks, &f.MaxBookmarkID, &f.ChangeCounterSum, &f.MaxLastModified, &f.Tombstones, &f.MaxDateRemoved,
		&f.Pages, &f.MaxPageID, &f.Keywords, &f.Origins)
	if err != nil {
		return f, err
	}
	err = db.QueryRow(`PRAGMA ` + schema + `.user_version`).Scan(&f.SchemaVersion)
	return f, err
}

// ReadMirrorFingerprint computes the mirror fingerprint.
func ReadMirrorFingerprint(db Queryer, schema string) (MirrorFingerprint, error) {
	s := schema + "."
	var f MirrorFingerprint
	err := db.QueryRow(`SELECT (SELECT count(*) FROM `+s+`items), (SELECT IFNULL(max(id), 0) FROM `+s+`items),
		(SELECT IFNULL(max(serverModified), 0) FROM `+s+`items), (SELECT IFNULL(sum(needsMerge), 0) FROM `+s+`items),
		(SELECT count(*) FROM `+s+`structure), (SELECT count(*) FROM `+s+`urls), (SELECT count(*) FROM `+s+`tags)`).Scan(
		&f.Items, &f.MaxItemID, &f.MaxServerModified, &f.NeedsMerge, &f.Structure, &f.URLs, &f.Tags)
	if err != nil {
		return f, err
	}
	err = db.QueryRow(`PRAGMA ` + schema + `.user_version`).Scan(&f.SchemaVersion)
	return f, err
}

// Plan is what an apply needs: the merge result and the state of both files
// it was computed from. Build it with Prepare (reads and merges), or with
// NewPlan when the caller merged itself.
type Plan struct {
	ProfileDir string
	Times      Times
	Result     *merge.Result

	PlacesFile, MirrorFile FileID
	Places                 PlacesFingerprint
	Mirror                 MirrorFingerprint
	// Reupload are the mirror rows Firefox's prepare() flags REUPLOAD
	// before merging (mirror.DB.Reupload); the apply writes the flag.
	Reupload []string

	cachedOps *merge.Ops
}

// ops are the merge's completion ops (merge.Result.Ops), computed once:
// the apply and its verification both need them.
func (p *Plan) ops() merge.Ops {
	if p.cachedOps == nil {
		ops := p.Result.Ops()
		p.cachedOps = &ops
	}
	return *p.cachedOps
}

// Local and Remote are the merged trees.
func (p *Plan) Local() *tree.Tree  { return p.Result.Local() }
func (p *Plan) Remote() *tree.Tree { return p.Result.Remote() }

// Paths of a profile's databases.
func placesPath(dir string) string { return filepath.Join(dir, places.FileName) }
func mirrorPath(dir string) string { return filepath.Join(dir, "weave", "bookmarks.sqlite") }

// ErrNoMirror means the profile has no Sync mirror: it never synced, so
// there is nothing to apply.
var ErrNoMirror = errors.New("no Sync mirror (weave/bookmarks.sqlite): this profile never synced")

// Prepare reads both databases of the profile (from private snapshots, as
// the preview does), builds both trees, merges them and records what was
// read, so that Apply can refuse if either file changes meanwhile. If a
// previous apply was interrupted it is finished first (Recover), which is
// the only write Prepare may make.
func Prepare(ctx context.Context, profileDir string, t Times, opts merge.Options) (*Plan, error) {
	if _, err := Recover(profileDir); err != nil {
		return nil, err
	}
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	if _, err := os.Stat(mp); err != nil {
		return nil, fmt.Errorf("%s: %w", profileDir, ErrNoMirror)
	}
	for attempt := 0; ; attempt++ {
		plan, changed, err := prepareOnce(ctx, profileDir, pp, mp, t, opts)
		if err != nil || !changed {
			return plan, err
		}
		if attempt == 2 {
			return nil, fmt.Errorf("%s keeps changing while it is read (is Firefox running?)", profileDir)
		}
	}
}

func prepareOnce(ctx context.Context, dir, pp, mp string, t Times, opts merge.Options) (*Plan, bool, error) {
	pid0, err := StatFile(pp, "-wal")
	if err != nil {
		return nil, false, err
	}
	mid0, err := StatFile(mp, "-journal")
	if err != nil {
		return nil, false, err
	}
	// Both files are read at once: the SQLite reads dominate.
	var pdb *places.DB
	var mdb *mirror.DB
	var local, remote *tree.Tree
	plan := &Plan{ProfileDir: dir, Times: t, PlacesFile: pid0, MirrorFile: mid0}
	var g errgroup.Group
	g.Go(func() (err error) {
		if pdb, err = places.Open(pp); err != nil {
			return err
		}
		if plan.Places, err = ReadPlacesFingerprint(pdb.SQL(), "main"); err != nil {
			return places.QueryError(places.What, pp, err)
		}
		local, err = pdb.ReadTree(nowMillis(t.Local))
		return err
	})
	g.Go(func() (err error) {
		if mdb, err = mirror.Open(mp); err != nil {
			return err
		}
		if plan.Mirror, err = ReadMirrorFingerprint(mdb.SQL(), "main"); err != nil {
			return places.QueryError("bookmarks.sqlite", mp, err)
		}
		remote, err = mdb.ReadTree(nowMillis(t.Remote))
		plan.Reupload = slices.Clone(mdb.Reupload())
		return err
	})
	err = g.Wait()
	if pdb != nil {
		defer pdb.Close()
	}
	if mdb != nil {
		defer mdb.Close()
	}
	if err != nil {
		return nil, false, err
	}
	pid1, _ := StatFile(pp, "-wal")
	mid1, _ := StatFile(mp, "-journal")
	if !pid0.Same(pid1) || !mid0.Same(mid1) {
		return nil, true, nil
	}
	res, err := merge.Merge(ctx, local, remote, opts)
	if err != nil {
		return nil, false, err
	}
	plan.Result = res
	return plan, false, nil
}

// NewPlan wraps a merge the caller computed from files whose identities
// and fingerprints it recorded before reading them.
func NewPlan(profileDir string, t Times, res *merge.Result, placesFile, mirrorFile FileID, pf PlacesFingerprint, mf MirrorFingerprint, reupload []string) *Plan {
	return &Plan{ProfileDir: profileDir, Times: t, Result: res, PlacesFile: placesFile, MirrorFile: mirrorFile, Places: pf, Mirror: mf,
		Reupload: slices.Clone(reupload)}
}
