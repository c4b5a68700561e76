package collect

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
	"unsafe"

	"github.com/bmtui/bmtui/bundle"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/mirror"
	"github.com/bmtui/bmtui/sync/tree"
)

// The trees of a redacted bundle are built from the rows it has just
// copied (Staged), not read from the files a second time: the rows give
// what the readers' queries give, in the same order. Anything a query
// would read through one of SQLite's conversions (a number in a text
// column, a missing column) is irregular: the trees are then read from
// the files as before.

// errIrregular says the rows hold what only SQLite's reading decides.
var errIrregular = errors.New("rows SQLite would convert")

// columns returns the index of each name in cols, errIrregular when one
// is missing.
func columns(table string, cols []string, names ...string) ([]int, error) {
	idx := make([]int, len(names))
	for i, n := range names {
		if idx[i] = slices.Index(cols, n); idx[i] < 0 {
			return nil, fmt.Errorf("%w: %s has no %s", errIrregular, table, n)
		}
	}
	return idx, nil
}

// rowReader reads typed values of one row, remembering the first value
// that is not of its column's kind.
type rowReader struct {
	row []bundle.Value
	bad bool
}

func (r *rowReader) int(i int) int64 {
	n, ok := r.row[i].Int()
	r.bad = r.bad || !ok
	return n
}

func (r *rowReader) text(i int) (string, bool) {
	s, valid, ok := r.row[i].Text()
	r.bad = r.bad || !ok
	return s, valid
}

// scanTables reads rows, calling read for each row of the tables it
// names (by the columns it names); the first irregular value stops it.
func scanTables(rows []byte, tables map[string][]string, read map[string]func(r *rowReader, idx []int)) error {
	var failed error
	err := bundle.ScanRows(rows, func(name string, cols []string) func([]bundle.Value) error {
		names, ok := tables[name]
		if !ok || failed != nil {
			return nil
		}
		idx, err := columns(name, cols, names...)
		if err != nil {
			failed = err
			return nil
		}
		fn := read[name]
		r := &rowReader{}
		return func(row []bundle.Value) error {
			r.row = row
			fn(r, idx)
			if r.bad {
				return fmt.Errorf("%w: %s", errIrregular, name)
			}
			return nil
		}
	})
	if err == nil {
		err = failed
	}
	return err
}

// touched is an empty slice with room for n values, in huge pages where
// it is large enough (package hugepages), whose pages have all been
// written once. Left untouched, the pages of a large slice of
// values holding pointers are read first by the garbage collector,
// scanning it while it fills: each page is then mapped to the zero page
// and faults a second time when written, flushing every core's TLB
// (8 % of the CPU time of bundle --redact on the 2-core test machine).
func touched[T any](n int) []T {
	s := hugepages.Make[T](n, n)
	var zero T
	step := max(1, 4096/int(unsafe.Sizeof(zero)))
	for i := 0; i < n; i += step {
		s[i] = zero
	}
	return s[:0]
}

// placesRows are what places.DB.ReadTree's queries read, from a
// places.rows member.
func placesRows(rows []byte, counts map[string]int) (*places.TreeRows, error) {
	out := &places.TreeRows{
		Bookmarks: touched[places.BookmarkRow](counts["moz_bookmarks"]),
		Keywords:  make(map[int64]string, counts["moz_keywords"]),
		Tags:      map[int64][]string{},
	}
	urls := make(map[int64]string, counts["moz_places"]) // moz_places id → url, when not NULL
	livemarks := map[int64]bool{}
	tables := map[string][]string{
		"moz_bookmarks":         {"id", "guid", "type", "syncChangeCounter", "syncStatus", "lastModified", "dateAdded", "title", "fk", "parent", "position"},
		"moz_places":            {"id", "url"},
		"moz_keywords":          {"place_id", "keyword"},
		"moz_bookmarks_deleted": {"guid", "dateRemoved"},
		"moz_items_annos":       {"item_id"}, // livemark/feedURI's only (Stage)
	}
	read := map[string]func(r *rowReader, c []int){
		"moz_bookmarks": func(r *rowReader, c []int) {
			var b places.BookmarkRow
			b.ID = r.int(c[0])
			b.GUID, b.HasGUID = r.text(c[1])
			if b.Type = r.int(c[2]); r.row[c[2]].Null() {
				b.Type = -1
			}
			b.ChangeCounter, b.SyncStatus = r.int(c[3]), r.int(c[4])
			b.LastModified, b.DateAdded = r.int(c[5]), r.int(c[6])
			b.Title, _ = r.text(c[7])
			b.FK, b.HasFK = r.int(c[8]), !r.row[c[8]].Null()
			b.Parent, b.HasParent = r.int(c[9]), !r.row[c[9]].Null()
			b.Position = r.int(c[10])
			out.Bookmarks = append(out.Bookmarks, b)
		},
		"moz_places": func(r *rowReader, c []int) {
			id := r.int(c[0])
			if u, ok := r.text(c[1]); ok && !r.row[c[0]].Null() {
				urls[id] = u
			}
		},
		"moz_keywords": func(r *rowReader, c []int) {
			id, idNull := r.int(c[0]), r.row[c[0]].Null()
			kw, ok := r.text(c[1])
			if idNull || !ok {
				return
			}
			// The alphabetically first (ReadTree orders by keyword).
			if old, seen := out.Keywords[id]; !seen || kw < old {
				out.Keywords[id] = kw
			}
		},
		"moz_bookmarks_deleted": func(r *rowReader, c []int) {
			g, ok := r.text(c[0])
			r.bad = r.bad || !ok // NULL: database/sql refuses it
			out.Tombstones = append(out.Tombstones, source.Tombstone{GUID: g, Deleted: time.UnixMicro(r.int(c[1])).UTC()})
		},
		"moz_items_annos": func(r *rowReader, c []int) {
			if id := r.int(c[0]); !r.row[c[0]].Null() {
				livemarks[id] = true
			}
		},
	}
	if err := scanTables(rows, tables, read); err != nil {
		return nil, err
	}
	// The joins of ReadTree's queries: a bookmark's page URL, its
	// livemark annotation, and the tag folders (children of a folder
	// whose parent is the tags root) that hold an entry for each page.
	byID := make(map[int64]*places.BookmarkRow, len(out.Bookmarks))
	tagRoots := map[int64]bool{}
	for i := range out.Bookmarks {
		b := &out.Bookmarks[i]
		byID[b.ID] = b
		if b.HasGUID && b.GUID == tree.TagsGUID {
			tagRoots[b.ID] = true
		}
		if b.HasFK {
			b.URL, b.HasURL = urls[b.FK]
		}
		b.IsLivemark = livemarks[b.ID]
	}
	for i := range out.Bookmarks {
		e := &out.Bookmarks[i]
		if !e.HasFK || !e.HasParent {
			continue
		}
		if f := byID[e.Parent]; f != nil && f.HasParent && tagRoots[f.Parent] {
			out.Tags[e.FK] = append(out.Tags[e.FK], f.Title)
		}
	}
	for id, ts := range out.Tags {
		if len(ts) > 1 {
			sort.Strings(ts)
			out.Tags[id] = slices.Compact(ts)
		}
	}
	return out, nil
}

