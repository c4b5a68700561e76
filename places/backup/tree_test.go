package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
)

func TestTree(t *testing.T) {
	root := func(children string) string {
		return `{"guid":"root________","typeCode":2,"type":"text/x-moz-place-container","root":"placesRoot","children":[
			{"guid":"menu________","title":"menu","typeCode":2,"children":[` + children + `]},
			{"guid":"toolbar_____","title":"toolbar","typeCode":2}]}`
	}
	tests := []struct {
		name, json string
		want       map[string]string // GUID -> "kind parent title"
		notes      int
		err        error
	}{
		{"kinds", root(`{"guid":"bmkA________","title":"A","typeCode":1,"uri":"https://a.example/","tags":"x,y","keyword":"a"},
			{"guid":"sep_________","typeCode":3},
			{"guid":"qry_________","title":"Q","typeCode":1,"uri":"place:sort=8"},
			{"guid":"fld_________","title":"F","typeCode":2,"children":[{"guid":"bmkB________","title":"B","typeCode":1,"uri":"https://b.example/"}]}`),
			map[string]string{"bmkA________": "bookmark menu________ A", "sep_________": "separator menu________ ",
				"qry_________": "query menu________ Q", "fld_________": "folder menu________ F", "bmkB________": "bookmark fld_________ B"}, 0, nil},
		{"type strings without codes", root(`{"guid":"bmkA________","title":"A","type":"text/x-moz-place","uri":"https://a.example/"}`),
			map[string]string{"bmkA________": "bookmark menu________ A"}, 0, nil},
		{"duplicate GUID", root(`{"guid":"bmkA________","title":"A","typeCode":1,"uri":"https://a.example/"},{"guid":"bmkA________","title":"A2","typeCode":1,"uri":"https://a.example/"}`),
			map[string]string{"bmkA________": "bookmark menu________ A"}, 1, nil},
		{"no GUID", root(`{"title":"old","typeCode":1,"uri":"https://old.example/"}`), nil, 1, nil},
		{"unknown type", root(`{"guid":"odd_________","typeCode":9}`), map[string]string{"odd_________": ""}, 1, nil},
		{"not the root", `{"guid":"menu________","typeCode":2,"children":[]}`, nil, 0, ErrNotBookmarkTree},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := Parse([]byte(tc.json))
			if err != nil {
				t.Fatal(err)
			}
			tr, notes, err := Tree(n, 1700000000000)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("error %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(notes) != tc.notes {
				t.Errorf("notes %q, want %d", notes, tc.notes)
			}
			for guid, want := range tc.want {
				node := tr.Lookup(guid)
				got := ""
				if node != nil {
					got = node.Kind.String() + " " + tr.ParentOf(node).GUID + " " + node.Info.Title
				}
				if got != want {
					t.Errorf("%s: %q, want %q", guid, got, want)
				}
			}
		})
	}
}

// The tree of a Firefox backup holds every node of the file.
func TestTreeOfFirefoxBackup(t *testing.T) {
	dir := testutil.Shared(t, "fixtures", "backups")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".jsonlz4") {
			continue
		}
		n, err := Read(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		tr, notes, err := Tree(n, 1700000000000)
		if err != nil || len(notes) > 0 {
			t.Fatalf("%s: %v %v", e.Name(), err, notes)
		}
		fi, _ := ParseFileName(e.Name())
		if tr.Len() != n.Count() || tr.Len() != fi.Count {
			t.Errorf("%s: %d in the tree, %d in the file, name says %d", e.Name(), tr.Len(), n.Count(), fi.Count)
		}
		if tr.Lookup(tree.ToolbarGUID) == nil {
			t.Errorf("%s: no toolbar", e.Name())
		}
	}
}

// FuzzTree: any bytes as a backup parse and build, or fail with an error;
// never a panic.
func FuzzTree(f *testing.F) {
	dir := testutil.Shared(f, "fixtures", "backups")
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if b, err := os.ReadFile(filepath.Join(dir, e.Name())); err == nil && strings.Contains(e.Name(), ".json") {
			f.Add(b)
		}
	}
	f.Add([]byte(`{"guid":"root________","typeCode":2,"children":[{"guid":"root________","typeCode":2,"children":[{"typeCode":1}]}]}`))
	f.Add([]byte(`{"guid":"root________","typeCode":2,"children":[{"guid":"a","typeCode":1,"children":[{"guid":"b","typeCode":2}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := Parse(data)
		if err != nil {
			return
		}
		tr, _, err := Tree(n, 1700000000000)
		if err == nil && tr == nil {
			t.Fatal("no tree and no error")
		}
	})
}

func TestParseErrors(t *testing.T) {
	root := `{"guid":"root________","typeCode":2,"children":[]}`
	for _, tc := range []struct {
		name, json string
		shape      bool // ErrNotBookmarkTree
		says       string
	}{
		{"trailing data", root + ` {}`, false, "parse backup JSON"},
		{"null", `null`, false, "top value is null"},
		{"array", `[1]`, true, "the top value is a JSON array where a backup has an object"},
		{"title a number", `{"guid":"root________","typeCode":2,"children":[{"guid":"a","title":5}]}`, true, `field "/children/0/title" is a JSON number where a backup has a string`},
		{"cut", root[:20], false, "parse backup JSON"},
		{"null child", `{"guid":"root________","typeCode":2,"children":[null]}`, false, "null child"},
	} {
		_, err := Parse([]byte(tc.json))
		if err == nil || errors.Is(err, ErrNotBookmarkTree) != tc.shape || !strings.Contains(err.Error(), tc.says) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want one line saying %q (shape error %v)", tc.name, err, tc.says, tc.shape)
		}
	}
	// A member named twice: the last wins, as in Firefox.
	n, err := Parse([]byte(`{"guid":"x","guid":"root________","typeCode":2}`))
	if err != nil || n.GUID != tree.RootGUID {
		t.Errorf("duplicate member: %v %v", n, err)
	}
}
