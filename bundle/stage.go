package bundle

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"strings"

	"golang.org/x/sync/errgroup"

	"github.com/bmtui/bmtui/bundle/redact"
	"github.com/bmtui/bmtui/internal/hugepages"
	"github.com/bmtui/bmtui/internal/sqlraw"
	"github.com/bmtui/bmtui/places/urls"
)

// Names of the two databases inside the folder a case is unpacked into
// (a profile's layout, so that the readers of profiles read it
// unchanged), and inside a bundle of version 1.
const (
	PlacesName = "places.sqlite"
	MirrorName = "weave/bookmarks.sqlite"
)

// Names of the two databases' rows (Tables) inside a bundle of version 2.
const (
	PlacesRows = "places.rows"
	MirrorRows = "weave/bookmarks.rows"
)

// StageInput says what to stage.
type StageInput struct {
	// Places and Mirror are private copies (snapshots) of the profile's
	// databases; Mirror is "" when the profile never synced.
	Places, Mirror string
	// Key, when set, redacts: titles, URLs, keywords and tags become
	// stand-ins (package redact) under this key.
	Key []byte
	// Check is the URL check redaction keeps (places.ParseURL).
	Check redact.URLCheck
	// Then, when set, is given each database's rows (member PlacesRows
	// or MirrorRows, the rows and their counts as Staged holds them) as
	// soon as that database is read, in the goroutine that read it, while
	// the other may still be read: what the caller makes of one side
	// overlaps the reading of the other. Its error fails Stage.
	Then func(member string, rows []byte, counts map[string]int) error
}

// Staged is what a bundle holds of the two databases: their rows,
// encoded (Tables.Encode's format, DecodeTables reads it).
type Staged struct {
	Places []byte
	Mirror []byte // nil without a mirror
	// StandIns are the stand-ins the rows got, nil when not redacting:
	// whoever shows the profile's own trees in the bundle (the report, the
	// decision log) redacts them with the same stand-ins.
	StandIns *StandIns
	// PlacesCounts and MirrorCounts are how many rows each table has,
	// by name: whoever reads the rows back sizes its slices with them.
	PlacesCounts, MirrorCounts map[string]int
}

