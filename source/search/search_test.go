package search

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// row is one item of a test tree: folders have no URL.
type row struct{ guid, parent, title, url string }

// buildTree builds a tree of rows under the four user roots.
func buildTree(t testing.TB, rows []row, tombstones ...string) *tree.Tree {
	t.Helper()
	specs := map[string]*testutil.TreeSpec{}
	var order []string
	root := testutil.Places()
	for _, g := range []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID} {
		s := testutil.Folder(g)
		specs[g] = &s
		order = append(order, g)
	}
	parentOf := map[string]string{}
	for _, r := range rows {
		var s testutil.TreeSpec
		if r.url == "" {
			s = testutil.Folder(r.guid)
		} else {
			s = testutil.Bookmark(r.guid)
		}
		s.Item.Info = &tree.Info{Title: r.title, URL: r.url}
		specs[r.guid] = &s
		parentOf[r.guid] = r.parent
		order = append(order, r.guid)
	}
	// Attach children to parents, deepest first so that copies carry
	// their kids.
	for i := len(order) - 1; i >= 0; i-- {
		g := order[i]
		p, ok := parentOf[g]
		if !ok {
			continue
		}
		ps := specs[p]
		ps.Kids = append([]testutil.TreeSpec{*specs[g]}, ps.Kids...)
	}
	for _, g := range []string{tree.MenuGUID, tree.ToolbarGUID, tree.UnfiledGUID, tree.MobileGUID, tree.TagsGUID} {
		root.Kids = append(root.Kids, *specs[g])
	}
	tr, err := testutil.BuildSpec(root, tombstones...)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

var (
	day0 = time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)
	day  = 24 * time.Hour
)

// history is a small profile: a backup from three days ago, the mirror
// as last synced, and Places now.
func history(t testing.TB) []Source {
	backup := buildTree(t, []row{
		{"fldWork_____", tree.MenuGUID, "Work", ""},
		{"bmkCafe_____", "fldWork_____", "Café Crème", "https://café.example.org/menu"},
		{"bmkGone_____", "fldWork_____", "Old wiki", "https://wiki.example.com/old"},
		{"bmkMoved____", "fldWork_____", "Straße des Friedens", "http://user@strasse.example.de:8080/x"},
		{"bmkTagged___", tree.TagsGUID, "docs", ""},
	})
	mirror := buildTree(t, []row{
		{"fldWork_____", tree.MenuGUID, "Work", ""},
		{"bmkCafe_____", "fldWork_____", "Café Crème", "https://café.example.org/menu"},
		{"bmkMoved____", tree.ToolbarGUID, "Straße des Friedens", "http://user@strasse.example.de:8080/x"},
	}, "bmkGone_____")
	places := buildTree(t, []row{
		{"fldWork_____", tree.MenuGUID, "Work", ""},
		{"fldProj_____", "fldWork_____", "Projects", ""},
		{"bmkCafe_____", "fldProj_____", "CAFE CREME (renamed)", "https://café.example.org/menu"},
		{"bmkMoved____", tree.ToolbarGUID, "Straße des Friedens", "http://user@strasse.example.de:8080/x"},
		{"bmkNew______", tree.UnfiledGUID, "Ünïcödé — 日本語 🚀", "https://example.jp/"},
	})
	return []Source{
		{ID: "places", Kind: string(source.Places), Path: "/p/places.sqlite", Time: day0.Add(3 * day), Result: &source.Result{Tree: places}},
		{ID: "mirror", Kind: string(source.Mirror), Path: "/p/weave/bookmarks.sqlite", Time: day0.Add(2 * day), Result: &source.Result{
			Tree: mirror, Tombstones: []source.Tombstone{{GUID: "bmkGone_____", Deleted: day0.Add(36 * time.Hour)}}}},
		{ID: "backup:2026-11-20", Kind: "backup", Path: "/p/bookmarkbackups/b.jsonlz4", Time: day0, Result: &source.Result{Tree: backup}},
	}
}

