// Package salvaged opens a damaged profile as a bookmark source (kind
// source.Salvaged): the tree `bmtui salvage` would write, rebuilt from
// every file the profile holds, without writing anything. Find, restore
// and compare can then read a profile Places itself cannot open.
package salvaged

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a damaged profile's rebuilt tree as a source.
type Source struct {
	dir string
	at  time.Time
	res *salvage.Result
}

var _ source.Source = (*Source)(nil)

// ErrNothing: no file of the profile holds a bookmark or a page.
var ErrNothing = errors.New("nothing to salvage: no source holds a bookmark or a page")

// Open reads every source of the profile folder dir (see scan.Profile)
// and rebuilds its tree; it changes nothing in dir.
func Open(dir string) (*Source, error) {
	at := time.Now()
	in, err := scan.Profile(dir)
	if err != nil {
		return nil, err
	}
	res, err := salvage.Rebuild(in, salvage.Options{Now: at.UnixMicro()})
	if err != nil {
		return nil, fmt.Errorf("salvage %s: %w", dir, err)
	}
	if !res.Report.Recoverable {
		return nil, fmt.Errorf("%s: %w", dir, ErrNothing)
	}
	return &Source{dir: dir, at: at, res: res}, nil
}

// Provenance says what the source is: the profile's places.sqlite, as
// salvage rebuilds it; a local tree.
func (s *Source) Provenance() source.Provenance {
	return source.Provenance{Kind: source.Salvaged, Path: filepath.Join(s.dir, scan.PlacesName),
		Label: "Salvaged (rebuilt)", At: s.at, Side: tree.Local}
}

// Salvage is the rebuild itself: the database and the report (where each
// item comes from and why it is where it is).
func (s *Source) Salvage() *salvage.Result { return s.res }

// Load builds the rebuilt tree, ages measured against clock. Notes say
// what is damaged and where the items come from; Tombstones are the
// deletions the rebuilt database keeps.
func (s *Source) Load(clock time.Time) (*source.Result, error) {
	t, err := Tree(s.res.DB, tree.NowMillis(clock))
	if t == nil {
		return nil, fmt.Errorf("salvaged tree of %s: %w", s.dir, err)
	}
	r := &source.Result{
		Provenance: s.Provenance(),
		Tree:       t,
		Report:     check.Tree(tree.Local, t),
		TreeErr:    err,
		Notes:      notes(&s.res.Report),
	}
	for _, d := range s.res.DB.Tombstones {
		r.Tombstones = append(r.Tombstones, source.Tombstone{GUID: d.GUID, Deleted: time.UnixMicro(d.DateRemoved).UTC()})
	}
	return r, nil
}

// Close releases nothing: the rebuild is in memory.
func (s *Source) Close() error { return nil }

// notes summarise the report for people.
func notes(rep *salvage.Report) []string {
	out := append([]string(nil), rep.Why...)
	for _, src := range rep.Sources {
		if src.Err != "" {
			out = append(out, fmt.Sprintf("%s (%s): %s", src.Name, src.Kind, src.Err))
		}
	}
	for _, m := range rep.Missing {
		out = append(out, "missing: "+m)
	}
	if rep.UncertainSum > 0 {
		out = append(out, fmt.Sprintf("%d items come from other sources than places.sqlite (their Sync state is marked for a merge with the server)", rep.UncertainSum))
	}
	recovered, older, rowLost := 0, 0, 0
	for _, it := range rep.Items {
		if it.ParentGUID == salvage.RecoveredGUID {
			recovered++
		}
		if it.OnlyInBackup {
			older++
		}
		if it.RowLost {
			rowLost++
		}
	}
	if recovered > 0 {
		out = append(out, fmt.Sprintf("%d items whose folder was lost are in %q under Other Bookmarks", recovered, "Recovered"))
	}
	if older > 0 {
		out = append(out, fmt.Sprintf("%d items only an older backup holds", older))
	}
	if rowLost > 0 {
		out = append(out, fmt.Sprintf("%d items whose rows were on damaged pages, with values from another source", rowLost))
	}
	if n := len(rep.Deleted); n > 0 {
		out = append(out, fmt.Sprintf("%d items left deleted", n))
	}
	return out
}

// Tree builds the tree of a rebuilt database (every parent listed before
// its children, positions in order) as Places' local reader would read the
// written file: ages against nowMs, Content for items not yet synced,
// tags and keywords in Info.
func Tree(db *rebuild.Database, nowMs int64) (*tree.Tree, error) {
	keywords := make(map[string]string, len(db.Keywords))
	for _, k := range db.Keywords {
		if old, ok := keywords[k.URL]; !ok || k.Keyword < old {
			keywords[k.URL] = k.Keyword // the first alphabetically, as Places' reader
		}
	}
	var root *rebuild.Bookmark
	for i := range db.Bookmarks {
		if db.Bookmarks[i].GUID == tree.RootGUID {
			root = &db.Bookmarks[i]
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no Places root (%s)", tree.RootGUID)
	}
	b := tree.NewBuilderSized(item(root, nowMs, ""), len(db.Bookmarks))
	b.ReparentOrphansTo("")
	for i := range db.Bookmarks {
		bm := &db.Bookmarks[i]
		if bm.GUID == tree.RootGUID {
			continue
		}
		if err := b.Item(item(bm, nowMs, keywords[bm.URL])); err != nil {
			return nil, fmt.Errorf("item %s: %w", bm.GUID, err)
		}
	}
	for i := range db.Bookmarks {
		bm := &db.Bookmarks[i]
		if bm.GUID == tree.RootGUID {
			continue
		}
		if err := b.Structure(bm.GUID, bm.ParentGUID); err != nil {
			return nil, fmt.Errorf("item %s: %w", bm.GUID, err)
		}
	}
	for _, d := range db.Tombstones {
		b.Tombstone(d.GUID)
	}
	return b.Build()
}

// item converts one rebuilt bookmark as Places' local reader converts a
// row (places.DB.localItem).
func item(bm *rebuild.Bookmark, nowMs int64, keyword string) tree.Item {
	validity := tree.Valid
	var kind tree.Kind
	switch bm.Type {
	case rebuild.TypeBookmark:
		kind = tree.KindBookmark
		if scheme, ok := places.ParseURL(bm.URL); !ok {
			validity = tree.Replace
		} else if scheme == "place" {
			kind = tree.KindQuery
		}
	case rebuild.TypeFolder:
		kind = tree.KindFolder
	default:
		kind = tree.KindSeparator
	}
	it := tree.Item{
		GUID:       bm.GUID,
		Kind:       kind,
		Age:        max(nowMs-bm.LastModified/1000, 0),
		NeedsMerge: bm.SyncChangeCounter > 0,
		Validity:   validity,
	}
	if validity != tree.Replace && bm.GUID != tree.RootGUID && bm.SyncStatus != tree.SyncStatusNormal {
		switch kind {
		case tree.KindBookmark, tree.KindQuery:
			it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: bm.Title, URL: bm.URL}
		case tree.KindFolder:
			it.Content = &tree.Content{Kind: tree.ContentFolder, Title: bm.Title}
		case tree.KindSeparator:
			it.Content = &tree.Content{Kind: tree.ContentSeparator}
		}
	}
	it.Info = &tree.Info{Title: bm.Title, URL: bm.URL, DateAdded: bm.DateAdded, LastModified: bm.LastModified,
		SyncStatus: bm.SyncStatus, SyncChangeCounter: bm.SyncChangeCounter, Keyword: keyword, Tags: bm.Tags}
	return it
}
