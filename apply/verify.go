package apply

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/tree"
)

// VerifyError lists how the files read back after an apply differ from
// the merge that was applied.
type VerifyError struct {
	Problems []string
}

func (e *VerifyError) Error() string {
	const show = 5
	p := e.Problems
	more := ""
	if len(p) > show {
		more = fmt.Sprintf(" (and %d more)", len(p)-show)
		p = p[:show]
	}
	return fmt.Sprintf("apply: the written files differ from the merge: %s%s", strings.Join(p, "; "), more)
}

// Verify reads both databases of the profile back and checks them
// against plan's merge: every merged item outside the tags root at its
// merged parent and position and nothing else there, applied items with
// the remote title and URL, deleted items gone, tombstones written and
// removed, change counters, root statuses, the mirror's needsMerge flags,
// and every folder's positions numbered 0..n-1. It also runs SQLite's
// quick_check and foreign_key_check on both files. Each file is read once,
// whole tables at a time (the apply changes nothing else a tree rebuild
// would see), and checked in memory; both files at once.
func Verify(profileDir string, plan *Plan) error {
	return verifyFiles(profileDir, plan, true, keysProven{})
}

// VerifyFast is Verify without SQLite's quick_check and foreign_key_check
// and the position numbering check, for large profiles.
func VerifyFast(profileDir string, plan *Plan) error {
	return verifyFiles(profileDir, plan, false, keysProven{})
}

// integrityProblems runs SQLite's quick_check and, unless keysProven,
// foreign_key_check.
func integrityProblems(name string, c *sqlraw.Conn, keysProven bool) []string {
	var probs, res []string
	err := c.Query(`PRAGMA quick_check`, func(r *sqlraw.Row) error {
		s, _ := r.Text(0)
		res = append(res, s)
		return nil
	})
	if err != nil || len(res) != 1 || res[0] != "ok" {
		probs = append(probs, fmt.Sprintf("%s quick_check: %s %v", name, strings.Join(res, "; "), err))
	}
	if keysProven {
		return probs
	}
	return append(probs, keyProblems(name, c)...)
}

// keyProblems runs SQLite's foreign_key_check.
func keyProblems(name string, c *sqlraw.Conn) []string {
	var probs []string
	violations := 0
	if err := c.Query(`PRAGMA foreign_key_check`, func(*sqlraw.Row) error {
		violations++
		return nil
	}); err != nil {
		probs = append(probs, fmt.Sprintf("%s foreign_key_check: %v", name, err))
	} else if violations > 0 {
		probs = append(probs, fmt.Sprintf("%s has %d foreign key violations", name, violations))
	}
	return probs
}

// openReadBack opens a database file to read it back. Its readers start
// together, while the apply's connection closes (and checkpoints): each
// waits for the others' locks rather than fail.
func openReadBack(path string) (*sqlraw.Conn, error) {
	c, err := sqlraw.Open(path, false)
	if err == nil {
		if err = c.Exec(`PRAGMA busy_timeout = 5000`); err != nil {
			c.Close()
		}
	}
	return c, err
}

// keysProven says of each file whether its foreign keys need no
// foreign_key_check after the write: the file had no violation before it
// (checked on the backup's copy while the write ran) and SQLite enforced
// every foreign key at the COMMIT (foreign_keys and defer_foreign_keys
// on: the COMMIT fails while a violation the transaction made is left),
// so it has none after.
type keysProven struct{ places, mirror bool }

// checkKeysBefore runs foreign_key_check on the backup's copies of both
// files (private, so opened immutable) and says which had no violation.
func checkKeysBefore(placesCopy, mirrorCopy string) keysProven {
	clean := func(path string) bool {
		c, err := sqlraw.Open(path, true)
		if err != nil {
			return false
		}
		defer c.Close()
		return len(keyProblems(path, c)) == 0
	}
	var k keysProven
	var g errgroup.Group
	g.Go(func() error { k.places = clean(placesCopy); return nil })
	k.mirror = clean(mirrorCopy)
	g.Wait() //nolint:errcheck // never fails
	return k
}

