package backup

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	jsonv2 "github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/bmtui/bmtui/internal/testutil"
)

// decodeStd is Parse's other road, encoding/json/v2 with Parse's
// options, the reference parseFast is held to.
func decodeStd(js []byte) (*Node, error) {
	var root *Node
	if err := jsonv2.Unmarshal(js, &root, jsontext.AllowInvalidUTF8(true), jsontext.AllowDuplicateNames(true)); err != nil {
		return nil, err
	}
	if root == nil {
		return nil, errors.New("null")
	}
	return root, nil
}

// checkFast fails when parseFast accepts js but encoding/json does not, or
// reads it differently.
func checkFast(t *testing.T, js []byte) (accepted bool) {
	t.Helper()
	fast, ok := parseFast(js)
	if !ok {
		return false
	}
	want, err := decodeStd(js)
	if err != nil {
		t.Fatalf("parseFast accepts what encoding/json refuses (%v): %q", err, js)
	}
	if !reflect.DeepEqual(fast, want) {
		t.Fatalf("parseFast reads %q differently:\n%+v\nwant\n%+v", js, fast, want)
	}
	return true
}

func fastSeeds(t testing.TB) [][]byte {
	var out [][]byte
	for _, name := range []string{"small-clean.export.json", "bookmarks-2026-11-23_45_lvSpPz00cBwXZKWqUj22YRpNmflIpn5rTCeXupBeGd4=.jsonlz4"} {
		b, err := os.ReadFile(testutil.Shared(t, "fixtures", "backups", name))
		if err != nil {
			t.Fatal(err)
		}
		js, err := content(b)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, js)
	}
	return out
}

// Firefox's own backups take the fast road, and it reads them as
// encoding/json does; so do the cases below, or they go the slow road.
func TestParseFast(t *testing.T) {
	for _, js := range fastSeeds(t) {
		if !checkFast(t, js) {
			t.Errorf("a backup Firefox wrote does not take the fast road")
		}
	}
	for _, tc := range []struct {
		js   string
		fast bool
	}{
		{`{"guid":"root________","children":[]}`, true},
		{` {"guid":"a","title":"Caf\u00e9 \"x\"","index":-3,"postData":null,"children":[{"typeCode":1}]} `, true},
		{`{"title":null,"postData":"p=1","tags":"a,b","id":0}`, true},
		{`{}`, true},
		{`{"guid":"a","guid":"b"}`, false},        // a key twice
		{`{"GUID":"a"}`, false},                   // encoding/json's case-insensitive match
		{`{"index":1.0}`, false},                  // a fraction
		{`{"index":01}`, false},                   // not JSON
		{`{"index":99999999999999999999}`, false}, // out of range
		{`{"children":[null]}`, false},
		{`{"annos":[]}`, false},
		{"{\"title\":\"\xff\"}", false},
		{"{\"title\":\"a\tb\"}", false},
		{`{"title":"a"} x`, false},
		{`null`, false},
		{`[]`, false},
		{`{"title":"a",}`, false},
		{`{"title":"\ud800"}`, true},
	} {
		if got := checkFast(t, []byte(tc.js)); got != tc.fast {
			t.Errorf("parseFast(%s): fast %v, want %v", tc.js, got, tc.fast)
		}
		// Either road, Parse gives encoding/json's tree or an error.
		want, werr := decodeStd([]byte(tc.js))
		got, gerr := Parse([]byte(tc.js))
		if (werr == nil) != (gerr == nil) && !strings.Contains(tc.js, "null]") {
			t.Errorf("Parse(%s): error %v, encoding/json %v", tc.js, gerr, werr)
		} else if werr == nil && gerr == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("Parse(%s) = %+v, want %+v", tc.js, got, want)
		}
	}
}

// The 15 backups of history-40k (40,000 bookmarks each) take the fast road
// and read as encoding/json reads them.
func TestParseFastLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("reads large-40k; skipped with -short")
	}
	path := filepath.Join(t.TempDir(), "places.sqlite")
	testutil.Gunzip(t, testutil.Shared(t, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	js, _, err := ExportFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !checkFast(t, js) {
		t.Fatal("large-40k's backup does not take the fast road")
	}
}

func FuzzParseFast(f *testing.F) {
	for _, js := range fastSeeds(f) {
		f.Add(js)
	}
	for _, s := range []string{`{"guid":"a","children":[{"title":"\u00e9"}]}`, `{"index":-0}`, `{"postData":"x"}`, `{"children":null}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, js []byte) {
		checkFast(t, js)
	})
}

func BenchmarkParse(b *testing.B) {
	path := filepath.Join(b.TempDir(), "places.sqlite")
	testutil.Gunzip(b, testutil.Shared(b, "fixtures", "profiles", "large-40k", "before", "places.sqlite.gz"), path)
	js, _, err := ExportFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("fast", func(b *testing.B) {
		defer testutil.ReportCPU(b)()
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			if _, ok := parseFast(js); !ok {
				b.Fatal("slow road")
			}
		}
	})
	b.Run("encoding-json-v2", func(b *testing.B) {
		b.SetBytes(int64(len(js)))
		for b.Loop() {
			if _, err := decodeStd(js); err != nil {
				b.Fatal(err)
			}
		}
	})
}
