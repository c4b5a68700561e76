// Package demo writes a sample Firefox profile (places.sqlite and
// weave/bookmarks.sqlite) in which both the local bookmarks and the Sync
// mirror were edited since the last sync, with conflicts and a corrupt
// remote tree. The databases are written with the project's own code, the
// way Firefox ESR 153 writes them (docs/formats.md#places-database, #sync-mirror, #firefox-esr-153-behaviour).
package demo

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/bmtui/bmtui/places/urls"
	_ "modernc.org/sqlite" // database/sql driver "sqlite"
)

// ErrExists is returned when the profile directory already has content.
var ErrExists = errors.New("demo: profile directory exists and is not empty")

// Create writes the demo profile into dir (created if needed; an existing
// dir must be empty) and returns dir. now is the moment the profile is
// "opened": the last sync was three days earlier, local edits and remote
// records lie in between (see Expect and TimesFor). The same now always
// gives byte-identical files.
func Create(dir string, now time.Time) (profileDir string, err error) {
	if err := checkEmpty(dir); err != nil {
		return "", err
	}
	if err := os.MkdirAll(filepath.Join(dir, "weave"), 0o755); err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			os.Remove(filepath.Join(dir, PlacesFile))
			os.Remove(filepath.Join(dir, PlacesFile+"-wal"))
			os.Remove(filepath.Join(dir, PlacesFile+"-shm"))
			os.Remove(filepath.Join(dir, MirrorFile))
		}
	}()
	tm := TimesFor(now)
	base := baseTree(tm)
	local := base.clone()
	localEdits(local, tm)
	remote := base.clone()
	remoteEdits(remote, tm)
	ctx := context.Background()
	if err := writePlaces(ctx, filepath.Join(dir, PlacesFile), base, local, tm); err != nil {
		return "", fmt.Errorf("demo: places: %w", err)
	}
	if err := writeMirror(ctx, filepath.Join(dir, MirrorFile), mirrorRecords(remote, tm), tm); err != nil {
		return "", fmt.Errorf("demo: mirror: %w", err)
	}
	return dir, nil
}

// places and mirror file names inside the profile.
const (
	PlacesFile = "places.sqlite"
	MirrorFile = "weave/bookmarks.sqlite"
)

func checkEmpty(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(entries) > 0 {
		return fmt.Errorf("%w: %s", ErrExists, dir)
	}
	return nil
}

// openNew opens a fresh database file on one connection.
func openNew(ctx context.Context, path string) (*sql.DB, *sql.Conn, error) {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return nil, nil, err
	}
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		db.Close()
		return nil, nil, err
	}
	return db, conn, nil
}

// newDatabase creates the database at path with Firefox's page size, the
// given journal mode and schema, and returns an open transaction on its one
// connection; done closes the connection and the database.
func newDatabase(ctx context.Context, path, journalMode, what string, schema []string) (conn *sql.Conn, tx *sql.Tx, done func() error, err error) {
	db, conn, err := openNew(ctx, path)
	if err != nil {
		return nil, nil, nil, err
	}
	done = func() error { return errors.Join(conn.Close(), db.Close()) }
	fail := func(err error) (*sql.Conn, *sql.Tx, func() error, error) {
		done()
		return nil, nil, nil, err
	}
	if err := execAll(ctx, conn,
		fmt.Sprintf("PRAGMA page_size = %d", PageSize),
		"PRAGMA journal_mode = "+journalMode,
		"PRAGMA foreign_keys = ON",
	); err != nil {
		return fail(err)
	}
	if tx, err = conn.BeginTx(ctx, nil); err != nil {
		return fail(err)
	}
	for _, s := range schema {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			tx.Rollback()
			return fail(fmt.Errorf("%s schema: %w", what, err))
		}
	}
	return conn, tx, done, nil
}

func execAll(ctx context.Context, conn *sql.Conn, stmts ...string) error {
	for _, s := range stmts {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%.60s: %w", s, err)
		}
	}
	return nil
}

type page struct {
	id, originID int64
	url, guid    string
	bookmarks    int
	keywords     int
}

