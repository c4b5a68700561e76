// Package catalog lists every copy of a profile's bookmarks that bmtui can
// read (issue 14) and opens any of them by name: the live Places database
// and Sync mirror, places.sqlite.corrupt, Firefox's dated backups in
// bookmarkbackups/, a bookmarks.html export, the copies bmtui saved in
// bmtui-backups/ before each write, and any file the user names.
//
// Source IDs, as the command line takes them (--left/--right, restore
// --from) and find's JSON reports them:
//
//	places                 places.sqlite
//	mirror                 weave/bookmarks.sqlite
//	corrupt                places.sqlite.corrupt
//	html                   bookmarks.html in the profile folder
//	backup:YYYY-MM-DD      bookmarkbackups/bookmarks-YYYY-MM-DD….jsonlz4 (or .json);
//	                       a second backup of the same day is backup:YYYY-MM-DD.2,
//	                       a third .3, in the order Firefox would list them (oldest first)
//	bmtui:NAME             bmtui-backups/NAME/places.sqlite
//	bmtui:NAME/mirror      bmtui-backups/NAME/weave/bookmarks.sqlite
//	salvaged               (the salvage issue's source, through a Lister)
//	a file path            .jsonlz4, .json, .html/.htm, .sqlite (Places or mirror, told apart by their tables)
//
// It is a files-layer package (it links the database readers): screens get
// its entries (source.Entry) and results through callbacks.
package catalog

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/bookmarkshtml"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// Entry is one source of a profile, listed before it is read.
type Entry = source.Entry

// Lister adds entries of a kind this package does not know (the salvaged
// database of issue 13): List and Resolve call each with the profile
// folder.
type Lister func(profileDir string) ([]Entry, error)

// IDs of the profile's own sources.
const (
	IDPlaces   = "places"
	IDMirror   = "mirror"
	IDCorrupt  = "corrupt"
	IDHTML     = "html"
	IDSalvaged = "salvaged" // for the salvage issue's Lister
)

// BmtuiBackupFolder is where apply keeps its copies (apply.BackupFolder).
const BmtuiBackupFolder = "bmtui-backups"

// bmtuiTimeLayout is how apply names a backup folder.
const bmtuiTimeLayout = "20060102T150405.000000000Z"

// ErrUnknownSource is wrapped by Resolve for a spec that names nothing.
var ErrUnknownSource = errors.New("unknown source")

