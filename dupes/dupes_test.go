package dupes

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bmtui/bmtui/sync/tree"
)

const (
	urlA = "https://a.example/"
	urlB = "https://b.example/"
	urlC = "https://c.example/"
	urlD = "https://d.example/"
)

func TestFindCopies(t *testing.T) {
	tr := places(t, []spec{
		fo("fldWork_____", "Work",
			bm("bmkA1_______", "A", urlA, 300),
			bm("bmkA2_______", "A", urlA, 100),
			bm("bmkB________", "B", urlB, 50),
			bm("bmkA3_______", "A", "https://A.example", 200), // the same URL once normalised
		),
	})
	r := Find(Input{Tree: tr, Side: tree.Local})
	if len(r.Groups) != 1 {
		t.Fatalf("groups = %+v, want one", r.Groups)
	}
	g := &r.Groups[0]
	if g.Kind != Copies || g.ID != "copies:bmkA1_______" || !g.Fix {
		t.Fatalf("group = %s %s fix %v", g.Kind, g.ID, g.Fix)
	}
	if got := guidsOf(g); !slices.Equal(got, []string{"bmkA1_______", "bmkA2_______", "bmkA3_______"}) {
		t.Fatalf("copies = %v", got)
	}
	if k := g.Keeper(); k.GUID != "bmkA2_______" || !strings.HasPrefix(g.Reason, "the oldest copy") {
		t.Fatalf("keeper %s, reason %q", k.GUID, g.Reason)
	}
	if p := g.Copies[0].Path; p != "Bookmarks Menu/Work/A" {
		t.Fatalf("path = %q", p)
	}
	set, err := Plan(tr, r)
	if err != nil {
		t.Fatal(err)
	}
	m := modelOf(tr)
	m.apply(t, set)
	if got := m.outline("fldWork_____"); got != "fldWork_____[bmkA2_______ bmkB________]" {
		t.Fatalf("after the fix: %s", got)
	}
	if _, got := previewed(t, tr, set, "fldWork_____"); got != "fldWork_____[bmkA2_______ bmkB________]" {
		t.Fatalf("edit.Preview: %s", got)
	}
}

// Near-dupes stay: each case names what must not be taken for a copy.
func TestNearDupesStay(t *testing.T) {
	cases := []struct {
		name    string
		menu    []spec
		kinds   []Kind // groups found (none fixed)
		nothing bool   // Plan has nothing to do
	}{
		{name: "same URL, other title", menu: []spec{
			bm("bmk1________", "Go", urlA, 1), bm("bmk2________", "Go docs", urlA, 2)}},
		{name: "same title, other URL", menu: []spec{
			bm("bmk1________", "Go", urlA, 1), bm("bmk2________", "Go", urlB, 2)}},
		{name: "same item in two folders on purpose", menu: []spec{
			fo("fldA________", "Work", bm("bmk1________", "Go", urlA, 1)),
			fo("fldB________", "Reading", bm("bmk2________", "Go", urlA, 2))},
			kinds: []Kind{SameURL}},
		{name: "separators", menu: []spec{
			sep("sep1________"), sep("sep2________"), bm("bmk1________", "Go", urlA, 1), sep("sep3________")}},
		{name: "same-named folders with other contents", menu: []spec{
			fo("fldA________", "New folder", bm("bmk1________", "Go", urlA, 1)),
			fo("fldB________", "New folder", bm("bmk2________", "Rust", urlB, 2))}},
		{name: "same title and URL in two folders of other names", menu: []spec{
			fo("fldA________", "Work", bm("bmk1________", "Go", urlA, 1), bm("bmk3________", "C", urlC, 1)),
			fo("fldB________", "Play", bm("bmk2________", "Go", urlA, 2), bm("bmk4________", "D", urlD, 1))},
			kinds: []Kind{SameURL}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tr := places(t, c.menu)
			r := Find(Input{Tree: tr, Side: tree.Local})
			var kinds []Kind
			for _, g := range r.Groups {
				kinds = append(kinds, g.Kind)
			}
			if !slices.Equal(kinds, c.kinds) {
				t.Fatalf("groups %v, want %v", kinds, c.kinds)
			}
			if r.ToFix() != 0 {
				t.Fatalf("%d groups to fix, want none", r.ToFix())
			}
			if _, err := Plan(tr, r); !errors.Is(err, ErrNothingToFix) {
				t.Fatalf("Plan: %v, want ErrNothingToFix", err)
			}
		})
	}
}

