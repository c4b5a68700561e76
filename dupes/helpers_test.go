package dupes

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// spec is a tree literal with the titles, URLs and dates Find reads.
type spec struct {
	guid, title, url string
	kind             tree.Kind
	added            int64
	status           int
	kids             []spec
}

func bm(guid, title, url string, added int64) spec {
	return spec{guid: guid, title: title, url: url, kind: tree.KindBookmark, added: added, status: tree.SyncStatusNormal}
}

func fo(guid, title string, kids ...spec) spec {
	return spec{guid: guid, title: title, kind: tree.KindFolder, added: 1, status: tree.SyncStatusNormal, kids: kids}
}

func sep(guid string) spec {
	return spec{guid: guid, kind: tree.KindSeparator, added: 1, status: tree.SyncStatusNormal}
}

// places builds a tree whose menu holds menu and whose toolbar holds bar.
func places(t testing.TB, menu []spec, bar ...spec) *tree.Tree {
	t.Helper()
	root := spec{guid: tree.RootGUID, kind: tree.KindFolder, kids: []spec{
		{guid: tree.MenuGUID, kind: tree.KindFolder, kids: menu},
		{guid: tree.ToolbarGUID, kind: tree.KindFolder, kids: bar},
		{guid: tree.UnfiledGUID, kind: tree.KindFolder},
		{guid: tree.MobileGUID, kind: tree.KindFolder},
	}}
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	type rec struct{ child, parent string }
	var recs []rec
	var add func(s spec)
	add = func(s spec) {
		for _, k := range s.kids {
			it := tree.Item{GUID: k.guid, Kind: k.kind, Info: &tree.Info{Title: k.title, URL: k.url, DateAdded: k.added, SyncStatus: k.status}}
			if err := b.Item(it); err != nil {
				t.Fatal(err)
			}
			recs = append(recs, rec{k.guid, s.guid})
			add(k)
		}
	}
	add(root)
	for _, r := range recs {
		if err := b.Structure(r.child, r.parent); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// model is a tree as parent -> children GUIDs, for applying a Set in
// tests the way apply does: in order, indexes as of each change.
type model struct {
	kids   map[string][]string
	parent map[string]string
	items  map[string]tree.Item
}

func modelOf(t *tree.Tree) *model {
	m := &model{kids: map[string][]string{}, parent: map[string]string{}, items: map[string]tree.Item{}}
	t.Walk(func(i int32, n *tree.Node) bool {
		m.items[n.GUID] = n.Item
		if n.IsFolder() {
			m.kids[n.GUID] = []string{}
		}
		for _, c := range t.Children(i) {
			if c >= 0 && t.Node(c).Parent == i {
				m.kids[n.GUID] = append(m.kids[n.GUID], t.Node(c).GUID)
				m.parent[t.Node(c).GUID] = n.GUID
			}
		}
		return true
	})
	return m
}

func (m *model) detach(tb testing.TB, guid string) {
	p, ok := m.parent[guid]
	if !ok {
		tb.Fatalf("%s has no parent", guid)
	}
	i := slices.Index(m.kids[p], guid)
	m.kids[p] = slices.Delete(m.kids[p], i, i+1)
	delete(m.parent, guid)
}

func (m *model) place(tb testing.TB, guid, parent string, index int) {
	k, ok := m.kids[parent]
	if !ok {
		tb.Fatalf("parent %s of %s is not a folder here", parent, guid)
	}
	if index < 0 {
		index = len(k)
	}
	if index > len(k) {
		tb.Fatalf("index %d of %s past the end of %s (%d children)", index, guid, parent, len(k))
	}
	m.kids[parent] = slices.Insert(k, index, guid)
	m.parent[guid] = parent
}

func (m *model) apply(tb testing.TB, s *edit.Set) {
	tb.Helper()
	for _, c := range s.Changes {
		switch c.Op {
		case edit.Delete:
			if _, ok := m.items[c.GUID]; !ok {
				tb.Fatalf("delete of %s, which is not there", c.GUID)
			}
			m.detach(tb, c.GUID)
			var drop func(g string)
			drop = func(g string) {
				for _, k := range m.kids[g] {
					drop(k)
				}
				delete(m.kids, g)
				delete(m.items, g)
				delete(m.parent, g)
			}
			drop(c.GUID)
		case edit.Move:
			if _, ok := m.items[c.GUID]; !ok {
				tb.Fatalf("move of %s, which is not there", c.GUID)
			}
			m.detach(tb, c.GUID)
			m.place(tb, c.GUID, c.Parent, c.Index)
		case edit.Insert:
			if _, ok := m.items[c.GUID]; ok {
				tb.Fatalf("insert of %s, which is there", c.GUID)
			}
			m.items[c.GUID] = *c.Item
			if c.Item.IsFolder() {
				m.kids[c.GUID] = []string{}
			}
			m.place(tb, c.GUID, c.Parent, c.Index)
		default:
			tb.Fatalf("unexpected %v", c.Op)
		}
	}
}

// outline prints a folder's subtree as "guid[kid kid[...]]".
func (m *model) outline(guid string) string {
	k, ok := m.kids[guid]
	if !ok {
		return guid
	}
	parts := make([]string, len(k))
	for i, c := range k {
		parts[i] = m.outline(c)
	}
	return fmt.Sprintf("%s[%s]", guid, strings.Join(parts, " "))
}

func groupsOf(r *Report, kind Kind) []*Group {
	var out []*Group
	for i := range r.Groups {
		if r.Groups[i].Kind == kind {
			out = append(out, &r.Groups[i])
		}
	}
	return out
}

func guidsOf(g *Group) []string {
	var out []string
	for _, c := range g.Copies {
		out = append(out, c.GUID)
	}
	return out
}

// previewed checks the set against edit.Preview, the contract apply
// writes by, and returns the outline of folder in its tree.
func previewed(tb testing.TB, tr *tree.Tree, s *edit.Set, folder string) (*edit.Result, string) {
	tb.Helper()
	res, err := edit.Preview(tr, *s)
	if err != nil {
		tb.Fatalf("Preview: %v", err)
	}
	var out func(n *tree.Node) string
	out = func(n *tree.Node) string {
		if !n.IsFolder() {
			return n.GUID
		}
		var parts []string
		i := res.Tree.IndexOf(n)
		for _, c := range res.Tree.Children(i) {
			if res.Tree.Node(c).Parent == i {
				parts = append(parts, out(res.Tree.Node(c)))
			}
		}
		return fmt.Sprintf("%s[%s]", n.GUID, strings.Join(parts, " "))
	}
	return res, out(res.Tree.Lookup(folder))
}
