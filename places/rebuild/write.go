package rebuild

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"strings"
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
func Write(ctx context.Context, path string, db *Database, now time.Time) error {
	t, err := derive(db, now)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	return writeFile(ctx, path, t)
}

// WriteVerified is Write then Verify, deriving the rows once. It returns
// how long each took (the derivation counts as writing).
func WriteVerified(ctx context.Context, path string, db *Database, now time.Time) (write, verify time.Duration, err error) {
	start := time.Now()
	p, err := Prepare(db, now)
	if err != nil {
		return 0, 0, err
	}
	write, verify, err = p.WriteVerified(ctx, path)
	return write + time.Since(start) - write - verify, verify, err
}

// Prepared is a Database checked and turned into rows, ready to write.
type Prepared struct{ t *tables }

// Prepare checks db and derives every row Write would insert.
func Prepare(db *Database, now time.Time) (*Prepared, error) {
	t, err := derive(db, now)
	if err != nil {
		return nil, fmt.Errorf("rebuild: %w", err)
	}
	return &Prepared{t}, nil
}

// WriteVerified writes the prepared rows to a new file at path (as Write)
// and reads them back (as Verify), returning how long each took.
func (p *Prepared) WriteVerified(ctx context.Context, path string) (write, verify time.Duration, err error) {
	start := time.Now()
	if err := writeFile(ctx, path, p.t); err != nil {
		return 0, 0, err
	}
	write = time.Since(start)
	start = time.Now()
	err = verifyFile(ctx, path, p.t)
	return write, time.Since(start), err
}

func writeFile(ctx context.Context, path string, t *tables) error {
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
	// Indexes are built once the rows are in: one sorted pass each
	// instead of an insert per row.
	var tablesFirst, indexes []string
	for _, s := range demo.PlacesSchema() {
		if strings.HasPrefix(s, "CREATE INDEX") || strings.HasPrefix(s, "CREATE UNIQUE INDEX") {
			indexes = append(indexes, s)
		} else {
			tablesFirst = append(tablesFirst, s)
		}
	}
	for _, s := range tablesFirst {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if err := insertAll(ctx, tx, t); err != nil {
		return err
	}
	for _, s := range indexes {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	for _, s := range []string{
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		// sqlite_stat1 as Firefox's PRAGMA optimize makes it (it sets
		// analysis_limit too), not a full scan of every index.
		"PRAGMA analysis_limit = 400",
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
	batches := []batch{
		{`INSERT INTO moz_origins(id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency) VALUES (?, ?, ?, ?, 1, 1)`,
			len(t.origins), func(i int) []any { o := t.origins[i]; return []any{o.id, o.prefix, o.host, o.frecency} }},
		{`INSERT INTO moz_places(id, url, title, rev_host, visit_count, hidden, typed, frecency, last_visit_date, guid,
			foreign_count, url_hash, description, preview_image_url, site_name, origin_id, recalc_frecency, recalc_alt_frecency)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.places), func(i int) []any {
				p := t.places[i]
				return []any{p.id, p.url, nullStr(p.title), p.revHost, p.visitCount, p.hidden, p.typed, p.frecency, nullInt(p.lastVisitDate), p.guid,
					p.foreignCount, p.urlHash, nullStr(p.description), nullStr(p.previewImage), nullStr(p.site), p.originID, p.recalcFrecency, p.recalcAltFrecency}
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
		if err := insertBatched(ctx, tx, b.stmt, b.n, b.row); err != nil {
			return err
		}
	}
	// AUTOINCREMENT's counter, as Firefox's inserts leave it.
	if len(t.keywords) > 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE sqlite_sequence SET seq = ? WHERE name = 'moz_keywords'`, len(t.keywords)); err != nil {
			return err
		}
	}
	return nil
}

// insertBatched runs stmt (an INSERT ending in one VALUES tuple) for n
// rows, many rows per statement: one call per row costs more than SQLite's
// own work.
func insertBatched(ctx context.Context, tx *sql.Tx, stmt string, n int, row func(int) []any) error {
	if n == 0 {
		return nil
	}
	i := strings.LastIndex(stmt, "VALUES")
	head, tuple := stmt[:i+len("VALUES")], strings.TrimSpace(stmt[i+len("VALUES"):])
	const perStatement = 256
	var st *sql.Stmt
	stSize := 0
	defer func() {
		if st != nil {
			st.Close()
		}
	}()
	args := make([]any, 0, perStatement*strings.Count(tuple, "?"))
	for start := 0; start < n; start += perStatement {
		size := min(perStatement, n-start)
		if size != stSize {
			if st != nil {
				st.Close()
			}
			var err error
			st, err = tx.PrepareContext(ctx, head+" "+strings.TrimSuffix(strings.Repeat(tuple+",", size), ","))
			if err != nil {
				return err
			}
			stSize = size
		}
		args = args[:0]
		for j := start; j < start+size; j++ {
			args = append(args, row(j)...)
		}
		if _, err := st.ExecContext(ctx, args...); err != nil {
			return fmt.Errorf("%.40s (rows %d-%d): %w", stmt, start+1, start+size, err)
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
	_, err := Prepare(db, now)
	return err
}