// The keeper is the oldest copy the server and the newest backup both
// have, not simply the oldest.
func TestKeeperProvenance(t *testing.T) {
	local := places(t, []spec{
		bm("bmkOld______", "A", urlA, 100), // local only, in the old backup
		bm("bmkSrv______", "A", urlA, 200), // on the server and in the newest backup
		bm("bmkNew______", "A", urlA, 300), // on the server only
	})
	mirror := places(t, []spec{bm("bmkSrv______", "A", urlA, 200), bm("bmkNew______", "A", urlA, 300)})
	newest := places(t, []spec{bm("bmkSrv______", "A", urlA, 200)})
	oldest := places(t, []spec{bm("bmkOld______", "A", urlA, 100)})
	r := Find(Input{Tree: local, Side: tree.Local, Other: mirror, Backups: []Reference{
		{Name: "old.jsonlz4", At: 1, Tree: oldest}, {Name: "new.jsonlz4", At: 2, Tree: newest}}})
	if len(r.Groups) != 1 {
		t.Fatalf("groups %+v", r.Groups)
	}
	g := &r.Groups[0]
	if k := g.Keeper(); k.GUID != "bmkSrv______" || !strings.HasPrefix(g.Reason, "the oldest copy the server and the newest backup both have") {
		t.Fatalf("keeper %s, reason %q", k.GUID, g.Reason)
	}
	want := map[string]struct {
		sides   Sides
		backups []string
	}{
		"bmkOld______": {OnLocal, []string{"old.jsonlz4"}},
		"bmkSrv______": {OnLocal | OnServer, []string{"new.jsonlz4"}},
		"bmkNew______": {OnLocal | OnServer, nil},
	}
	for _, c := range g.Copies {
		w := want[c.GUID]
		if c.Sides != w.sides || !slices.Equal(c.Backups, w.backups) || c.SyncStatus != tree.SyncStatusNormal {
			t.Errorf("%s: sides %v backups %v status %d, want %v %v", c.GUID, c.Sides, c.Backups, c.SyncStatus, w.sides, w.backups)
		}
	}
	if err := r.Choose(g.ID, "bmkOld______"); err != nil {
		t.Fatal(err)
	}
	if g.Keeper().GUID != "bmkOld______" || g.Default != 1 {
		t.Fatalf("chosen keeper %s, default %d", g.Keeper().GUID, g.Default)
	}
	if err := r.Choose(g.ID, "bmkMissing__"); err == nil {
		t.Fatal("choosing a GUID outside the group worked")
	}
	if err := r.Choose("copies:nope", "bmkOld______"); err == nil {
		t.Fatal("choosing in an unknown group worked")
	}
	if err := r.Choose(g.ID, None); err != nil || r.ToFix() != 0 {
		t.Fatalf("none: %v, %d to fix", err, r.ToFix())
	}
}

// Twin folders merge into the keeper: copies dropped, the other folder's
// new children placed after the last one both had, nested twins merged.
func TestTwinFolders(t *testing.T) {
	tr := places(t, nil,
		fo("fldNews1____", "News",
			bm("bmkA________", "A", urlA, 1),
			bm("bmkB________", "B", urlB, 1),
			fo("fldSub1_____", "Sub", bm("bmkX________", "X", "https://x.example/", 1)),
		),
		fo("fldNews2____", "News",
			bm("bmkA2_______", "A", urlA, 5),
			bm("bmkC________", "C", urlC, 5),
			bm("bmkB2_______", "B", urlB, 5),
			bm("bmkD________", "D", urlD, 5),
			fo("fldSub2_____", "Sub", bm("bmkX2_______", "X", "https://x.example/", 5), bm("bmkY________", "Y", "https://y.example/", 5)),
		),
		fo("fldNews3____", "News"), // an empty copy
	)
	r := Find(Input{Tree: tr, Side: tree.Local})
	twins := groupsOf(r, TwinFolders)
	if len(twins) != 1 || !slices.Equal(guidsOf(twins[0]), []string{"fldNews1____", "fldNews2____", "fldNews3____"}) {
		t.Fatalf("twins = %+v", r.Groups)
	}
	if len(r.Groups) != 1 {
		t.Fatalf("more groups than the twins: %+v", r.Groups)
	}
	if twins[0].Keeper().GUID != "fldNews1____" {
		t.Fatalf("keeper %s", twins[0].Keeper().GUID)
	}
	set, err := Plan(tr, r)
	if err != nil {
		t.Fatal(err)
	}
	m := modelOf(tr)
	m.apply(t, set)
	want := "toolbar_____[fldNews1____[bmkA________ bmkC________ bmkB________ bmkD________ fldSub1_____[bmkX________ bmkY________]]]"
	if got := m.outline(tree.ToolbarGUID); got != want {
		t.Fatalf("after the fix:\n got %s\nwant %s", got, want)
	}
	res, got := previewed(t, tr, set, tree.ToolbarGUID)
	if got != want {
		t.Fatalf("edit.Preview:\n got %s\nwant %s", got, want)
	}
	// Every removed item was on the server: each leaves a tombstone.
	if tomb := res.Upload.Tombstones; !slices.Equal(slices.Sorted(slices.Values(tomb)), []string{"bmkA2_______", "bmkB2_______", "bmkX2_______", "fldNews2____", "fldNews3____", "fldSub2_____"}) {
		t.Fatalf("tombstones %v", tomb)
	}
}

