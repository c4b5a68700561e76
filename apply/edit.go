package apply

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/dbsnap"
	"github.com/bmtui/bmtui/places"
	"github.com/bmtui/bmtui/places/urls"
	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// EditPlan is what WriteEdit needs: the set, its preview, and the state
// of places.sqlite the preview was computed from.
type EditPlan struct {
	ProfileDir string
	// Now dates the changes (lastModified, tombstones) and the backups.
	Now     time.Time
	Set     edit.Set
	Preview *edit.Result
	// PlacesFile and Places are places.sqlite's identity and fingerprint
	// when the local tree was read (places.Source.Stamp).
	PlacesFile dbsnap.FileID
	Places     places.Fingerprint
}

// EditReport says what WriteEdit did.
type EditReport struct {
	// Skipped is true for a set with no changes: nothing is checked,
	// backed up or written.
	Skipped bool
	// BackupDir holds the copies taken before writing: bmtui undo
	// restores them.
	BackupDir string
	// FirefoxBackup is the .jsonlz4 bookmark backup, if one was written.
	FirefoxBackup string
	// Upload is what Firefox will upload at its next sync because of the
	// set (the preview's).
	Upload   edit.Upload
	Verified bool
	Warnings []string
	Timings  Timings
}

// PlanEdit previews set on local, the tree read from profileDir's
// places.sqlite whose stamp is given, and checks what the preview cannot:
// every URL written must be one Firefox accepts. Errors name the change.
func PlanEdit(profileDir string, local *tree.Tree, stamp places.Stamp, set edit.Set, now time.Time) (*EditPlan, error) {
	res, err := edit.Preview(local, set)
	if err != nil {
		return nil, err
	}
	for i, c := range set.Changes {
		if (c.Op == edit.Insert || c.Op == edit.Update) && c.Item != nil && c.Item.Info != nil && c.Item.Info.URL != "" {
			if _, ok := places.ParseURL(c.Item.Info.URL); !ok {
				return nil, &edit.ChangeError{Index: i, Change: c, Reason: fmt.Sprintf("Firefox does not accept the URL %q", c.Item.Info.URL)}
			}
		}
	}
	if abs, err := filepath.Abs(profileDir); err == nil {
		profileDir = abs
	}
	return &EditPlan{ProfileDir: profileDir, Now: now, Set: set, Preview: res, PlacesFile: stamp.File, Places: stamp.Print}, nil
}

