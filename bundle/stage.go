package bundle

import (
	"cmp"
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/places/urls"
)

// Names of the two databases inside a bundle and inside the folder a
// case is unpacked into (a profile's layout, so that the readers of
// profiles read it unchanged).
const (
	PlacesName = "places.sqlite"
	MirrorName = "weave/bookmarks.sqlite"
)

// StageInput says what to stage.
type StageInput struct {
	// Places and Mirror are private copies (snapshots) of the profile's
	// databases; Mirror is "" when the profile never synced.
	Places, Mirror string
	// Dir receives places.sqlite and weave/bookmarks.sqlite.
	Dir string
	// Key, when set, redacts: titles, URLs, keywords and tags become
	// stand-ins (package redact) under this key.
	Key []byte
	// Check is the URL check redaction keeps (places.ParseURL).
	Check redact.URLCheck
}

// Stage writes the bookmark tables of both databases into fresh files in
// in.Dir: the bookmarks, their pages (without history: no visits, page
// titles, descriptions or origins), keywords, tombstones, Places' Sync
// metadata and the livemark annotation; all of the mirror. With a key the
// words are replaced as they are copied, so that no original word is
// ever written into the new files, not even into a page SQLite frees.
func Stage(ctx context.Context, in StageInput) error {
	if err := os.MkdirAll(filepath.Join(in.Dir, "weave"), 0o700); err != nil {
		return fmt.Errorf("bundle: %w", err)
	}
	dbs := []*stager{{plan: placesPlan, src: in.Places, dst: filepath.Join(in.Dir, PlacesName)}}
	if in.Mirror != "" {
		dbs = append(dbs, &stager{plan: mirrorPlan, src: in.Mirror, dst: filepath.Join(in.Dir, filepath.FromSlash(MirrorName))})
	}
	defer func() {
		for _, d := range dbs {
			d.close()
		}
	}()
	each := func(fn func(*stager) error) error {
		var g errgroup.Group
		for _, d := range dbs {
			g.Go(func() error {
				if err := fn(d); err != nil {
					return fmt.Errorf("bundle: copy %s: %w", d.plan.what, err)
				}
				return nil
			})
		}
		return g.Wait()
	}
	redacting := in.Key != nil
	if err := each(func(d *stager) error { return d.open(ctx, redacting) }); err != nil {
		return err
	}
	if redacting {
		// One map for both files: a title or URL the two share gets one
		// stand-in, computed once.
		m, err := standIns(in, dbs)
		if err != nil {
			return fmt.Errorf("bundle: %w", err)
		}
		if err := each(func(d *stager) error { return d.fillMaps(m) }); err != nil {
			return err
		}
	}
	return each(func(d *stager) error { return d.copy(ctx, redacting) })
}

// stager copies one database.
type stager struct {
	plan     dbPlan
	src, dst string
	conn     *sqlraw.Conn // the new file's, with the source attached as src
	version  int64
	// The tables with words or URLs to replace, their rows as read.
	redacted []*redactedTable
}

// redactedTable is a table's columns to redact, row by row: rowid first,
// then each column's value (a string, or nil for NULL).
type redactedTable struct {
	plan tablePlan
	cols []string
	rows [][]any
}

func (d *stager) close() {
	if d.conn != nil {
		d.conn.Close()
	}
}

