package rebuild

import (
	"context"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // the database/sql driver "sqlite"

	"github.com/bmtui/bmtui/internal/demo"
	"github.com/bmtui/bmtui/internal/sqlraw"
)

// Verify reads the file Write made from db (with the same now) back and
// checks it: SQLite's quick_check, schema version, page size and WAL
// mode, every row of every table written exactly as derived, every other
// table empty, and, recomputed independently on those rows, the foreign
// keys and the invariants Places' coherence check enforces (origin_id,
// foreign_count, visit_count and last_visit_date, contiguous positions,
// parents, no tombstone for a live item, no empty tag folder, no
// duplicate URL).
func Verify(ctx context.Context, path string, db *Database, now time.Time) error {
	t, err := derive(db, now)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	return verifyFile(ctx, path, t, checkInvariantsAsync(t))
}

// checkInvariantsAsync checks t's invariants in a goroutine; the channel
// receives the result.
func checkInvariantsAsync(t *tables) <-chan error {
	ch := make(chan error, 1)
	go func() { ch <- checkInvariants(t) }()
	return ch
}

// verifyFile checks the file at path against t; invariants delivers the
// result of checkInvariants(t).
func verifyFile(ctx context.Context, path string, t *tables, invariants <-chan error) error {
	err := verifyFileAgainst(ctx, path, t)
	invErr := <-invariants
	if err != nil {
		return err
	}
	if invErr != nil {
		return fmt.Errorf("verify %s: %w", path, invErr)
	}
	return nil
}

func verifyFileAgainst(ctx context.Context, path string, t *tables) error {
	if err := checkHeader(path); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	sdb, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?immutable=1")
	if err != nil {
		return err
	}
	defer sdb.Close()
	if err := verifyDB(ctx, sdb, path, t); err != nil {
		return fmt.Errorf("verify %s: %w", path, err)
	}
	return nil
}

// checkHeader reads the file header: page size and WAL read/write versions.
func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	var h [100]byte
	if _, err := f.ReadAt(h[:], 0); err != nil {
		return fmt.Errorf("header: %w", err)
	}
	if string(h[:16]) != "SQLite format 3\x00" {
		return fmt.Errorf("not an SQLite file")
	}
	if ps := int(h[16])<<8 | int(h[17]); ps != demo.PageSize && !(ps == 1 && demo.PageSize == 65536) {
		return fmt.Errorf("page size %d, want %d", ps, demo.PageSize)
	}
	if h[18] != 2 || h[19] != 2 {
		return fmt.Errorf("not in WAL mode (header versions %d/%d)", h[18], h[19])
	}
	return nil
}

// verifyDB runs the file checks and the row comparison at once, on two
// connections: each takes about as long as the other.
func verifyDB(ctx context.Context, db *sql.DB, path string, t *tables) error {
	db.SetMaxOpenConns(1)
	var checkErr, compareErr error
	var wg sync.WaitGroup
	wg.Go(func() { checkErr = checkDB(ctx, db) })
	wg.Go(func() {
		// Rows are compared through sqlraw: database/sql's per-column cost
		// was most of the read-back.
		c, err := sqlraw.Open(path, true)
		if err != nil {
			compareErr = err
			return
		}
		defer c.Close()
		compareErr = compareRows(ctx, c, t)
	})
	wg.Wait()
	if compareErr != nil || checkErr != nil {
		// Both, in a fixed order: a lost row also breaks an invariant.
		return errors.Join(compareErr, checkErr)
	}
	// The file holds exactly t's rows, so t's invariants (checked by the
	// caller) are the file's.
	return nil
}