// List lists the sources the profile at profileDir has, oldest first
// (by Time, then ID), with unique IDs. Sources that are not there are
// left out; only a missing or unreadable folder is an error.
func List(profileDir string, more ...Lister) ([]Entry, error) {
	fi, err := os.Stat(profileDir)
	if err != nil {
		return nil, fmt.Errorf("profile folder: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("profile folder %s is not a folder", profileDir)
	}
	var out []Entry
	add := func(id string, kind source.Kind, path string, open func() (source.Source, error)) {
		if t, ok := mtime(path); ok {
			out = append(out, Entry{ID: id, Kind: kind, Path: path, Time: t, Open: open})
		}
	}
	placesPath := filepath.Join(profileDir, places.FileName)
	add(IDPlaces, source.Places, placesPath, func() (source.Source, error) { return openPlaces(placesPath) })
	mirrorPath := filepath.Join(profileDir, "weave", "bookmarks.sqlite")
	add(IDMirror, source.Mirror, mirrorPath, func() (source.Source, error) { return openMirror(mirrorPath) })
	corruptPath := placesPath + ".corrupt"
	add(IDCorrupt, source.Corrupt, corruptPath, func() (source.Source, error) { return openCorrupt(corruptPath) })
	htmlPath := filepath.Join(profileDir, "bookmarks.html")
	add(IDHTML, source.HTML, htmlPath, func() (source.Source, error) { return bookmarkshtml.OpenSource(htmlPath) })

	backups, err := firefoxBackups(filepath.Join(profileDir, backup.FolderName))
	if err != nil {
		return nil, err
	}
	out = append(out, backups...)
	bmtui, err := bmtuiBackups(filepath.Join(profileDir, BmtuiBackupFolder))
	if err != nil {
		return nil, err
	}
	out = append(out, bmtui...)
	for _, l := range more {
		es, err := l(profileDir)
		if err != nil {
			return nil, err
		}
		out = append(out, es...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if !out[i].Time.Equal(out[j].Time) {
			return out[i].Time.Before(out[j].Time)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// mtime is a file's modification time, the newer of its -wal's and its
// own for a database; false when the file is not there.
func mtime(path string) (time.Time, bool) {
	fi, err := os.Stat(path)
	if err != nil || fi.IsDir() {
		return time.Time{}, false
	}
	t := fi.ModTime()
	if w, err := os.Stat(path + "-wal"); err == nil && w.ModTime().After(t) {
		t = w.ModTime()
	}
	return t, true
}

// firefoxBackups lists bookmarkbackups/ as Firefox does (names it
// recognises), IDs by date, a day's later backups suffixed .2, .3 ….
func firefoxBackups(dir string) ([]Entry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list backups: %w", err)
	}
	type found struct {
		info backup.FileInfo
		e    Entry
	}
	var fs []found
	for _, d := range ents {
		fi, ok := backup.ParseFileName(d.Name())
		if !ok || d.IsDir() {
			continue
		}
		info, err := d.Info()
		if err != nil {
			continue // gone since the listing
		}
		path := filepath.Join(dir, d.Name())
		fs = append(fs, found{fi, Entry{Kind: source.Backup, Path: path, Time: backup.FileTime(d.Name(), info.ModTime()),
			Open: func() (source.Source, error) { return backup.OpenSource(path) }}})
	}
	sort.SliceStable(fs, func(i, j int) bool {
		if fs[i].info.Date != fs[j].info.Date {
			return fs[i].info.Date < fs[j].info.Date
		}
		if !fs[i].e.Time.Equal(fs[j].e.Time) {
			return fs[i].e.Time.Before(fs[j].e.Time)
		}
		return fs[i].e.Path < fs[j].e.Path
	})
	out := make([]Entry, len(fs))
	for i, f := range fs {
		f.e.ID = "backup:" + f.info.Date
		if n := sameDay(fs[i].info.Date, out[:i]); n > 0 {
			f.e.ID += "." + strconv.Itoa(n+1)
		}
		out[i] = f.e
	}
	return out, nil
}

// sameDay counts the backups of date among the earlier ones.
func sameDay(date string, earlier []Entry) int {
	n := 0
	for _, e := range earlier {
		id := strings.TrimPrefix(e.ID, "backup:")
		if id == date || strings.HasPrefix(id, date+".") {
			n++
		}
	}
	return n
}

// bmtuiBackups lists the copies apply saved, one folder per write, named
// by its UTC time.
func bmtuiBackups(dir string) ([]Entry, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list bmtui backups: %w", err)
	}
	var out []Entry
	for _, d := range ents {
		if !d.IsDir() {
			continue
		}
		name := d.Name()
		p := filepath.Join(dir, name, places.FileName)
		m := filepath.Join(dir, name, "weave", "bookmarks.sqlite")
		t, named := time.Parse(bmtuiTimeLayout, name)
		for _, c := range []struct {
			id   string
			kind source.Kind
			path string
			open func(string) (source.Source, error)
		}{
			{"bmtui:" + name, source.BmtuiPlaces, p, func(path string) (source.Source, error) { return openBmtui(path, source.BmtuiPlaces, name) }},
			{"bmtui:" + name + "/mirror", source.BmtuiMirror, m, func(path string) (source.Source, error) { return openBmtui(path, source.BmtuiMirror, name) }},
		} {
			ft, ok := mtime(c.path)
			if !ok {
				continue
			}
			if named == nil {
				ft = t
			}
			open, path := c.open, c.path
			out = append(out, Entry{ID: c.id, Kind: c.kind, Path: path, Time: ft, Open: func() (source.Source, error) { return open(path) }})
		}
	}
	return out, nil
}

// relabeled is a database source shown as another kind (a copy of Places
// or of the mirror), at the time that copy describes.
type relabeled struct {
	source.Source
	kind  source.Kind
	label string
	at    time.Time
	side  tree.Side
}

func (r *relabeled) Provenance() source.Provenance {
	p := r.Source.Provenance()
	p.Kind, p.Label, p.Side = r.kind, r.label, r.side
	if !r.at.IsZero() {
		p.At = r.at
	}
	return p
}

func (r *relabeled) Load(clock time.Time) (*source.Result, error) {
	res, err := r.Source.Load(clock)
	if res != nil {
		res.Provenance = r.Provenance()
	}
	return res, err
}

func openPlaces(path string) (source.Source, error) {
	s, err := places.OpenSource(path)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// openMirror opens the mirror as at its last sync (meta's
// collection/lastModified) when it has synced.
func openMirror(path string) (source.Source, error) {
	s, err := mirror.OpenSource(path)
	if err != nil {
		return nil, err
	}
	if ms := s.DB().LastModified(); ms > 0 {
		return &relabeled{Source: s, kind: source.Mirror, label: "Remote (Sync mirror)", at: time.UnixMilli(ms), side: tree.Remote}, nil
	}
	return s, nil
}

// openCorrupt opens places.sqlite.corrupt read-only as Places; when it
// does not open the error says so in one line.
func openCorrupt(path string) (source.Source, error) {
	s, err := places.OpenSource(path)
	if err != nil {
		return nil, fmt.Errorf("places.sqlite.corrupt does not open as Places: %w", err)
	}
	at, _ := mtime(path)
	return &relabeled{Source: s, kind: source.Corrupt, label: "Set aside by Firefox (places.sqlite.corrupt)", at: at, side: tree.Local}, nil
}

// openBmtui opens a database apply saved in bmtui-backups/name/.
func openBmtui(path string, kind source.Kind, name string) (source.Source, error) {
	at, err := time.Parse(bmtuiTimeLayout, name)
	if err != nil {
		at, _ = mtime(path)
	}
	if kind == source.BmtuiMirror {
		s, err := mirror.OpenSource(path)
		if err != nil {
			return nil, err
		}
		return &relabeled{Source: s, kind: kind, label: "Mirror saved by bmtui " + name, at: at, side: tree.Remote}, nil
	}
	s, err := places.OpenSource(path)
	if err != nil {
		return nil, err
	}
	return &relabeled{Source: s, kind: kind, label: "Places saved by bmtui " + name, at: at, side: tree.Local}, nil
}

// Resolve opens the source spec names: an ID List gives for the profile
// (profileDir may be "" when spec is a file), or a file path. An unknown
// spec is one line wrapping ErrUnknownSource that lists what there is.
func Resolve(profileDir, spec string, more ...Lister) (source.Source, error) {
	e, err := Find(profileDir, spec, more...)
	if err != nil {
		return nil, err
	}
	return e.Open()
}

// Find is Resolve without the opening: the entry spec names.
func Find(profileDir, spec string, more ...Lister) (Entry, error) {
	var ids []string
	if profileDir != "" {
		es, err := List(profileDir, more...)
		if err != nil {
			return Entry{}, err
		}
		for _, e := range es {
			if e.ID == spec {
				return e, nil
			}
			ids = append(ids, e.ID)
		}
	}
	if fi, err := os.Stat(spec); err == nil && !fi.IsDir() {
		return FileEntry(spec)
	}
	have := "no profile"
	if profileDir != "" {
		have = "this profile has " + strings.Join(stableIDs(ids), ", ")
	}
	return Entry{}, fmt.Errorf("%w %q (%s; or name a .jsonlz4, .json, .html or .sqlite file)", ErrUnknownSource, spec, have)
}

// stableIDs orders IDs for a message the same way every time: the
// profile's own files first, then the dated copies in name order (which
// for backups is date order). List's order follows file times, which two
// files written in the same second leave to chance.
func stableIDs(ids []string) []string {
	rank := map[string]int{IDPlaces: 1, IDMirror: 2, IDCorrupt: 3, IDHTML: 4}
	out := slices.Clone(ids)
	slices.SortStableFunc(out, func(a, b string) int {
		ra, rb := rank[a], rank[b]
		if ra == 0 {
			ra = 5
		}
		if rb == 0 {
			rb = 5
		}
		if ra != rb {
			return ra - rb
		}
		return strings.Compare(a, b)
	})
	return out
}

// FileEntry is the entry of a file the user names, its kind told by its
// content (then its name): a mozLz40 or JSON backup, an HTML export, or an
// SQLite database (Places, else a mirror). Its ID is the path.
func FileEntry(path string) (Entry, error) {
	t, ok := mtime(path)
	if !ok {
		return Entry{}, fmt.Errorf("%w %q: no such file", ErrUnknownSource, path)
	}
	kind, err := sniff(path)
	if err != nil {
		return Entry{}, err
	}
	e := Entry{ID: path, Kind: kind, Path: path, Time: t}
	switch kind {
	case source.Backup:
		e.Time = backup.FileTime(filepath.Base(path), t)
		e.Open = func() (source.Source, error) { return backup.OpenSource(path) }
	case source.HTML:
		e.Open = func() (source.Source, error) { return bookmarkshtml.OpenSource(path) }
	default:
		e.Open = func() (source.Source, error) {
			s, err := places.OpenSource(path)
			if errors.Is(err, dbsnap.ErrWrongKind) {
				return openMirror(path)
			}
			return s, err
		}
	}
	return e, nil
}

// sniff tells a file's kind from its first bytes, else its extension.
func sniff(path string) (source.Kind, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("source %s: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, 512)
	n, err := io.ReadFull(f, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("source %s: %w", path, err)
	}
	head = bytes.TrimLeft(head[:n], " \t\r\n\xef\xbb\xbf")
	switch {
	case bytes.HasPrefix(head, []byte(backup.Magic)), bytes.HasPrefix(head, []byte("{")):
		return source.Backup, nil
	case bytes.HasPrefix(head, []byte("SQLite format 3\x00")):
		return source.Places, nil
	case bytes.HasPrefix(head, []byte("<")):
		return source.HTML, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".jsonlz4", ".json", ".baklz4":
		return source.Backup, nil
	case ".html", ".htm":
		return source.HTML, nil
	case ".sqlite", ".corrupt":
		return source.Places, nil
	}
	return "", fmt.Errorf("%w %q: not a bookmark backup (.jsonlz4, .json), bookmarks.html or SQLite database", ErrUnknownSource, path)
}

// LoadAll opens, loads and closes every entry, several at once (one per
// core: decompressing and parsing backups is CPU work), largest first,
// ages measured against the same clock. results[i] is entries[i]'s, nil
// when it failed; the error is then a *LoadErrors saying why for each. A
// cancelled ctx stops what has not started.
func LoadAll(ctx context.Context, entries []Entry) ([]*source.Result, error) {
	results, _, err := LoadAllChecking(ctx, entries, nil)
	return results, err
}

// LoadAllChecking is LoadAll that also waits for the structural check of
// the entries check picks (nil: none) whose sources SQLite's check
// examines (source.Checked), which their loading started: damage[i] is
// what it found in entries[i]'s file, nil for a sound one.
func LoadAllChecking(ctx context.Context, entries []Entry, check func(Entry) bool) (results []*source.Result, damage [][]dbcheck.Damage, err error) {
	results = make([]*source.Result, len(entries))
	damage = make([][]dbcheck.Damage, len(entries))
	errs := make([]error, len(entries))
	failed := false
	clock := time.Now()
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for _, i := range LargestFirst(entries) {
		e := entries[i]
		g.Go(func() error {
			if err := ctx.Err(); err != nil {
				errs[i] = fmt.Errorf("%s: %w", e.ID, err)
				return nil
			}
			r, d, err := loadChecking(e, clock, check != nil && check(e))
			switch {
			case err != nil && e.ID == e.Path:
				errs[i] = err // a file's errors name it already
			case err != nil:
				errs[i] = fmt.Errorf("%s: %w", e.ID, err)
			}
			results[i], damage[i] = r, d
			return nil
		})
	}
	g.Wait() //nolint:errcheck // the goroutines return nil; failures are in errs
	for _, err := range errs {
		failed = failed || err != nil
	}
	if failed {
		return results, damage, &LoadErrors{Errs: errs}
	}
	return results, damage, nil
}

// LoadErrors are LoadAll's failures: Errs[i] is entries[i]'s (nil for one
// that loaded), each one line starting with the entry's ID (a file's
// names its path).
type LoadErrors struct{ Errs []error }

func (e *LoadErrors) Error() string {
	var lines []string
	for _, err := range e.Errs {
		if err != nil {
			lines = append(lines, err.Error())
		}
	}
	return strings.Join(lines, "\n")
}

// Unwrap gives the failures to errors.Is and errors.As.
func (e *LoadErrors) Unwrap() []error {
	var out []error
	for _, err := range e.Errs {
		if err != nil {
			out = append(out, err)
		}
	}
	return out
}

// LoadOutline opens one entry, calls use with what a search needs of it
// and closes it: its outline when the source has one (source.Outliner,
// r nil), else its loaded result (o nil). Either is valid only during
// the call. With check, a source SQLite's structural check examines
// (source.Checked) is closed only once the check its Load started has
// ended, and damage is what it found; otherwise the check is stopped
// as soon as the source is read. scratch is the caller's storage for an
// Outliner to reuse (see source.Scratch; nil: none).
func LoadOutline(e Entry, clock time.Time, check bool, scratch *source.Scratch, use func(o *source.Outline, r *source.Result)) (damage []dbcheck.Damage, err error) {
	if e.Open == nil {
		return nil, fmt.Errorf("%w %q: nothing to open", ErrUnknownSource, e.ID)
	}
	if damage, done := outlineDB(e, check, func(o *source.Outline) { use(o, nil) }); done {
		return damage, nil
	}
	s, err := e.Open()
	if err != nil {
		return nil, err
	}
	if o, ok := s.(source.Outliner); ok {
		err := o.LoadOutline(clock, scratch, func(o *source.Outline) { use(o, nil) })
		if cerr := s.Close(); err == nil {
			err = cerr
		}
		return nil, err
	}
	_, damage, err = loadClosing(s, clock, check, func(r *source.Result) { use(nil, r) })
	return damage, err
}

// outlineDB reads the outline of a database entry (Places, the mirror or
// a copy of either) without opening it as a source: read in place when
// that is safe, with no tree built (places.ReadOutline,
// mirror.ReadOutline). done is false, and nothing was called, for any
// other entry and for a database those readers leave to Load (one that
// needs the tree builder's repairs, or fails to read: Load then says
// why). With check, damage is what SQLite's structural check of a Places
// file found, the check running while use runs.
func outlineDB(e Entry, check bool, use func(*source.Outline)) (damage []dbcheck.Damage, done bool) {
	switch e.Kind {
	case source.Places, source.Corrupt, source.BmtuiPlaces:
		return places.ReadOutline(e.Path, check, func(o *source.Outline) {
			switch e.Kind {
			case source.Corrupt:
				o.Provenance.Kind, o.Provenance.Label, o.Provenance.At = e.Kind, "Set aside by Firefox (places.sqlite.corrupt)", e.Time
			case source.BmtuiPlaces:
				name := filepath.Base(filepath.Dir(e.Path))
				o.Provenance.Kind, o.Provenance.Label, o.Provenance.At = e.Kind, "Places saved by bmtui "+name, e.Time
			}
			use(o)
		})
	case source.Mirror, source.BmtuiMirror:
		return nil, mirror.ReadOutline(e.Path, func(o *source.Outline, lastModified int64) {
			switch {
			case e.Kind == source.BmtuiMirror:
				name := filepath.Base(filepath.Dir(filepath.Dir(e.Path)))
				o.Provenance.Kind, o.Provenance.Label, o.Provenance.At = e.Kind, "Mirror saved by bmtui "+name, e.Time
			case lastModified > 0: // as at its last sync, as openMirror gives it
				o.Provenance.At = time.UnixMilli(lastModified)
			}
			use(o)
		})
	}
	return nil, false
}

// loadClosing loads s, closes it and calls use with the result. With
// check and a source.Checked, use runs while the check goes on, and the
// source is closed once the check ended (damage is what it found);
// otherwise it is closed before use, which stops its check.
func loadClosing(s source.Source, clock time.Time, check bool, use func(*source.Result)) (*source.Result, []dbcheck.Damage, error) {
	r, err := s.Load(clock)
	c, checked := s.(source.Checked)
	if err != nil || !check || !checked {
		if cerr := s.Close(); err == nil && cerr != nil {
			return nil, nil, cerr
		}
		if err != nil {
			return r, nil, err
		}
		use(r)
		return r, nil, nil
	}
	use(r)
	damage, _ := c.Damage() // a check that could not run says nothing
	if cerr := s.Close(); cerr != nil {
		return nil, nil, cerr
	}
	return r, damage, nil
}

// LargestFirst is the order to read entries in, by index, so that every
// core stays busy to the end: the largest files first, the small ones
// filling the gaps (then as listed).
func LargestFirst(entries []Entry) []int {
	size := make([]int64, len(entries))
	order := make([]int, len(entries))
	for i, e := range entries {
		order[i] = i
		if fi, err := os.Stat(e.Path); err == nil {
			size[i] = fi.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return size[order[a]] > size[order[b]] })
	return order
}

// Load opens, loads and closes one entry, ages measured against clock.
func Load(e Entry, clock time.Time) (*source.Result, error) {
	r, _, err := loadChecking(e, clock, false)
	return r, err
}

// loadChecking is Load that, with check, waits for the structural check of
// a source.Checked and returns what it found.
func loadChecking(e Entry, clock time.Time, check bool) (*source.Result, []dbcheck.Damage, error) {
	if e.Open == nil {
		return nil, nil, fmt.Errorf("%w %q: nothing to open", ErrUnknownSource, e.ID)
	}
	s, err := e.Open()
	if err != nil {
		return nil, nil, err
	}
	return loadClosing(s, clock, check, func(*source.Result) {})
}