// open creates the new file, attaches the source and, when redacting,
// reads the words and URLs to replace.
func (d *stager) open(ctx context.Context, redacting bool) (err error) {
	os.Remove(d.dst)
	// A raw connection: the stand-ins are bound value by value, which
	// database/sql makes cost 1.5 µs each.
	if d.conn, err = sqlraw.OpenWrite(d.dst); err != nil {
		return err
	}
	srcURI := "file:" + (&url.URL{Path: d.src}).EscapedPath() + "?mode=ro"
	for _, q := range []string{`PRAGMA journal_mode = OFF`, `PRAGMA synchronous = OFF`, `PRAGMA temp_store = MEMORY`,
		`ATTACH DATABASE ` + quoteLiteral(srcURI) + ` AS src`} {
		if err := d.conn.Exec(q); err != nil {
			return err
		}
	}
	if err := d.conn.Query(`PRAGMA src.user_version`, func(r *sqlraw.Row) error { d.version = r.Int(0); return nil }); err != nil {
		return err
	}
	if !redacting {
		return nil
	}
	for _, t := range d.plan.tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.readRedacted(t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// readRedacted reads the columns of t that redaction replaces, with each
// row's rowid.
func (d *stager) readRedacted(t tablePlan) error {
	all, err := columnsOf(d.conn, t.name)
	if err != nil {
		return err
	}
	rt := &redactedTable{plan: t}
	for _, c := range all {
		if tr := t.columns[c]; tr == text || tr == link {
			rt.cols = append(rt.cols, c)
		}
	}
	if len(rt.cols) == 0 {
		return nil
	}
	sel := make([]string, len(rt.cols))
	for i, c := range rt.cols {
		sel[i] = "s." + quoteIdent(c)
	}
	q := fmt.Sprintf(`SELECT s.rowid, %s FROM src.%s AS s`, strings.Join(sel, ", "), quoteIdent(t.name))
	if t.where != "" {
		q += " WHERE " + strings.ReplaceAll(t.where, "{src}", "src.")
	}
	err = d.conn.Query(q, func(r *sqlraw.Row) error {
		row := make([]any, 1+len(rt.cols))
		row[0] = r.Int(0)
		for i := range rt.cols {
			if v, ok := r.Text(i + 1); ok {
				row[i+1] = v
			}
		}
		rt.rows = append(rt.rows, row)
		return nil
	})
	if err != nil {
		return err
	}
	d.redacted = append(d.redacted, rt)
	return nil
}

// copy writes every table of the plan in one transaction.
func (d *stager) copy(ctx context.Context, redacting bool) (err error) {
	conn := d.conn
	if err := conn.Exec(`BEGIN`); err != nil {
		return err
	}
	defer func() {
		if err != nil {
			conn.Exec(`ROLLBACK`) //nolint:errcheck // the error that got us here counts
		}
	}()
	for _, t := range d.plan.tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyTable(conn, t, redacting && d.redacts(t.name)); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	if err := conn.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, d.version)); err != nil {
		return err
	}
	return conn.Exec(`COMMIT`)
}

func (d *stager) redacts(table string) bool {
	for _, rt := range d.redacted {
		if rt.plan.name == table {
			return true
		}
	}
	return false
}

type treatment int

const (
	keep    treatment = iota
	text              // words: a Text stand-in when redacting
	link              // a URL: a URL stand-in when redacting
	urlHash           // url_hash/hash of the row's URL column
	revHost           // rev_host/revHost of the row's URL column
	private           // bookmark-unrelated or free text: redacting drops it (unknownFields)
	history           // never copied: NULL
	zero              // never copied: 0 (a NOT NULL history count)
)

// tablePlan says how to copy one table.
type tablePlan struct {
	name    string
	where   string               // a filter on the source rows ("" for all)
	columns map[string]treatment // columns not named are kept
	urlCol  string               // the URL column urlHash and revHost derive from
}

type dbPlan struct {
	what   string
	tables []tablePlan
}

var placesPlan = dbPlan{what: "places.sqlite", tables: []tablePlan{
	{name: "moz_bookmarks", columns: map[string]treatment{"title": text}},
	{name: "moz_places", urlCol: "url",
		where: `id IN (SELECT fk FROM {src}moz_bookmarks WHERE fk NOT NULL UNION SELECT place_id FROM {src}moz_keywords WHERE place_id NOT NULL)`,
		columns: map[string]treatment{"url": link, "url_hash": urlHash, "rev_host": revHost,
			"title": history, "visit_count": zero, "typed": zero, "frecency": zero, "last_visit_date": history,
			"description": history, "preview_image_url": history, "site_name": history, "origin_id": history,
			"alt_frecency": history}},
	{name: "moz_keywords", columns: map[string]treatment{"keyword": text, "post_data": text}},
	{name: "moz_bookmarks_deleted"},
	{name: "moz_meta"},
	{name: "moz_origins", where: "0"}, // the table only: history (readers count it)
	{name: "moz_anno_attributes", where: `name = 'livemark/feedURI'`},
	{name: "moz_items_annos", columns: map[string]treatment{"content": link},
		where: `anno_attribute_id IN (SELECT id FROM {src}moz_anno_attributes WHERE name = 'livemark/feedURI')`},
}}

