package details_test

import (
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/details"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func sampleTree(t *testing.T, info *tree.Info, needsMerge bool, validity tree.Validity) *tree.Tree {
	t.Helper()
	b := tree.NewBuilder(tree.Item{GUID: tree.RootGUID, Kind: tree.KindFolder})
	if err := b.Item(tree.Item{GUID: tree.MenuGUID, Kind: tree.KindFolder}); err != nil {
		t.Fatal(err)
	}
	if err := b.Structure(tree.MenuGUID, tree.RootGUID); err != nil {
		t.Fatal(err)
	}
	if err := b.Item(tree.Item{GUID: "bookmarkAAAA", Kind: tree.KindBookmark, NeedsMerge: needsMerge, Validity: validity, Info: info}); err != nil {
		t.Fatal(err)
	}
	if err := b.Structure("bookmarkAAAA", tree.MenuGUID); err != nil {
		t.Fatal(err)
	}
	tr, err := b.Build()
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func newModel() details.Model {
	m := details.New(common.Common{Theme: themes.Mono(true), Now: func() time.Time { return now }})
	m.SetSize(90, 16)
	return m
}

func TestLocalBookmark(t *testing.T) {
	info := &tree.Info{
		Title: "Mozilla", URL: "https://www.mozilla.org/", Keyword: "moz", Tags: []string{"web", "browsers"},
		DateAdded:         now.Add(-72 * time.Hour).UnixMicro(),
		LastModified:      now.Add(-2 * time.Hour).UnixMicro(),
		SyncStatus:        tree.SyncStatusNormal,
		SyncChangeCounter: 2,
	}
	tr := sampleTree(t, info, true, tree.Valid)
	m := newModel()
	m.SetItem(&details.Item{Side: tree.Local, Tree: tr, Node: tr.Lookup("bookmarkAAAA"), OtherSide: "also in remote"})
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestRemoteBookmarkWithFindings(t *testing.T) {
	info := &tree.Info{
		Title: "Broken", URL: "not a url", ServerModified: now.Add(-10 * time.Minute).UnixMilli(),
		DateAdded: now.Add(-400 * 24 * time.Hour).UnixMicro(), ParentGUID: "folderXXXXXX",
	}
	tr := sampleTree(t, info, true, tree.Replace)
	m := newModel()
	m.SetItem(&details.Item{Side: tree.Remote, Tree: tr, Node: tr.Lookup("bookmarkAAAA"), Findings: []check.Finding{
		{Side: tree.Remote, GUID: "bookmarkAAAA", Kind: check.InvalidItem, Detail: "URL does not parse"},
		{Side: tree.Remote, GUID: "bookmarkAAAA", Kind: check.MissingParent, Detail: "parentid names a missing folder", Related: []string{"folderXXXXXX"}},
	}})
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestNoInfo(t *testing.T) {
	tr := sampleTree(t, nil, false, tree.Valid)
	m := newModel()
	m.SetItem(&details.Item{Side: tree.Local, Tree: tr, Node: tr.Lookup("bookmarkAAAA")})
	golden.RequireEqual(t, ansi.Strip(m.View()))
	m.SetItem(nil)
	if m.GUID() != "" {
		t.Fatal("SetItem(nil) kept the item")
	}
}
