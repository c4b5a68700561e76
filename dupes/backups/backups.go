// Package backups reads a profile's Firefox bookmark backups
// (bookmarkbackups/*.jsonlz4) as trees dupes can compare with: which
// copies each backup knows, and the folders a flattened parent had.
package backups

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/tree"
)

// Read reads the newest limit backups in <profileDir>/bookmarkbackups,
// newest first (limit <= 0: all). A missing folder is no backup; a file
// that cannot be read is named in notes and skipped.
func Read(profileDir string, limit int) (refs []dupes.Reference, notes []string, err error) {
	dir := filepath.Join(profileDir, backup.FolderName)
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", backup.FolderName, err)
	}
	type file struct {
		name string
		at   time.Time
	}
	var files []file
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".jsonlz4") || strings.HasSuffix(name, ".json")) {
			continue
		}
		at := time.Time{}
		if info, ok := backup.ParseFileName(name); ok {
			at, _ = time.Parse("2006-01-02", info.Date)
		}
		if fi, err := e.Info(); err == nil && (at.IsZero() || fi.ModTime().Format("2006-01-02") == at.Format("2006-01-02")) {
			at = fi.ModTime() // the same day, to the second: orders a day's backups
		}
		files = append(files, file{name, at})
	}
	sort.SliceStable(files, func(i, j int) bool {
		if !files[i].at.Equal(files[j].at) {
			return files[i].at.After(files[j].at)
		}
		return files[i].name > files[j].name
	})
	if limit > 0 && len(files) > limit {
		files = files[:limit]
	}
	for _, f := range files {
		root, err := backup.Read(filepath.Join(dir, f.name))
		if err != nil {
			notes = append(notes, fmt.Sprintf("backup %s skipped: %v", f.name, err))
			continue
		}
		t, err := Tree(root)
		if err != nil {
			notes = append(notes, fmt.Sprintf("backup %s skipped: %v", f.name, err))
			continue
		}
		refs = append(refs, dupes.Reference{Name: backup.FolderName + "/" + f.name, At: f.at.UnixMicro(), Tree: t})
	}
	return refs, notes, nil
}

// Tree builds the tree a backup holds. Items carry their titles, URLs
// and dates; the merge fields (age, content) are left empty.
func Tree(root *backup.Node) (*tree.Tree, error) {
	if root.GUID != tree.RootGUID {
		return nil, fmt.Errorf("the backup's top item is %q, not the Places root", root.GUID)
	}
	b := tree.NewBuilderSized(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder}, root.Count())
	type rec struct{ child, parent string }
	var recs []rec
	var err error
	root.Walk(func(n, parent *backup.Node) {
		if parent == nil || err != nil {
			return
		}
		it := tree.Item{GUID: n.GUID, Info: &tree.Info{Title: n.Title, URL: n.URI, Keyword: n.Keyword,
			Tags: n.TagList(), DateAdded: n.DateAdded, LastModified: n.LastModified}}
		switch n.TypeCode {
		case 1:
			it.Kind = tree.KindBookmark
			if urls.IsQuery(n.URI) {
				it.Kind = tree.KindQuery
			}
		case 2:
			it.Kind = tree.KindFolder
		case 3:
			it.Kind = tree.KindSeparator
		default:
			return // Firefox skips what it does not know on restore
		}
		if e := b.Item(it); e != nil {
			return // a GUID twice: the first one counts
		}
		recs = append(recs, rec{n.GUID, parent.GUID})
	})
	for _, r := range recs {
		if e := b.Structure(r.child, r.parent); e != nil && !tree.IsErrorKind(e, tree.ErrMissingParent) {
			return nil, e
		}
	}
	return b.Build()
}