// checkDB checks the file as a whole: SQLite's own checks, the schema,
// and the invariants of Places' coherence check.
func checkDB(ctx context.Context, db *sql.DB) error {
	one := func(q string) (string, error) {
		var s sql.NullString
		err := db.QueryRowContext(ctx, q).Scan(&s)
		return s.String, err
	}
	// quick_check, not integrity_check: the file was written in one
	// transaction by SQLite itself, and every row is compared below;
	// integrity_check's index-against-table pass is 30 times slower.
	if res, err := one(`PRAGMA quick_check`); err != nil || res != "ok" {
		return fmt.Errorf("quick_check: %s %v", res, err)
	}
	// Foreign keys without SQLite's foreign_key_check (a fifth of this
	// check's time): every table with a foreign key but moz_places is one
	// Write leaves empty, which this proves, and moz_places' origin_id is
	// checked among the invariants on the rows the read-back proves the
	// file holds.
	if res, err := one(unwrittenRowsQuery()); err != nil || res != "0" {
		return fmt.Errorf("tables Write leaves empty hold %s rows %v", res, err)
	}
	if v, err := one(`PRAGMA user_version`); err != nil || v != fmt.Sprint(SchemaVersion) {
		return fmt.Errorf("user_version %s, want %d %v", v, SchemaVersion, err)
	}
	var schema []string
	rows, err := db.QueryContext(ctx, `SELECT sql FROM sqlite_master WHERE sql NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY rowid`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return err
		}
		schema = append(schema, s)
	}
	rows.Close()
	want := demo.PlacesSchema()
	for i := range want {
		want[i] = strings.TrimSuffix(want[i], ";")
	}
	// The same statements; the order of sqlite_master rows does not
	// matter (Write creates the indexes after the rows).
	slices.Sort(schema)
	slices.Sort(want)
	if strings.Join(schema, "\n") != strings.Join(want, "\n") {
		return fmt.Errorf("the schema differs from Firefox's")
	}

	return nil
}

// writtenTables are the tables Write fills (compareRows reads each).
var writtenTables = map[string]bool{
	"moz_origins": true, "moz_places": true, "moz_historyvisits": true, "moz_bookmarks": true, "moz_keywords": true,
	"moz_anno_attributes": true, "moz_items_annos": true, "moz_annos": true, "moz_bookmarks_deleted": true, "moz_meta": true,
}

