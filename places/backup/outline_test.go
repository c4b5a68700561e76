package backup

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/source"
)

// treeItems is the outline the general road gives: Parse, Tree, walked;
// false when that road fails.
func treeItems(t testing.TB, js []byte) ([]source.OutlineItem, bool) {
	t.Helper()
	r, err := Result(source.Provenance{Path: "x"}, js, time.Unix(1700000000, 0))
	if err != nil {
		return nil, false
	}
	return source.TreeOutline(r).Items, true
}

// checkOutline fails when outlineFast reads js but the general road
// fails on it or gives other items.
func checkOutline(t testing.TB, js []byte) (fast bool) {
	t.Helper()
	got, _, ok := outlineFast(js, nil, nil)
	if !ok {
		return false
	}
	got = append([]source.OutlineItem(nil), got...)
	want, ok := treeItems(t, js)
	if !ok {
		t.Fatalf("outlineFast reads what Parse and Tree refuse: %q", js)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("outlineFast reads %q differently:\n%+v\nwant\n%+v", js, got, want)
	}
	return true
}

// Firefox's backups take the fast road and give the tree's items; the
// cases below take it or step aside, and either way LoadOutline gives
// TreeOutline of Load.
func TestOutlineFast(t *testing.T) {
	for _, js := range fastSeeds(t) {
		if !checkOutline(t, js) {
			t.Errorf("a backup Firefox wrote does not take the fast road")
		}
	}
	root := func(children string) string {
		return `{"guid":"root________","typeCode":2,"children":[` + children + `]}`
	}
	var scratch source.Scratch // lent to one file after another, of every size
	for _, tc := range []struct {
		name, js string
		fast     bool
	}{
		{"empty root", root(``), true},
		{"types by name", root(`{"guid":"menu________","type":"text/x-moz-place-container","children":[{"guid":"aaaaaaaaaaaa","type":"text/x-moz-place","uri":"place:sort=8","title":"Caf\u00e9"},{"guid":"bbbbbbbbbbbb","type":"text/x-moz-place-separator"}]}`), true},
		{"unknown type left out with its subtree", root(`{"guid":"menu________","typeCode":2,"children":[{"guid":"cccccccccccc","typeCode":7,"children":[{"guid":"dddddddddddd","typeCode":1}]},{}]}`), true},
		{"a bookmark's children not read", root(`{"guid":"menu________","typeCode":2,"children":[{"guid":"eeeeeeeeeeee","typeCode":1,"children":[{"guid":"ffffffffffff","typeCode":1}]}]}`), true},
		{"a folder beside the roots", root(`{"guid":"custom______","typeCode":2,"children":[{"guid":"gggggggggggg","typeCode":1}]}`), true},
		{"null fields", root(`{"guid":"menu________","typeCode":2,"title":null,"uri":null,"index":null,"children":null}`), true},
		{"a GUID twice", root(`{"guid":"menu________","typeCode":2,"children":[{"guid":"hhhhhhhhhhhh","typeCode":2},{"guid":"hhhhhhhhhhhh","typeCode":1}]}`), false},
		{"the root's GUID again", root(`{"guid":"root________","typeCode":2}`), false},
		{"no GUID", root(`{"typeCode":1,"title":"old"}`), false},
		{"a built-in root misplaced", root(`{"guid":"menu________","typeCode":2,"children":[{"guid":"toolbar_____","typeCode":2}]}`), false},
		{"not the Places root", `{"guid":"menu________","typeCode":2}`, false},
		{"a root that is no folder", `{"guid":"root________","typeCode":1}`, false},
		{"a key Firefox does not write", root(`{"guid":"menu________","typeCode":2,"annos":[]}`), false},
		{"a fraction", root(`{"guid":"menu________","typeCode":2,"index":1.5}`), false},
		{"a number out of range", root(`{"guid":"menu________","typeCode":2,"dateAdded":9223372036854775808}`), false},
		{"the smallest number", root(`{"guid":"menu________","typeCode":2,"dateAdded":-9223372036854775808}`), true},
		{"truncated", root(`{"guid":"menu________"`), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := checkOutline(t, []byte(tc.js)); got != tc.fast {
				t.Errorf("fast road %v, want %v", got, tc.fast)
			}
			path := filepath.Join(t.TempDir(), "bookmarks-2026-11-23.json")
			if err := os.WriteFile(path, []byte(tc.js), 0o644); err != nil {
				t.Fatal(err)
			}
			checkLoadOutline(t, path, nil)
			checkLoadOutline(t, path, &scratch)
		})
	}
}

// checkLoadOutline fails unless LoadOutline, lent scratch, gives
// TreeOutline of Load, or the same error.
func checkLoadOutline(t testing.TB, path string, scratch *source.Scratch) {
	t.Helper()
	s, err := OpenSource(path)
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1700000000, 0)
	r, lerr := s.Load(clock)
	var got *source.Outline
	oerr := s.LoadOutline(clock, scratch, func(o *source.Outline) {
		c := *o
		c.Items = append([]source.OutlineItem(nil), o.Items...)
		got = &c
	})
	switch {
	case lerr != nil || oerr != nil:
		if lerr == nil || oerr == nil || lerr.Error() != oerr.Error() {
			t.Fatalf("Load: %v; LoadOutline: %v", lerr, oerr)
		}
	case !reflect.DeepEqual(got, source.TreeOutline(r)):
		t.Fatalf("LoadOutline gives\n%+v\nLoad's tree\n%+v", got, source.TreeOutline(r))
	}
}

