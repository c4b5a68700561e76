package mirror

import (
	"cmp"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Mirror column values (mozISyncedBookmarksMerger).
const (
	KindBookmark  = 1
	KindQuery     = 2
	KindFolder    = 3
	KindLivemark  = 4
	KindSeparator = 5

	ValidityValid    = 1
	ValidityReupload = 2
	ValidityReplace  = 3
)

// ItemRow is one raw items row (NULL text reads as "").
type ItemRow struct {
	ID             int64
	GUID           string
	ParentGUID     string
	HasParent      bool // parentGuid IS NOT NULL
	ServerModified int64
	NeedsMerge     bool
	Validity       int // as stored; ReadTree may raise VALID to REUPLOAD (prepare)
	IsDeleted      bool
	Kind           int
	DateAdded      int64 // ms
	Title          string
	URLID          int64 // 0 when NULL
	URL            string
	HasURL         bool // the urlId names an urls row
	Keyword        string
	HasKeyword     bool
	Tags           []string // tags rows, sorted
}

// StructureRow is one raw structure row.
type StructureRow struct {
	GUID, ParentGUID string
	Position         int64
}

// Items reads every items row, ordered by GUID (as Firefox's merger reads
// them), with its URL and tags.
func (d *DB) Items() ([]ItemRow, error) {
	out, err := d.items()
	if err != nil {
		return nil, dbsnap.QueryError(What, d.Path(), err)
	}
	return out, nil
}

func (d *DB) items() ([]ItemRow, error) {
	tags := make(map[int64][]string)
	err := d.Scan(`SELECT itemId, tag FROM tags`, func(f *sqlraw.Row) error {
		tag, _ := f.Text(1)
		tags[f.Int(0)] = append(tags[f.Int(0)], tag)
		return nil
	})
	if err != nil {
		return nil, err
	}
	var n int
	if err := d.SQL().QueryRow(`SELECT count(*) FROM items`).Scan(&n); err != nil {
		return nil, err
	}
	out := make([]ItemRow, 0, n)
	// Read in table order (sequential) and sort by GUID in Go: much
	// cheaper than ORDER BY through the GUID index. Go's string order is
	// SQLite's BINARY collation.
	err = d.Scan(`SELECT v.id, v.guid, v.parentGuid, v.serverModified, v.needsMerge, v.validity, v.isDeleted, v.kind,
			v.dateAdded, v.title, v.urlId, u.url, v.keyword
		FROM items v LEFT JOIN urls u ON u.id = v.urlId`,
		func(f *sqlraw.Row) error {
			var r ItemRow
			r.ID = f.Int(0)
			r.GUID, _ = f.Text(1)
			r.ParentGUID, r.HasParent = f.Text(2)
			r.ServerModified = f.Int(3)
			r.NeedsMerge, r.Validity, r.IsDeleted = f.Int(4) == 1, int(f.Int(5)), f.Int(6) == 1
			r.Kind, r.DateAdded = int(f.Int(7)), f.Int(8)
			r.Title, _ = f.Text(9)
			r.URLID = f.Int(10)
			r.URL, r.HasURL = f.Text(11)
			r.Keyword, r.HasKeyword = f.Text(12)
			if ts := tags[r.ID]; len(ts) > 0 {
				sort.Strings(ts)
				r.Tags = ts
			}
			out = append(out, r)
			return nil
		})
	if err != nil {
		return nil, err
	}
	sortByGUID(out)
	return out, nil
}

// sortByGUID sorts rows by GUID (unique in items). It sorts small keys and
// then moves each row once, following the permutation's cycles: sorting
// the rows themselves moved a 200-byte row at every swap.
func sortByGUID(rows []ItemRow) {
	type key struct {
		guid string
		at   int32
	}
	keys := make([]key, len(rows))
	for i := range rows {
		keys[i] = key{rows[i].GUID, int32(i)}
	}
	slices.SortFunc(keys, func(a, b key) int { return strings.Compare(a.guid, b.guid) })
	// Row keys[i].at goes to place i. Each cycle is walked once; a
	// visited place is marked by at = -1.
	for i := range keys {
		if keys[i].at < 0 || int(keys[i].at) == i {
			keys[i].at = -1
			continue
		}
		held := rows[i]
		j := i
		for {
			from := int(keys[j].at)
			keys[j].at = -1
			if from == i {
				rows[j] = held
				break
			}
			rows[j] = rows[from]
			j = from
		}
	}
}

// Structure reads every structure row ordered by (parentGuid, position).
func (d *DB) Structure() ([]StructureRow, error) {
	var out []StructureRow
	err := d.Scan(`SELECT guid, parentGuid, position FROM structure`, func(f *sqlraw.Row) error {
		var r StructureRow
		r.GUID, _ = f.Text(0)
		r.ParentGUID, _ = f.Text(1)
		r.Position = f.Int(2)
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, dbsnap.QueryError(What, d.Path(), err)
	}
	SortStructure(out)
	return out, nil
}

// SortStructure orders structure rows read in table order as Structure
// returns them: by (parentGuid, position), table order among equals.
func SortStructure(rows []StructureRow) {
	slices.SortStableFunc(rows, func(a, b StructureRow) int {
		if c := strings.Compare(a.ParentGUID, b.ParentGUID); c != 0 {
			return c
		}
		return cmp.Compare(a.Position, b.Position)
	})
}

// reuploadFlags applies prepare()'s rule in memory: a VALID item whose URL
// appears with more than one distinct keyword (NULL counts as one), or
// whose keyword maps to more than one URL, becomes REUPLOAD. Every row
// counts, as in Firefox's SQL. It returns the indexes to flag.
func reuploadFlags(rows []ItemRow) map[int]bool {
	type kwSet struct {
		kws    map[string]struct{}
		hasNil bool
	}
	byURL := make(map[int64]*kwSet)
	byKeyword := make(map[string]map[int64]struct{})
	for i := range rows {
		r := &rows[i]
		if r.URLID != 0 {
			s := byURL[r.URLID]
			if s == nil {
				s = &kwSet{kws: make(map[string]struct{}, 1)}
				byURL[r.URLID] = s
			}
			if r.HasKeyword {
				s.kws[r.Keyword] = struct{}{}
			} else {
				s.hasNil = true
			}
		}
		if r.HasKeyword {
			m := byKeyword[r.Keyword]
			if m == nil {
				m = make(map[int64]struct{}, 1)
				byKeyword[r.Keyword] = m
			}
			if r.URLID != 0 {
				m[r.URLID] = struct{}{}
			}
		}
	}
	flags := make(map[int]bool)
	for i := range rows {
		r := &rows[i]
		if r.Validity != ValidityValid {
			continue
		}
		bad := false
		if s := byURL[r.URLID]; r.URLID != 0 && s != nil {
			n := len(s.kws)
			if s.hasNil {
				n++
			}
			bad = n > 1
		}
		if !bad && r.HasKeyword && len(byKeyword[r.Keyword]) > 1 {
			bad = true
		}
		if bad {
			flags[i] = true
		}
	}
	return flags
}

var treeKinds = map[int]tree.Kind{
	KindBookmark: tree.KindBookmark, KindQuery: tree.KindQuery, KindFolder: tree.KindFolder,
	KindLivemark: tree.KindLivemark, KindSeparator: tree.KindSeparator,
}

var treeValidity = map[int]tree.Validity{
	ValidityValid: tree.Valid, ValidityReupload: tree.Reupload, ValidityReplace: tree.Replace,
}

// Reupload lists the GUIDs of the VALID rows that the last ReadTree found
// REUPLOAD under prepare()'s rule, which Firefox writes into the mirror
// before it merges (apply does the same, with this list).
func (d *DB) Reupload() []string { return d.reupload }

// Tombstones are the deleted records the last ReadTree read, each dated by
// its server time; the tree holds only those still waiting for a merge.
func (d *DB) Tombstones() []source.Tombstone { return d.tombstones }

// ReadTree builds the remote tree exactly as Firefox's merger does
// (docs/formats.md#remote-tree, store.rs fetch_remote_tree), after
// applying prepare()'s reupload rule in memory (nothing is written):
//
//   - the root root________ from its items row (synthesized as a folder,
//     with a warning, if the row is missing; Firefox would refuse);
//   - every other items row ordered by GUID: a tombstone with needsMerge
//     becomes a deletion, one without is ignored; any other row an item
//     with Age = max(remoteNowMs − serverModified, 0), NeedsMerge,
//     Validity, the kind column, Content only when it needs merging, is
//     not REPLACE and is not the root; and a parentid record when
//     parentGuid is set;
//   - every structure row but the root's self row, ordered by
//     (parentGuid, position), as a children record;
//   - orphans go to unfiled_____.
//
// A record the builder refuses (e.g. a structure row whose parent is not
// a folder, an unknown kind) is skipped and listed by Skipped; reading
// goes on. A cycle returns the usable tree with the builder's *tree.Error.
func (d *DB) ReadTree(remoteNowMs int64) (*tree.Tree, error) {
	return d.ReadTreeWith(remoteNowMs, nil)
}

// ReadTreeWith is ReadTree with the user's choice of parent for items that
// several folders claim: prefer maps a child GUID to the folder that keeps
// it (tree.Builder.PreferParent).
func (d *DB) ReadTreeWith(remoteNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	d.skipped, d.tombstones = nil, nil
	rows, err := d.Items()
	if err != nil {
		return nil, err
	}
	structure, err := d.Structure()
	if err != nil {
		return nil, err
	}
	return d.ReadTreeRows(rows, structure, remoteNowMs, prefer)
}

// ReadTreeRows is ReadTreeWith from rows read elsewhere, ordered as Items
// and Structure return them, instead of the snapshot's tables; they must
// be this database's (or a redacted copy of them).
func (d *DB) ReadTreeRows(rows []ItemRow, structure []StructureRow, remoteNowMs int64, prefer map[string]string) (*tree.Tree, error) {
	d.skipped, d.tombstones = nil, nil
	t, built, err := BuildRemoteTree(rows, structure, remoteNowMs, prefer)
	d.skipped, d.tombstones, d.reupload = built.Skipped, built.Tombstones, built.Reupload
	if built.RootAssumed {
		d.AddWarning(fmt.Sprintf("%s at %s has no usable %s row; a root folder was assumed", What, d.Path(), tree.RootGUID))
	}
	return t, err
}

// Built is what building the remote tree found besides the tree.
type Built struct {
	Skipped    []dbsnap.SkippedRecord // records the builder refused
	Tombstones []source.Tombstone     // every deleted record, dated by its server time
	Reupload   []string               // VALID rows prepare() makes REUPLOAD
	// RootAssumed: no usable root________ row, so a root folder was
	// synthesized (Firefox would refuse).
	RootAssumed bool
}

// BuildRemoteTree builds the remote tree from the mirror's rows, exactly
// as ReadTree describes: items ordered by GUID, structure by (parentGuid,
// position), as Items and Structure return them. It is the one road from
// Sync records to a remote tree: the mirror's tables and a server dump
// (whose records become the same rows) both come through it.
func BuildRemoteTree(rows []ItemRow, structure []StructureRow, remoteNowMs int64, prefer map[string]string) (*tree.Tree, Built, error) {
	var out Built
	reupload := reuploadFlags(rows)
	for i := range rows {
		if reupload[i] {
			out.Reupload = append(out.Reupload, rows[i].GUID)
		}
	}

	root := tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder, Info: &tree.Info{}}
	haveRoot := false
	for i := range rows {
		if rows[i].GUID == tree.RootGUID {
			if it, ok := out.remoteItem(&rows[i], reupload[i], remoteNowMs); ok {
				root, haveRoot = it, true
				root.Content = nil
			}
			break
		}
	}
	out.RootAssumed = !haveRoot

	b := tree.NewBuilderSized(root, len(rows))
	b.ReparentOrphansTo(tree.UnfiledGUID)
	for child, folder := range prefer {
		b.PreferParent(child, folder)
	}
	for i := range rows {
		r := &rows[i]
		if r.GUID == tree.RootGUID {
			continue
		}
		if r.IsDeleted {
			out.Tombstones = append(out.Tombstones, source.Tombstone{GUID: r.GUID, Deleted: time.UnixMilli(r.ServerModified).UTC()})
			if r.NeedsMerge {
				b.Tombstone(r.GUID)
			}
			continue
		}
		it, ok := out.remoteItem(r, reupload[i], remoteNowMs)
		if !ok {
			continue
		}
		if err := b.Item(it); err != nil {
			out.skip(r.GUID, "", err)
			continue
		}
		if r.HasParent {
			if err := b.ParentID(r.GUID, r.ParentGUID); err != nil {
				out.skip(r.GUID, r.ParentGUID, err)
			}
		}
	}
	var ahead [tree.PrefetchBatch]string
	for k, s := range structure {
		if k%len(ahead) == 0 { // rows by folder, items by GUID: lookups at random
			n := 0
			for _, next := range structure[k:min(k+len(ahead), len(structure))] {
				ahead[n], n = next.GUID, n+1
			}
			b.Prefetch(ahead[:n])
		}
		if s.GUID == tree.RootGUID {
			continue
		}
		if err := b.ChildOf(s.GUID, s.ParentGUID); err != nil {
			out.skip(s.GUID, s.ParentGUID, err)
		}
	}
	t, err := b.Build()
	return t, out, err
}

func (out *Built) skip(guid, parent string, err error) {
	out.Skipped = append(out.Skipped, dbsnap.SkippedRecord{GUID: guid, Parent: parent, Reason: err.Error(), Err: err})
}

// remoteItem converts a row (store.rs remote_row_to_item). ok is false
// for an unknown kind or validity (recorded as skipped).
func (out *Built) remoteItem(r *ItemRow, reupload bool, nowMs int64) (tree.Item, bool) {
	kind, ok := treeKinds[r.Kind]
	if !ok {
		out.Skipped = append(out.Skipped, dbsnap.SkippedRecord{GUID: r.GUID, Parent: r.ParentGUID,
			Reason: fmt.Sprintf("unknown item kind %d (Firefox refuses to merge)", r.Kind)})
		return tree.Item{}, false
	}
	validity, ok := treeValidity[r.Validity]
	if !ok {
		out.Skipped = append(out.Skipped, dbsnap.SkippedRecord{GUID: r.GUID, Parent: r.ParentGUID,
			Reason: fmt.Sprintf("unknown validity %d (Firefox refuses to merge)", r.Validity)})
		return tree.Item{}, false
	}
	if reupload && validity == tree.Valid {
		validity = tree.Reupload
	}
	it := tree.Item{
		GUID:       r.GUID,
		Kind:       kind,
		Age:        max(nowMs-r.ServerModified, 0),
		NeedsMerge: r.NeedsMerge,
		Validity:   validity,
	}
	if r.NeedsMerge && validity != tree.Replace && r.GUID != tree.RootGUID {
		switch kind {
		case tree.KindBookmark, tree.KindQuery:
			if r.HasURL {
				it.Content = &tree.Content{Kind: tree.ContentBookmark, Title: r.Title, URL: r.URL}
			}
		case tree.KindFolder, tree.KindLivemark:
			it.Content = &tree.Content{Kind: tree.ContentFolder, Title: r.Title}
		case tree.KindSeparator:
			it.Content = &tree.Content{Kind: tree.ContentSeparator}
		}
	}
	it.Info = &tree.Info{
		Title:          r.Title,
		URL:            r.URL,
		Keyword:        r.Keyword,
		Tags:           r.Tags,
		DateAdded:      r.DateAdded * 1000,
		LastModified:   r.ServerModified * 1000,
		ServerModified: r.ServerModified,
		ParentGUID:     r.ParentGUID,
	}
	return it, true
}