// unwrittenTables are the schema's other tables, which Write leaves empty.
func unwrittenTables() []string {
	var out []string
	for _, s := range demo.PlacesSchema() {
		rest, ok := strings.CutPrefix(s, "CREATE TABLE ")
		if !ok {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if name = strings.TrimSuffix(name, "("); !writtenTables[name] {
			out = append(out, name)
		}
	}
	return out
}

// unwrittenRowsQuery counts the rows of every unwritten table.
func unwrittenRowsQuery() string {
	var parts []string
	for _, name := range unwrittenTables() {
		parts = append(parts, "(SELECT count(*) FROM "+name+")")
	}
	if len(parts) == 0 {
		return "SELECT 0"
	}
	return "SELECT " + strings.Join(parts, " + ")
}

// compareRows compares every row of every table with the derived one.
func compareRows(ctx context.Context, c *sqlraw.Conn, t *tables) error {
	type row = []sqlraw.Value
	I, S, null := sqlraw.Int, sqlraw.Text, sqlraw.Null
	for _, tab := range []struct {
		what, query string
		n           int
		want        func(i int, r row) row
	}{
		{"moz_origins", `SELECT id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency, alt_frecency, block_until_ms, block_pages_until_ms FROM moz_origins ORDER BY id`,
			len(t.origins), func(i int, r row) row {
				o := &t.origins[i]
				return append(r, I(o.id), S(o.prefix), S(o.host), I(o.frecency), I(1), I(1), null, null, null)
			}},
		{"moz_places", `SELECT id, url, title, rev_host, visit_count, hidden, typed, frecency, last_visit_date, guid, foreign_count, url_hash,
			description, preview_image_url, site_name, origin_id, recalc_frecency, alt_frecency, recalc_alt_frecency FROM moz_places ORDER BY id`,
			len(t.places), func(i int, r row) row {
				p := &t.places[i]
				return append(r, I(p.id), S(p.url), nullText(p.title), S(p.revHost), I(p.visitCount), I(p.hidden), I(p.typed), I(p.frecency),
					nullInt64(p.lastVisitDate), S(p.guid), I(p.foreignCount), I(p.urlHash), nullText(p.description), nullText(p.previewImage),
					nullText(p.site), I(p.originID), I(p.recalcFrecency), null, I(p.recalcAltFrecency))
			}},
		{"moz_historyvisits", `SELECT id, from_visit, place_id, visit_date, visit_type, session, source, triggeringPlaceId FROM moz_historyvisits ORDER BY id`,
			len(t.visits), func(i int, r row) row {
				v := &t.visits[i]
				return append(r, I(v.id), I(0), I(v.placeID), I(v.date), I(v.visitType), I(0), I(v.source), null)
			}},
		{"moz_bookmarks", `SELECT id, type, fk, parent, position, title, keyword_id, folder_type, dateAdded, lastModified, guid, syncStatus, syncChangeCounter FROM moz_bookmarks ORDER BY id`,
			len(t.bookmarks), func(i int, r row) row {
				b := &t.bookmarks[i]
				return append(r, I(b.id), I(b.typ), nullInt64(b.fk), I(b.parent), I(b.position), titleValue(b.title), null, null,
					I(b.dateAdded), I(b.lastModified), S(b.guid), I(b.syncStatus), I(b.counter))
			}},
		{"moz_keywords", `SELECT id, keyword, place_id, post_data FROM moz_keywords ORDER BY id`,
			len(t.keywords), func(i int, r row) row {
				k := &t.keywords[i]
				return append(r, I(k.id), S(k.keyword), I(k.placeID), S(k.postData))
			}},
		{"moz_anno_attributes", `SELECT id, name FROM moz_anno_attributes ORDER BY id`,
			len(t.attrs), func(i int, r row) row { return append(r, I(int64(i+1)), S(t.attrs[i])) }},
		{"moz_items_annos", `SELECT id, item_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified FROM moz_items_annos ORDER BY id`,
			len(t.itemAnnos), func(i int, r row) row { return annoValues(r, &t.itemAnnos[i]) }},
		{"moz_annos", `SELECT id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified FROM moz_annos ORDER BY id`,
			len(t.pageAnnos), func(i int, r row) row { return annoValues(r, &t.pageAnnos[i]) }},
		{"moz_bookmarks_deleted", `SELECT guid, dateRemoved FROM moz_bookmarks_deleted ORDER BY rowid`,
			len(t.tombstones), func(i int, r row) row { return append(r, S(t.tombstones[i].GUID), I(t.tombstones[i].DateRemoved)) }},
		{"moz_meta", `SELECT key, value FROM moz_meta ORDER BY key`,
			len(t.meta), func(i int, r row) row {
				v, err := sqlraw.ValueOf(t.meta[i].value)
				if err != nil {
					v = S(fmt.Sprintf("(%T, not storable)", t.meta[i].value)) // never equal to what was written
				}
				return append(r, S(t.meta[i].key), v)
			}},
	} {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := compareTable(c, tab.what, tab.query, tab.n, tab.want); err != nil {
			return err
		}
	}

	return nil
}

// compareTable reads query's rows once and compares each, column by
// column and storage class included, with want(i), for n rows.
func compareTable(c *sqlraw.Conn, what, query string, n int, want func(i int, r []sqlraw.Value) []sqlraw.Value) error {
	i := 0
	var w []sqlraw.Value
	err := c.Query(query, func(r *sqlraw.Row) error {
		if i < n {
			w = want(i, w[:0])
			for j, v := range w {
				if !r.Equal(j, v) {
					got := make([]any, len(w))
					wantAny := make([]any, len(w))
					for k := range got {
						got[k], wantAny[k] = r.Value(k), w[k].Any()
					}
					return fmt.Errorf("%s row %d: got %s, want %s", what, i+1, formatRow(got), formatRow(wantAny))
				}
			}
		}
		i++
		return nil
	})
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if i != n {
		return fmt.Errorf("%s: %d rows, want %d", what, i, n)
	}
	return nil
}

// formatRow prints values with their storage class, so NULL, ” and 0,
// 1 and 1.0 differ.
func formatRow(vals []any) string {
	b := make([]byte, 0, 128)
	for i, v := range vals {
		if i > 0 {
			b = append(b, '|')
		}
		switch x := v.(type) {
		case nil:
			b = append(b, "NULL"...)
		case int:
			b = strconv.AppendInt(append(b, 'i'), int64(x), 10)
		case int64:
			b = strconv.AppendInt(append(b, 'i'), x, 10)
		case float64:
			b = strconv.AppendFloat(append(b, 'r'), x, 'g', -1, 64)
		case string:
			b = strconv.AppendQuote(append(b, 't'), x)
		case []byte:
			b = hex.AppendEncode(append(b, 'b'), x)
		default:
			b = fmt.Appendf(b, "?%v", x)
		}
	}
	return string(b)
}
