package rebuild

import (
	"bytes"
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
// checks it: SQLite's quick_check and foreign-key check, schema version,
// page size and WAL mode, every row of every table written exactly as
// derived, and, recomputed independently in SQL, the invariants Places'
// coherence check enforces (foreign_count, visit_count and
// last_visit_date, contiguous positions, parents, no tombstone for a live
// item, no empty tag folder, no duplicate URL).
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
	if res, err := one(`SELECT count(*) FROM pragma_foreign_key_check`); err != nil || res != "0" {
		return fmt.Errorf("foreign_key_check: %s rows %v", res, err)
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

// compareRows compares every row of every table with the derived one.
func compareRows(ctx context.Context, c *sqlraw.Conn, t *tables) error {
	for _, tab := range []struct {
		what, query string
		n           int
		want        func(int) []any
	}{
		{"moz_origins", `SELECT id, prefix, host, frecency, recalc_frecency, recalc_alt_frecency, alt_frecency, block_until_ms, block_pages_until_ms FROM moz_origins ORDER BY id`,
			len(t.origins), func(i int) []any {
				o := t.origins[i]
				return []any{o.id, o.prefix, o.host, o.frecency, 1, 1, nil, nil, nil}
			}},
		{"moz_places", `SELECT id, url, title, rev_host, visit_count, hidden, typed, frecency, last_visit_date, guid, foreign_count, url_hash,
			description, preview_image_url, site_name, origin_id, recalc_frecency, alt_frecency, recalc_alt_frecency FROM moz_places ORDER BY id`,
			len(t.places), func(i int) []any {
				p := t.places[i]
				return []any{p.id, p.url, nullStr(p.title), p.revHost, p.visitCount, p.hidden, p.typed, p.frecency, nullInt(p.lastVisitDate), p.guid,
					p.foreignCount, p.urlHash, nullStr(p.description), nullStr(p.previewImage), nullStr(p.site), p.originID, p.recalcFrecency, nil, p.recalcAltFrecency}
			}},
		{"moz_historyvisits", `SELECT id, from_visit, place_id, visit_date, visit_type, session, source, triggeringPlaceId FROM moz_historyvisits ORDER BY id`,
			len(t.visits), func(i int) []any {
				v := t.visits[i]
				return []any{v.id, 0, v.placeID, v.date, v.visitType, 0, v.source, nil}
			}},
		{"moz_bookmarks", `SELECT id, type, fk, parent, position, title, keyword_id, folder_type, dateAdded, lastModified, guid, syncStatus, syncChangeCounter FROM moz_bookmarks ORDER BY id`,
			len(t.bookmarks), func(i int) []any {
				b := t.bookmarks[i]
				var title any
				if b.title != nil {
					title = *b.title
				}
				return []any{b.id, b.typ, nullInt(b.fk), b.parent, b.position, title, nil, nil, b.dateAdded, b.lastModified, b.guid, b.syncStatus, b.counter}
			}},
		{"moz_keywords", `SELECT id, keyword, place_id, post_data FROM moz_keywords ORDER BY id`,
			len(t.keywords), func(i int) []any { k := t.keywords[i]; return []any{k.id, k.keyword, k.placeID, k.postData} }},
		{"moz_anno_attributes", `SELECT id, name FROM moz_anno_attributes ORDER BY id`,
			len(t.attrs), func(i int) []any { return []any{i + 1, t.attrs[i]} }},
		{"moz_items_annos", `SELECT id, item_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified FROM moz_items_annos ORDER BY id`,
			len(t.itemAnnos), func(i int) []any { return annoArgs(t.itemAnnos[i]) }},
		{"moz_annos", `SELECT id, place_id, anno_attribute_id, content, flags, expiration, type, dateAdded, lastModified FROM moz_annos ORDER BY id`,
			len(t.pageAnnos), func(i int) []any { return annoArgs(t.pageAnnos[i]) }},
		{"moz_bookmarks_deleted", `SELECT guid, dateRemoved FROM moz_bookmarks_deleted ORDER BY rowid`,
			len(t.tombstones), func(i int) []any { return []any{t.tombstones[i].GUID, t.tombstones[i].DateRemoved} }},
		{"moz_meta", `SELECT key, value FROM moz_meta ORDER BY key`,
			len(t.meta), func(i int) []any { return []any{t.meta[i].key, t.meta[i].value} }},
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
func compareTable(c *sqlraw.Conn, what, query string, n int, want func(int) []any) error {
	i := 0
	err := c.Query(query, func(r *sqlraw.Row) error {
		if i < n {
			w := want(i)
			for j, v := range w {
				if !sameValue(v, r.Value(j)) {
					got := make([]any, len(w))
					for k := range got {
						got[k] = r.Value(k)
					}
					return fmt.Errorf("%s row %d: got %s, want %s", what, i+1, formatRow(got), formatRow(w))
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

// sameValue compares a derived value with one SQLite returned (int64,
// float64, string, []byte or nil): the same storage class and value.
func sameValue(want, got any) bool {
	switch w := want.(type) {
	case nil:
		return got == nil
	case int:
		g, ok := got.(int64)
		return ok && g == int64(w)
	case int64:
		g, ok := got.(int64)
		return ok && g == w
	case float64:
		g, ok := got.(float64)
		return ok && g == w
	case string:
		g, ok := got.(string)
		return ok && g == w
	case []byte:
		g, ok := got.([]byte)
		return ok && bytes.Equal(g, w)
	}
	return false
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
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
