package backup

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"errors"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	_ "modernc.org/sqlite"
)

const fixtureName = "bookmarks-2026-11-23_45_lvSpPz00cBwXZKWqUj22YRpNmflIpn5rTCeXupBeGd4=.jsonlz4"

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(testutil.Shared(t, "fixtures", "backups", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// openPlaces unpacks a fixture profile and opens its places.sqlite
// (writable when rw, for tests that damage it on purpose).
func openPlaces(t *testing.T, scenario, state string, rw bool) (profile string, db *sql.DB) {
	t.Helper()
	profile = testutil.Profile(t, scenario, state)
	dsn := "file:" + filepath.Join(profile, "places.sqlite")
	if !rw {
		dsn += "?immutable=1"
	}
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	t.Cleanup(func() { db.Close() })
	return profile, db
}

func TestExportByteIdenticalToFirefox(t *testing.T) {
	_, db := openPlaces(t, "small-clean", "before", false)
	got, count, err := Export(db)
	if err != nil {
		t.Fatal(err)
	}
	want := fixture(t, "small-clean.export.json")
	if !bytes.Equal(got, want) {
		i := 0
		for i < len(got) && i < len(want) && got[i] == want[i] {
			i++
		}
		lo := max(0, i-80)
		t.Fatalf("export differs from Firefox's at byte %d (len %d vs %d):\n got  …%s\n want …%s",
			i, len(got), len(want), got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
	}
	if count != 45 {
		t.Errorf("count = %d, want 45", count)
	}
	date := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if name := FileName(date, count, got); name != fixtureName {
		t.Errorf("FileName = %s, want %s", name, fixtureName)
	}
}

// dbRow is a moz_bookmarks row as the consistency test reads it, with no
// code shared with Export.
type dbRow struct {
	id, typ, position, dateAdded, lastModified int64
	guid, title, parentGuid, url               string
	fk                                         sql.NullInt64
}

func readRows(t *testing.T, db *sql.DB) (rows map[string]dbRow, tagged map[string]bool) {
	t.Helper()
	r, err := db.Query(`SELECT b.id, b.type, b.position, b.dateAdded, b.lastModified, b.guid,
		IFNULL(b.title, ''), IFNULL(p.guid, ''), IFNULL(h.url, ''), b.fk
		FROM moz_bookmarks b LEFT JOIN moz_bookmarks p ON p.id = b.parent
		LEFT JOIN moz_places h ON h.id = b.fk`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	rows = map[string]dbRow{}
	for r.Next() {
		var x dbRow
		if err := r.Scan(&x.id, &x.typ, &x.position, &x.dateAdded, &x.lastModified, &x.guid,
			&x.title, &x.parentGuid, &x.url, &x.fk); err != nil {
			t.Fatal(err)
		}
		rows[x.guid] = x
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	// The tags root and everything below it.
	tagged = map[string]bool{TagsGUID: true}
	for changed := true; changed; {
		changed = false
		for g, x := range rows {
			if !tagged[g] && tagged[x.parentGuid] {
				tagged[g], changed = true, true
			}
		}
	}
	return rows, tagged
}

// tagsByPlace computes every URL's tags from the raw rows: the titles of
// the tag folders holding an entry for the same place, sorted.
func tagsByPlace(rows map[string]dbRow) map[int64]string {
	lists := map[int64][]string{}
	for _, x := range rows {
		if x.fk.Valid && x.parentGuid != TagsGUID {
			if p, ok := rows[x.parentGuid]; ok && p.parentGuid == TagsGUID {
				lists[x.fk.Int64] = append(lists[x.fk.Int64], p.title)
			}
		}
	}
	out := map[int64]string{}
	for fk, l := range lists {
		sort.Strings(l)
		out[fk] = strings.Join(l, ",")
	}
	return out
}

func readKeywordsByURL(t *testing.T, db *sql.DB) map[string]string {
	t.Helper()
	r, err := db.Query(`SELECT k.keyword, h.url FROM moz_keywords k JOIN moz_places h ON h.id = k.place_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	out := map[string]string{}
	for r.Next() {
		var k, u string
		if err := r.Scan(&k, &u); err != nil {
			t.Fatal(err)
		}
		out[u] = k
	}
	return out
}

// TestExportFixtures checks the export of every fixture state against the
// database it came from: valid JSON that reads back, the count equals the
// number of objects, every moz_bookmarks row outside the tags root appears
// exactly once, under its parent, with its own position, title, dates,
// type, URL, tags and keyword.
func TestExportFixtures(t *testing.T) {
	cases := []struct{ scenario, state string }{
		{"small-clean", "before"},
		{"small-first-sync", "before"},
		{"twoway", "before"},
		{"twoway", "after"},
		{"dupes", "before"},
		{"dupes", "after"},
		{"corrupt-remote", "before"},
		{"corrupt-remote", "after"},
		{"large-40k", "after"},
	}
	for _, tc := range cases {
		t.Run(tc.scenario+"/"+tc.state, func(t *testing.T) {
			if tc.scenario == "large-40k" && testing.Short() {
				t.Skip("large fixture")
			}
			_, db := openPlaces(t, tc.scenario, tc.state, false)
			js, count, err := Export(db)
			if err != nil {
				t.Fatal(err)
			}
			if !json.Valid(js) {
				t.Fatal("export is not valid JSON")
			}
			var compact bytes.Buffer
			if err := json.Compact(&compact, js); err != nil || !bytes.Equal(compact.Bytes(), js) {
				t.Error("export has whitespace outside strings")
			}
			root, err := Parse(js)
			if err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(js, []byte(`{"guid":`)); n != count || root.Count() != count {
				t.Errorf("count %d, objects %d, nodes %d", count, n, root.Count())
			}
			rows, tagged := readRows(t, db)
			keywords := readKeywordsByURL(t, db)
			tags := tagsByPlace(rows)
			seen := map[string]int{}
			root.Walk(func(n, parent *Node) {
				seen[n.GUID]++
				x, ok := rows[n.GUID]
				if !ok {
					t.Errorf("%s: not in moz_bookmarks", n.GUID)
					return
				}
				if tagged[n.GUID] {
					t.Errorf("%s: tag row exported", n.GUID)
				}
				if parent != nil && parent.GUID != x.parentGuid {
					t.Errorf("%s: under %s, db parent %s", n.GUID, parent.GUID, x.parentGuid)
				}
				if n.ID != x.id || n.Index != x.position || n.Title != x.title ||
					n.DateAdded != x.dateAdded || n.LastModified != x.lastModified || int64(n.TypeCode) != x.typ {
					t.Errorf("%s: node %+v does not match row %+v", n.GUID, *n, x)
				}
				wantType := map[int64]string{1: TypePlace, 2: TypePlaceContainer, 3: TypePlaceSeparator}[x.typ]
				if n.Type != wantType {
					t.Errorf("%s: type %q, want %q", n.GUID, n.Type, wantType)
				}
				if wantRoot := rootNames[n.GUID]; n.Root != wantRoot {
					t.Errorf("%s: root %q, want %q", n.GUID, n.Root, wantRoot)
				}
				if x.typ == TypeCodeBookmark {
					if n.URI != x.url {
						t.Errorf("%s: uri %q, db %q", n.GUID, n.URI, x.url)
					}
					if want := tags[x.fk.Int64]; n.Tags != want {
						t.Errorf("%s: tags %q, want %q", n.GUID, n.Tags, want)
					}
					if want := keywords[x.url]; n.Keyword != want || (want != "" && n.PostData != nil) {
						t.Errorf("%s: keyword %q/%v, want %q/null", n.GUID, n.Keyword, n.PostData, want)
					}
				} else if n.URI != "" || n.Tags != "" || n.Keyword != "" {
					t.Errorf("%s: non-bookmark with uri/tags/keyword", n.GUID)
				}
			})
			for g := range rows {
				if !tagged[g] && seen[g] != 1 {
					t.Errorf("%s: appears %d times, want once", g, seen[g])
				}
			}
			for g, n := range seen {
				if n != 1 {
					t.Errorf("%s: appears %d times", g, n)
				}
			}
			// Keys of a postData-bearing node come in Firefox's order.
			if i := bytes.Index(js, []byte(`"keyword":`)); i >= 0 && !bytes.HasPrefix(js[bytes.Index(js[i:], []byte(`,"postData":`))+i:], []byte(`,"postData":null`)) {
				t.Error("keyword not followed by postData:null")
			}
		})
	}
}

// TestExportEdgeCases damages a copy of small-clean with SQL and checks
// the rules Export shares with promiseBookmarksTree.
func TestExportEdgeCases(t *testing.T) {
	_, db := openPlaces(t, "small-clean", "before", true)
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.Exec(q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A title with every character JSON.stringify treats specially.
	exec(`UPDATE moz_bookmarks SET title = ? WHERE guid = 'bmkCurry____'`,
		"q\"b\\s/<>&\u2028\u2029\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f é🚀")
	// Invalid UTF-8 as SQLite hands it to JS.
	exec(`UPDATE moz_bookmarks SET title = CAST(? AS TEXT) WHERE guid = 'bmkBread____'`, string([]byte{'a', 0xff, 'b', 0x80, 0xed, 0xa0, 0x80}))
	// A bookmark whose URL does not parse is skipped, like in Firefox.
	exec(`INSERT INTO moz_places (url, url_hash, guid) VALUES ('not a url', 1, 'plcBadUrl___')`)
	exec(`INSERT INTO moz_bookmarks (type, fk, parent, position, title, dateAdded, lastModified, guid)
		VALUES (1, (SELECT id FROM moz_places WHERE guid = 'plcBadUrl___'),
		        (SELECT id FROM moz_bookmarks WHERE guid = 'unfiled_____'), 5, 'bad', 1000, 1000, 'bmkBadUrl___')`)
	// A child of a bookmark has no folder to go into: skipped.
	exec(`INSERT INTO moz_bookmarks (type, fk, parent, position, title, dateAdded, lastModified, guid)
		VALUES (3, NULL, (SELECT id FROM moz_bookmarks WHERE guid = 'bmkFtp______'), 0, NULL, 1000, 1000, 'sepInBmk____')`)
	// Keyword with POST data.
	exec(`UPDATE moz_keywords SET post_data = 'q=%s' WHERE keyword = 'go'`)
	// An empty folder keeps no children key; a folder's NULL title is "".
	exec(`UPDATE moz_bookmarks SET title = NULL WHERE guid = 'fldEmpty____'`)

	js, count, err := Export(db)
	if err != nil {
		t.Fatal(err)
	}
	if count != 45 {
		t.Errorf("count = %d, want 45 (the two bogus items skipped)", count)
	}
	for _, tc := range []struct{ name, want string }{
		{"special characters", `"title":"q\"b\\s/<>&` + "\u2028\u2029" + `\u0000\u0001\b\t\n\u000b\f\r\u001f` + "\x7f é🚀" + `"`},
		{"invalid UTF-8", `"title":"a` + "\uFFFDb\u0080\uFFFD" + `"`},
		{"post data", `"keyword":"go","postData":"q=%s"}`},
		{"empty folder", `{"guid":"fldEmpty____","title":"","index":2,"dateAdded":1795397956867000,"lastModified":1795397956867000,"id":16,"typeCode":2,"type":"text/x-moz-place-container"}`},
	} {
		if !bytes.Contains(js, []byte(tc.want)) {
			t.Errorf("%s: export lacks %s", tc.name, tc.want)
		}
	}
	for _, g := range []string{"bmkBadUrl___", "sepInBmk____"} {
		if bytes.Contains(js, []byte(g)) {
			t.Errorf("%s exported, Firefox skips it", g)
		}
	}
	if !json.Valid(js) {
		t.Error("not valid JSON")
	}
}

func TestExportErrors(t *testing.T) {
	_, db := openPlaces(t, "small-clean", "before", true)
	if _, err := db.Exec(`UPDATE moz_bookmarks SET parent = (SELECT id FROM moz_bookmarks WHERE guid = 'menu________') WHERE guid = 'root________'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Export(db); err == nil || !strings.Contains(err.Error(), "loop") {
		t.Errorf("root in a loop: err = %v", err)
	}
	if _, err := db.Exec(`DELETE FROM moz_bookmarks WHERE guid = 'root________'`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Export(db); !errors.Is(err, ErrNoRoot) {
		t.Errorf("no root: err = %v", err)
	}
}

func TestDecodeFixture(t *testing.T) {
	lz := fixture(t, fixtureName)
	want := fixture(t, "small-clean.export.json")
	got, err := DecodeLZ4(lz)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("decoded fixture differs from the plain export")
	}
	// CompressorCCompat matches LZ4_compress_default: Firefox's exact bytes.
	if enc := mustEncode(t, want); !bytes.Equal(enc, lz) {
		t.Errorf("EncodeLZ4 gives %d bytes, not Firefox's %d-byte file", len(enc), len(lz))
	}
}

func TestLZ4RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"one byte", []byte("x")},
		{"export", fixture(t, "small-clean.export.json")},
		{"incompressible", func() []byte {
			b := make([]byte, 5000)
			x := uint32(1)
			for i := range b {
				x = x*1664525 + 1013904223
				b[i] = byte(x >> 24)
			}
			return b
		}()},
		{"runs", bytes.Repeat([]byte("a"), 100000)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			enc := mustEncode(t, tc.data)
			if !bytes.HasPrefix(enc, []byte(Magic)) {
				t.Fatal("no magic")
			}
			dec, err := DecodeLZ4(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(dec, tc.data) {
				t.Fatal("round trip changed the data")
			}
		})
	}
}

func TestDecodeLZ4Errors(t *testing.T) {
	lz := fixture(t, fixtureName)
	withSize := func(n uint32) []byte {
		b := bytes.Clone(lz)
		b[8], b[9], b[10], b[11] = byte(n), byte(n>>8), byte(n>>16), byte(n>>24)
		return b
	}
	for _, tc := range []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrTruncated},
		{"short magic", []byte("mozLz"), ErrTruncated},
		{"bad magic", append([]byte("mozLz41\x00"), lz[8:]...), ErrBadMagic},
		{"plain json", fixture(t, "small-clean.export.json"), ErrBadMagic},
		{"header cut", lz[:10], ErrTruncated},
		{"no block", lz[:12], ErrTruncated},
		{"block cut in half", lz[:len(lz)/2], nil},
		{"block cut by one", lz[:len(lz)-1], nil},
		{"size too small", withSize(9074), ErrCorruptBlock},
		{"size too large", withSize(9076), ErrSizeMismatch},
		{"size impossible", withSize(0xFFFFFFFF), ErrSizeMismatch},
		{"size zero with block", withSize(0), ErrSizeMismatch},
		{"garbage block", append(bytes.Clone(lz[:12]), bytes.Repeat([]byte{0xff}, 40)...), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := DecodeLZ4(tc.data)
			if err == nil {
				t.Fatalf("accepted (%d bytes)", len(out))
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func FuzzDecodeLZ4(f *testing.F) {
	lz, err := os.ReadFile(testutil.Shared(f, "fixtures", "backups", fixtureName))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(lz)
	f.Add(lz[:len(lz)/2])
	f.Add([]byte(Magic))
	f.Add(mustEncode(f, nil))
	f.Add(mustEncode(f, []byte("hello hello hello hello")))
	f.Fuzz(func(t *testing.T, data []byte) {
		out, err := DecodeLZ4(data)
		if err != nil {
			return
		}
		// Whatever decodes must re-encode and decode to the same bytes.
		again, err := DecodeLZ4(mustEncode(t, out))
		if err != nil || !bytes.Equal(again, out) {
			t.Fatalf("round trip of decoded data failed: %v", err)
		}
	})
}

func TestJSNumber(t *testing.T) {
	for _, tc := range []struct {
		in   float64
		want string
	}{
		{0, "0"}, {-0.0, "0"}, {1, "1"}, {-7, "-7"},
		{1795397956867000, "1795397956867000"},
		{1.5, "1.5"}, {0.1, "0.1"}, {123.456, "123.456"},
		{1e20, "100000000000000000000"}, {1e21, "1e+21"}, {1.5e300, "1.5e+300"},
		{0.000001, "0.000001"}, {1e-7, "1e-7"}, {-2.5e-10, "-2.5e-10"},
		{9223372036854775807, "9223372036854776000"},
	} {
		if got := jsNumber(tc.in); got != tc.want {
			t.Errorf("jsNumber(%v) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

// TestJSIntegers checks that integers are written as JS prints the number
// they become, through the shortcut for those a double holds exactly.
func TestJSIntegers(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 1795397956867000, 1 << 53, -1 << 53, 1<<53 + 1, -1<<53 - 1,
		math.MaxInt64, math.MinInt64, 1e15 + 7} {
		var w jsWriter
		w.value(v)
		if want := jsNumber(float64(v)); string(w.buf) != want {
			t.Errorf("%d written as %s, JS prints %s", v, w.buf, want)
		}
	}
}

func TestSQLiteText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
	}{
		{"plain é 日本 🚀", "plain é 日本 🚀"},
		{"a\xffb", "a\uFFFDb"},             // lead byte with no payload
		{"\x80", "\u0080"},                 // stray continuation byte keeps its value
		{"\xe6\x97", "\u0197"},             // truncated sequence: the bits read so far (0x6<<6 | 0x17)
		{"\xc0\x80", "\uFFFD"},             // overlong NUL
		{"\xed\xa0\x80", "\uFFFD"},         // CESU surrogate
		{"\xef\xbf\xbe", "\uFFFD"},         // U+FFFE
		{"\xf4\x90\x80\x80", "\U00010000"}, // > U+10FFFF wraps like WRITE_UTF16
	} {
		if got := sqliteText(tc.in); got != tc.want {
			t.Errorf("sqliteText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestParseFileName(t *testing.T) {
	for _, tc := range []struct {
		name string
		ok   bool
		want FileInfo
	}{
		{fixtureName, true, FileInfo{Date: "2026-11-23", Count: 45, Hash: "lvSpPz00cBwXZKWqUj22YRpNmflIpn5rTCeXupBeGd4=", LZ4: true}},
		{"bookmarks-2014-01-02.json", true, FileInfo{Date: "2014-01-02", Count: -1}},
		{"Bookmarks-2014-01-02_12_ABCDEFGHIJKLMNOPQRSTUVWX.JSON", true, FileInfo{Date: "2014-01-02", Count: 12, Hash: "ABCDEFGHIJKLMNOPQRSTUVWX"}},
		{"bookmarks-2014-01-02_12_short.jsonlz4", false, FileInfo{}},
		{"bmtui-123.jsonlz4.tmp", false, FileInfo{}},
	} {
		got, ok := ParseFileName(tc.name)
		if ok != tc.ok || got != tc.want {
			t.Errorf("ParseFileName(%s) = %+v, %v; want %+v, %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestRead(t *testing.T) {
	dir := t.TempDir()
	lzPath := filepath.Join(dir, fixtureName)
	jsPath := filepath.Join(dir, "plain.json")
	os.WriteFile(lzPath, fixture(t, fixtureName), 0o644)
	os.WriteFile(jsPath, fixture(t, "small-clean.export.json"), 0o644)
	a, err := Read(lzPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Read(jsPath)
	if err != nil {
		t.Fatal(err)
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if !bytes.Equal(ja, jb) {
		t.Error("jsonlz4 and json read differently")
	}
	if a.Count() != 45 || a.GUID != RootGUID || a.Root != "placesRoot" {
		t.Errorf("root %s/%s count %d", a.GUID, a.Root, a.Count())
	}
	nodes := map[string]*Node{}
	a.Walk(func(n, _ *Node) { nodes[n.GUID] = n })
	for _, tc := range []struct {
		guid  string
		check func(n *Node) bool
	}{
		{"bmkMail_____", func(n *Node) bool {
			return n.Keyword == "mail" && n.PostData == nil && n.URI == "https://mail.example.com/"
		}},
		{"bmkPizza____", func(n *Node) bool { return strings.Join(n.TagList(), "|") == "baking|italian" }},
		{"unfiled_____", func(n *Node) bool { return n.Index == 3 && n.Root == "unfiledBookmarksFolder" && len(n.Children) == 5 }},
		{"fldEmpty____", func(n *Node) bool { return n.Children == nil && n.TypeCode == 2 && n.ID == 16 }},
		{"sepMenu1____", func(n *Node) bool { return n.Type == TypePlaceSeparator && n.Title == "" }},
		{"bmkMdn______", func(n *Node) bool { return n.DateAdded == 1690000000000000 }},
	} {
		if n := nodes[tc.guid]; n == nil || !tc.check(n) {
			t.Errorf("%s: %+v", tc.guid, n)
		}
	}
	for _, bad := range []string{"", "null", "{", `{"guid":"x"} {}`, `{"guid":"x","children":[null]}`, `{"index":"zero"}`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q) accepted", bad)
		}
	}
	if _, err := Read(filepath.Join(dir, "missing.jsonlz4")); err == nil {
		t.Error("missing file accepted")
	}
}

func TestWrite(t *testing.T) {
	profile, db := openPlaces(t, "twoway", "before", true)
	now := time.Date(2026, 11, 24, 23, 30, 0, 0, time.UTC)
	js, count, err := Export(db)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(profile, FolderName)
	// An older backup of another day must survive.
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, fixtureName)
	os.WriteFile(old, fixture(t, fixtureName), 0o644)

	path, err := Write(profile, db, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(dir, FileName(now.In(time.Local), count, js)); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	fi, ok := ParseFileName(filepath.Base(path))
	if !ok || fi.Count != count || fi.Hash != Hash(js) || !fi.LZ4 {
		t.Errorf("name %s parses as %+v, %v", filepath.Base(path), fi, ok)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if dec, err := DecodeLZ4(raw); err != nil || !bytes.Equal(dec, js) {
		t.Fatalf("written file does not decode to the export: %v", err)
	}
	root, err := Read(path)
	if err != nil || root.Count() != count {
		t.Fatalf("Read: %v", err)
	}

	// Same day, same content: the existing file is kept, nothing new.
	st1, _ := os.Stat(path)
	path2, err := Write(profile, db, now.Add(time.Minute))
	if err != nil || path2 != path {
		t.Fatalf("second Write = %s, %v; want %s", path2, err, path)
	}
	if st2, _ := os.Stat(path); !st2.ModTime().Equal(st1.ModTime()) {
		t.Error("identical backup rewritten")
	}

	// Same day, different content: a new file, the earlier one kept.
	if _, err := db.Exec(`UPDATE moz_bookmarks SET title = 'Renamed' WHERE guid = 'bmkMdn______'`); err != nil {
		t.Fatal(err)
	}
	path3, err := Write(profile, db, now.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if path3 == path {
		t.Fatal("changed content written to the same name")
	}
	root3, err := Read(path3)
	if err != nil {
		t.Fatal(err)
	}
	renamed := false
	root3.Walk(func(n, _ *Node) { renamed = renamed || (n.GUID == "bmkMdn______" && n.Title == "Renamed") })
	if !renamed {
		t.Error("new backup lacks the change")
	}

	// A damaged file under our exact name is replaced.
	os.WriteFile(path3, []byte("mozLz40\x00garbage"), 0o644)
	path4, err := Write(profile, db, now.Add(3*time.Minute))
	if err != nil || path4 != path3 {
		t.Fatalf("rewrite damaged = %s, %v", path4, err)
	}
	if _, err := Read(path4); err != nil {
		t.Errorf("damaged file not replaced: %v", err)
	}

	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
		if strings.HasSuffix(e.Name(), ".tmp") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
	if len(names) != 3 {
		t.Errorf("backups folder holds %v, want the old one and two new ones", names)
	}
	if _, err := os.Stat(old); err != nil {
		t.Errorf("older backup gone: %v", err)
	}
}

func TestWriteCreatesFolderAndFailsCleanly(t *testing.T) {
	profile, db := openPlaces(t, "small-clean", "before", false)
	if _, err := os.Stat(filepath.Join(profile, FolderName)); !os.IsNotExist(err) {
		t.Fatalf("fixture already has %s", FolderName)
	}
	if _, err := Write(profile, db, time.Now()); err != nil {
		t.Fatal(err)
	}
	// A file where the folder should be.
	blocked := t.TempDir()
	os.WriteFile(filepath.Join(blocked, FolderName), nil, 0o644)
	if _, err := Write(blocked, db, time.Now()); err == nil {
		t.Error("Write succeeded with no folder to write to")
	}
}

func mustEncode(tb testing.TB, data []byte) []byte {
	tb.Helper()
	enc, err := EncodeLZ4(data)
	if err != nil {
		tb.Fatal(err)
	}
	return enc
}

// BenchmarkExport times Export on large-40k (50,000 rows): an apply runs
// it on its copy of places.sqlite while the transaction runs.
func BenchmarkExport(b *testing.B) {
	profile := testutil.Profile(b, "large-40k", "before")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(profile, "places.sqlite")+"?immutable=1")
	if err != nil {
		b.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	defer db.Close()
	for b.Loop() {
		if _, _, err := Export(db); err != nil {
			b.Fatal(err)
		}
	}
}