// mirrorRows are what mirror.DB.Items and Structure read, from a
// weave/bookmarks.rows member, ordered as they order them.
func mirrorRows(rows []byte, counts map[string]int) ([]mirror.ItemRow, []mirror.StructureRow, error) {
	items := touched[mirror.ItemRow](counts["items"])
	structure := touched[mirror.StructureRow](counts["structure"])
	urls := make(map[int64]string, counts["urls"])
	tags := make(map[int64][]string, counts["tags"])
	tables := map[string][]string{
		"items":     {"id", "guid", "parentGuid", "serverModified", "needsMerge", "validity", "isDeleted", "kind", "dateAdded", "title", "urlId", "keyword"},
		"urls":      {"id", "url"},
		"tags":      {"itemId", "tag"},
		"structure": {"guid", "parentGuid", "position"},
	}
	read := map[string]func(r *rowReader, c []int){
		"items": func(r *rowReader, c []int) {
			var it mirror.ItemRow
			it.ID = r.int(c[0])
			it.GUID, _ = r.text(c[1])
			it.ParentGUID, it.HasParent = r.text(c[2])
			it.ServerModified = r.int(c[3])
			it.NeedsMerge, it.Validity, it.IsDeleted = r.int(c[4]) == 1, int(r.int(c[5])), r.int(c[6]) == 1
			it.Kind, it.DateAdded = int(r.int(c[7])), r.int(c[8])
			it.Title, _ = r.text(c[9])
			it.URLID = r.int(c[10])
			it.HasURL = !r.row[c[10]].Null() // joined below
			it.Keyword, it.HasKeyword = r.text(c[11])
			items = append(items, it)
		},
		"urls": func(r *rowReader, c []int) {
			id := r.int(c[0])
			if u, ok := r.text(c[1]); ok && !r.row[c[0]].Null() {
				urls[id] = u
			}
		},
		"tags": func(r *rowReader, c []int) {
			id := r.int(c[0])
			tag, _ := r.text(c[1])
			tags[id] = append(tags[id], tag)
		},
		"structure": func(r *rowReader, c []int) {
			var s mirror.StructureRow
			s.GUID, _ = r.text(c[0])
			s.ParentGUID, _ = r.text(c[1])
			s.Position = r.int(c[2])
			structure = append(structure, s)
		},
	}
	if err := scanTables(rows, tables, read); err != nil {
		return nil, nil, err
	}
	for i := range items {
		it := &items[i]
		if it.HasURL {
			it.URL, it.HasURL = urls[it.URLID]
		}
		if ts := tags[it.ID]; len(ts) > 0 {
			sort.Strings(ts)
			it.Tags = ts
		}
	}
	// As Items and Structure order them. The rows are large: their
	// indexes are sorted, then the rows moved once.
	order := make([]int32, len(items))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(a, b int32) int { return strings.Compare(items[a].GUID, items[b].GUID) })
	sorted := touched[mirror.ItemRow](len(items))[:len(items)]
	for i, j := range order {
		sorted[i] = items[j]
	}
	mirror.SortStructure(structure)
	return sorted, structure, nil
}