var mirrorPlan = dbPlan{what: "bookmarks.sqlite", tables: []tablePlan{
	{name: "meta"},
	{name: "items", columns: map[string]treatment{"title": text, "keyword": text, "description": text,
		"smartBookmarkName": text, "feedURL": link, "siteURL": link, "unknownFields": private}},
	{name: "structure"},
	{name: "urls", urlCol: "url", columns: map[string]treatment{"url": link, "hash": urlHash, "revHost": revHost}},
	{name: "tags", columns: map[string]treatment{"tag": text}},
}}

// copyTable creates t as the source has it and copies its rows, each
// column as the plan treats it; with redacting, the stand-ins come from
// the TEMP table m_<table> (fillMaps), joined by rowid. Indexes are left
// out: the readers join on rowids and scan whole tables, and building
// Places' seven page indexes would take longer than the whole read of the
// case.
func copyTable(conn *sqlraw.Conn, t tablePlan, redacting bool) error {
	create := ""
	err := conn.Query(`SELECT sql FROM src.sqlite_master WHERE type = 'table' AND name = `+quoteLiteral(t.name), func(r *sqlraw.Row) error {
		create, _ = r.Text(0)
		return nil
	})
	if err != nil {
		return err
	}
	if create == "" {
		return nil // an older schema without it: the readers cope
	}
	if err := conn.Exec(create); err != nil {
		return err
	}
	cols, err := columnsOf(conn, t.name)
	if err != nil {
		return err
	}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = columnExpr(t, c, redacting)
	}
	q := fmt.Sprintf(`INSERT INTO main.%s (%s) SELECT %s FROM src.%s AS s`,
		quoteIdent(t.name), joinIdents(cols), strings.Join(exprs, ", "), quoteIdent(t.name))
	if redacting {
		q += fmt.Sprintf(` LEFT JOIN temp.%s AS m ON m.m_rowid_ = s.rowid`, mapTable(t.name))
	}
	if t.where != "" {
		q += " WHERE " + strings.ReplaceAll(t.where, "{src}", "src.")
	}
	return conn.Exec(q)
}

// mapTable names the TEMP table of t's stand-ins.
func mapTable(table string) string { return quoteIdent("m_" + table) }

// mapColumn names the stand-in of column col in t's map.
func mapColumn(col string) string { return "m." + quoteIdent("r_"+col) }

func columnExpr(t tablePlan, col string, redacting bool) string {
	c := "s." + quoteIdent(col)
	switch t.columns[col] {
	case history:
		return "NULL"
	case zero:
		return "0"
	case text, link:
		if redacting {
			// A value the map lacks is never copied as it is.
			return fmt.Sprintf(`CASE WHEN %s IS NULL THEN NULL ELSE IFNULL(%s, 'redacted') END`, c, mapColumn(col))
		}
	case urlHash:
		if redacting {
			return `IFNULL(m.r_hash_, 0)`
		}
	case revHost:
		if redacting {
			return `IFNULL(m.r_revhost_, '.')`
		}
	case private:
		if redacting {
			return "NULL"
		}
	}
	return c
}

func columnsOf(conn *sqlraw.Conn, table string) ([]string, error) {
	var cols []string
	err := conn.Query(`SELECT name FROM pragma_table_info(`+quoteLiteral(table)+`, 'src')`, func(r *sqlraw.Row) error {
		c, _ := r.Text(0)
		cols = append(cols, c)
		return nil
	})
	return cols, err
}

func quoteLiteral(s string) string { return `'` + strings.ReplaceAll(s, `'`, `''`) + `'` }

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func joinIdents(cols []string) string {
	q := make([]string, len(cols))
	for i, c := range cols {
		q[i] = quoteIdent(c)
	}
	return strings.Join(q, ", ")
}

// maps are the stand-ins of every word and URL of both files.
type maps struct {
	texts map[string]string
	links map[string]linkStandIn
}

type linkStandIn struct {
	url     string
	hash    int64
	revHost string
}