func writePlaces(ctx context.Context, path string, base, local *tree, tm Times) (err error) {
	conn, tx, done, err := newDatabase(ctx, path, "wal", "places", placesSchema)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := done(); err == nil {
			err = cerr
		}
	}()
	defer tx.Rollback()

	// Bookmark rows in creation order: roots (ids 1-6), the synced tree,
	// then local inserts.
	var items []*node
	local.root.walk(func(n *node) { items = append(items, n) })
	slices.SortFunc(items, func(a, b *node) int { return a.seq - b.seq })
	nextID := int64(0)
	ids := map[*node]int64{}
	for _, n := range items {
		nextID++
		ids[n] = nextID
	}

	// Pages, in the order their first bookmark was created; pages of
	// bookmarks removed locally stay (Places never deletes them).
	var all []*node
	seen := map[string]bool{}
	for _, t := range []*tree{local, base} {
		t.root.walk(func(n *node) {
			if !seen[n.guid] {
				seen[n.guid] = true
				all = append(all, n)
			}
		})
	}
	slices.SortFunc(all, func(a, b *node) int { return a.seq - b.seq })
	pages := map[string]*page{}
	var pageOrder []*page
	type originKey struct{ prefix, host string }
	origins := map[originKey]int64{}
	for _, n := range all {
		if n.url == "" || pages[n.url] != nil {
			continue
		}
		p := &page{id: int64(len(pageOrder) + 1), url: n.url, guid: stableGUID("page", n.url)}
		k := originKey{urls.Prefix(n.url), urls.HostAndPort(n.url)}
		if _, ok := origins[k]; !ok {
			origins[k] = int64(len(origins) + 1)
			frec := -1
			if urls.IsQuery(n.url) {
				frec = 0
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO moz_origins(id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency)
				VALUES (?, ?, ?, ?, 1, 1)`, origins[k], k.prefix, k.host, frec); err != nil {
				return err
			}
		}
		p.originID = origins[k]
		pages[n.url] = p
		pageOrder = append(pageOrder, p)
	}

	// Tags and keywords of the bookmarks that exist locally.
	type tagFolder struct {
		guid                    string
		title                   string
		dateAdded, lastModified int64
		entries                 []*node
		urls                    map[string]bool
	}
	var tagFolders []*tagFolder
	byTag := map[string]*tagFolder{}
	type kw struct {
		keyword string
		page    *page
	}
	var keywords []kw
	kwSeen := map[string]bool{}
	for _, n := range items {
		if n.url == "" {
			continue
		}
		p := pages[n.url]
		p.bookmarks++
		if n.keyword != "" && !kwSeen[normKeyword(n.keyword)] {
			kwSeen[normKeyword(n.keyword)] = true
			keywords = append(keywords, kw{normKeyword(n.keyword), p})
			p.keywords++
		}
		if n.kind != kindBookmark {
			continue
		}
		for _, tag := range n.tags {
			f := byTag[tag]
			if f == nil {
				f = &tagFolder{guid: stableGUID("tag", tag), title: tag, dateAdded: n.dateAdded, urls: map[string]bool{}}
				byTag[tag] = f
				tagFolders = append(tagFolders, f)
			}
			if f.urls[n.url] {
				continue
			}
			f.urls[n.url] = true
			f.entries = append(f.entries, n)
			f.lastModified = max(f.lastModified, n.dateAdded)
			p.bookmarks++
		}
	}

	for _, p := range pageOrder {
		query := urls.IsQuery(p.url)
		hidden, frecency, recalc := 0, 1, 1
		if query {
			hidden, frecency, recalc = 1, 0, 0
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO moz_places(id, url, title, rev_host, hidden, frecency, guid,
			foreign_count, url_hash, origin_id, recalc_frecency, recalc_alt_frecency)
			VALUES (?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.id, p.url, urls.RevHost(p.url), hidden, frecency, p.guid,
			p.bookmarks+p.keywords, int64(urls.Hash(p.url)), p.originID, recalc, recalc); err != nil {
			return err
		}
	}

	tagsRoot := local.get("tags________")
	tagsRoot.counter = 1 + len(tagFolders)
	for _, f := range tagFolders {
		tagsRoot.lastModified = max(tagsRoot.lastModified, f.dateAdded)
	}
	insertBM := func(id int64, typ int, fk *int64, parent int64, pos int, title *string, added, modified int64, guid string, status, counter int) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO moz_bookmarks(id, type, fk, parent, position, title,
			dateAdded, lastModified, guid, syncStatus, syncChangeCounter) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, typ, fk, parent, pos, title, added*1000, modified*1000, guid, status, counter)
		return err
	}
	for _, n := range items {
		typ := map[int]int{kindBookmark: 1, kindQuery: 1, kindFolder: 2, kindSeparator: 3}[n.kind]
		var fk *int64
		if n.url != "" {
			fk = &pages[n.url].id
		}
		var parent int64
		pos := 0
		if n.parent != nil {
			parent, pos = ids[n.parent], n.index()
		}
		var title *string
		if n.title != "" || n.guid == "root________" {
			title = &n.title
		}
		if err := insertBM(ids[n], typ, fk, parent, pos, title, n.dateAdded, n.lastModified, n.guid, n.status, n.counter); err != nil {
			return err
		}
	}
	for i, f := range tagFolders {
		nextID++
		fid := nextID
		title := f.title
		if err := insertBM(fid, 2, nil, ids[tagsRoot], i, &title, f.dateAdded, f.lastModified, f.guid, 1, 1+len(f.entries)); err != nil {
			return err
		}
		for j, n := range f.entries {
			nextID++
			if err := insertBM(nextID, 1, &pages[n.url].id, fid, j, nil, n.dateAdded, n.dateAdded,
				stableGUID("tagentry", f.title, n.url), 1, 2); err != nil {
				return err
			}
		}
	}
	for _, k := range keywords {
		if _, err := tx.ExecContext(ctx, `INSERT INTO moz_keywords(keyword, place_id, post_data) VALUES (?, ?, '')`,
			k.keyword, k.page.id); err != nil {
			return err
		}
	}
	for _, g := range local.tombOrder {
		if _, err := tx.ExecContext(ctx, `INSERT INTO moz_bookmarks_deleted(guid, dateRemoved) VALUES (?, ?)`,
			g, local.tombs[g]*1000); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO moz_meta(key, value) VALUES
		('sync/bookmarks/syncid', ?), ('sync/bookmarks/lastsync', ?)`,
		SyncID, float64(tm.LastSync.UnixMilli())); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return execAll(ctx, conn,
		fmt.Sprintf("PRAGMA user_version = %d", PlacesSchemaVersion),
		"ANALYZE",
		"DROP TABLE IF EXISTS sqlite_stat4", // modernc builds with STAT4; Firefox's files have only stat1
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
}

func writeMirror(ctx context.Context, path string, recs []*mrec, tm Times) (err error) {
	conn, tx, done, err := newDatabase(ctx, path, "delete", "mirror", mirrorSchema)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := done(); err == nil {
			err = cerr
		}
	}()
	defer tx.Rollback()
	urlIDs := map[string]int64{}
	for i, r := range recs {
		id := int64(i + 1)
		var urlID *int64
		if r.url != "" && r.validity != 3 {
			if _, ok := urlIDs[r.url]; !ok {
				urlIDs[r.url] = int64(len(urlIDs) + 1)
				if _, err := tx.ExecContext(ctx, `INSERT INTO urls(id, guid, url, hash, revHost) VALUES (?, ?, ?, ?, ?)`,
					urlIDs[r.url], stableGUID("url", r.url), r.url, int64(urls.Hash(r.url)), urls.RevHost(r.url)); err != nil {
					return err
				}
			}
			v := urlIDs[r.url]
			urlID = &v
		}
		var parent, title, keyword *string
		if !r.deleted {
			parent = &r.parent
		}
		if r.title != "" {
			title = &r.title
		}
		if k := normKeyword(r.keyword); k != "" && r.kind == kindBookmark {
			keyword = &k
		}
		dateAdded := int64(0)
		if !r.deleted && r.guid != "root________" {
			dateAdded = ratchet(r.dateAdded, r.modified)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO items(id, guid, parentGuid, serverModified, needsMerge,
			validity, isDeleted, kind, dateAdded, title, urlId, keyword) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, r.guid, parent, r.modified, r.needsMerge, r.validity, r.deleted, r.kind, dateAdded, title, urlID, keyword); err != nil {
			return fmt.Errorf("mirror item %s: %w", r.guid, err)
		}
		if r.isFolder && !r.deleted {
			if r.guid == "root________" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO structure(guid, parentGuid, position) VALUES (?, ?, -1)`, r.guid, r.guid); err != nil {
					return err
				}
			}
			for pos, c := range r.children {
				if _, err := tx.ExecContext(ctx, `INSERT INTO structure(guid, parentGuid, position) VALUES (?, ?, ?)`, c, r.guid, pos); err != nil {
					return fmt.Errorf("mirror structure %s/%s: %w", r.guid, c, err)
				}
			}
		}
		if r.kind == kindBookmark && !r.deleted {
			for _, tag := range r.tags {
				if _, err := tx.ExecContext(ctx, `INSERT INTO tags(itemId, tag) VALUES (?, ?)`, id, tag); err != nil {
					return err
				}
			}
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO meta(key, value) VALUES
		('collection/lastModified', ?), ('collection/syncId', ?)`,
		float64(tm.LastSync.UnixMilli()), SyncID); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	return execAll(ctx, conn,
		fmt.Sprintf("PRAGMA user_version = %d", MirrorSchemaVersion),
		"ANALYZE",
		"DROP TABLE IF EXISTS sqlite_stat4",
	)
}