func TestSearch(t *testing.T) {
	ix := New(history(t))
	for _, tc := range []struct {
		query string
		want  []string
	}{
		{"cafe", []string{"bmkCafe_____"}},
		{"CAFÉ", []string{"bmkCafe_____"}},
		{"crème café", []string{"bmkCafe_____"}},
		{"renamed", []string{"bmkCafe_____"}},                 // only Places has that title
		{"strasse", []string{"bmkMoved____"}},                 // ß folds to ss
		{"STRASSE.example.de", []string{"bmkMoved____"}},      // URL
		{"host:strasse.example.de", []string{"bmkMoved____"}}, // host, user and port left out
		{"host:user", nil},                                    // user info is not the host
		{"host:8080", nil},
		{"url:8080", []string{"bmkMoved____"}},
		{"title:example", nil},
		{"title:old", []string{"bmkGone_____"}},
		{"bmkgone", []string{"bmkGone_____"}}, // a GUID, any case
		{"guid:bmkGone_____", []string{"bmkGone_____"}},
		{"guid:wiki", nil},
		{"work", []string{"fldWork_____"}},
		{"unicode 日本語", []string{"bmkNew______"}}, // accents folded away
		{`"old wiki"`, []string{"bmkGone_____"}},
		{`"wiki old"`, nil},
		{"example", []string{"bmkCafe_____", "bmkMoved____", "bmkNew______", "bmkGone_____"}},
		{"example -none", nil},
		{"docs", nil}, // a tag folder is not a bookmark
		{"", nil},
		{"   ", nil},
		{"zzz", nil},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, total := ix.Search(Parse(tc.query), 0)
			if !slices.Equal(got, tc.want) || total != len(tc.want) {
				t.Errorf("Search(%q) = %v (%d), want %v", tc.query, got, total, tc.want)
			}
		})
	}
}

func TestSearchLimit(t *testing.T) {
	ix := New(history(t))
	got, total := ix.Search(Parse("example"), 2)
	if len(got) != 2 || total != 4 {
		t.Errorf("limit 2: got %v, total %d; want 2 of 4", got, total)
	}
}

func TestDescribe(t *testing.T) {
	ix := New(history(t))
	for _, tc := range []struct {
		guid     string
		title    string
		now      string // "" for none
		seen     []string
		deleted  string // "by@time" or ""
		onServer bool
	}{
		{"bmkCafe_____", "CAFE CREME (renamed)", "Bookmarks Menu / Work / Projects",
			[]string{"places@Bookmarks Menu / Work / Projects", "mirror@Bookmarks Menu / Work", "backup:2026-11-20@Bookmarks Menu / Work"}, "", true},
		{"bmkGone_____", "Old wiki", "",
			[]string{"backup:2026-11-20@Bookmarks Menu / Work"}, "mirror@2026-11-21T12:00:00Z", false},
		{"bmkMoved____", "Straße des Friedens", "Bookmarks Toolbar",
			[]string{"places@Bookmarks Toolbar", "mirror@Bookmarks Toolbar", "backup:2026-11-20@Bookmarks Menu / Work"}, "", true},
		{"bmkNew______", "Ünïcödé — 日本語 🚀", "Other Bookmarks", []string{"places@Other Bookmarks"}, "", false},
	} {
		t.Run(tc.guid, func(t *testing.T) {
			m, ok := ix.Describe(tc.guid)
			if !ok {
				t.Fatal("not found")
			}
			if m.Title != tc.title {
				t.Errorf("title %q, want %q", m.Title, tc.title)
			}
			now := ""
			if m.Now != nil {
				now = m.Now.Path
			}
			if now != tc.now {
				t.Errorf("now %q, want %q", now, tc.now)
			}
			var seen []string
			for _, s := range m.Seen {
				seen = append(seen, s.Source+"@"+s.Path)
			}
			if !slices.Equal(seen, tc.seen) {
				t.Errorf("seen %q, want %q", seen, tc.seen)
			}
			del := ""
			if m.Deleted != nil {
				del = m.Deleted.By + "@" + m.Deleted.Time.UTC().Format(time.RFC3339)
			}
			if del != tc.deleted {
				t.Errorf("deleted %q, want %q", del, tc.deleted)
			}
			if m.OnServer != tc.onServer || !m.HasMirror {
				t.Errorf("on server %v (mirror %v), want %v", m.OnServer, m.HasMirror, tc.onServer)
			}
		})
	}
	if _, ok := ix.Describe("nosuchguid__"); ok {
		t.Error("an unknown GUID was described")
	}
}

