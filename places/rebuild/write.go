package rebuild

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/bmtui/bmtui/internal/demo"
)

// SchemaVersion is the Places schema Write creates (Firefox ESR 153).
const SchemaVersion = demo.PlacesSchemaVersion

// Write creates a new places.sqlite at path (which must not exist) with
// Firefox's schema, page size and WAL mode, and every row of db with the
// values Places derives (see derive). The file is complete, checkpointed
// and fsynced when Write returns nil; on error it may be left partial and
// the caller removes it. now dates built-in roots db lacks.
func Write(ctx context.Context, path string, db *Database, now time.Time) (err error) {
	t, err := derive(db, now)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("rebuild: %s already exists", path)
	}
	// Create the file exclusively so a concurrent writer cannot share it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	f.Close()
	if err := writeTables(ctx, path, t); err != nil {
		return fmt.Errorf("rebuild %s: %w", path, err)
	}
	return syncFile(path)
}

func writeTables(ctx context.Context, path string, t *tables) (err error) {
	sdb, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := sdb.Close(); err == nil {
			err = cerr
		}
	}()
	sdb.SetMaxOpenConns(1)
	conn, err := sdb.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The file is new and swapped in only once complete, so no journal is
	// needed while it is built.
	for _, s := range []string{
		fmt.Sprintf("PRAGMA page_size = %d", demo.PageSize),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"PRAGMA foreign_keys = ON",
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for _, s := range demo.PlacesSchema() {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if err := insertAll(ctx, tx, t); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, s := range []string{
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		"ANALYZE",
		"DROP TABLE IF EXISTS sqlite_stat4", // modernc builds with STAT4; Firefox's files have only stat1
		"PRAGMA synchronous = FULL",
		"PRAGMA journal_mode = WAL",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	} {
		if _, err := conn.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
	}
	return nil
}

// insertAll inserts every row, parents before children.
func insertAll(ctx context.Context, tx *sql.Tx, t *tables) error {
	type batch struct {
		stmt string
		n    int
		row  func(i int) []any
	}
	null := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	nullInt := func(v int64) any {
		if v == 0 {
			return nil
		}
		return v
	}
	batches := []batch{
		{`INSERT INTO moz_origins(id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency) VALUES (?, ?, ?, ?, 1, 1)`,
			len(t.origins), func(i int) []any { o := t.origins[i]; return []any{o.id, o.prefix, o.host, o.frecency} }},
		{`INSERT INTO moz_places(id, url, title, rev_host, visit_count, hidden, typed, frecency, last_visit_date, guid,
			foreign_count, url_hash, description, preview_image_url, site_name, origin_id, recalc_frecency, recalc_alt_frecency)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.places), func(i int) []any {
				p := t.places[i]
				return []any{p.id, p.url, null(p.title), p.revHost, p.visitCount, p.hidden, p.typed, p.frecency, nullInt(p.lastVisitDate), p.guid,
					p.foreignCount, p.urlHash, null(p.description), null(p.previewImage), null(p.site), p.originID, p.recalcFrecency, p.recalcAltFrecency}
			}},
		{`INSERT INTO moz_historyvisits(id, from_visit, place_id, visit_date, visit_type, session, source) VALUES (?, 0, ?, ?, ?, 0, ?)`,
			len(t.visits), func(i int) []any { v := t.visits[i]; return []any{v.id, v.placeID, v.date, v.visitType, v.source} }},
		{`INSERT INTO moz_bookmarks(id, type, fk, parent, position, title, dateAdded, lastModified, guid, syncStatus, syncChangeCounter)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.bookmarks), func(i int) []any {
				b := t.bookmarks[i]
				var title any
				if b.title != nil {
					title = *b.title
				}
				return []any{b.id, b.typ, nullInt(b.fk), b.parent, b.position, title, b.dateAdded, b.lastModified, b.guid, b.syncStatus, b.counter}
			}},
		{`INSERT INTO moz_keywords(id, keyword, place_id, post_data) VALUES (?, ?, ?, ?)`,
			len(t.keywords), func(i int) []any { k := t.keywords[i]; return []any{k.id, k.keyword, k.placeID, k.postData} }},
		{`INSERT INTO moz_anno_attributes(id, name) VALUES (?, ?)`,
			len(t.attrs), func(i int) []any { return []any{i + 1, t.attrs[i]} }},
		{`INSERT INTO moz_items_annos(id, item_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.itemAnnos), func(i int) []any { return annoArgs(t.itemAnnos[i]) }},
		{`INSERT INTO moz_annos(id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.pageAnnos), func(i int) []any { return annoArgs(t.pageAnnos[i]) }},
		{`INSERT INTO moz_bookmarks_deleted(guid, dateRemoved) VALUES (?, ?)`,
			len(t.tombstones), func(i int) []any { return []any{t.tombstones[i].GUID, t.tombstones[i].DateRemoved} }},
		{`INSERT INTO moz_meta(key, value) VALUES (?, ?)`,
			len(t.meta), func(i int) []any { return []any{t.meta[i].key, t.meta[i].value} }},
	}
	for _, b := range batches {
		if b.n == 0 {
			continue
		}
		st, err := tx.PrepareContext(ctx, b.stmt)
		if err != nil {
			return err
		}
		for i := 0; i < b.n; i++ {
			if _, err := st.ExecContext(ctx, b.row(i)...); err != nil {
				st.Close()
				return fmt.Errorf("%.40s (row %d): %w", b.stmt, i, err)
			}
		}
		st.Close()
	}
	// AUTOINCREMENT's counter, as Firefox's inserts leave it.
	if len(t.keywords) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = 'moz_keywords'`, len(t.keywords)); err != nil {
			return err
		}
	}
	return nil
}

func annoArgs(a annoRow) []any {
	return []any{a.id, a.target, a.attr, a.content, a.flags, a.expiration, a.typ, a.dateAdded, a.lastModified}
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	return errors.Join(err, f.Close())
}

// Check reports whether Write would accept db, without writing anything.
func Check(db *Database, now time.Time) error {
	if _, err := derive(db, now); err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return nil
}
