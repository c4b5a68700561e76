package rebuild

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/sqlraw"
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
	write, verify, _, err = p.writeVerified(ctx, path, false)
	return write, verify, err
}

// WriteVerifiedSum is WriteVerified that also returns the new file's
// SHA-256 (hex), hashed while it is read back.
func (p *Prepared) WriteVerifiedSum(ctx context.Context, path string) (write, verify time.Duration, sum string, err error) {
	return p.writeVerified(ctx, path, true)
}

func (p *Prepared) writeVerified(ctx context.Context, path string, wantSum bool) (write, verify time.Duration, sum string, err error) {
	// The rows' own invariants need no file: they are checked on the
	// other core while SQLite writes.
	inv := checkInvariantsAsync(p.t)
	start := time.Now()
	if err := writeUnsynced(ctx, path, p.t); err != nil {
		<-inv
		return 0, 0, "", err
	}
	write = time.Since(start)
	start = time.Now()
	// The file is complete: the disk takes it while it is read back
	// (the page cache serves the reads), and it is on disk before this
	// returns; it is hashed once the read-back leaves a core to spare.
	synced := make(chan error, 1)
	go func() {
		err := syncFile(path)
		if err == nil && wantSum {
			sum, err = fileSum(path)
		}
		synced <- err
	}()
	err = verifyFile(ctx, path, p.t, inv)
	if serr := <-synced; err == nil && serr != nil {
		err = fmt.Errorf("rebuild %s: %w", path, serr)
	}
	return write, time.Since(start), sum, err
}

// fileSum is the SHA-256 of the file at path, in hex.
func fileSum(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// writeFile writes t to a new file at path and fsyncs it.
func writeFile(ctx context.Context, path string, t *tables) error {
	if err := writeUnsynced(ctx, path, t); err != nil {
		return err
	}
	return syncFile(path)
}

// writeUnsynced writes t to a new file at path, complete and
// checkpointed but not yet fsynced.
func writeUnsynced(ctx context.Context, path string, t *tables) error {
	if _, err := os.Lstat(path); err == nil {
		return fmt.Errorf("rebuild: %s already exists", path)
	}
	// Create the file exclusively so a concurrent writer cannot share it.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("rebuild: %w", err)
	}
	f.Close()
	if err := writeTables(ctx, path, t, len(t.places) >= sideMinPages); err != nil {
		return fmt.Errorf("rebuild %s: %w", path, err)
	}
	return nil
}

// sideTable is the table built apart, on another core.
const sideTable = "moz_places"

// sideMinPages is how many pages make building moz_places apart worth
// its fixed cost (a second database, the copy): for damaged-5k it was not
// (its write 51-55 ms alone, 57-95 ms split), for large-40k it saves
// about 50 ms of the write's 350.
const sideMinPages = 20_000