// The earliest of several recorded deletions is the one reported.
func TestEarliestDeletion(t *testing.T) {
	empty := buildTree(t, nil)
	srcs := []Source{
		{ID: "places", Kind: "places", Result: &source.Result{Tree: empty, Tombstones: []source.Tombstone{{GUID: "bmkX________", Deleted: day0.Add(day)}}}},
		{ID: "mirror", Kind: "mirror", Result: &source.Result{Tree: empty, Tombstones: []source.Tombstone{{GUID: "bmkX________", Deleted: day0}}}},
	}
	m, ok := New(srcs).Describe("bmkX________")
	if !ok || m.Deleted == nil || m.Deleted.By != "mirror" || !m.Deleted.Time.Equal(day0) || len(m.Deletions) != 2 {
		t.Fatalf("got %+v", m)
	}
	if got, _ := New(srcs).Search(Parse("bmkx"), 0); !slices.Equal(got, []string{"bmkX________"}) {
		t.Errorf("a tombstone's GUID is not found: %v", got)
	}
}

// Sources added in any order, from several goroutines, give the same
// index as New; the results need not outlive Add.
func TestBuilderOrder(t *testing.T) {
	srcs := history(t)
	want := New(srcs)
	for _, order := range [][]int{{2, 1, 0}, {1, 2, 0}, {0, 2, 1}} {
		b := NewBuilder()
		done := make(chan struct{})
		for _, i := range order {
			go func() {
				s := srcs[i]
				r := *s.Result
				s.Result = &r
				b.Add(i, s)
				r.Tree = nil // Add keeps nothing of it
				done <- struct{}{}
			}()
		}
		for range order {
			<-done
		}
		got := b.Build()
		for _, q := range []string{"example", "work", "bmk", "old"} {
			g, _ := got.Search(Parse(q), 0)
			w, _ := want.Search(Parse(q), 0)
			if !slices.Equal(g, w) {
				t.Errorf("order %v, %q: %v, want %v", order, q, g, w)
			}
		}
		for _, guid := range want.guids {
			gm, _ := got.Describe(guid)
			wm, _ := want.Describe(guid)
			if !reflect.DeepEqual(gm, wm) {
				t.Errorf("order %v, %s: %+v, want %+v", order, guid, gm, wm)
			}
		}
	}
	// Order sorts the sources: oldest first here.
	b := NewBuilder()
	b.Order = func(x, y Source) int { return x.Time.Compare(y.Time) }
	for i, s := range srcs {
		b.Add(i, s)
	}
	ix := b.Build()
	var ids []string
	for _, s := range ix.Sources() {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"backup:2026-11-20", "mirror", "places"}) || ix.Items(0) != 4 || ix.Items(2) != 5 {
		t.Errorf("sources %v, items %d, %d", ids, ix.Items(0), ix.Items(2))
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string // Query.String of the terms
	}{
		{"Café  Crème", "cafe creme"},
		{`"Old Wiki"  x`, `"old wiki" x`},
		{`title:"Old Wiki"`, `title:"old wiki"`},
		{"URL:Example.COM host:a", "url:example.com host:a"},
		{"title: x", `"title:" x`}, // a prefix needs its text right after it
		{"title:", `"title:"`},
		{"foo:bar", `foo:bar`},
		{`"unterminated phrase`, `"unterminated phrase"`},
		{`""`, ""},
		{"Straße ǅ", "strasse ǆ"},
		{"\t\x00\x1f", ""},
	} {
		if got := Parse(tc.in).String(); got != tc.want {
			t.Errorf("Parse(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestHost(t *testing.T) {
	for in, want := range map[string]string{
		"https://www.example.com/a?b#c": "www.example.com",
		"http://u:p@h.example:8080":     "h.example",
		"http://[::1]:80/x":             "[::1]",
		"place:sort=8":                  "",
		"javascript:alert(1)":           "",
		"file:///home/x":                "",
		"data:text/html,hi":             "",
		"":                              "",
	} {
		if got := Host(in); got != want {
			t.Errorf("Host(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"cafe", `title:"Old Wiki" host:example.com`, "Straße", `"`, "guid:", "a\x00b", "ǅ\u0301", "title:title:x"} {
		f.Add(s)
	}
	ix := New(history(f))
	f.Fuzz(func(t *testing.T, s string) {
		q := Parse(s)
		for _, term := range q.Terms {
			if term.Text == "" || strings.ContainsFunc(term.Text, isSeparator) {
				t.Fatalf("Parse(%q): bad term %+v", s, term)
			}
			if Fold(term.Text) != term.Text {
				t.Fatalf("Parse(%q): term %q is not folded (%q)", s, term.Text, Fold(term.Text))
			}
		}
		// What the query matches, it matches in the text it names.
		guids, total := ix.Search(q, 0)
		if len(guids) != total || (q.Empty() && total != 0) {
			t.Fatalf("Search(%q): %d guids, total %d", s, len(guids), total)
		}
		if !strings.Contains(s, `"`) {
			if again := Parse(q.String()); !slices.Equal(again.Terms, q.Terms) {
				t.Fatalf("Parse(%q).String() = %q parses to %+v, not %+v", s, q.String(), again.Terms, q.Terms)
			}
		}
	})
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"Café", "STRASSE", "Straße", "\u212a", "e\u0301", "\xff", "日本語"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		once := Fold(s)
		if Fold(once) != once {
			t.Fatalf("Fold is not idempotent on %q: %q then %q", s, once, Fold(once))
		}
		if strings.ContainsFunc(once, isSeparator) {
			t.Fatalf("Fold(%q) = %q holds a separator", s, once)
		}
		if Fold(strings.ToUpper(s)) != Fold(strings.ToLower(s)) && isPlainASCII(s) {
			t.Fatalf("Fold is not case-insensitive on %q", s)
		}
	})
}

// Summarize says in brief what Describe says.
func TestSummarize(t *testing.T) {
	ix := New(history(t))
	for _, g := range ix.guids {
		m, _ := ix.Describe(g)
		s, ok := ix.Summarize(g)
		want := Summary{Kind: m.Kind, Title: m.Title, Now: m.Now != nil, Deleted: m.Deleted != nil, Seen: len(m.Seen)}
		if !ok || s != want {
			t.Errorf("%s: %+v, want %+v", g, s, want)
		}
	}
	if _, ok := ix.Summarize("nosuchguid__"); ok {
		t.Error("an unknown GUID was summarized")
	}
}

func TestFold(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Café", "cafe"},
		{"STRASSE", "strasse"},
		{"Straße", "strasse"},
		{"\u212a", "k"},
		{"e\u0301", "e"},
		{"日本語", "日本語"},
		// Damaged titles: an invalid byte is dropped, and the accent after
		// it goes as anywhere else (it stayed, and a second Fold took it).
		{"\xf7ȧb", "ab"},
		{"x\xffé", "xe"},
		{"00000000000000000000\xf7ȧ", "00000000000000000000a"},
		{"a\x1fb", "ab"},
	} {
		if got := Fold(c.in); got != c.want {
			t.Errorf("Fold(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
