package apply

import (
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/sync/merge"
	"github.com/bmtui/bmtui/sync/mirror"
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

// Verify reads both databases of the profile back (through the same
// readers the preview uses) and checks them against plan's merge: every
// merged item outside the tags root at its merged parent and position and
// nothing else there, applied items with the remote title and URL, deleted
// items gone, tombstones written and removed, change counters, root
// statuses, and the mirror's needsMerge flags. It also runs SQLite's
// quick_check and foreign_key_check on both files.
func Verify(profileDir string, plan *Plan) error {
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	// Read both back at once, through the preview's own readers; each
	// file's integrity checks run right after its read, so the two files
	// are checked in parallel too.
	var pdb *places.DB
	var mirrorDB *mirror.DB
	var local *tree.Tree
	var placesProbs, mirrorProbs, remoteStill []string
	var g errgroup.Group
	g.Go(func() (err error) {
		if pdb, err = places.Open(pp); err != nil {
			return err
		}
		if local, err = pdb.ReadTree(tree.NowMillis(plan.Times.Local)); err != nil {
			return fmt.Errorf("apply: reading %s back: %w", pp, err)
		}
		placesProbs = integrityProblems("places.sqlite", pdb.SQL())
		// The tree gives positions by order; the rows must also be
		// numbered 0..n-1 in every folder (tag folders included:
		// repairCoherence).
		var gapped int
		if err := pdb.SQL().QueryRow(`SELECT count(*) FROM (SELECT count(*) AS c, min(position) AS lo, max(position) AS hi,
				count(DISTINCT position) AS d FROM moz_bookmarks WHERE parent > 0 GROUP BY parent)
			WHERE lo <> 0 OR hi <> c - 1 OR d <> c`).Scan(&gapped); err != nil {
			return err
		}
		if gapped > 0 {
			placesProbs = append(placesProbs, fmt.Sprintf("%d folders have gapped or repeated positions", gapped))
		}
		return nil
	})
	g.Go(func() (err error) {
		if mirrorDB, err = mirror.Open(mp); err != nil {
			return err
		}
		if _, err = mirrorDB.ReadTree(tree.NowMillis(plan.Times.Remote)); err != nil {
			return fmt.Errorf("apply: reading %s back: %w", mp, err)
		}
		mirrorProbs = integrityProblems("bookmarks.sqlite", mirrorDB.SQL())
		remoteStill, err = stillNeedMerge(mirrorDB.SQL(), plan.ops().SetRemoteMerged)
		return err
	})
	err := g.Wait()
	if pdb != nil {
		defer pdb.Close()
	}
	if mirrorDB != nil {
		defer mirrorDB.Close()
	}
	if err != nil {
		return err
	}

	probs := append(placesProbs, mirrorProbs...)
	add := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	for _, g := range remoteStill {
		add("mirror item %s still needs merging", g)
	}

	res := plan.Result
	ops := plan.ops()
	merged := 0
	var walk func(n *merge.Node)
	walk = func(n *merge.Node) {
		for pos, c := range n.Children {
			if c.GUID == tree.TagsGUID {
				if local.Lookup(tree.TagsGUID) == nil {
					add("tags root missing")
				}
				merged++
				continue // tag rows are re-created with new GUIDs
			}
			merged++
			got := local.Lookup(c.GUID)
			switch {
			case got == nil:
				add("%s missing", c.GUID)
			case local.ParentOf(got).GUID != n.GUID || int(got.Position) != pos:
				add("%s at %s[%d], want %s[%d]", c.GUID, local.ParentOf(got).GUID, got.Position, n.GUID, pos)
			}
			if got != nil && c.State.ShouldApplyItem() && c.Remote != nil && c.Remote.Info != nil && got.Info != nil {
				if got.Info.Title != c.Remote.Info.Title {
					add("%s title %q, want %q", c.GUID, got.Info.Title, c.Remote.Info.Title)
				}
				if got.Info.URL != c.Remote.Info.URL {
					add("%s URL %q, want %q", c.GUID, got.Info.URL, c.Remote.Info.URL)
				}
			}
			walk(c)
		}
	}
	walk(res.Root)
	// Every local item outside the tags subtree must be a merged one.
	// Walk is pre-order, so a parent's flag is set before its children's.
	nonTag := 0
	inTags := make([]bool, local.Len())
	local.Walk(func(i int32, n *tree.Node) bool {
		if n.Parent < 0 {
			return true
		}
		p := local.Node(n.Parent)
		inTags[i] = inTags[n.Parent] || p.GUID == tree.TagsGUID
		if !inTags[i] {
			nonTag++
		}
		return true
	})
	if nonTag != merged {
		add("%d items outside the tags root, the merge has %d", nonTag, merged)
	}
	for _, g := range ops.DeleteLocalItems {
		if local.Lookup(g) != nil {
			add("deleted item %s still present", g)
		}
	}
	for _, g := range ops.InsertLocalTombstones {
		if !local.IsTombstone(g) {
			add("tombstone %s missing", g)
		}
	}
	for _, g := range ops.DeleteLocalTombstones {
		if local.IsTombstone(g) {
			add("tombstone %s not removed", g)
		}
	}
	counter := func(g string, want int) {
		if n := local.Lookup(g); n != nil && n.Info != nil && n.Info.SyncChangeCounter != want {
			add("%s change counter %d, want %d", g, n.Info.SyncChangeCounter, want)
		}
	}
	for _, g := range ops.SetLocalMerged {
		counter(g, 0)
	}
	for _, g := range ops.SetLocalUnmerged {
		counter(g, 1)
	}
	for _, g := range []string{tree.RootGUID, tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID} {
		if n := local.Lookup(g); n != nil && n.Info != nil && n.Info.SyncStatus != tree.SyncStatusNormal {
			add("%s syncStatus %d, want %d", g, n.Info.SyncStatus, tree.SyncStatusNormal)
		}
	}
	if len(probs) > 0 {
		return &VerifyError{Problems: probs}
	}
	return nil
}

// integrityProblems runs SQLite's quick_check and foreign_key_check.
func integrityProblems(name string, db Queryer) []string {
	var probs []string
	var res string
	if err := db.QueryRow(`PRAGMA quick_check`).Scan(&res); err != nil || res != "ok" {
		probs = append(probs, fmt.Sprintf("%s quick_check: %s %v", name, res, err))
	}
	rows, err := db.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		return append(probs, fmt.Sprintf("%s foreign_key_check: %v", name, err))
	}
	if rows.Next() {
		probs = append(probs, fmt.Sprintf("%s has foreign key violations", name))
	}
	rows.Close()
	return probs
}