// WriteEdit is the writer for local change sets (sync/edit): restoring items from
// another source, removing duplicates. Unlike Apply it writes
// places.sqlite only; the mirror is left as it is, so Firefox's next sync
// sees the changes as local edits and uploads them.
//
// # Use
//
//	apply.Recover(profileDir)
//	src, err := places.OpenSource(profileDir)       // a private snapshot
//	res, err := src.Load(now)                       // the local tree
//	plan, err := apply.PlanEdit(profileDir, res.Tree, src.Stamp(), set, now)
//	// ... show plan.Preview (steps, upload) ...
//	rep, err := apply.WriteEdit(ctx, plan, apply.Options{})
//	// later: apply.Undo(profileDir)
//
// WriteEdit refuses, writing nothing, while Firefox runs, while an earlier
// bmtui operation is unfinished, when places.sqlite changed since the
// snapshot the plan was made from (identity and fingerprint, as Apply),
// on a damaged file, a schema other than 86, a read-only profile or a
// database another program holds. Then it copies places.sqlite (and the
// mirror, so Undo puts back exactly what was there) into
// bmtui-backups/<time>/, writes Firefox's own bookmark backup, and makes
// the whole set in one transaction, with Apply's marker and
// rollback-journal scheme (a kill at any moment leaves the file as it was
// or fully changed; Recover finishes either). After the commit it reads
// the file back and compares it with plan.Preview.Tree (VerifyEdit).
//
// # What is written
//
// As Places' own Bookmarks API would for the same edits:
//
//   - an inserted item gets syncStatus NEW and a change counter, its
//     dateAdded kept (never later than now), lastModified now; its
//     tombstone in moz_bookmarks_deleted, if any, is removed; a bookmark's
//     page is found by url_hash and URL or added (url_hash, rev_host,
//     frecency placeholder, GUID, and its origin in moz_origins);
//   - a deleted item and everything in it goes, with a tombstone for each
//     item the server has (syncStatus NORMAL) and none for the others;
//     annotations go with them, and the keyword of a URL no bookmark keeps
//     any more;
//   - moved and updated items, the folders whose children change, the
//     separators after a changed position (Firefox's merger matches
//     separators by position), and the bookmarks whose URL's keyword or
//     tags change get their syncChangeCounter raised by edit.Result.Bumps;
//     lastModified is now for the changed items and folders;
//   - keywords and tags are written per URL as Places keeps them
//     (moz_keywords; a tag folder under the tags root and an entry per
//     URL), through the same TEMP view and triggers Firefox's sync uses;
//   - Places' TEMP triggers keep foreign_count, frecency, hidden and the
//     recalc flags, and Apply's coherence repairs (empty tag folders, tag
//     positions, dateAdded) finish the transaction, so the file needs no
//     maintenance.
//
// Folder positions are written from the preview tree, so the file and the
// preview agree by construction, even where the file had gaps.
//
// A *VerifyError comes with the report when the file read back differs
// from the preview.
func WriteEdit(ctx context.Context, plan *EditPlan, opts Options) (*EditReport, error) {
	start := time.Now()
	if plan == nil || plan.Preview == nil {
		return nil, errors.New("apply: no change set to write")
	}
	if opts.Clock == nil {
		opts.Clock = func() time.Time { return plan.Now }
	}
	profileDir := plan.ProfileDir
	if opts.BackupRoot == "" {
		opts.BackupRoot = filepath.Join(profileDir, BackupFolder)
	}
	pp := placesPath(profileDir)
	rep := &EditReport{Upload: plan.Preview.Upload}
	hooks := opts.hooks
	if len(plan.Preview.Steps) == 0 {
		rep.Skipped = true
		return rep, nil
	}

	if running, pid, _ := places.FirefoxRunning(profileDir); running {
		return nil, fmt.Errorf("%w (pid %d) with profile %s: quit Firefox before writing", ErrFirefoxRunning, pid, profileDir)
	}
	if _, err := os.Stat(filepath.Join(profileDir, BackupFolder, markerName)); err == nil {
		return nil, fmt.Errorf("%w in %s: preview again (that finishes it) before writing", ErrInterrupted, profileDir)
	}
	if err := checkIdentity(pp, "-wal", plan.PlacesFile); err != nil {
		return nil, err
	}
	for _, p := range []string{profileDir, pp} {
		if err := checkWritable(p, hooks); err != nil {
			return nil, err
		}
	}
	existing := existingFiles(profileDir)

	c, err := openConn(pp, hooks.connector())
	if err != nil {
		return nil, dbsnap.QueryError(places.What, pp, err)
	}
	defer c.close()
	if err := checkEditable(ctx, c.db, plan, profileDir, pp); err != nil {
		return nil, err
	}
	rep.Timings.Checks = time.Since(start)

	t0 := time.Now()
	taken, err := backupBeforeWriting(profileDir, pp, opts, existing, true, "places.sqlite")
	rep.FirefoxBackup = taken.firefox
	if taken.warning != "" {
		rep.Warnings = append(rep.Warnings, taken.warning)
	}
	if err != nil {
		return nil, err
	}
	bdir := taken.dir
	rep.BackupDir = bdir
	rep.Timings.Backup = time.Since(t0)

	t0 = time.Now()
	marker, err := markWriteStarted(profileDir, bdir)
	if err != nil {
		return nil, err
	}
	committed, err := editTransaction(ctx, c, plan, hooks)
	if err != nil {
		c.close()
		if !committed {
			return nil, putBackUncommitted(err, profileDir, marker, bdir, true)
		}
		return nil, err
	}
	if err := c.close(); err != nil {
		return nil, fmt.Errorf("closing places.sqlite after the commit: %w", err)
	}
	if err := os.Remove(marker); err != nil {
		return nil, err
	}
	if err := syncDir(filepath.Dir(marker)); err != nil {
		return nil, err
	}
	rep.Timings.Write = time.Since(t0)

	if !opts.SkipVerify {
		t0 = time.Now()
		err := VerifyEdit(profileDir, plan)
		rep.Timings.Verify = time.Since(t0)
		rep.Timings.Total = time.Since(start)
		if err != nil {
			return rep, err
		}
		rep.Verified = true
	}
	rep.Timings.Total = time.Since(start)
	return rep, nil
}

