package dupes

import (
	"slices"
	"testing"

	"github.com/bmtui/bmtui/sync/edit"
	"github.com/bmtui/bmtui/sync/tree"
)

// A folder flattened together with the folder inside it (A/B/{x,y} and
// A/z, all now in the menu) is re-nested whole, as the backup had it:
// A first, where it was, then B inside A before z, keeping every GUID.
func TestFlattenedNested(t *testing.T) {
	x := bm("bmkX________", "X", urlA, 1)
	y := bm("bmkY________", "Y", urlB, 1)
	z := bm("bmkZ________", "Z", urlC, 1)
	top := bm("bmkTop______", "Top", urlD, 1)
	end := bm("bmkEnd______", "End", "https://end.example/", 1)
	cases := []struct {
		name        string
		before, now []spec
		want        string
		restores    []string // folders inserted, outer first
	}{
		{
			name:     "both gone",
			before:   []spec{top, fo("fldA________", "A", fo("fldB________", "B", x, y), z), end},
			now:      []spec{top, x, y, z, end},
			want:     "menu________[bmkTop______ fldA________[fldB________[bmkX________ bmkY________] bmkZ________] bmkEnd______]",
			restores: []string{"fldA________", "fldB________"},
		},
		{
			name:     "inner first in the flattened order",
			before:   []spec{top, fo("fldA________", "A", z, fo("fldB________", "B", x, y)), end},
			now:      []spec{top, x, y, z, end},
			want:     "menu________[bmkTop______ fldA________[bmkZ________ fldB________[bmkX________ bmkY________]] bmkEnd______]",
			restores: []string{"fldA________", "fldB________"},
		},
		{
			name:     "outer emptied, inner gone",
			before:   []spec{top, fo("fldA________", "A", fo("fldB________", "B", x, y), z), end},
			now:      []spec{top, fo("fldA________", "A"), x, y, z, end},
			want:     "menu________[bmkTop______ fldA________[fldB________[bmkX________ bmkY________] bmkZ________] bmkEnd______]",
			restores: []string{"fldB________"},
		},
		{
			name:     "only the inner folder has items",
			before:   []spec{top, fo("fldA________", "A", fo("fldB________", "B", x, y)), end},
			now:      []spec{top, x, y, end},
			want:     "menu________[bmkTop______ fldA________[fldB________[bmkX________ bmkY________]] bmkEnd______]",
			restores: []string{"fldA________", "fldB________"},
		},
		{
			name:     "a folder inside that kept its items goes back too",
			before:   []spec{top, fo("fldA________", "A", fo("fldS________", "S", end), x, y)},
			now:      []spec{top, fo("fldS________", "S", end), x, y},
			want:     "menu________[bmkTop______ fldA________[fldS________[bmkEnd______] bmkX________ bmkY________]]",
			restores: []string{"fldA________"},
		},
		{
			name:     "three deep",
			before:   []spec{top, fo("fldA________", "A", fo("fldB________", "B", fo("fldC________", "C", x), y), z), end},
			now:      []spec{top, x, y, z, end},
			want:     "menu________[bmkTop______ fldA________[fldB________[fldC________[bmkX________] bmkY________] bmkZ________] bmkEnd______]",
			restores: []string{"fldA________", "fldB________", "fldC________"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before, now := places(t, tc.before), places(t, tc.now)
			r := Find(Input{Tree: now, Side: tree.Local, Backups: []Reference{{Name: "b1", At: 1, Tree: before}}})
			flat := groupsOf(r, Flattened)
			if len(flat) != 1 || len(r.Groups) != 1 {
				t.Fatalf("want one flattened group, got %+v", r.Groups)
			}
			g := flat[0]
			if g.ID != "flattened:fldA________" || g.Into != tree.MenuGUID {
				t.Fatalf("group %s into %s", g.ID, g.Into)
			}
			set, err := Plan(now, r)
			if err != nil {
				t.Fatal(err)
			}
			var inserted []string
			for _, c := range set.Changes {
				if c.Op == edit.Insert {
					inserted = append(inserted, c.GUID)
					if c.Item == nil || c.Item.Info == nil || c.Item.Info.Title == "" {
						t.Errorf("%s restored without its title", c.GUID)
					}
				}
			}
			if !slices.Equal(inserted, tc.restores) {
				t.Errorf("restored %v, want %v", inserted, tc.restores)
			}
			m := modelOf(now)
			m.apply(t, set)
			if got := m.outline(tree.MenuGUID); got != tc.want {
				t.Fatalf("after the fix:\n got %s\nwant %s", got, tc.want)
			}
			if _, got := previewed(t, now, set, tree.MenuGUID); got != tc.want {
				t.Fatalf("edit.Preview:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// A twin merged into the folder that, in the backup, held the flattened
// folder the twin was in: re-nesting must not move that folder into the
// folder it now holds (found by FuzzPlan). The twin's items stay merged,
// the flattened ones go back, and every bookmark is kept.
func TestFlattenedAroundMergedTwin(t *testing.T) {
	x := bm("bmkX________", "X", urlA, 1)
	y := bm("bmkY________", "Y", urlB, 1)
	z := bm("bmkZ________", "Z", urlC, 1)
	before := places(t, []spec{fo("fldA________", "F", fo("fldG________", "Gone", x, fo("fldB________", "F"), y))})
	now := places(t, []spec{fo("fldA________", "F"), x, fo("fldB________", "F", z), y})
	r := Find(Input{Tree: now, Side: tree.Local, Backups: []Reference{{Name: "b1", At: 1, Tree: before}}})
	if len(groupsOf(r, TwinFolders)) != 1 || len(groupsOf(r, Flattened)) != 1 {
		t.Fatalf("want a twin group and a flattened one, got %+v", r.Groups)
	}
	set, err := Plan(now, r)
	if err != nil {
		t.Fatal(err)
	}
	_, got := previewed(t, now, set, tree.MenuGUID)
	want := "menu________[fldA________[bmkZ________ fldG________[bmkX________ bmkY________]]]"
	if got != want {
		t.Errorf("after the fix:\n got %s\nwant %s", got, want)
	}
}