// stillNeedMerge returns the GUIDs of merged that the mirror still flags
// needsMerge.
func stillNeedMerge(db Queryer, merged []string) ([]string, error) {
	if len(merged) == 0 {
		return nil, nil
	}
	want := make(map[string]bool, len(merged))
	for _, g := range merged {
		want[g] = true
	}
	rows, err := db.Query(`SELECT guid FROM items WHERE needsMerge = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			return nil, err
		}
		if want[g] {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}

// VerifyFast is a leaner Verify for large profiles: instead of rebuilding
// both trees through the preview's readers, it reads the rows of
// moz_bookmarks, the tombstones and the mirror's unmerged items once from
// the committed files, and checks the same things except the quick_check and foreign_key_check:
// every merged item outside the tags root at its merged parent and
// position and nothing else, applied titles and URLs, deletions,
// tombstones, change counters, root statuses and mirror needsMerge flags.
func VerifyFast(profileDir string, plan *Plan) error {
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	type row struct {
		parent, title, url string
		position           int64
		counter, status    int64
		inTags             bool
	}
	// Whole tables, read at once from both files (sqlraw: one call per
	// column), then checked in memory.
	var (
		have       = make(map[string]row, 1024)
		tombstones = map[string]bool{}
		unmerged   = map[string]bool{}
		g          errgroup.Group
	)
	g.Go(func() error {
		c, err := sqlraw.Open(pp, false)
		if err != nil {
			return fmt.Errorf("apply: reading %s back: %w", pp, err)
		}
		defer c.Close()
		err = c.Query(`SELECT b.guid, IFNULL(p.guid, ''), IFNULL(b.position, -1), IFNULL(b.title, ''), IFNULL(h.url, ''),
				b.syncChangeCounter, b.syncStatus,
				IFNULL(b.parent = t.id OR p.parent = t.id, 0)
			FROM moz_bookmarks b LEFT JOIN moz_bookmarks p ON p.id = b.parent LEFT JOIN moz_places h ON h.id = b.fk
			LEFT JOIN (SELECT id FROM moz_bookmarks WHERE guid = 'tags________') AS t`, func(r *sqlraw.Row) error {
			guid, _ := r.Text(0)
			var v row
			v.parent, _ = r.Text(1)
			v.position = r.Int(2)
			v.title, _ = r.Text(3)
			v.url, _ = r.Text(4)
			v.counter, v.status = r.Int(5), r.Int(6)
			v.inTags = r.Int(7) != 0
			have[guid] = v
			return nil
		})
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
	g.Go(func() error {
		c, err := sqlraw.Open(mp, false)
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
		return nil
	})
	if err := g.Wait(); err != nil {
		return err
	}

	var probs []string
	add := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
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