// Bad files give Load's one line: truncated, a wrong size header, not a
// bookmark tree.
func TestLoadOutlineErrors(t *testing.T) {
	dir := t.TempDir()
	good, err := EncodeLZ4([]byte(`{"guid":"root________","typeCode":2}`))
	if err != nil {
		t.Fatal(err)
	}
	wrongSize := append([]byte(nil), good...)
	wrongSize[len(Magic)]++
	var scratch source.Scratch
	for name, data := range map[string][]byte{
		"truncated.jsonlz4": good[:len(good)-3],
		"wrongsize.jsonlz4": wrongSize,
		"nottree.json":      []byte(`[1,2,3]`),
		"notroot.json":      []byte(`{"guid":"x","typeCode":2}`),
		"good.jsonlz4":      good,
		"empty.json":        nil,
		"short.jsonlz4":     []byte("mozLz4"),
	} {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Run(name, func(t *testing.T) {
			checkLoadOutline(t, path, nil)
			checkLoadOutline(t, path, &scratch)
		})
	}
}

// The backups of history-40k (40,000 bookmarks each, written by the
// exporter as Firefox would) take the fast road and give Load's tree.
func TestLoadOutlineLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads large-40k; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "places.sqlite")
	testutil.Gunzip(t, testutil.Shared(t, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	js, _, err := ExportFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !checkOutline(t, js) {
		t.Fatal("large-40k's backup does not take the fast road")
	}
	lz, err := EncodeLZ4(js)
	if err != nil {
		t.Fatal(err)
	}
	bpath := filepath.Join(t.TempDir(), "bookmarks-2026-11-23_1_x.jsonlz4")
	if err := os.WriteFile(bpath, lz, 0o644); err != nil {
		t.Fatal(err)
	}
	var scratch source.Scratch
	checkLoadOutline(t, bpath, &scratch)
	checkLoadOutline(t, bpath, &scratch) // into the storage the first read left
}

func FuzzOutline(f *testing.F) {
	for _, js := range fastSeeds(f) {
		f.Add(js)
	}
	for _, s := range []string{
		`{"guid":"root________","typeCode":2,"children":[{"guid":"menu________","typeCode":2,"children":[{"guid":"aaaaaaaaaaaa","typeCode":1,"uri":"place:x"}]}]}`,
		`{"guid":"root________","type":"text/x-moz-place-container","children":[{"guid":"x","typeCode":3},{}]}`,
		`{"guid":"root________","typeCode":2,"children":[{"guid":"tags________","typeCode":2,"children":[{"guid":"t","typeCode":2,"children":[{"guid":"u","typeCode":1}]}]}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		checkOutline(t, js)
	})
}

// BenchmarkOutline40k is one backup of a 40k-bookmark tree read for a
// search: decompress and outline, against decompress, parse and build.
func BenchmarkOutline40k(b *testing.B) {
	dir := testutil.Profile(b, "large-40k", "before")
	js, _, err := ExportFile(filepath.Join(dir, "places.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	lz, err := EncodeLZ4(js)
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "bookmarks-2026-11-23_1_x.jsonlz4")
	if err := os.WriteFile(path, lz, 0o644); err != nil {
		b.Fatal(err)
	}
	s, err := OpenSource(path)
	if err != nil {
		b.Fatal(err)
	}
	clock := time.Now()
	b.Run("outline", func(b *testing.B) {
		defer testutil.ReportCPU(b)()
		var scratch source.Scratch
		for b.Loop() {
			n := 0
			if err := s.LoadOutline(clock, &scratch, func(o *source.Outline) { n = len(o.Items) }); err != nil || n < 40000 {
				b.Fatal(err, n)
			}
		}
	})
	b.Run("tree", func(b *testing.B) {
		for b.Loop() {
			r, err := s.Load(clock)
			if err != nil || r.Tree.Len() < 40000 {
				b.Fatal(err)
			}
		}
	})
}

// plainString, eight bytes at a time, finds what rawString finds.
func FuzzPlainString(f *testing.F) {
	for _, s := range []string{`"abc"`, `"0123456789abcdef\"`, `"Café crème — 日本語 🚀 and more text"x`, "\"a\x01b\"", "\"abcdefgh\xff\"", `"unterminated`, `""`, `"12345678"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) == 0 || b[0] != '"' {
			b = append([]byte{'"'}, b...)
		}
		p := outlineParser{fastParser: fastParser{b: b}}
		start, end, ok := p.plainString()
		raw, rok := p.rawString()
		if ok != rok || (ok && (start != 1 || string(b[start:end]) != string(raw) || p.i != end+1)) {
			t.Fatalf("plainString(%q) = %d %d %v; rawString %q %v", b, start, end, ok, raw, rok)
		}
	})
}

// rawString is the plain reference plainString is held to: the string at
// the cursor if it needs no unescaping, its bytes between the quotes.
func (p *fastParser) rawString() ([]byte, bool) {
	start := p.i + 1
	end := bytes.IndexByte(p.b[start:], '"')
	if end < 0 {
		return nil, false
	}
	s := p.b[start : start+end]
	ascii := true
	for _, c := range s {
		if c < ' ' || c == '\\' {
			return nil, false
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && !utf8.Valid(s) {
		return nil, false
	}
	p.i = start + end + 1
	return s, true
}
