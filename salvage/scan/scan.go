// Package scan reads every source a Firefox profile folder holds, without
// changing anything: places.sqlite page by page (with its committed WAL
// frames), places.sqlite.corrupt, bookmarkbackups/, and the Sync mirror.
// It is the I/O edge of salvage: it only gathers rows and where they were
// found; salvage.Rebuild decides what they mean.
package scan

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bmtui/bmtui/apply"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/sqlitepage"
	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/salvage"
)

// File names inside a profile folder.
const (
	PlacesName  = "places.sqlite"
	CorruptName = "places.sqlite.corrupt"
	MirrorName  = "weave/bookmarks.sqlite"
)

// Profile reads every source in the profile folder dir. It fails only when
// dir itself cannot be read; a source that cannot be read is reported in
// its Err.
func Profile(dir string) (*salvage.Input, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("read profile: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("read profile: %s is not a folder", dir)
	}
	in := &salvage.Input{}
	// The sources are independent files: read them at once (each reader
	// is single-threaded and mostly CPU-bound).
	// Each source's view for the rebuild is made on its reader's goroutine
	// as soon as it is read (Prebuild), while the others are still read.
	var wg sync.WaitGroup
	if exists(filepath.Join(dir, PlacesName)) {
		wg.Go(func() {
			in.Places = ReadPlaces(filepath.Join(dir, PlacesName), PlacesName, true)
			in.Places.Prebuild("places")
		})
	} else {
		in.Missing = append(in.Missing, PlacesName)
	}
	if exists(filepath.Join(dir, CorruptName)) {
		// Firefox moved it aside; a -wal beside it is its own.
		wg.Go(func() {
			in.Corrupt = ReadPlaces(filepath.Join(dir, CorruptName), CorruptName, true)
			in.Corrupt.Prebuild("corrupt")
		})
	}
	var backups []salvage.Backup
	var backupErr error
	wg.Go(func() {
		backups, backupErr = ReadBackups(filepath.Join(dir, backup.FolderName))
		for i := range backups {
			backups[i].Prebuild()
		}
	})
	if snap, err := apply.LastBackup(dir); err == nil && snap != "" && exists(filepath.Join(snap, PlacesName)) {
		name := apply.BackupFolder + "/" + filepath.Base(snap) + "/" + PlacesName
		wg.Go(func() {
			in.Snapshot = ReadPlaces(filepath.Join(snap, PlacesName), name, true)
			in.Snapshot.Prebuild("bmtui-backup")
		})
		if t, err := time.Parse("20060102T150405.999999999Z", filepath.Base(snap)); err == nil {
			in.SnapshotTime = t.UnixMicro()
		}
	}
	mirrorPath := filepath.Join(dir, filepath.FromSlash(MirrorName))
	hasMirror := exists(mirrorPath)
	if hasMirror {
		wg.Go(func() {
			in.Mirror = ReadMirror(mirrorPath, MirrorName)
			in.Mirror.Prebuild()
		})
	}
	wg.Wait()
	if backupErr != nil {
		return nil, backupErr
	}
	in.Backups = backups
	if len(backups) == 0 {
		in.Missing = append(in.Missing, backup.FolderName+"/")
	}
	if !hasMirror {
		in.Missing = append(in.Missing, MirrorName)
	}
	return in, nil
}

func exists(path string) bool {
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

// ReadBackups reads every backup in folder, newest first. A missing folder
// is no backup; an unreadable file is listed with its Err.
func ReadBackups(folder string) ([]salvage.Backup, error) {
	entries, err := os.ReadDir(folder)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", backup.FolderName, err)
	}
	var out []salvage.Backup
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || !(strings.HasSuffix(name, ".jsonlz4") || strings.HasSuffix(name, ".json")) {
			continue
		}
		b := salvage.Backup{Name: backup.FolderName + "/" + name}
		root, err := backup.Read(filepath.Join(folder, name))
		if err != nil {
			b.Err = oneLine(err)
		} else {
			b.Root = root
			b.Time = newest(root)
		}
		if info, ok := backup.ParseFileName(name); ok && b.Time == 0 {
			if d, err := time.Parse("2006-01-02", info.Date); err == nil {
				b.Time = d.UnixMicro()
			}
		}
		out = append(out, b)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Time != out[j].Time {
			return out[i].Time > out[j].Time
		}
		return out[i].Name > out[j].Name
	})
	return out, nil
}