// A folder a backup knows, now gone, whose items sit in its parent, is
// re-nested where its first item sits; an emptied one is filled again.
func TestFlattened(t *testing.T) {
	before := places(t, []spec{
		bm("bmkTop______", "Top", urlD, 1),
		fo("fldWork_____", "Work", bm("bmkA________", "A", urlA, 1), bm("bmkB________", "B", urlB, 1), bm("bmkC________", "C", urlC, 1)),
		fo("fldEmpty____", "Kept", bm("bmkK1_______", "K1", urlA+"k1", 1), bm("bmkK2_______", "K2", urlA+"k2", 1)),
	})
	now := places(t, []spec{
		bm("bmkTop______", "Top", urlD, 1),
		bm("bmkA________", "A", urlA, 1), bm("bmkB________", "B", urlB, 1), bm("bmkC________", "C", urlC, 1),
		fo("fldEmpty____", "Kept"),
		bm("bmkK1_______", "K1", urlA+"k1", 1), bm("bmkK2_______", "K2", urlA+"k2", 1),
		bm("bmkOwn______", "Mine", "https://own.example/", 9),
	})
	r := Find(Input{Tree: now, Side: tree.Local, Backups: []Reference{{Name: "b1", At: 1, Tree: before}}})
	flat := groupsOf(r, Flattened)
	if len(flat) != 2 || len(r.Groups) != 2 {
		t.Fatalf("groups = %+v", r.Groups)
	}
	for _, g := range flat {
		if g.From != "b1" || g.Into != tree.MenuGUID || g.Folder == nil {
			t.Fatalf("group %s: from %q into %q", g.ID, g.From, g.Into)
		}
	}
	if g := r.Group("flattened:fldWork_____"); g == nil || !slices.Equal(guidsOf(g), []string{"bmkA________", "bmkB________", "bmkC________"}) {
		t.Fatalf("work group %+v", g)
	}
	set, err := Plan(now, r)
	if err != nil {
		t.Fatal(err)
	}
	m := modelOf(now)
	m.apply(t, set)
	want := "menu________[bmkTop______ fldWork_____[bmkA________ bmkB________ bmkC________] fldEmpty____[bmkK1_______ bmkK2_______] bmkOwn______]"
	if got := m.outline(tree.MenuGUID); got != want {
		t.Fatalf("after the fix:\n got %s\nwant %s", got, want)
	}
	if it := m.items["fldWork_____"]; it.Info == nil || it.Info.Title != "Work" {
		t.Fatalf("restored folder %+v", it)
	}
}

// A storm: copies of each bookmark in its folder, a twin of a folder and
// a flattened folder, fixed at once: each original once, in its folder.
func TestStormFixedAtOnce(t *testing.T) {
	before := places(t, []spec{
		fo("fldWork_____", "Work", bm("bmkA________", "A", urlA, 10), bm("bmkB________", "B", urlB, 10)),
		fo("fldNews_____", "News", bm("bmkC________", "C", urlC, 10)),
	})
	now := places(t, []spec{
		bm("bmkA________", "A", urlA, 10), bm("bmkA2_______", "A", urlA, 50),
		bm("bmkB2_______", "B", urlB, 50), bm("bmkB________", "B", urlB, 10),
		fo("fldNews_____", "News", bm("bmkC________", "C", urlC, 10)),
		fo("fldNews2____", "News", bm("bmkC2_______", "C", urlC, 50), bm("bmkC3_______", "C", urlC, 60)),
	})
	mirror := now
	r := Find(Input{Tree: now, Side: tree.Local, Other: mirror, Backups: []Reference{{Name: "b1", At: 1, Tree: before}}})
	counts := r.Counts()
	if counts[Copies] != 3 || counts[TwinFolders] != 1 || counts[Flattened] != 1 || counts[SameURL] != 0 {
		t.Fatalf("counts %v", counts)
	}
	set, err := Plan(now, r)
	if err != nil {
		t.Fatal(err)
	}
	m := modelOf(now)
	m.apply(t, set)
	want := "menu________[fldWork_____[bmkA________ bmkB________] fldNews_____[bmkC________]]"
	if got := m.outline(tree.MenuGUID); got != want {
		t.Fatalf("after the fix:\n got %s\nwant %s", got, want)
	}
	if _, got := previewed(t, now, set, tree.MenuGUID); got != want {
		t.Fatalf("edit.Preview:\n got %s\nwant %s", got, want)
	}
}