// standIns computes the stand-ins of the distinct words and URLs of both
// files, on every core.
func standIns(in StageInput, dbs []*stager) (*maps, error) {
	var texts, links []string
	seenT, seenL := map[string]bool{}, map[string]bool{}
	for _, d := range dbs {
		for _, rt := range d.redacted {
			for i, c := range rt.cols {
				isLink := rt.plan.columns[c] == link
				for _, row := range rt.rows {
					v, ok := row[i+1].(string)
					switch {
					case !ok:
					case isLink && !seenL[v]:
						seenL[v] = true
						links = append(links, v)
					case !isLink && !seenT[v]:
						seenT[v] = true
						texts = append(texts, v)
					}
				}
			}
		}
	}
	textOut := make([]string, len(texts))
	linkOut := make([]linkStandIn, len(links))
	var g errgroup.Group
	workers := runtime.GOMAXPROCS(0)
	for w := range workers {
		g.Go(func() error {
			r, err := redact.New(in.Key, in.Check)
			if err != nil {
				return err
			}
			for i := w; i < len(texts); i += workers {
				textOut[i] = r.Text(texts[i])
			}
			for i := w; i < len(links); i += workers {
				u := r.URL(links[i])
				linkOut[i] = linkStandIn{u, int64(urls.Hash(u)), standInRevHost(u)}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	m := &maps{texts: make(map[string]string, len(texts)), links: make(map[string]linkStandIn, len(links))}
	for i, s := range texts {
		m.texts[s] = textOut[i]
	}
	for i, s := range links {
		m.links[s] = linkOut[i]
	}
	return m, nil
}

// standInRevHost is urls.RevHost of a stand-in URL, whose host, when it
// has one, is plain lowercase letters, digits and dots (redact.URL).
func standInRevHost(u string) string {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return "."
	}
	host, _, _ := strings.Cut(rest, "/")
	b := make([]byte, len(host)+1)
	for i := range len(host) {
		b[len(host)-1-i] = host[i]
	}
	b[len(host)] = '.'
	return string(b)
}

// fillMaps puts each redacted table's stand-ins, by rowid, into a TEMP
// table m_<table> (in memory: temp_store), whence the copy reads them:
// rows in rowid order, so each insert appends.
func (d *stager) fillMaps(m *maps) error {
	for _, rt := range d.redacted {
		cols := []string{"m_rowid_ INTEGER PRIMARY KEY"}
		marks := []string{"?1"}
		for i, c := range rt.cols {
			cols = append(cols, quoteIdent("r_"+c))
			marks = append(marks, fmt.Sprintf("?%d", i+2))
		}
		withURL := rt.plan.urlCol != ""
		if withURL {
			cols = append(cols, "r_hash_", "r_revhost_")
			marks = append(marks, fmt.Sprintf("?%d", len(marks)+1), fmt.Sprintf("?%d", len(marks)+2))
		}
		if err := d.conn.Exec(fmt.Sprintf(`CREATE TEMP TABLE %s (%s)`, mapTable(rt.plan.name), strings.Join(cols, ", "))); err != nil {
			return err
		}
		out := make([][]any, len(rt.rows))
		for j, row := range rt.rows {
			o := make([]any, 0, len(marks))
			o = append(o, row[0])
			var hash, revHost any
			for i, c := range rt.cols {
				v, ok := row[i+1].(string)
				switch {
				case !ok:
					o = append(o, nil)
				case rt.plan.columns[c] == text:
					o = append(o, m.texts[v])
				default:
					l := m.links[v]
					o = append(o, l.url)
					if c == rt.plan.urlCol {
						hash, revHost = l.hash, l.revHost
					}
				}
			}
			if withURL {
				o = append(o, hash, revHost)
			}
			out[j] = o
		}
		slices.SortFunc(out, func(a, b []any) int { return cmp.Compare(a[0].(int64), b[0].(int64)) })
		if err := d.conn.Insert(fmt.Sprintf(`INSERT INTO temp.%s VALUES (%s)`, mapTable(rt.plan.name), strings.Join(marks, ", ")), out); err != nil {
			return err
		}
	}
	return nil
}