// checkEditable runs the checks that write nothing on the open file:
// SQLite's structural check, the schema version, the write lock (taken
// and released) and the fingerprint.
func checkEditable(ctx context.Context, db *sql.DB, plan *EditPlan, profileDir, pp string) error {
	ds, err := dbcheck.Check(ctx, db, "main", pp)
	switch {
	case isBusy(err):
		return fmt.Errorf("places.sqlite at %s is %w: %v", pp, ErrLocked, err)
	case err != nil:
		return err
	case len(ds) > 0:
		return fmt.Errorf("places.sqlite at %s is %w (%s): nothing written; bmtui does not write into a damaged file; run bmtui salvage --profile %s",
			pp, ErrDamaged, cmp.Or(dbcheck.Where(ds), "SQLite's check fails"), profileDir)
	}
	var v int
	if err := db.QueryRow(`PRAGMA main.user_version`).Scan(&v); err != nil {
		if isBusy(err) {
			return fmt.Errorf("places.sqlite at %s is %w: %v", pp, ErrLocked, err)
		}
		return dbsnap.QueryError(places.What, pp, err)
	}
	if v != PlacesSchemaVersion {
		return fmt.Errorf("places.sqlite at %s has %w %d: bmtui writes only %d (Firefox ESR 153)", pp, ErrUnsupportedSchema, v, PlacesSchemaVersion)
	}
	tx, err := db.Begin()
	if err != nil {
		if isBusy(err) {
			return fmt.Errorf("places.sqlite is %w (another program has a write transaction open): %v", ErrLocked, err)
		}
		return err
	}
	defer tx.Rollback() //nolint:errcheck // read-only check
	return checkPlacesPrint(tx, plan, pp)
}

func checkPlacesPrint(tx *sql.Tx, plan *EditPlan, pp string) error {
	pf, err := places.ReadFingerprint(tx, "main")
	if err != nil {
		if isBusy(err) {
			return fmt.Errorf("places.sqlite at %s is %w: %v", pp, ErrLocked, err)
		}
		return dbsnap.QueryError(places.What, pp, err)
	}
	if pf != plan.Places {
		return fmt.Errorf("places.sqlite at %s %w (its bookmarks differ): preview again", pp, ErrChanged)
	}
	return nil
}

// editTransaction switches places.sqlite to a rollback journal, writes the
// set in one transaction and switches back to WAL, as writeTransaction
// does for a merge.
func editTransaction(ctx context.Context, c *conn, plan *EditPlan, hooks *testHooks) (committed bool, err error) {
	db := c.db
	for _, q := range []string{
		`PRAGMA foreign_keys = ON`,
		`PRAGMA main.synchronous = FULL`,
		`PRAGMA main.cache_spill = OFF`,
		`PRAGMA temp_store = MEMORY`,
	} {
		if _, err := db.Exec(q); err != nil {
			return false, fmt.Errorf("%s: %w", q, err)
		}
	}
	var mode string
	if err := db.QueryRow(`PRAGMA main.journal_mode = DELETE`).Scan(&mode); err != nil {
		if isBusy(err) {
			return false, fmt.Errorf("places.sqlite is %w: %v", ErrLocked, err)
		}
		return false, fmt.Errorf("switch places.sqlite to a rollback journal: %w", err)
	}
	if !strings.EqualFold(mode, "delete") {
		return false, fmt.Errorf("switch places.sqlite to a rollback journal: journal mode is still %s", mode)
	}
	defer backToWAL(db, hooks, "the changes were", &err)
	tx, err := beginWrite(ctx, db, hooks, "places.sqlite is")
	if err != nil {
		return false, err
	}
	defer abandonUnless(db, tx, &committed)
	if err := checkPlacesPrint(tx, plan, placesPath(plan.ProfileDir)); err != nil {
		return false, err
	}
	w := &editWriter{tx: tx, nowUs: plan.Now.UnixMilli() * 1000, res: plan.Preview, hooks: hooks, stmts: map[string]*sql.Stmt{}}
	err = w.write()
	w.close()
	if err != nil {
		return false, err
	}
	if err := repairCoherence(tx); err != nil {
		return false, fmt.Errorf("repairs: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	if err := hooks.Step("committing"); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit: %w", err)
	}
	committed = true
	if err := hooks.Step("committed"); err != nil {
		return true, err
	}
	return true, nil
}