// writeTables writes t into the new file at path. With side, moz_places
// and its eight indexes (about half of SQLite's work: the index builds
// sort) are built in an in-memory database of their own on another
// goroutine while this one writes every other table, then copied in with
// SQLite's transfer optimization: cells and index entries copied in
// order, nothing decoded or sorted again.
func writeTables(ctx context.Context, path string, t *tables, side bool) (err error) {
	inMain := func(string) bool { return true }
	copySide := func(func(...string) error) error { return nil }
	if side {
		// The path is this write's own (created exclusively), so the
		// name is too.
		name := "bmtui-rebuild" + path
		type built struct {
			c   *sqlraw.Conn
			err error
		}
		done := make(chan built, 1)
		go func() {
			c, err := writeSide(ctx, name, t)
			done <- built{c, err}
		}()
		var b *built
		wait := func() error {
			if b == nil {
				r := <-done
				b = &r
			}
			return b.err
		}
		defer func() {
			// The in-memory database goes with its last connection.
			wait()
			if b.c != nil {
				if cerr := b.c.Close(); err == nil && cerr != nil {
					err = fmt.Errorf("%s: %w", sideTable, cerr)
				}
			}
		}()
		inMain = func(table string) bool { return table != sideTable }
		copySide = func(exec func(...string) error) error {
			if err := wait(); err != nil {
				return fmt.Errorf("%s: %w", sideTable, err)
			}
			return exec(
				"ATTACH '"+strings.ReplaceAll(sqlraw.MemoryURI(name), "'", "''")+"' AS side",
				// The transfer optimization applies: same columns, same
				// indexes, an empty destination, no foreign keys enforced.
				"INSERT INTO main."+sideTable+" SELECT * FROM side."+sideTable,
				"DETACH side",
			)
		}
	}
	// Through SQLite's C API directly: binding each value through
	// database/sql cost about as much as SQLite's own inserts.
	c, err := sqlraw.OpenWrite(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := c.Close(); err == nil {
			err = cerr
		}
	}()
	exec := execer(ctx, c)
	// The file is new and swapped in only once complete, so no journal is
	// needed while it is built. Foreign keys are not enforced row by row:
	// Verify checks them on the finished file.
	if err := exec(
		fmt.Sprintf("PRAGMA page_size = %d", demo.PageSize),
		"PRAGMA journal_mode = OFF",
		"PRAGMA synchronous = OFF",
		"BEGIN",
	); err != nil {
		return err
	}
	// Indexes are built once the rows are in: one sorted pass each
	// instead of an insert per row (moz_places's, when it is built apart,
	// are created empty here and filled by the copy).
	tablesFirst, indexes := splitSchema("")
	if err := exec(tablesFirst...); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if err := insertAll(ctx, c, t, inMain); err != nil {
		c.Exec("ROLLBACK")
		return err
	}
	if err := exec(indexes...); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	// ATTACH needs no transaction open; the file needs no journal between
	// the two (it is not in place until complete).
	if err := exec("COMMIT"); err != nil {
		return err
	}
	if err := copySide(exec); err != nil {
		return err
	}
	return exec(
		fmt.Sprintf("PRAGMA user_version = %d", SchemaVersion),
		// sqlite_stat1 as Firefox's PRAGMA optimize makes it (it sets
		// analysis_limit too), not a full scan of every index.
		"PRAGMA analysis_limit = 400",
		"ANALYZE",
		"DROP TABLE IF EXISTS sqlite_stat4", // modernc builds with STAT4; Firefox's files have only stat1
		// Still without fsyncs (synchronous OFF): the caller fsyncs the
		// finished file once, off the critical path when it can.
		"PRAGMA journal_mode = WAL",
		"PRAGMA wal_checkpoint(TRUNCATE)",
	)
}

