package bundle

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
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
//
// The tables without words are copied inside SQLite (INSERT … SELECT);
// the rows of the tables with words are read into memory, their words
// replaced there and the rows inserted with bound values: one read and
// one write of each row, both files at once.
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
		if err := each(func(d *stager) error { return d.writeRedacted(ctx, m) }); err != nil {
			return err
		}
	}
	return each(func(d *stager) error { return d.commit() })
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

// redactedTable is a table whose words are replaced in memory: its
// columns as the source has them and its rows as read, each column's
// value as the plan treats it (history already NULL or 0).
type redactedTable struct {
	plan tablePlan
	cols []string
	rows [][]any
	// Column indexes by treatment; url is the URL column urlHash and
	// revHost derive from, -1 if none.
	texts, links, hashes, revHosts []int
	url                            int
}

func (d *stager) close() {
	if d.conn != nil {
		d.conn.Close()
	}
}

// open creates the new file, attaches the source, starts the one
// transaction and copies the tables without words; when redacting, it
// reads the rows of the tables with words, to be written by
// writeRedacted once their stand-ins are known.
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
	if err := d.conn.Exec(`BEGIN`); err != nil {
		return err
	}
	for _, t := range d.plan.tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.stageTable(t, redacting); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// commit sets the source's schema version and ends the transaction.
func (d *stager) commit() error {
	if err := d.conn.Exec(fmt.Sprintf(`PRAGMA user_version = %d`, d.version)); err != nil {
		return err
	}
	return d.conn.Exec(`COMMIT`)
}

// stageTable creates t as the source has it, then copies its rows inside
// SQLite, or, when redacting a table with words, reads them for
// writeRedacted. Indexes are left out: the readers join on rowids and
// scan whole tables, and building Places' seven page indexes would take
// longer than the whole read of the case.
func (d *stager) stageTable(t tablePlan, redacting bool) error {
	create := ""
	err := d.conn.Query(`SELECT sql FROM src.sqlite_master WHERE type = 'table' AND name = `+quoteLiteral(t.name), func(r *sqlraw.Row) error {
		create, _ = r.Text(0)
		return nil
	})
	if err != nil {
		return err
	}
	if create == "" {
		return nil // an older schema without it: the readers cope
	}
	if err := d.conn.Exec(create); err != nil {
		return err
	}
	cols, err := columnsOf(d.conn, t.name)
	if err != nil {
		return err
	}
	rt := &redactedTable{plan: t, cols: cols, url: -1}
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = columnExpr(t, c, redacting)
		switch t.columns[c] {
		case text:
			rt.texts = append(rt.texts, i)
		case link:
			rt.links = append(rt.links, i)
			if c == t.urlCol {
				rt.url = i
			}
		case urlHash:
			rt.hashes = append(rt.hashes, i)
		case revHost:
			rt.revHosts = append(rt.revHosts, i)
		}
	}
	from := " FROM src." + quoteIdent(t.name) + " AS s"
	if t.where != "" {
		from += " WHERE " + strings.ReplaceAll(t.where, "{src}", "src.")
	}
	if !redacting || len(rt.texts)+len(rt.links) == 0 {
		return d.conn.Exec(fmt.Sprintf(`INSERT INTO main.%s (%s) SELECT %s%s`, quoteIdent(t.name), joinIdents(cols), strings.Join(exprs, ", "), from))
	}
	words := make([]bool, len(cols))
	for _, i := range append(rt.texts, rt.links...) {
		words[i] = true
	}
	err = d.conn.Query(`SELECT `+strings.Join(exprs, ", ")+from, func(r *sqlraw.Row) error {
		row := make([]any, len(cols))
		for i := range cols {
			if !words[i] {
				row[i] = r.Value(i)
			} else if v, ok := r.Text(i); ok {
				// Any value that is not NULL is read as text, so that no
				// number or blob of a word column is copied unreplaced.
				row[i] = v
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

// writeRedacted replaces the words of the rows read by open with their
// stand-ins and inserts the rows.
func (d *stager) writeRedacted(ctx context.Context, m *maps) error {
	for _, rt := range d.redacted {
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, row := range rt.rows {
			for _, i := range rt.texts {
				if v, ok := row[i].(string); ok {
					row[i] = m.text(v)
				}
			}
			var l linkStandIn
			hasURL := false
			for _, i := range rt.links {
				if v, ok := row[i].(string); ok {
					s := m.link(v)
					row[i] = s.url
					if i == rt.url {
						l, hasURL = s, true
					}
				}
			}
			// A URL's hash and reversed host are the stand-in's; a row
			// without a URL gets what Places gives an empty one.
			for _, i := range rt.hashes {
				row[i] = int64(0)
				if hasURL {
					row[i] = l.hash
				}
			}
			for _, i := range rt.revHosts {
				row[i] = "."
				if hasURL {
					row[i] = l.revHost
				}
			}
		}
		marks := make([]string, len(rt.cols))
		for i := range marks {
			marks[i] = fmt.Sprintf("?%d", i+1)
		}
		q := fmt.Sprintf(`INSERT INTO main.%s (%s) VALUES (%s)`, quoteIdent(rt.plan.name), joinIdents(rt.cols), strings.Join(marks, ", "))
		if err := d.conn.Insert(q, rt.rows); err != nil {
			return fmt.Errorf("%s: %w", rt.plan.name, err)
		}
		rt.rows = nil
	}
	return nil
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

// columnExpr is what the copy selects for col: the source's value, or
// NULL or 0 for history; when redacting, NULL for private text, and a
// placeholder for a URL's hash and reversed host, which writeRedacted
// sets from the URL's stand-in (it replaces the words too).
func columnExpr(t tablePlan, col string, redacting bool) string {
	c := "s." + quoteIdent(col)
	switch t.columns[col] {
	case history:
		return "NULL"
	case zero:
		return "0"
	case urlHash, revHost, private:
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

// text is the stand-in of s; a word the map lacks (none: the map is
// made from the same rows) is never copied as it is.
func (m *maps) text(s string) string {
	if r, ok := m.texts[s]; ok {
		return r
	}
	return "redacted"
}

// link is the stand-in of the URL s, with its hash and reversed host.
func (m *maps) link(s string) linkStandIn {
	if l, ok := m.links[s]; ok {
		return l
	}
	return linkStandIn{url: "redacted", revHost: "."}
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
			for _, row := range rt.rows {
				for _, i := range rt.texts {
					if v, ok := row[i].(string); ok && !seenT[v] {
						seenT[v] = true
						texts = append(texts, v)
					}
				}
				for _, i := range rt.links {
					if v, ok := row[i].(string); ok && !seenL[v] {
						seenL[v] = true
						links = append(links, v)
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
