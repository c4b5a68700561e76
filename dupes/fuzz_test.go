package dupes

import (
	"fmt"
	"testing"

	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// randomStorm builds a tree from data: folders and bookmarks drawn from
// a few titles and URLs (so copies, twins and near-dupes abound), and a
// backup in which some of today's folders' items sat in subfolders since
// flattened.
func randomStorm(t testing.TB, data []byte) (now, backup *tree.Tree) {
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	var menu, old []spec
	folders := []*[]spec{&menu}
	oldFolders := []*[]spec{&old}
	for i := 0; len(data) > 0 && i < 200; i++ {
		op := next()
		guid := fmt.Sprintf("g%011d", i)
		switch op % 6 {
		case 0: // a folder, today and in the backup
			f := fo(guid, fmt.Sprintf("F%d", next()%3))
			p := folders[next()%len(folders)]
			*p = append(*p, f)
			folders = append(folders, &(*p)[len(*p)-1].kids)
			q := oldFolders[min(len(oldFolders)-1, len(folders)-2)]
			*q = append(*q, fo(guid, f.title))
			oldFolders = append(oldFolders, &(*q)[len(*q)-1].kids)
		case 1: // a folder only the backup has: its items are now flattened
			f := fo(guid, "Gone")
			q := oldFolders[next()%len(oldFolders)]
			*q = append(*q, f)
			oldFolders = append(oldFolders, &(*q)[len(*q)-1].kids)
			folders = append(folders, folders[0])
		case 2:
			p := folders[next()%len(folders)]
			*p = append(*p, sep(guid))
		default: // a bookmark, in the backup too when op says so
			k := next()
			b := bm(guid, fmt.Sprintf("T%d", k%3), fmt.Sprintf("https://u%d.example/", (k/3)%3), int64(next()))
			fi := next() % len(folders)
			*folders[fi] = append(*folders[fi], b)
			if op%2 == 0 {
				q := oldFolders[min(fi, len(oldFolders)-1)]
				*q = append(*q, b)
			}
		}
	}
	return places(t, menu), places(t, old)
}

// FuzzPlan: on any tree, the fix Plan makes is one edit.Preview accepts,
// and it removes only copies: every title and URL of a bookmark, and
// every folder title, is still there after it, in the same or a merged
// folder.
func FuzzPlan(f *testing.F) {
	f.Add([]byte{3, 1, 5, 0, 3, 1, 5, 0, 3, 1, 5, 0})
	f.Add([]byte{0, 1, 3, 7, 0, 0, 3, 7, 0, 0, 0, 1, 3, 7, 1, 0, 3, 7, 2})
	f.Add([]byte{1, 0, 4, 9, 1, 2, 4, 9, 1, 3, 4, 9, 2, 3, 5, 10, 1, 4})
	f.Add([]byte{0, 2, 0, 2, 3, 4, 1, 3, 4, 2, 5, 4, 1, 5, 4, 2, 2, 0, 3, 4, 1})
	f.Fuzz(func(t *testing.T, data []byte) {
		now, old := randomStorm(t, data)
		r := Find(Input{Tree: now, Side: tree.Local, Other: now, Backups: []Reference{{Name: "b", At: 1, Tree: old}}})
		// Choosing a same-url group's keeper removes bookmarks of other
		// titles: then only the URLs must stay.
		chooseSameURL := len(data) > 0 && data[len(data)-1]%2 == 1
		for i := range r.Groups {
			if g := &r.Groups[i]; chooseSameURL && g.Kind == SameURL && len(g.Copies) > 0 {
				if err := r.Choose(g.ID, g.Copies[0].GUID); err != nil {
					t.Fatal(err)
				}
			}
		}
		set, err := Plan(now, r)
		if err == ErrNothingToFix {
			return
		}
		if err != nil {
			t.Fatal(err)
		}
		res, err := edit.Preview(now, *set)
		if err != nil {
			t.Fatalf("Preview refused the fix: %v\n%+v", err, set.Changes)
		}
		key := func(n *tree.Node) string {
			if chooseSameURL && n.Kind == tree.KindBookmark {
				return n.Info.URL
			}
			return n.Kind.String() + n.Info.Title + "\x00" + n.Info.URL
		}
		after := map[string]bool{}
		res.Tree.Walk(func(_ int32, n *tree.Node) bool {
			if n.Info != nil {
				after[key(n)] = true
			}
			return true
		})
		now.Walk(func(_ int32, n *tree.Node) bool {
			if n.Info != nil && n.Kind != tree.KindSeparator && !after[key(n)] {
				t.Errorf("%s %q <%s> is gone", n.GUID, n.Info.Title, n.Info.URL)
			}
			return true
		})
	})
}

// FuzzParseChoice: any --choose value parses or is refused, never more.
func FuzzParseChoice(f *testing.F) {
	for _, s := range []string{"copies:bmkA________=bmkB________", "=x", "x=", "a=b=c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, c, err := ParseChoice(s)
		if err == nil && (id == "" || c == "" || id+"="+c != s) {
			t.Fatalf("%q parsed as %q %q", s, id, c)
		}
	})
}