// editWriter writes one set inside the transaction.
type editWriter struct {
	tx    *sql.Tx
	nowUs int64
	res   *edit.Result
	hooks *testHooks
	ids   map[string]int64 // moz_bookmarks ids by GUID, as looked up or inserted
	stmts map[string]*sql.Stmt
}

// exec runs q through a statement prepared once per transaction (a set
// runs the same few statements per item: preparing each time cost more
// than running them).
func (w *editWriter) exec(q string, args ...any) (sql.Result, error) {
	st, err := w.prepared(q)
	if err != nil {
		return nil, err
	}
	return st.Exec(args...)
}

func (w *editWriter) queryRow(q string, args ...any) *sql.Row {
	st, err := w.prepared(q)
	if err != nil {
		return w.tx.QueryRow(q, args...) // reports the same error
	}
	return st.QueryRow(args...)
}

func (w *editWriter) prepared(q string) (*sql.Stmt, error) {
	if st, ok := w.stmts[q]; ok {
		return st, nil
	}
	st, err := w.tx.Prepare(q)
	if err != nil {
		return nil, err
	}
	w.stmts[q] = st
	return st, nil
}

func (w *editWriter) close() {
	for _, st := range w.stmts {
		st.Close()
	}
}

func (w *editWriter) write() error {
	w.ids = map[string]int64{}
	touched := map[string]bool{} // folders whose children change
	stamped := map[string]bool{} // items and folders whose lastModified is now
	for i, st := range w.res.Steps {
		var err error
		switch st.Op {
		case edit.Insert:
			err = w.insert(st)
			touched[st.Parent], stamped[st.GUID], stamped[st.Parent] = true, true, true
		case edit.Move:
			err = w.move(st)
			touched[st.Parent], touched[st.From], stamped[st.GUID], stamped[st.Parent], stamped[st.From] = true, true, true, true, true
		case edit.Delete:
			err = w.remove(st)
			touched[st.From], stamped[st.From] = true, true
		case edit.Update:
			err = w.update(st)
			stamped[st.GUID] = true
		}
		if err != nil {
			return fmt.Errorf("change %d (%s %s): %w", i+1, st.Op, st.GUID, err)
		}
		if err := w.hooks.Step("change"); err != nil {
			return err
		}
	}
	if err := w.positions(touched); err != nil {
		return fmt.Errorf("positions: %w", err)
	}
	if err := w.urls(); err != nil {
		return fmt.Errorf("keywords and tags: %w", err)
	}
	for _, g := range sortedKeys(stamped) {
		if w.res.Tree.Lookup(g) == nil {
			continue
		}
		if _, err := w.exec(`UPDATE OR FAIL moz_bookmarks SET lastModified = MAX(lastModified, ?) WHERE guid = ?`, w.nowUs, g); err != nil {
			return err
		}
	}
	for _, g := range sortedKeys(w.res.Bumps) {
		if _, err := w.exec(`UPDATE OR FAIL moz_bookmarks SET syncChangeCounter = syncChangeCounter + ? WHERE guid = ?`, w.res.Bumps[g], g); err != nil {
			return fmt.Errorf("change counters: %w", err)
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// id is the moz_bookmarks id of guid.
func (w *editWriter) id(guid string) (int64, error) {
	if id, ok := w.ids[guid]; ok {
		return id, nil
	}
	var id int64
	if err := w.queryRow(`SELECT id FROM moz_bookmarks WHERE guid = ?`, guid).Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, fmt.Errorf("%s is not in places.sqlite", guid)
		}
		return 0, err
	}
	w.ids[guid] = id
	return id, nil
}

func (w *editWriter) insert(st edit.Step) error {
	pid, err := w.id(st.Parent)
	if err != nil {
		return err
	}
	src := st.Item.Info
	if src == nil {
		src = &tree.Info{}
	}
	typ, title := typeBookmark, any(src.Title)
	var fk any
	switch st.Kind {
	case tree.KindFolder:
		typ = typeFolder
	case tree.KindSeparator:
		typ, title = typeSeparator, nil
	default:
		id, err := w.page(src.URL)
		if err != nil {
			return err
		}
		fk = id
	}
	added := src.DateAdded
	if added <= 0 || added > w.nowUs {
		added = w.nowUs
	}
	r, err := w.exec(`INSERT OR FAIL INTO moz_bookmarks(guid, parent, position, type, fk, title, dateAdded, lastModified, syncStatus, syncChangeCounter)
		VALUES (?, ?, ?, ?, ?, NULLIF(?, ''), ?, ?, ?, 0)`, st.GUID, pid, st.Index, typ, fk, title, added, w.nowUs, tree.SyncStatusNew)
	if err != nil {
		return err
	}
	if w.ids[st.GUID], err = r.LastInsertId(); err != nil {
		return err
	}
	_, err = w.exec(`DELETE FROM moz_bookmarks_deleted WHERE guid = ?`, st.GUID)
	return err
}

func (w *editWriter) move(st edit.Step) error {
	pid, err := w.id(st.Parent)
	if err != nil {
		return err
	}
	id, err := w.id(st.GUID)
	if err != nil {
		return err
	}
	_, err = w.exec(`UPDATE OR FAIL moz_bookmarks SET parent = ?, position = ? WHERE id = ?`, pid, st.Index, id)
	return err
}

// remove deletes st's item and its subtree, with tombstones for the
// synced ones, as Places' Bookmarks.remove does.
func (w *editWriter) remove(st edit.Step) error {
	id, err := w.id(st.GUID)
	if err != nil {
		return err
	}
	const subtree = `WITH RECURSIVE sub(id) AS (SELECT ? UNION ALL SELECT b.id FROM moz_bookmarks b JOIN sub ON b.parent = sub.id) `
	if _, err := w.exec(subtree+`INSERT OR REPLACE INTO moz_bookmarks_deleted(guid, dateRemoved)
		SELECT guid, ? FROM moz_bookmarks WHERE id IN sub AND syncStatus = ?`, id, w.nowUs, tree.SyncStatusNormal); err != nil {
		return err
	}
	if _, err := w.exec(subtree+`DELETE FROM moz_items_annos WHERE item_id IN sub`, id); err != nil {
		return err
	}
	rows, err := w.tx.Query(subtree+`SELECT guid FROM moz_bookmarks WHERE id IN sub`, id)
	if err != nil {
		return err
	}
	var gone []string
	for rows.Next() {
		var g string
		if err := rows.Scan(&g); err != nil {
			rows.Close()
			return err
		}
		gone = append(gone, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, g := range gone {
		delete(w.ids, g)
	}
	_, err = w.exec(subtree+`DELETE FROM moz_bookmarks WHERE id IN sub`, id)
	return err
}

func (w *editWriter) update(st edit.Step) error {
	id, err := w.id(st.GUID)
	if err != nil {
		return err
	}
	info := st.Item.Info
	if st.Kind == tree.KindSeparator {
		return nil
	}
	if st.Kind == tree.KindBookmark || st.Kind == tree.KindQuery {
		fk, err := w.page(info.URL)
		if err != nil {
			return err
		}
		_, err = w.exec(`UPDATE OR FAIL moz_bookmarks SET title = NULLIF(?, ''), fk = ? WHERE id = ?`, info.Title, fk, id)
		return err
	}
	_, err = w.exec(`UPDATE OR FAIL moz_bookmarks SET title = NULLIF(?, '') WHERE id = ?`, info.Title, id)
	return err
}

// page is the moz_places id of url, added as Places' insert adds it when
// it has none (with its origin: Places' AFTER INSERT trigger's work).
func (w *editWriter) page(url string) (int64, error) {
	hash := int64(urls.Hash(url))
	var id int64
	err := w.queryRow(`SELECT id FROM moz_places WHERE url_hash = ? AND url = ?`, hash, url).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	frecency := -1
	if urls.IsQuery(url) {
		frecency = 0
	}
	r, err := w.exec(`INSERT OR FAIL INTO moz_places(url, url_hash, rev_host, hidden, frecency, guid) VALUES (?, ?, ?, 0, ?, ?)`,
		url, hash, urls.RevHost(url), frecency, NewGUID())
	if err != nil {
		return 0, err
	}
	if id, err = r.LastInsertId(); err != nil {
		return 0, err
	}
	prefix, host := urls.Prefix(url), urls.HostAndPort(url)
	if _, err := w.exec(`INSERT INTO moz_origins(prefix, host, frecency, recalc_frecency, recalc_alt_frecency) VALUES (?, ?, ?, 1, 1)
		ON CONFLICT(prefix, host) DO NOTHING`, prefix, host, frecency); err != nil {
		return 0, err
	}
	_, err = w.exec(`UPDATE OR FAIL moz_places SET origin_id = (SELECT id FROM moz_origins WHERE prefix = ? AND host = ?) WHERE id = ?`, prefix, host, id)
	return id, err
}

// positions numbers the children of every touched folder as the preview
// tree has them.
func (w *editWriter) positions(touched map[string]bool) error {
	for _, f := range sortedKeys(touched) {
		n := w.res.Tree.Lookup(f)
		if n == nil {
			continue
		}
		for pos, c := range w.res.Tree.ChildrenOf(n) {
			id, err := w.id(w.res.Tree.Node(c).GUID)
			if err != nil {
				return err
			}
			if _, err := w.exec(`UPDATE OR FAIL moz_bookmarks SET position = ? WHERE id = ? AND position IS NOT ?`, pos, id, pos); err != nil {
				return err
			}
		}
	}
	return nil
}

// urls writes the keyword and tags of every URL the set writes, as the
// preview tree has them, and removes the keywords of URLs no bookmark
// keeps.
func (w *editWriter) urls() error {
	want := map[string]*tree.Info{}
	w.res.Tree.Walk(func(_ int32, n *tree.Node) bool {
		if n.GUID == tree.TagsGUID {
			return true
		}
		if p := w.res.Tree.ParentOf(n); p != nil && p.GUID == tree.TagsGUID {
			return true
		}
		if n.Info != nil && n.Info.URL != "" && want[n.Info.URL] == nil {
			want[n.Info.URL] = n.Info
		}
		return true
	})
	for _, url := range w.res.URLs {
		info := want[url]
		if info == nil {
			continue
		}
		place, err := w.page(url)
		if err != nil {
			return err
		}
		if err := w.keyword(place, info.Keyword); err != nil {
			return err
		}
		if err := w.tags(place, info.Tags); err != nil {
			return err
		}
	}
	for _, url := range w.res.Unbookmarked {
		if _, err := w.exec(`DELETE FROM moz_keywords WHERE place_id = (SELECT id FROM moz_places WHERE url_hash = ? AND url = ?)
			AND NOT EXISTS (SELECT 1 FROM moz_bookmarks b JOIN moz_bookmarks p ON p.id = b.parent
				WHERE b.fk = moz_keywords.place_id AND p.parent <> (SELECT id FROM moz_bookmarks WHERE guid = 'tags________'))`,
			int64(urls.Hash(url)), url); err != nil {
			return err
		}
	}
	return nil
}

// keyword makes keyword the one keyword of place ("" none), taking it
// from another page that has it, as Places' keywords.insert does.
func (w *editWriter) keyword(place int64, keyword string) error {
	var have []string
	rows, err := w.tx.Query(`SELECT keyword FROM moz_keywords WHERE place_id = ? ORDER BY keyword`, place)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			rows.Close()
			return err
		}
		have = append(have, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// The reader shows the first keyword of a page; leave it be when it
	// is the one wanted.
	if (keyword == "" && len(have) == 0) || (len(have) > 0 && have[0] == keyword) {
		return nil
	}
	if _, err := w.exec(`DELETE FROM moz_keywords WHERE place_id = ?`, place); err != nil {
		return err
	}
	if keyword == "" {
		return nil
	}
	if _, err := w.exec(`DELETE FROM moz_keywords WHERE keyword = ?`, keyword); err != nil {
		return err
	}
	_, err = w.exec(`INSERT OR FAIL INTO moz_keywords(keyword, place_id, post_data) VALUES (?, ?, '')`, keyword, place)
	return err
}

// tags makes tags the tags of place, through Firefox's localTags view and
// its triggers (a tag folder is created when missing; empty ones are
// removed by repairCoherence).
func (w *editWriter) tags(place int64, tags []string) error {
	var have []string
	rows, err := w.tx.Query(`SELECT tag FROM localTags WHERE placeId = ?`, place)
	if err != nil {
		return err
	}
	for rows.Next() {
		var t sql.NullString
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		have = append(have, t.String)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range have {
		if !slices.Contains(tags, t) {
			if _, err := w.exec(`DELETE FROM localTags WHERE placeId = ? AND tag = ?`, place, t); err != nil {
				return err
			}
		}
	}
	for _, t := range tags {
		if !slices.Contains(have, t) {
			if _, err := w.exec(`INSERT INTO localTags(tag, placeId, lastModifiedMicroseconds) VALUES (?, ?, ?)`, t, place, w.nowUs); err != nil {
				return err
			}
		}
	}
	return nil
}

// VerifyEdit reads places.sqlite back and compares it with plan's preview
// tree: every item outside the tags folder at its parent and position
// with its kind, title, URL, keyword, tags, syncStatus and change counter,
// nothing else there, and the same tombstones; and SQLite's quick_check
// and foreign_key_check pass.
func VerifyEdit(profileDir string, plan *EditPlan) error {
	pp := placesPath(profileDir)
	src, err := places.OpenSource(pp)
	if err != nil {
		return fmt.Errorf("apply: reading %s back: %w", pp, err)
	}
	defer src.Close()
	got, err := src.Load(plan.Now)
	if err != nil {
		return fmt.Errorf("apply: reading %s back: %w", pp, err)
	}
	probs := compareTrees(plan.Preview.Tree, got.Tree)
	if d, err := src.Damage(); err != nil || len(d) > 0 {
		probs = append(probs, fmt.Sprintf("places.sqlite check: %v %v", d, err))
	}
	if len(probs) > 0 {
		return &VerifyError{Problems: probs}
	}
	return nil
}

// compareTrees lists how got differs from want, the tags folder aside.
func compareTrees(want, got *tree.Tree) []string {
	var probs []string
	inTags := func(t *tree.Tree, n *tree.Node) bool {
		for p := t.ParentOf(n); p != nil; p = t.ParentOf(p) {
			if p.GUID == tree.TagsGUID {
				return true
			}
		}
		return false
	}
	count := func(t *tree.Tree) int {
		k := 0
		t.Walk(func(_ int32, n *tree.Node) bool {
			if !inTags(t, n) {
				k++
			}
			return true
		})
		return k
	}
	if a, b := count(want), count(got); a != b {
		probs = append(probs, fmt.Sprintf("%d items outside the tags folder, want %d", b, a))
	}
	want.Walk(func(_ int32, w *tree.Node) bool {
		if inTags(want, w) {
			return true
		}
		g := got.Lookup(w.GUID)
		if g == nil {
			probs = append(probs, w.GUID+" is missing")
			return true
		}
		wp, gp := want.ParentOf(w), got.ParentOf(g)
		if (wp == nil) != (gp == nil) || (wp != nil && (wp.GUID != gp.GUID || w.Position != g.Position)) {
			probs = append(probs, fmt.Sprintf("%s is not at its place", w.GUID))
		}
		if w.Kind != g.Kind {
			probs = append(probs, fmt.Sprintf("%s is a %s, want %s", w.GUID, g.Kind, w.Kind))
		}
		if w.Info != nil && g.Info != nil && w.GUID != tree.TagsGUID {
			wi, gi := w.Info, g.Info
			if wi.Title != gi.Title || wi.URL != gi.URL || wi.Keyword != gi.Keyword || !slices.Equal(wi.Tags, gi.Tags) {
				probs = append(probs, fmt.Sprintf("%s has %q %q %q %q, want %q %q %q %q", w.GUID, gi.Title, gi.URL, gi.Keyword, gi.Tags, wi.Title, wi.URL, wi.Keyword, wi.Tags))
			}
			if wi.SyncStatus != gi.SyncStatus || wi.SyncChangeCounter != gi.SyncChangeCounter {
				probs = append(probs, fmt.Sprintf("%s has syncStatus %d counter %d, want %d %d", w.GUID, gi.SyncStatus, gi.SyncChangeCounter, wi.SyncStatus, wi.SyncChangeCounter))
			}
		}
		return true
	})
	if a, b := want.Tombstones(), got.Tombstones(); !slices.Equal(a, b) {
		probs = append(probs, fmt.Sprintf("tombstones %q, want %q", b, a))
	}
	return probs
}