// writeSide builds the in-memory database name: moz_places as the schema
// defines it, its rows, then its indexes. The database lives as long as
// the returned connection.
func writeSide(ctx context.Context, name string, t *tables) (*sqlraw.Conn, error) {
	c, err := sqlraw.OpenMemory(name)
	if err != nil {
		return nil, err
	}
	exec := execer(ctx, c)
	table, indexes := splitSchema(sideTable)
	err = exec(
		fmt.Sprintf("PRAGMA page_size = %d", demo.PageSize),
		"PRAGMA journal_mode = OFF",
		"BEGIN",
	)
	if err == nil {
		err = exec(table...)
	}
	if err == nil {
		err = insertAll(ctx, c, t, func(name string) bool { return name == sideTable })
	}
	if err == nil {
		err = exec(indexes...)
	}
	if err == nil {
		err = exec("COMMIT")
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// splitSchema is Firefox's schema, or only one table's when only is not
// "": the CREATE TABLE statements (and any other), then the indexes.
func splitSchema(only string) (tables, indexes []string) {
	keep := func(table string) bool { return only == "" || table == only }
	for _, s := range demo.PlacesSchema() {
		if rest, ok := strings.CutPrefix(s, "CREATE TABLE "); ok {
			if keep(schemaName(rest)) {
				tables = append(tables, s)
			}
			continue
		}
		if _, on, ok := strings.Cut(s, " ON "); ok && strings.Contains(s, " INDEX ") {
			if keep(schemaName(on)) {
				indexes = append(indexes, s)
			}
			continue
		}
		if only == "" {
			tables = append(tables, s)
		}
	}
	return tables, indexes
}

// schemaName is the table name s starts with ("moz_places (" ...).
func schemaName(s string) string {
	name, _, _ := strings.Cut(strings.TrimSpace(s), " ")
	name, _, _ = strings.Cut(name, "(")
	return name
}

// execer runs statements that return no rows, stopping when ctx is done.
func execer(ctx context.Context, c *sqlraw.Conn) func(stmts ...string) error {
	return func(stmts ...string) error {
		for _, s := range stmts {
			if err := ctx.Err(); err != nil {
				return err
			}
			if err := c.Exec(s); err != nil {
				return fmt.Errorf("%.60s: %w", s, err)
			}
		}
		return nil
	}
}

// insertAll inserts every row of the tables want selects, parents before
// children.
func insertAll(ctx context.Context, c *sqlraw.Conn, t *tables, want func(table string) bool) error {
	type batch struct {
		stmt string
		n    int
		row  func(i int, r []sqlraw.Value) []sqlraw.Value
	}
	I, S := sqlraw.Int, sqlraw.Text
	batches := []batch{
		{`INSERT INTO moz_origins(id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency) VALUES (?, ?, ?, ?, 1, 1)`,
			len(t.origins), func(i int, r []sqlraw.Value) []sqlraw.Value {
				o := &t.origins[i]
				return append(r, I(o.id), S(o.prefix), S(o.host), I(o.frecency))
			}},
		{`INSERT INTO moz_places(id, url, title, rev_host, visit_count, hidden, typed, frecency, last_visit_date, guid,
			foreign_count, url_hash, description, preview_image_url, site_name, origin_id, recalc_frecency, recalc_alt_frecency)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.places), func(i int, r []sqlraw.Value) []sqlraw.Value {
				p := &t.places[i]
				return append(r, I(p.id), S(p.url), nullText(p.title), S(p.revHost), I(p.visitCount), I(p.hidden), I(p.typed), I(p.frecency),
					nullInt64(p.lastVisitDate), S(p.guid), I(p.foreignCount), I(p.urlHash), nullText(p.description), nullText(p.previewImage),
					nullText(p.site), I(p.originID), I(p.recalcFrecency), I(p.recalcAltFrecency))
			}},
		{`INSERT INTO moz_historyvisits(id, from_visit, place_id, visit_date, visit_type, session, source) VALUES (?, 0, ?, ?, ?, 0, ?)`,
			len(t.visits), func(i int, r []sqlraw.Value) []sqlraw.Value {
				v := &t.visits[i]
				return append(r, I(v.id), I(v.placeID), I(v.date), I(v.visitType), I(v.source))
			}},
		{`INSERT INTO moz_bookmarks(id, type, fk, parent, position, title, dateAdded, lastModified, guid, syncStatus, syncChangeCounter)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.bookmarks), func(i int, r []sqlraw.Value) []sqlraw.Value {
				b := &t.bookmarks[i]
				return append(r, I(b.id), I(b.typ), nullInt64(b.fk), I(b.parent), I(b.position), titleValue(b.title),
					I(b.dateAdded), I(b.lastModified), S(b.guid), I(b.syncStatus), I(b.counter))
			}},
		{`INSERT INTO moz_keywords(id, keyword, place_id, post_data) VALUES (?, ?, ?, ?)`,
			len(t.keywords), func(i int, r []sqlraw.Value) []sqlraw.Value {
				k := &t.keywords[i]
				return append(r, I(k.id), S(k.keyword), I(k.placeID), S(k.postData))
			}},
		{`INSERT INTO moz_anno_attributes(id, name) VALUES (?, ?)`,
			len(t.attrs), func(i int, r []sqlraw.Value) []sqlraw.Value { return append(r, I(int64(i+1)), S(t.attrs[i])) }},
		{`INSERT INTO moz_items_annos(id, item_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.itemAnnos), func(i int, r []sqlraw.Value) []sqlraw.Value { return annoValues(r, &t.itemAnnos[i]) }},
		{`INSERT INTO moz_annos(id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			len(t.pageAnnos), func(i int, r []sqlraw.Value) []sqlraw.Value { return annoValues(r, &t.pageAnnos[i]) }},
		{`INSERT INTO moz_bookmarks_deleted(guid, dateRemoved) VALUES (?, ?)`,
			len(t.tombstones), func(i int, r []sqlraw.Value) []sqlraw.Value {
				return append(r, S(t.tombstones[i].GUID), I(t.tombstones[i].DateRemoved))
			}},
	}
	// A REAL moz_meta value goes in as a literal (Go's shortest exact
	// form; Verify compares it bit for bit), as SQLite's shell would.
	var metaRows []sqlraw.Value
	for _, m := range t.meta {
		if !want("moz_meta") {
			break
		}
		if f, ok := m.value.(float64); ok {
			lit := strconv.FormatFloat(f, 'g', -1, 64)
			if !strings.ContainsAny(lit, ".eEnN") {
				lit += ".0"
			}
			if err := c.Exec(`INSERT INTO moz_meta(key, value) VALUES ('` + strings.ReplaceAll(m.key, "'", "''") + `', ` + lit + `)`); err != nil {
				return fmt.Errorf("moz_meta %q: %w", m.key, err)
			}
			continue
		}
		v, err := sqlraw.ValueOf(m.value)
		if err != nil {
			return fmt.Errorf("moz_meta %q: %w", m.key, err)
		}
		metaRows = append(metaRows, S(m.key), v)
	}
	batches = append(batches, batch{`INSERT INTO moz_meta(key, value) VALUES (?, ?)`,
		len(metaRows) / 2, func(i int, r []sqlraw.Value) []sqlraw.Value { return append(r, metaRows[2*i:2*i+2]...) }})
	const chunk = 4096 // rows between checks for cancellation
	// Several rows per INSERT: SQLite opens its cursors once per
	// statement, which one row per statement paid for every row. The
	// rows go in in the same order, so the file is the same.
	const rowsPerInsert = 32
	for _, b := range batches {
		if !want(schemaName(strings.TrimPrefix(b.stmt, "INSERT INTO "))) {
			continue
		}
		for start := 0; start < b.n; start += chunk {
			if err := ctx.Err(); err != nil {
				return err
			}
			n := min(chunk, b.n-start)
			if err := c.InsertMulti(b.stmt, rowsPerInsert, n, func(i int, r []sqlraw.Value) []sqlraw.Value { return b.row(start+i, r) }); err != nil {
				return fmt.Errorf("%.40s (rows %d-%d): %w", b.stmt, start+1, start+n, err)
			}
		}
	}
	// AUTOINCREMENT's counter, as Firefox's inserts leave it.
	if len(t.keywords) > 0 && want("moz_keywords") {
		if err := c.Exec(fmt.Sprintf(`UPDATE sqlite_sequence SET seq = %d WHERE name = 'moz_keywords'`, len(t.keywords))); err != nil {
			return err
		}
	}
	return nil
}

func annoValues(r []sqlraw.Value, a *annoRow) []sqlraw.Value {
	I := sqlraw.Int
	return append(r, I(a.id), I(a.target), I(a.attr), sqlraw.Text(a.content), I(a.flags), I(a.expiration), I(a.typ), I(a.dateAdded), I(a.lastModified))
}

// nullText is s, or NULL for "".
func nullText(s string) sqlraw.Value {
	if s == "" {
		return sqlraw.Null
	}
	return sqlraw.Text(s)
}

// nullInt64 is n, or NULL for 0.
func nullInt64(n int64) sqlraw.Value {
	if n == 0 {
		return sqlraw.Null
	}
	return sqlraw.Int(n)
}

// titleValue is a bookmark's title: NULL when it has none.
func titleValue(t *string) sqlraw.Value {
	if t == nil {
		return sqlraw.Null
	}
	return sqlraw.Text(*t)
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