// verifyFiles is Verify, with the integrity checks when full; keys says
// which files' foreign keys the write itself proved.
func verifyFiles(profileDir string, plan *Plan, full bool, keys keysProven) error {
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	// Whole tables, read at once from both files (sqlraw: one call per
	// column), then checked in memory.
	var (
		// Sized for the rows the file had before and those the merge
		// adds, so that the map is not grown step by step.
		have       = make(map[string]readBackRow, int(plan.Places.Bookmarks)+len(plan.ops().ApplyRemoteItems))
		tombstones = map[string]bool{}
		unmerged   = map[string]bool{}
		g          errgroup.Group

		placesProbs, mirrorProbs []string
	)
	g.Go(func() error {
		c, err := openReadBack(pp)
		if err != nil {
			return fmt.Errorf("apply: reading %s back: %w", pp, err)
		}
		defer c.Close()
		err = readBookmarksBack(c, have, urlsCompared(plan.Result.Root))
		if err == nil {
			err = c.Query(`SELECT guid FROM moz_bookmarks_deleted`, func(r *sqlraw.Row) error {
				g, _ := r.Text(0)
				tombstones[g] = true
				return nil
			})
		}
		if err != nil {
			return fmt.Errorf("apply: reading %s back: %w", pp, err)
		}
		return nil
	})
	if full {
		// The structural checks of places.sqlite, the longest part, on a
		// connection of their own, so that the two cores share the work
		// evenly.
		g.Go(func() error {
			c, err := openReadBack(pp)
			if err != nil {
				return fmt.Errorf("apply: reading %s back: %w", pp, err)
			}
			defer c.Close()
			placesProbs = integrityProblems("places.sqlite", c, keys.places)
			return nil
		})
	}
	g.Go(func() error {
		c, err := openReadBack(mp)
		if err != nil {
			return fmt.Errorf("apply: reading %s back: %w", mp, err)
		}
		defer c.Close()
		if err := c.Query(`SELECT guid FROM items WHERE needsMerge = 1`, func(r *sqlraw.Row) error {
			g, _ := r.Text(0)
			unmerged[g] = true
			return nil
		}); err != nil {
			return fmt.Errorf("apply: reading %s back: %w", mp, err)
		}
		if full {
			mirrorProbs = integrityProblems("bookmarks.sqlite", c, keys.mirror)
		}
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}

	probs := append(placesProbs, mirrorProbs...)
	add := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	if full {
		// The rows must also be numbered 0..n-1 in every folder (tag
		// folders included: repairCoherence), checked on the rows read.
		if n := badlyNumberedFolders(have); n > 0 {
			add("%d folders have gapped or repeated positions", n)
		}
	}
	outside := 0
	for _, v := range have {
		if !v.inTags && v.parent != "" {
			outside++
		}
	}
	n := 0
	var walk func(p *merge.Node)
	walk = func(p *merge.Node) {
		for pos, c := range p.Children {
			n++
			got, ok := have[c.GUID]
			switch {
			case !ok && c.GUID == tree.TagsGUID:
				add("tags root missing")
			case !ok:
				add("%s missing", c.GUID)
			case c.GUID != tree.TagsGUID && (got.parent != p.GUID || got.position != int64(pos)):
				add("%s at %s %d, want %s %d", c.GUID, got.parent, got.position, p.GUID, pos)
			}
			if c.GUID == tree.TagsGUID {
				continue // tag rows are re-created with new GUIDs
			}
			if ok && c.State.ShouldApplyItem() && c.Remote != nil && c.Remote.Info != nil {
				if r := c.Remote.Info; got.title != r.Title || got.url != r.URL {
					add("%s is %q %q, want %q %q", c.GUID, got.title, got.url, r.Title, r.URL)
				}
			}
			walk(c)
		}
	}
	walk(plan.Result.Root)
	if n != outside {
		add("%d items outside the tags root, the merge has %d", outside, n)
	}
	ops := plan.ops()
	for _, c := range []struct {
		guids []string
		want  int64
	}{{ops.SetLocalMerged, 0}, {ops.SetLocalUnmerged, 1}} {
		for _, g := range c.guids {
			if v, ok := have[g]; ok && v.counter != c.want {
				add("%s change counter %d, want %d", g, v.counter, c.want)
			}
		}
	}
	for _, g := range []string{tree.RootGUID, tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID} {
		if v, ok := have[g]; ok && v.status != tree.SyncStatusNormal {
			add("%s syncStatus %d, want %d", g, v.status, tree.SyncStatusNormal)
		}
	}
	for _, g := range ops.DeleteLocalItems {
		if _, ok := have[g]; ok {
			add("deleted item %s still present", g)
		}
	}
	for _, g := range ops.InsertLocalTombstones {
		if !tombstones[g] {
			add("tombstone %s missing", g)
		}
	}
	for _, g := range ops.DeleteLocalTombstones {
		if tombstones[g] {
			add("tombstone %s not removed", g)
		}
	}
	for _, g := range ops.SetRemoteMerged {
		if unmerged[g] {
			add("mirror item %s still needs merging", g)
		}
	}
	if len(probs) > 0 {
		return &VerifyError{Problems: probs}
	}
	return nil
}

// urlsCompared are the GUIDs whose URL verification compares: the
// applied items, which must carry the remote title and URL.
func urlsCompared(root *merge.Node) map[string]bool {
	want := map[string]bool{}
	var walk func(p *merge.Node)
	walk = func(p *merge.Node) {
		for _, c := range p.Children {
			if c.GUID == tree.TagsGUID {
				continue
			}
			if c.State.ShouldApplyItem() && c.Remote != nil && c.Remote.Info != nil {
				want[c.GUID] = true
			}
			walk(c)
		}
	}
	walk(root)
	return want
}

// readBookmarksBack reads every moz_bookmarks row into have, by GUID.
// The table is read alone, in one scan: each row's parent GUID and
// whether it lies in the tags root come from the rows read (the parent's
// and the tags root's), and a URL is looked up only for the GUIDs in
// wantURL (the rest read as ""). A join read the same values for every
// row at four times the cost: a lookup of the parent and of the page
// per row.
func readBookmarksBack(c *sqlraw.Conn, have map[string]readBackRow, wantURL map[string]bool) error {
	type scanned struct {
		guid           string
		id, parent, fk int64
		hasParent      bool
		hasFK          bool
		row            readBackRow
	}
	rows := make([]scanned, 0, len(have))
	if err := c.Query(`SELECT id, guid, parent, position, title, fk, syncChangeCounter, syncStatus FROM moz_bookmarks`, func(r *sqlraw.Row) error {
		var s scanned
		s.id = r.Int(0)
		s.guid, _ = r.Text(1)
		s.hasParent, s.parent = !r.Null(2), r.Int(2)
		s.row.position = -1
		if !r.Null(3) {
			s.row.position = r.Int(3)
		}
		s.row.title, _ = r.Text(4)
		s.hasFK, s.fk = !r.Null(5), r.Int(5)
		s.row.counter, s.row.status = r.Int(6), r.Int(7)
		rows = append(rows, s)
		return nil
	}); err != nil {
		return err
	}
	byID := make(map[int64]int32, len(rows))
	tags, haveTags := int64(0), false
	for i := range rows {
		byID[rows[i].id] = int32(i)
		if rows[i].guid == tree.TagsGUID {
			tags, haveTags = rows[i].id, true
		}
	}
	var places []string
	for i := range rows {
		if rows[i].hasFK && wantURL[rows[i].guid] {
			places = append(places, strconv.FormatInt(rows[i].fk, 10))
		}
	}
	url := make(map[int64]string, len(places))
	if len(places) > 0 {
		if err := c.Query(`SELECT id, url FROM moz_places WHERE id IN (`+strings.Join(places, ",")+`)`, func(r *sqlraw.Row) error {
			url[r.Int(0)], _ = r.Text(1)
			return nil
		}); err != nil {
			return err
		}
	}
	for i := range rows {
		s := &rows[i]
		v := s.row
		if s.hasParent {
			v.parentID = s.parent
			if j, ok := byID[s.parent]; ok {
				p := &rows[j]
				v.parent = p.guid
				v.inTags = haveTags && (s.parent == tags || p.hasParent && p.parent == tags)
			} else {
				v.inTags = haveTags && s.parent == tags
			}
		}
		if s.hasFK && wantURL[s.guid] {
			v.url = url[s.fk]
		}
		have[s.guid] = v
	}
	return nil
}

// readBackRow is a moz_bookmarks row as verification reads it back.
type readBackRow struct {
	parent, title, url string
	parentID, position int64
	counter, status    int64
	inTags             bool
}

// badlyNumberedFolders counts the folders (the parents, by id, of rows
// with one) whose children's positions are not exactly 0..n-1; a missing
// position reads as -1.
func badlyNumberedFolders(rows map[string]readBackRow) int {
	type span struct{ n, lo, hi int64 }
	type slot struct{ parent, pos int64 }
	spans := make(map[int64]*span, 1024)
	seen := make(map[slot]bool, len(rows))
	repeated := map[int64]bool{}
	for _, r := range rows {
		if r.parentID <= 0 {
			continue
		}
		sp := spans[r.parentID]
		if sp == nil {
			sp = &span{lo: r.position, hi: r.position}
			spans[r.parentID] = sp
		}
		sp.n++
		sp.lo, sp.hi = min(sp.lo, r.position), max(sp.hi, r.position)
		k := slot{r.parentID, r.position}
		if seen[k] {
			repeated[r.parentID] = true
		}
		seen[k] = true
	}
	bad := 0
	for parent, sp := range spans {
		if sp.lo != 0 || sp.hi != sp.n-1 || repeated[parent] {
			bad++
		}
	}
	return bad
}
