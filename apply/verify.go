package apply

import (
	"database/sql"
	"fmt"
	"golang.org/x/sync/errgroup"
	"net/url"
	"strings"

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
		if local, err = pdb.ReadTree(nowMillis(plan.Times.Local)); err != nil {
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
		if _, err = mirrorDB.ReadTree(nowMillis(plan.Times.Remote)); err != nil {
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
		if n := local.Lookup(g); n != nil && n.Info != nil && n.Info.SyncStatus != syncStatusNormal {
			add("%s syncStatus %d, want %d", g, n.Info.SyncStatus, syncStatusNormal)
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
// both trees through the preview's readers, it reads the committed files
// through one read-only connection, packs each row into one column, and
// checks the same things except the quick_check and foreign_key_check:
// every merged item outside the tags root at its merged parent and
// position and nothing else, applied titles and URLs, deletions,
// tombstones, change counters, root statuses and mirror needsMerge flags.
func VerifyFast(profileDir string, plan *Plan) error {
	pp, mp := placesPath(profileDir), mirrorPath(profileDir)
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: pp}).EscapedPath()+"?mode=ro&_pragma=query_only(1)")
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`ATTACH DATABASE ? AS mirror`, "file:"+(&url.URL{Path: mp}).EscapedPath()+"?mode=ro"); err != nil {
		return err
	}
	var probs []string
	add := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }

	// guid -> "parentGuid position" for every row outside the tags root.
	have := make(map[string]string, 1024)
	rows, err := db.Query(`SELECT b.guid || ' ' || p.guid || ' ' || b.position FROM moz_bookmarks b
		JOIN moz_bookmarks p ON p.id = b.parent
		WHERE b.parent <> (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')
			AND p.parent IS NOT (SELECT id FROM moz_bookmarks WHERE guid = 'tags________')`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		g, rest, _ := strings.Cut(s, " ")
		have[g] = rest
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	res := plan.Result
	ops := plan.ops()
	var applied []string
	want := make(map[string]*merge.Node)
	n := 0
	var walk func(p *merge.Node)
	walk = func(p *merge.Node) {
		for pos, c := range p.Children {
			n++
			if c.GUID == tree.TagsGUID {
				if _, ok := have[c.GUID]; !ok {
					add("tags root missing")
				}
				continue // tag rows are re-created with new GUIDs
			}
			got, ok := have[c.GUID]
			if w := fmt.Sprintf("%s %d", p.GUID, pos); !ok {
				add("%s missing", c.GUID)
			} else if got != w {
				add("%s at %s, want %s", c.GUID, got, w)
			}
			if c.State.ShouldApplyItem() && c.Remote != nil && c.Remote.Info != nil {
				applied = append(applied, c.GUID)
				want[c.GUID] = c
			}
			walk(c)
		}
	}
	walk(res.Root)
	if n != len(have) {
		add("%d items outside the tags root, the merge has %d", len(have), n)
	}
	type val struct {
		title, url    string
		counter, stat int
	}
	read := func(q string, guids []string, fn func(g string, v val)) error {
		for start := 0; start < len(guids); start += chunkRows {
			end := min(start+chunkRows, len(guids))
			args := make([]any, end-start)
			for i, g := range guids[start:end] {
				args[i] = g
			}
			rows, err := db.Query(fmt.Sprintf(q, strings.TrimSuffix(strings.Repeat("?,", end-start), ",")), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var g string
				var v val
				if err := rows.Scan(&g, &v.title, &v.url, &v.counter, &v.stat); err != nil {
					rows.Close()
					return err
				}
				fn(g, v)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	}
	const q = `SELECT b.guid, IFNULL(b.title, ''), IFNULL(h.url, ''), b.syncChangeCounter, b.syncStatus
		FROM moz_bookmarks b LEFT JOIN moz_places h ON h.id = b.fk WHERE b.guid IN (%s)`
	if err := read(q, applied, func(g string, v val) {
		r := want[g].Remote.Info
		if v.title != r.Title || v.url != r.URL {
			add("%s is %q %q, want %q %q", g, v.title, v.url, r.Title, r.URL)
		}
	}); err != nil {
		return err
	}
	for _, c := range []struct {
		guids []string
		want  int
	}{{ops.SetLocalMerged, 0}, {ops.SetLocalUnmerged, 1}} {
		if err := read(q, c.guids, func(g string, v val) {
			if v.counter != c.want {
				add("%s change counter %d, want %d", g, v.counter, c.want)
			}
		}); err != nil {
			return err
		}
	}
	roots := []string{tree.RootGUID, tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID}
	if err := read(q, roots, func(g string, v val) {
		if v.stat != syncStatusNormal {
			add("%s syncStatus %d, want %d", g, v.stat, syncStatusNormal)
		}
	}); err != nil {
		return err
	}
	if err := read(q, ops.DeleteLocalItems, func(g string, _ val) { add("deleted item %s still present", g) }); err != nil {
		return err
	}
	tomb := func(guids []string, fn func(string)) error {
		return read(`SELECT guid, '', '', 0, 0 FROM moz_bookmarks_deleted WHERE guid IN (%s)`, guids, func(g string, _ val) { fn(g) })
	}
	found := map[string]bool{}
	if err := tomb(ops.InsertLocalTombstones, func(g string) { found[g] = true }); err != nil {
		return err
	}
	for _, g := range ops.InsertLocalTombstones {
		if !found[g] {
			add("tombstone %s missing", g)
		}
	}
	if err := tomb(ops.DeleteLocalTombstones, func(g string) { add("tombstone %s not removed", g) }); err != nil {
		return err
	}
	if err := read(`SELECT guid, '', '', 0, 0 FROM mirror.items WHERE needsMerge = 1 AND guid IN (%s)`, ops.SetRemoteMerged,
		func(g string, _ val) { add("mirror item %s still needs merging", g) }); err != nil {
		return err
	}
	if len(probs) > 0 {
		return &VerifyError{Problems: probs}
	}
	return nil
}
