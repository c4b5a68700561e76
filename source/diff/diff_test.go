package diff

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

// build makes a tree from lines "PARENT GUID KIND TITLE [URL]" (titles
// without spaces; "_" for an empty one), parents before children, under
// the Places root with the menu, toolbar and tags roots.
func build(t *testing.T, lines ...string) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	all := append([]string{
		"root________ menu________ folder menu",
		"root________ toolbar_____ folder toolbar",
		"root________ tags________ folder tags",
	}, lines...)
	for _, l := range all {
		f := strings.Fields(l)
		kind, err := tree.ParseKind(f[2])
		if err != nil {
			t.Fatal(err)
		}
		title := f[3]
		if title == "_" {
			title = ""
		}
		info := &tree.Info{Title: title}
		if len(f) > 4 {
			info.URL = f[4]
		}
		if len(f) > 5 {
			info.Tags = strings.Split(f[5], ",")
		}
		if err := b.Item(tree.Item{GUID: f[1], Kind: kind, Info: info}); err != nil {
			t.Fatal(err)
		}
		if err := b.Structure(f[1], f[0]); err != nil {
			t.Fatal(err)
		}
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestTrees(t *testing.T) {
	base := []string{
		"menu________ fldA________ folder A",
		"fldA________ bmk1________ bookmark One https://one.example/",
		"fldA________ bmk2________ bookmark Two https://two.example/",
		"menu________ fldB________ folder B",
		"toolbar_____ bmk3________ bookmark Three https://three.example/",
	}
	tests := []struct {
		name        string
		left, right []string
		want        map[string]Change
		lists       string // Added|Removed|Moved|Renamed|Changed
	}{
		{"same", base, base, map[string]Change{}, "||||"},
		{"removed folder with its items", base, []string{
			"menu________ fldB________ folder B",
			"toolbar_____ bmk3________ bookmark Three https://three.example/",
		}, map[string]Change{"fldA________": Removed, "bmk1________": Removed, "bmk2________": Removed},
			"|fldA________ bmk1________ bmk2________|||"},
		{"added", base, append(slices.Clone(base), "fldB________ bmk4________ bookmark Four https://four.example/"),
			map[string]Change{"bmk4________": Added}, "bmk4________||||"},
		{"moved and renamed", base, []string{
			"menu________ fldA________ folder A",
			"fldA________ bmk2________ bookmark Two https://two.example/",
			"menu________ fldB________ folder B",
			"fldB________ bmk1________ bookmark Uno https://one.example/",
			"toolbar_____ bmk3________ bookmark Three https://three.example/",
		}, map[string]Change{"bmk1________": Moved | Renamed}, "||bmk1________|bmk1________|"},
		{"reordered is not moved", base, []string{
			"menu________ fldB________ folder B",
			"menu________ fldA________ folder A",
			"fldA________ bmk2________ bookmark Two https://two.example/",
			"fldA________ bmk1________ bookmark One https://one.example/",
			"toolbar_____ bmk3________ bookmark Three https://three.example/",
		}, map[string]Change{}, "||||"},
		{"URL and tags changed", base, []string{
			"menu________ fldA________ folder A",
			"fldA________ bmk1________ bookmark One https://one.example/new",
			"fldA________ bmk2________ bookmark Two https://two.example/ a,b",
			"menu________ fldB________ folder B",
			"toolbar_____ bmk3________ bookmark Three https://three.example/",
		}, map[string]Change{"bmk1________": Changed, "bmk2________": Changed}, "||||bmk1________ bmk2________"},
		{"roots' titles and the tags folder are not compared", base, append([]string{
			"tags________ tagfolder___ folder work",
		}, base...), map[string]Change{}, "||||"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Trees(build(t, tc.left...), build(t, tc.right...))
			if fmt.Sprint(d.Items) != fmt.Sprint(tc.want) {
				t.Errorf("items %v, want %v", d.Items, tc.want)
			}
			j := func(s []string) string { return strings.Join(s, " ") }
			lists := strings.Join([]string{j(d.Added), j(d.Removed), j(d.Moved), j(d.Renamed), j(d.Changed)}, "|")
			if lists != tc.lists {
				t.Errorf("lists %q, want %q", lists, tc.lists)
			}
			if d.Empty() != (len(tc.want) == 0) {
				t.Errorf("Empty() = %v", d.Empty())
			}
		})
	}
}

func TestNilTrees(t *testing.T) {
	right := build(t, "menu________ bmk1________ bookmark One https://one.example/")
	d := Trees(nil, right)
	if len(d.Added) != 3 || d.Items["bmk1________"] != Added {
		t.Errorf("from nothing: %v", d.Items)
	}
	if d := Trees(right, nil); len(d.Removed) != 3 {
		t.Errorf("to nothing: %v", d.Items)
	}
}

func TestSummary(t *testing.T) {
	left := build(t,
		"menu________ fldA________ folder Projects",
		"fldA________ bmk1________ bookmark One https://one.example/",
		"fldA________ fldC________ folder Sub",
		"fldC________ bmk2________ bookmark Two https://two.example/",
		"menu________ fldB________ folder Archive",
		"menu________ bmk3________ bookmark Old https://three.example/",
	)
	right := build(t,
		"menu________ fldB________ folder Archive",
		"fldB________ bmk3________ bookmark New https://three.example/",
		"toolbar_____ bmk4________ bookmark Four https://four.example/",
	)
	s := Trees(left, right).Summary(-1)
	got := fmt.Sprintf("+%d -%d >%d ~%d *%d", s.Added, s.Removed, s.Moved, s.Renamed, s.Changed)
	if got != "+1 -4 >1 ~1 *0" {
		t.Errorf("counts %s", got)
	}
	var lines []string
	for _, top := range s.Top {
		lines = append(lines, fmt.Sprintf("%s %s in %q items=%d old=%q/%q", top.Change, top.Title, top.Path, top.Items, top.OldPath, top.OldTitle))
	}
	want := []string{
		`removed Projects in "Bookmarks Menu" items=3 old=""/""`,
		`added Four in "Bookmarks Toolbar" items=0 old=""/""`,
		`moved,renamed New in "Bookmarks Menu/Archive" items=0 old="Bookmarks Menu"/"Old"`,
	}
	if !slices.Equal(lines, want) {
		t.Errorf("top\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if s := Trees(left, right).Summary(1); len(s.Top) != 1 || s.Removed != 4 || !s.More {
		t.Errorf("Summary(1): %+v", s)
	}
}

func TestTimeline(t *testing.T) {
	a := build(t, "menu________ bmk1________ bookmark One https://one.example/")
	b := build(t)
	steps := Timeline([]Point{{ID: "a", Tree: a}, {ID: "broken"}, {ID: "b", Tree: b}, {ID: "c", Tree: a}}, 5)
	var got []string
	for _, s := range steps {
		got = append(got, fmt.Sprintf("%s>%s +%d -%d", s.From, s.To, s.Summary.Added, s.Summary.Removed))
	}
	if want := []string{"a>b +0 -1", "b>c +1 -0"}; !slices.Equal(got, want) {
		t.Errorf("steps %v, want %v", got, want)
	}
}
