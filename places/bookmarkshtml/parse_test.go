package bookmarkshtml

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/sync/tree"
)

// outline is a tree as "folder/…/title <url>" lines, children in order.
func outline(n *backup.Node) string {
	var b strings.Builder
	var walk func(n *backup.Node, path string)
	walk = func(n *backup.Node, path string) {
		for _, c := range n.Children {
			switch c.TypeCode {
			case backup.TypeCodeFolder:
				b.WriteString(path + c.Title + "/\n")
				walk(c, path+c.Title+"/")
			case backup.TypeCodeSeparator:
				b.WriteString(path + "---\n")
			default:
				b.WriteString(path + c.Title + " <" + c.URI + ">")
				if c.Keyword != "" || c.Tags != "" {
					b.WriteString(" [" + c.Keyword + "|" + c.Tags + "]")
				}
				b.WriteString("\n")
			}
		}
	}
	walk(n, "")
	return b.String()
}

func TestParse(t *testing.T) {
	tests := []struct {
		file, want string
	}{
		{"firefox.html", `menu/
menu/Work/
menu/Work/Example & Co <https://example.com/> [ex|docs,work]
menu/Work/---
menu/Work/Nested/
menu/Work/Nested/Deep <https://nested.example.com/>
menu/Work/After nested <https://after.example.com/>
menu/Mozilla — Ünïcödé <https://www.mozilla.org/>
menu/Most Visited <place:sort=8&maxResults=10>
menu/---
toolbar/
toolbar/Go <https://go.dev/>
toolbar/Go <https://go.dev/>
unfiled/
unfiled/Unfiled one <https://unfiled.example.com/>
mobile/
`},
		// Chrome's export: the bookmarks bar is the toolbar; "Other
		// bookmarks" is an ordinary folder of the menu.
		{"chrome.html", `menu/
menu/Other bookmarks/
menu/Other bookmarks/Other <https://other.example.com/>
toolbar/
toolbar/Chromium <https://www.chromium.org/>
toolbar/Reading/
toolbar/Reading/News <https://news.example.com/>
unfiled/
mobile/
`},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			root, err := Parse(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			if got := outline(root); got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
			// Made GUIDs are valid, unique and the same on every parse.
			again, _ := Parse(bytes.NewReader(data))
			seen := map[string]bool{}
			var a, b []string
			root.Walk(func(n, _ *backup.Node) { a = append(a, n.GUID) })
			again.Walk(func(n, _ *backup.Node) { b = append(b, n.GUID) })
			for i, g := range a {
				if !tree.IsValidGUID(g) || seen[g] || g != b[i] {
					t.Errorf("GUID %q: valid %v, seen before %v, stable %v", g, tree.IsValidGUID(g), seen[g], g == b[i])
				}
				seen[g] = true
			}
			if _, _, err := backup.Tree(root, 1700000000000); err != nil {
				t.Errorf("tree: %v", err)
			}
		})
	}
}

func TestParseDates(t *testing.T) {
	root, err := Parse(strings.NewReader(`<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="https://a.example/" ADD_DATE="1700000000" LAST_MODIFIED="1700000000123">A</A></DL>`))
	if err != nil {
		t.Fatal(err)
	}
	a := root.Children[0].Children[0]
	if a.DateAdded != 1700000000*1e6 || a.LastModified != 1700000000123*1e3 {
		t.Errorf("dates %d %d: want seconds and ms read as µs", a.DateAdded, a.LastModified)
	}
}

func TestParseRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"web page":        `<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Hello <a href="https://x.example/">x</a></p></body></html>`,
		"empty":           ``,
		"binary":          "\x00\x01\x02mozLz40",
		"definition list": `<html><body><dl><dt>Term</dt><dd>Meaning</dd></dl></body></html>`,
	} {
		if _, err := Parse(strings.NewReader(doc)); !errors.Is(err, ErrNotBookmarks) {
			t.Errorf("%s: %v, want ErrNotBookmarks", name, err)
		}
	}
	// An export of no bookmarks is still an export.
	root, err := Parse(strings.NewReader("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE><H1>Bookmarks</H1>"))
	if err != nil || len(root.Children) != 4 {
		t.Errorf("empty export: %v", err)
	}
}

// FuzzParse: any bytes give a tree the builder takes, or ErrNotBookmarks;
// never a panic.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"firefox.html", "chrome.html"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`<DL><DT><H3>a</H3><DD><DL><DT><A HREF=x>y</A></DL></DL>`))
	f.Add([]byte(`<DL><DL><DL><HR><A HREF="">`))
	f.Fuzz(func(t *testing.T, data []byte) {
		root, err := Parse(bytes.NewReader(data))
		if err != nil {
			if !errors.Is(err, ErrNotBookmarks) {
				t.Fatalf("error %v is not ErrNotBookmarks", err)
			}
			return
		}
		tr, notes, err := backup.Tree(root, 0)
		if err != nil || len(notes) != 0 {
			t.Fatalf("tree: %v %v", err, notes)
		}
		if tr.Len() != root.Count() {
			t.Fatalf("tree has %d items, the parse %d", tr.Len(), root.Count())
		}
	})
}