// Stage reads the bookmark tables of both databases and encodes their
// rows: the bookmarks, their pages (without history: no visits, page
// titles, descriptions or origins), keywords, tombstones, Places' Sync
// metadata and the livemark annotation; all of the mirror. With a key
// the words are replaced as each row is encoded, so that no original
// word is ever written. Each file is read by one scan of each table,
// both files at once, each value encoded as it is read.
func Stage(ctx context.Context, in StageInput) (*Staged, error) {
	dbs := []*stager{{plan: placesPlan, src: in.Places}}
	if in.Mirror != "" {
		dbs = append(dbs, &stager{plan: mirrorPlan, src: in.Mirror})
	}
	redacting := in.Key != nil
	for _, d := range dbs {
		if redacting {
			r, err := redact.New(in.Key, in.Check)
			if err != nil {
				return nil, fmt.Errorf("bundle: %w", err)
			}
			d.m = newMaps(r, 0)
		}
	}
	var g errgroup.Group
	for i, d := range dbs {
		g.Go(func() error {
			if err := d.read(ctx); err != nil {
				return fmt.Errorf("bundle: read %s: %w", d.plan.what, err)
			}
			if in.Then == nil {
				return nil
			}
			return in.Then([]string{PlacesRows, MirrorRows}[i], d.out, d.counts)
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := &Staged{Places: dbs[0].out, PlacesCounts: dbs[0].counts}
	if len(dbs) > 1 {
		out.Mirror, out.MirrorCounts = dbs[1].out, dbs[1].counts
	}
	if redacting {
		out.StandIns = &StandIns{key: in.Key}
		for _, d := range dbs {
			out.StandIns.m = append(out.StandIns.m, d.m)
		}
	}
	return out, nil
}

// stager reads one database.
type stager struct {
	plan dbPlan
	src  string
	m    *maps // the stand-ins, nil when not redacting
	out  []byte
	// counts are the rows of each table read.
	counts map[string]int
}

// read reads and encodes every table of the plan.
func (d *stager) read(ctx context.Context) error {
	conn, err := sqlraw.Open(d.src, true)
	if err != nil {
		return err
	}
	defer conn.Close()
	var version int64
	if err := conn.Query(`PRAGMA user_version`, func(r *sqlraw.Row) error { version = r.Int(0); return nil }); err != nil {
		return err
	}
	var tables []tablePlan
	for _, t := range d.plan.tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		err := conn.Query(`SELECT sql FROM sqlite_master WHERE type = 'table' AND name = `+quoteLiteral(t.name), func(r *sqlraw.Row) error {
			t.create, _ = r.Text(0)
			return nil
		})
		if err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
		if t.create != "" { // an older schema may lack a table: the readers cope
			tables = append(tables, t)
		}
	}
	// One buffer of 3/4 the size of the file, more than its rows take (40-70 %
	// of it), so that it never grows: growing copies it and touches
	// new pages, and each page first touched costs a fault (15 µs on
	// the 2-core test machine); the part never written is never touched.
	size := 1 << 16
	if fi, err := os.Stat(d.src); err == nil {
		size = int(min(max(fi.Size()/4*3, 1<<16), 1<<30))
	}
	d.out = hugepages.Make[byte](0, size)
	if d.m != nil {
		// Sized for about one word and one URL per 512 bytes of file,
		// so that the maps rarely grow.
		d.m = newMaps(d.m.r, size/512)
	}
	d.out = append(d.out, rowsMagic...)
	d.out = binary.AppendVarint(d.out, version)
	d.out = binary.AppendUvarint(d.out, uint64(len(tables)))
	for _, t := range tables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.readTable(conn, t); err != nil {
			return fmt.Errorf("%s: %w", t.name, err)
		}
	}
	return nil
}

// readTable reads t's columns and rows and encodes them after its CREATE
// statement (t.create), each column's value as the plan treats it:
// history NULL or 0; when redacting, the stand-in of any word (any value
// of a word column that is not NULL is read as text, so that no number
// or blob of it is kept unreplaced), and a URL's hash and reversed host
// the stand-in's. Indexes are left out: the readers join on rowids and
// scan whole tables, and building Places' seven page indexes when a case
// is opened would take longer than the whole read of the case.
func (d *stager) readTable(conn *sqlraw.Conn, t tablePlan) error {
	cols, err := columnsOf(conn, t.name)
	if err != nil {
		return err
	}
	body := appendString(d.out, t.name)
	body = appendString(body, t.create)
	body = binary.AppendUvarint(body, uint64(len(cols)))
	for _, c := range cols {
		body = appendString(body, c)
	}
	redacting := d.m != nil
	exprs := make([]string, len(cols))
	how := make([]treatment, len(cols))
	url := -1
	for i, c := range cols {
		exprs[i] = columnExpr(t, c, redacting)
		how[i] = t.columns[c]
		if how[i] == link && c == t.urlCol {
			url = i
		}
	}
	q := `SELECT ` + strings.Join(exprs, ", ") + ` FROM ` + quoteIdent(t.name) + ` AS s`
	if t.where != "" {
		q += " WHERE " + strings.ReplaceAll(t.where, "{src}", "")
	}
	n := 0
	err = conn.Query(q, func(r *sqlraw.Row) error {
		n++
		body = append(body, rowNext)
		if !redacting {
			for i := range cols {
				body = appendColumn(body, r, i)
			}
			return nil
		}
		// The row's URL first: its hash and reversed host may come
		// before it.
		l, hasURL := linkStandIn{}, false
		if url >= 0 {
			if v, ok := r.View(url); ok {
				l, hasURL = d.m.link(v), true
			}
		}
		for i := range cols {
			switch how[i] {
			case text, link:
				if i == url {
					if hasURL {
						body = appendText(body, l.url)
					} else {
						body = append(body, tagNull)
					}
					continue
				}
				v, ok := r.View(i)
				switch {
				case !ok:
					body = append(body, tagNull)
				case how[i] == link:
					body = appendText(body, d.m.link(v).url)
				default:
					body = appendText(body, d.m.text(v))
				}
			case urlHash:
				// A row without a URL gets what Places gives an empty one.
				if hasURL {
					body = appendValue(body, l.hash)
				} else {
					body = appendValue(body, int64(0))
				}
			case revHost:
				if hasURL {
					body = appendText(body, l.revHost)
				} else {
					body = appendText(body, ".")
				}
			default:
				body = appendColumn(body, r, i)
			}
		}
		return nil
	})
	d.out = append(body, rowsEnd)
	if d.counts == nil {
		d.counts = map[string]int{}
	}
	d.counts[t.name] = n
	return err
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
	create  string               // the source's CREATE TABLE statement, once read
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
// placeholder for a URL's hash and reversed host, which readTable
// replaces with the stand-in's (it replaces the words too).
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
	err := conn.Query(`SELECT name FROM pragma_table_info(`+quoteLiteral(table)+`)`, func(r *sqlraw.Row) error {
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

// maps are the stand-ins of the words and URLs met so far, each computed
// once; a maps is used by one goroutine at a time.
type maps struct {
	r     *redact.Redactor
	texts map[string]string
	links map[string]linkStandIn
}

func newMaps(r *redact.Redactor, size int) *maps {
	return &maps{r: r, texts: make(map[string]string, size), links: make(map[string]linkStandIn, size)}
}

// text is the stand-in of the words b (a view of SQLite's buffer: a
// string is made of it only the first time it is met).
func (m *maps) text(b []byte) string {
	t, ok := m.texts[string(b)]
	if !ok {
		s := string(b)
		t = m.r.Text(s)
		m.texts[s] = t
	}
	return t
}

// link is the stand-in of the URL b (as text), with its hash and
// reversed host.
func (m *maps) link(b []byte) linkStandIn {
	l, ok := m.links[string(b)]
	if !ok {
		s := string(b)
		u := m.r.URL(s)
		l = linkStandIn{u, int64(urls.Hash(u)), standInRevHost(u)}
		m.links[s] = l
	}
	return l
}

type linkStandIn struct {
	url     string
	hash    int64
	revHost string
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

// StandIns are the stand-ins a redacted bundle's rows got, to redact
// anything else shown from the same profile (its trees) the same way.
// Safe for concurrent use: the stand-ins of the rows are only read, and
// one they lack (none: the trees are read from the same rows) is
// computed again for the call.
type StandIns struct {
	m   []*maps // each database's (the same key's)
	key []byte
}

// Text is the stand-in of a title, keyword or tag.
func (s *StandIns) Text(v string) string {
	for _, m := range s.m {
		if t, ok := m.texts[v]; ok {
			return t
		}
	}
	return s.fresh().text([]byte(v))
}

// URL is the stand-in of a URL.
func (s *StandIns) URL(v string) string {
	for _, m := range s.m {
		if l, ok := m.links[v]; ok {
			return l.url
		}
	}
	return s.fresh().link([]byte(v)).url
}

// fresh is an empty maps with a redactor of its own.
func (s *StandIns) fresh() *maps { return newMaps(s.m[0].r.Clone(s.key), 0) }

// appendColumn encodes column i of r as appendValue encodes r.Value(i),
// without boxing the value in an any first.
func appendColumn(b []byte, r *sqlraw.Row, i int) []byte {
	switch r.Kind(i) {
	case sqlraw.KindInt:
		return binary.AppendVarint(append(b, tagInt), r.Int(i))
	case sqlraw.KindFloat:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(r.Float(i)))
	case sqlraw.KindText:
		v, _ := r.View(i)
		return append(binary.AppendUvarint(append(b, tagText), uint64(len(v))), v...)
	case sqlraw.KindBlob:
		v := r.BlobView(i)
		return append(binary.AppendUvarint(append(b, tagBlob), uint64(len(v))), v...)
	}
	return append(b, tagNull)
}
