// Package backups reads a profile's Firefox bookmark backups
// (bookmarkbackups/*.jsonlz4) as outlines dupes can compare with: which
// GUIDs each backup has, and its folders with their children. Only the
// newest few are read, several at once, and each backup's parsed tree is
// dropped as soon as its outline is made.
package backups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/tree"
)

// DefaultLimit is how many backups dupes reads, newest first. What it
// needs of them is the newest one (the keeper's rule) and the newest one
// made before the damage (a flattened folder's shape), and Firefox makes
// at most one backup a day, so fifteen reach back at least fifteen days
// of use. It is also Firefox's own default for
// browser.bookmarks.max_backups: a profile as Firefox leaves it is read
// whole, and one where the setting was raised costs no more to examine.
const DefaultLimit = 15

// maxReaders bounds the backups parsed at once, and so the parsed trees
// held at once (about 13 MB each for 40,000 bookmarks).
const maxReaders = 4

// Result is what Load read.
type Result struct {
	// Refs are the backups read, newest first, their outlines sharing
	// one GUID set.
	Refs []dupes.Reference
	// Notes name the backups skipped, and those left unread.
	Notes []string
	// Found is the number of backups in the folder, read or not.
	Found int
}

// Read reads the newest limit backups in <profileDir>/bookmarkbackups,
// newest first (limit <= 0: all, up to dupes.MaxOutlines). A missing
// folder is no backup; a file that cannot be read is named in notes and
// skipped.
func Read(profileDir string, limit int) (refs []dupes.Reference, notes []string, err error) {
	r, err := Load(profileDir, limit)
	if err != nil {
		return nil, nil, err
	}
	return r.Refs, r.Notes, nil
}

// Load is Read, saying also how many backups there were.
func Load(profileDir string, limit int) (*Result, error) {
	dir := filepath.Join(profileDir, backup.FolderName)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return &Result{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", backup.FolderName, err)
	}
	type file struct {
		name  string
		at    time.Time
		count int
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".jsonlz4") || strings.HasSuffix(name, ".json")) {
			continue
		}
		at, count := time.Time{}, -1
		if info, ok := backup.ParseFileName(name); ok {
			at, _ = time.Parse("2006-01-02", info.Date)
			count = info.Count
		}
		if fi, err := e.Info(); err == nil && (at.IsZero() || fi.ModTime().Format("2006-01-02") == at.Format("2006-01-02")) {
			at = fi.ModTime() // the same day, to the second: orders a day's backups
		}
		files = append(files, file{name, at, count})
	}
	sort.SliceStable(files, func(i, j int) bool {
		if !files[i].at.Equal(files[j].at) {
			return files[i].at.After(files[j].at)
		}
		return files[i].name > files[j].name
	})
	res := &Result{Found: len(files)}
	if limit <= 0 || limit > dupes.MaxOutlines {
		limit = dupes.MaxOutlines
	}
	if len(files) > limit {
		res.Notes = append(res.Notes, fmt.Sprintf("read the newest %d of %d backups (the oldest read is %s)",
			limit, len(files), files[limit-1].name))
		files = files[:limit]
	}
	if len(files) == 0 {
		return res, nil
	}

	// Read several at once, each worker making the outline of the backup
	// it parsed, so that a parsed tree lives only while its outline is
	// made; this goroutine records them in one GUID set (no lock).
	type read struct {
		k   int
		o   *dupes.Outline
		err error
	}
	jobs := make(chan int)
	out := make(chan read)
	workers := min(runtime.GOMAXPROCS(0), maxReaders, len(files))
	for range workers {
		go func() {
			for k := range jobs {
				o, err := readOutline(filepath.Join(dir, files[k].name), files[k].count)
				out <- read{k, o, err}
			}
		}()
	}
	go func() {
		for k := range files {
			jobs <- k
		}
		close(jobs)
	}()
	set := dupes.NewGUIDSet(max(files[0].count, 0) * 5 / 4)
	refs := make([]*dupes.Reference, len(files))
	errs := make([]error, len(files))
	for range files {
		r := <-out
		if r.err == nil {
			r.err = set.Join(r.o)
		}
		if r.err != nil {
			errs[r.k] = r.err
			continue
		}
		refs[r.k] = &dupes.Reference{Name: backup.FolderName + "/" + files[r.k].name, At: files[r.k].at.UnixMicro(), Outline: r.o}
	}
	for k, r := range refs {
		if r == nil {
			res.Notes = append(res.Notes, fmt.Sprintf("backup %s skipped: %v", files[k].name, errs[k]))
			continue
		}
		res.Refs = append(res.Refs, *r)
	}
	return res, nil
}

// readOutline reads the backup at path (of about n items) as an outline.
func readOutline(path string, n int) (*dupes.Outline, error) {
	root, err := backup.Read(path)
	if err != nil {
		return nil, err
	}
	if root.GUID != tree.RootGUID {
		return nil, fmt.Errorf("the backup's top item is %q, not the Places root", root.GUID)
	}
	b := dupes.NewOutlineBuilder(max(n, 0))
	b.Item(root.GUID)
	var add func(n *backup.Node, parent int32)
	add = func(n *backup.Node, parent int32) {
		kids := make([]string, 0, len(n.Children))
		var sub []*backup.Node
		for _, c := range n.Children {
			switch c.TypeCode {
			case 1, 2, 3:
			default:
				continue // Firefox skips what it does not know on restore
			}
			if !b.Item(c.GUID) {
				continue // a GUID twice: the first one counts
			}
			kids = append(kids, c.GUID)
			if c.TypeCode == 2 {
				sub = append(sub, c)
			}
		}
		it := tree.Item{GUID: n.GUID, Kind: tree.KindFolder, Info: &tree.Info{Title: n.Title, Keyword: n.Keyword,
			Tags: n.TagList(), DateAdded: n.DateAdded, LastModified: n.LastModified}}
		i := b.Folder(it, parent, kids)
		for _, s := range sub {
			add(s, i)
		}
	}
	add(root, -1)
	return b.Outline(), nil
}