// newest is the latest date in a backup's tree.
func newest(root *backup.Node) int64 {
	var t int64
	root.Walk(func(n, _ *backup.Node) {
		t = max(t, n.DateAdded, n.LastModified)
	})
	return t
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// ReadPlaces reads a Places database page by page. name is how reports
// call it; useWAL reads the committed frames of path+"-wal" too.
func ReadPlaces(path, name string, useWAL bool) *salvage.PlacesFile {
	pf := &salvage.PlacesFile{Name: name, Tables: map[string]int{}, BadCells: map[string]int{}}
	files, err := sqlitepage.OpenPath(path, useWAL, sqlitepage.Limits{})
	if err != nil {
		pf.Err = strings.TrimPrefix(oneLine(err), path+": ")
		return pf
	}
	defer files.Close()
	placesFrom(pf, files.File)
	return pf
}

// placesFrom reads an opened Places database into pf.
func placesFrom(pf *salvage.PlacesFile, files *sqlitepage.File) {
	r := newReader(files, pf.Name)
	pf.Pages = int(files.PageCount())
	if w := files.WAL(); w != nil {
		pf.WAL = w.Commits > 0
		pf.WALFrames = w.Pages()
	}
	survey := files.Survey()
	pf.FreelistComplete = survey.FreelistComplete
	pf.Damage = r.damage(survey, files.Problems)
	if _, err := files.Table("moz_bookmarks"); err != nil {
		pf.Err = "no moz_bookmarks table: not a Places database, or its schema is unreadable"
		if len(pf.Damage) == 0 && survey.Counts()[sqlitepage.KindUnknown]+survey.Counts()[sqlitepage.KindZero] == len(survey.Pages) {
			pf.Err = "no readable page: every page is garbage"
		}
		return
	}
	r.readPlaces(pf)
}

// reader reads the tables of one file.
type reader struct {
	f      *sqlitepage.File
	name   string // the file, as the user sees it, for its damage
	byRoot map[uint32]dbcheck.Object
}

func newReader(f *sqlitepage.File, name string) *reader {
	r := &reader{f: f, name: name, byRoot: map[uint32]dbcheck.Object{}}
	schema, _ := f.Schema()
	for _, e := range schema {
		if e.RootPage != 0 && !e.Orphan {
			r.byRoot[e.RootPage] = dbcheck.Object{Type: e.Type, Name: e.Name}
		}
	}
	return r
}

// inTree finds the tree a survey problem names, for pages the survey
// could not attribute (a damaged page is not part of any walk).
var inTree = regexp.MustCompile(`in tree (\d+)`)

// damage turns the survey's problems into damaged spots named by tree.
func (r *reader) damage(s *sqlitepage.Survey, opening []string) []dbcheck.Damage {
	var out []dbcheck.Damage
	for _, p := range opening {
		out = append(out, dbcheck.Damage{File: r.name, Detail: p})
	}
	for _, p := range s.Problems {
		root := s.Info(p.Page).Root
		if m := inTree.FindStringSubmatch(p.Err); root == 0 && m != nil {
			n, _ := strconv.ParseUint(m[1], 10, 32)
			root = uint32(n)
		}
		out = append(out, r.spot(r.byRoot[root], p.Page, p.Err))
	}
	if s.DroppedProblems > 0 {
		out = append(out, dbcheck.Damage{File: r.name, Detail: fmt.Sprintf("%d more problems not listed", s.DroppedProblems)})
	}
	return out
}

// spot is one damaged page of obj (a zero Object when the page belongs
// to no b-tree the schema still names).
func (r *reader) spot(obj dbcheck.Object, page uint32, what string) dbcheck.Damage {
	d := dbcheck.Damage{File: r.name, Type: obj.Type, Object: obj.Name, Detail: what}
	if page != 0 {
		d.Pages = []int64{int64(page)}
	}
	return d
}

// rows reads the columns cols of a table: fn gets their values in that
// order (NULL for a column the table lacks), valid only during the call.
// Damaged cells are counted, not returned. orphans keeps rows found on
// pages cut off from the tree.
func (r *reader) rows(pf *salvage.PlacesFile, table string, orphans bool, cols []string, fn func(v []sqlitepage.Value, w salvage.Where, rowid int64)) (complete bool) {
	t, err := r.f.Table(table)
	if err != nil {
		return false
	}
	// Each column's place in the table, found once rather than per row.
	pos := make([]int, len(cols))
	for i, name := range cols {
		pos[i] = -1
		for j, c := range t.Columns {
			if c.Name == name {
				pos[i] = j
				break
			}
		}
	}
	vals := make([]sqlitepage.Value, len(cols))
	// The tree's rowids, in a slice (rows come in rowid order): a set is
	// built only when a cut-off row has to be checked against them.
	var treeIDs []int64
	var seen map[int64]bool
	probs, err := r.f.ReadTable(table, func(row sqlitepage.Row) error {
		if row.Err != nil {
			if pf.BadCells[table] == 0 || len(pf.Damage) == 0 || !slices.Equal(pf.Damage[len(pf.Damage)-1].Pages, []int64{int64(row.Page)}) {
				pf.Damage = append(pf.Damage, r.spot(dbcheck.Object{Type: "table", Name: table}, row.Page, "damaged row: "+row.Err.Error()))
			}
			pf.BadCells[table]++
			return nil
		}
		if row.Orphan {
			if !orphans {
				return nil
			}
			if seen == nil {
				seen = make(map[int64]bool, len(treeIDs))
				for _, id := range treeIDs {
					seen[id] = true
				}
				treeIDs = nil
			}
			if seen[row.Rowid] {
				return nil
			}
		}
		if !t.WithoutRowid {
			if seen != nil {
				seen[row.Rowid] = true
			} else {
				treeIDs = append(treeIDs, row.Rowid)
			}
		}
		for i, p := range pos {
			vals[i] = sqlitepage.Value{}
			if p >= 0 && p < len(row.Values) {
				vals[i] = row.Values[p]
			}
		}
		pf.Tables[table]++
		fn(vals, salvage.Where{Page: row.Page, Orphan: row.Orphan, WAL: r.f.InWAL(row.Page)}, row.Rowid)
		return nil
	})
	return err == nil && len(probs) == 0 && pf.BadCells[table] == 0
}

func (r *reader) readPlaces(pf *salvage.PlacesFile) {
	// The indexes first: their sizes size the tables' rows.
	pf.GUIDIndex, pf.GUIDIndexComplete = r.guidIndex("moz_bookmarks_guid_uniqueindex")
	pf.URLHashes = r.hashIndex("moz_places_url_hashindex")
	pf.Bookmarks = make([]salvage.BookmarkRow, 0, len(pf.GUIDIndex))
	pf.Places = make([]salvage.PlaceRow, 0, len(pf.URLHashes))
	pf.BookmarksComplete = r.rows(pf, "moz_bookmarks", true, []string{"type", "parent", "position", "title", "keyword_id",
		"dateAdded", "lastModified", "guid", "syncStatus", "syncChangeCounter", "fk"}, func(v []sqlitepage.Value, w salvage.Where, id int64) {
		b := salvage.BookmarkRow{
			ID: id, Type: num(v[0]), Parent: num(v[1]), Position: num(v[2]),
			Title: str(v[3]), KeywordID: num(v[4]),
			DateAdded: num(v[5]), LastModified: num(v[6]),
			GUID: str(v[7]), SyncStatus: num(v[8]), SyncChangeCounter: num(v[9]),
			Where: w,
		}
		if fk := v[10]; !fk.IsNull() {
			b.FK, b.HasFK = num(fk), true
		}
		if w.Orphan && (len(b.GUID) != 12 || b.Type < 1 || b.Type > 3) {
			return // a row of another table with the same shape
		}
		pf.Bookmarks = append(pf.Bookmarks, b)
	})
	pf.BadBookmarkCells = pf.BadCells["moz_bookmarks"]

	r.rows(pf, "moz_places", true, []string{"url", "title", "guid", "visit_count", "hidden", "typed", "frecency",
		"last_visit_date", "description", "preview_image_url", "site_name", "rev_host"}, func(v []sqlitepage.Value, w salvage.Where, id int64) {
		p := salvage.PlaceRow{
			ID: id, URL: str(v[0]), Title: str(v[1]), GUID: str(v[2]),
			VisitCount: num(v[3]), Hidden: num(v[4]), Typed: num(v[5]),
			Frecency: num(v[6]), LastVisitDate: num(v[7]),
			Description: str(v[8]), PreviewImageURL: str(v[9]), Site: str(v[10]), RevHost: str(v[11]),
			Where: w,
		}
		if p.URL == "" || (w.Orphan && len(p.GUID) != 12) {
			return
		}
		pf.Places = append(pf.Places, p)
	})
	r.rows(pf, "moz_historyvisits", true, []string{"place_id", "visit_date", "visit_type", "source"}, func(v []sqlitepage.Value, w salvage.Where, _ int64) {
		vr := salvage.VisitRow{PlaceID: num(v[0]), VisitDate: num(v[1]), VisitType: num(v[2]), Source: num(v[3])}
		if w.Orphan && (vr.VisitDate <= 0 || vr.VisitType < 1 || vr.VisitType > 20) {
			return
		}
		pf.Visits = append(pf.Visits, vr)
	})
	r.rows(pf, "moz_keywords", false, []string{"keyword", "place_id", "post_data"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
		pf.Keywords = append(pf.Keywords, salvage.KeywordRow{Keyword: str(v[0]), PlaceID: num(v[1]), PostData: str(v[2])})
	})
	pf.AnnoNames = map[int64]string{}
	r.rows(pf, "moz_anno_attributes", false, []string{"name"}, func(v []sqlitepage.Value, _ salvage.Where, id int64) {
		pf.AnnoNames[id] = str(v[0])
	})
	anno := func(table, owner string, dst *[]salvage.AnnoRow) {
		r.rows(pf, table, false, []string{owner, "anno_attribute_id", "content", "flags", "expiration", "type",
			"dateAdded", "lastModified"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
			*dst = append(*dst, salvage.AnnoRow{
				Owner: num(v[0]), AttrID: num(v[1]), Content: str(v[2]),
				Flags: num(v[3]), Expiration: num(v[4]), Type: num(v[5]),
				DateAdded: num(v[6]), LastModified: num(v[7]),
			})
		})
	}
	anno("moz_items_annos", "item_id", &pf.ItemAnnos)
	anno("moz_annos", "place_id", &pf.PageAnnos)
	r.rows(pf, "moz_bookmarks_deleted", false, []string{"guid", "dateRemoved"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
		pf.Tombstones = append(pf.Tombstones, salvage.TombstoneRow{GUID: str(v[0]), DateRemoved: num(v[1])})
	})
	pf.Meta = map[string]any{}
	r.rows(pf, "moz_meta", false, []string{"key", "value"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
		if k := str(v[0]); k != "" {
			pf.Meta[k] = v[1].Any()
		}
	})
}

// guidIndex reads a unique index on a GUID column: (guid, rowid) pairs.
func (r *reader) guidIndex(name string) ([]salvage.IndexEntry, bool) {
	var root uint32
	schema, _ := r.f.Schema()
	for _, e := range schema {
		if e.Type == "index" && e.Name == name && !e.Orphan {
			root = e.RootPage
		}
	}
	if root == 0 {
		return nil, false
	}
	var out []salvage.IndexEntry
	bad := false
	probs, err := r.f.IndexRows(root, func(row sqlitepage.Row) error {
		if row.Err != nil || len(row.Values) < 2 {
			bad = true
			return nil
		}
		if g := str(row.Values[0]); g != "" {
			out = append(out, salvage.IndexEntry{GUID: g, ID: row.Rowid, Page: row.Page})
		}
		return nil
	})
	return out, err == nil && len(probs) == 0 && !bad
}

// hashIndex reads an index on an integer column: rowid -> value.
func (r *reader) hashIndex(name string) map[int64]int64 {
	out := map[int64]int64{}
	schema, _ := r.f.Schema()
	for _, e := range schema {
		if e.Type != "index" || e.Name != name || e.Orphan {
			continue
		}
		_, _ = r.f.IndexRows(e.RootPage, func(row sqlitepage.Row) error {
			if row.Err == nil && len(row.Values) >= 2 {
				if h, ok := row.Values[0].Int(); ok {
					out[row.Rowid] = h
				}
			}
			return nil
		})
	}
	return out
}

// ReadMirror reads the Sync mirror page by page: items, their structure,
// URLs and tags.
func ReadMirror(path, name string) *salvage.Mirror {
	m := &salvage.Mirror{Name: name}
	files, err := sqlitepage.OpenPath(path, true, sqlitepage.Limits{})
	if err != nil {
		m.Err = strings.TrimPrefix(oneLine(err), path+": ")
		return m
	}
	defer files.Close()
	mirrorFrom(m, files.File)
	return m
}

// mirrorFrom reads an opened mirror into m.
func mirrorFrom(m *salvage.Mirror, files *sqlitepage.File) {
	r := newReader(files, m.Name)
	m.Damage = r.damage(files.Survey(), files.Problems)
	if _, err := files.Table("items"); err != nil {
		m.Err = "no items table: not a Sync mirror, or its schema is unreadable"
		return
	}
	scratch := &salvage.PlacesFile{Tables: map[string]int{}, BadCells: map[string]int{}}
	urls := map[int64]string{}
	r.rows(scratch, "urls", true, []string{"url"}, func(v []sqlitepage.Value, _ salvage.Where, id int64) {
		if u := str(v[0]); u != "" {
			urls[id] = u
		}
	})
	type parentPos struct {
		parent string
		pos    int
	}
	structure := map[string]parentPos{}
	r.rows(scratch, "structure", false, []string{"guid", "parentGuid", "position"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
		structure[str(v[0])] = parentPos{str(v[1]), int(num(v[2]))}
	})
	tags := map[int64][]string{}
	r.rows(scratch, "tags", false, []string{"itemId", "tag"}, func(v []sqlitepage.Value, _ salvage.Where, _ int64) {
		id := num(v[0])
		tags[id] = append(tags[id], str(v[1]))
	})
	// Nearly every item has a structure row: size for them, not by
	// doubling copies of the whole slice.
	byID := make(map[int64]int, len(structure)+1)
	m.Items = make([]salvage.MirrorItem, 0, len(structure)+1)
	r.rows(scratch, "items", true, []string{"guid", "parentGuid", "kind", "title", "keyword", "dateAdded",
		"serverModified", "isDeleted", "urlId"}, func(v []sqlitepage.Value, w salvage.Where, id int64) {
		it := salvage.MirrorItem{
			GUID: str(v[0]), ParentGUID: str(v[1]), Kind: int(num(v[2])),
			Title: str(v[3]), Keyword: str(v[4]),
			DateAdded: num(v[5]) * 1000, ServerModified: num(v[6]) * 1000,
			Deleted: num(v[7]) != 0, Page: w.Page, Position: -1,
		}
		if it.GUID == "" || (w.Orphan && len(it.GUID) != 12) {
			return
		}
		if u := v[8]; !u.IsNull() {
			it.URL = urls[num(u)]
		}
		if s, ok := structure[it.GUID]; ok {
			it.ParentGUID, it.Position = s.parent, s.pos
		}
		if i, dup := byID[id]; dup {
			m.Items[i] = it
			return
		}
		byID[id] = len(m.Items)
		m.Items = append(m.Items, it)
		m.Time = max(m.Time, it.ServerModified)
	})
	for id, i := range byID {
		m.Items[i].Tags = tags[id]
	}
}

func num(v sqlitepage.Value) int64 {
	switch v.Kind() {
	case sqlitepage.Integer:
		n, _ := v.Int()
		return n
	case sqlitepage.Real:
		f, _ := v.Real()
		return int64(f)
	case sqlitepage.Text:
		s, _ := v.Text()
		var n int64
		fmt.Sscan(s, &n)
		return n
	}
	return 0
}

func str(v sqlitepage.Value) string {
	switch v.Kind() {
	case sqlitepage.Text:
		s, _ := v.Text()
		return s
	case sqlitepage.Blob:
		b, _ := v.Blob()
		return string(b)
	case sqlitepage.Integer, sqlitepage.Real:
		return fmt.Sprint(v.Any())
	}
	return ""
}
