package ui_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/ui"
)

// findSources are the demo profile's two sources and, as an older copy,
// the server's tree an hour before.
func findSources(p *load.Profile) []search.Source {
	return []search.Source{
		{ID: "backup:2026-02-28", Kind: string(source.Backup), Path: "/p/bookmarkbackups/b.jsonlz4", Time: demoNow.Add(-24 * time.Hour), Result: p.Remote},
		{ID: "mirror", Kind: string(source.Mirror), Path: "/p/weave/bookmarks.sqlite", Time: demoNow.Add(-time.Hour), Result: p.Remote},
		{ID: "places", Kind: string(source.Places), Path: "/p/places.sqlite", Time: demoNow, Result: p.Local},
	}
}

// findApp opens the app on p, which the test's sources were made from.
func findApp(t *testing.T, p *load.Profile, loader ui.FindLoader) (*ui.App, tea.Model) {
	in := appInput(p)
	in.Find = loader
	a := ui.NewApp(in, opts())
	return a, drive(t, a, tea.WindowSizeMsg{Width: 130, Height: 30})
}

// TestFindScreen: F loads the sources once, off the update loop; each
// keystroke shows what the index finds for the text so far, with the
// selected item's story in every source; enter shows a live item in the
// explorer and esc goes back.
func TestFindScreen(t *testing.T) {
	p := demoProfile(t)
	ix := search.New(findSources(p))
	loads := 0
	a, m := findApp(t, p, func() (*search.Index, []string, error) { loads++; return ix, nil, nil })
	if !strings.Contains(content(m), "F find everywhere") {
		t.Errorf("help does not offer F:\n%s", content(m))
	}
	m = drive(t, m, keys("F")...)
	if a.Screen() != "find" || loads != 1 || a.Find().Index() != ix {
		t.Fatalf("screen %q after F, %d loads", a.Screen(), loads)
	}
	typed := ""
	for _, k := range []string{"w", "o", "r", "k"} {
		m = drive(t, m, keys(k)...)
		typed += k
		want, total := ix.Search(search.Parse(typed), 1000)
		got, gotTotal := a.Find().Matches()
		if !slices.Equal(got, want) || gotTotal != total {
			t.Fatalf("after %q: %v (%d), want %v (%d)", typed, got, gotTotal, want, total)
		}
	}
	if _, total := a.Find().Matches(); total == 0 {
		t.Fatal("nothing found for work")
	}
	golden.RequireEqual(t, content(m))

	// A deleted item: its deletion and the sources that still have it.
	a.Find().SetQuery("")
	m = drive(t, m, keys("old wiki")...)
	sel, ok := a.Find().Selected()
	if !ok || sel.GUID != "bmkOldWiki__" {
		t.Fatalf("selected %+v", sel)
	}
	v := content(m)
	for _, want := range []string{"Deleted", "not in Places", "Seen in 2 of 3 sources", "backup:2026-02-28", "× deleted"} {
		if !strings.Contains(v, want) {
			t.Errorf("the screen lacks %q:\n%s", want, v)
		}
	}
	m = drive(t, m, keys("enter")...)
	if a.Screen() != "find" {
		t.Errorf("enter on an item Places does not have left the screen")
	}

	// A live item: enter selects it in the explorer.
	m = drive(t, m, tea.KeyPressMsg{Code: 'u', Mod: tea.ModCtrl})
	m = drive(t, m, keys("sourdough")...)
	sel, ok = a.Find().Selected()
	if !ok || sel.Now == nil {
		t.Fatalf("selected %+v", sel)
	}
	m = drive(t, m, keys("enter")...)
	if a.Screen() != "explorer" || a.Explorer().Local().Selected() != sel.GUID {
		t.Errorf("enter: screen %q, selected %q, want %s", a.Screen(), a.Explorer().Local().Selected(), sel.GUID)
	}
	m = drive(t, m, keys("F")...)
	if loads != 1 || a.Screen() != "find" || a.Find().Query() != "sourdough" {
		t.Errorf("reopening: %d loads, screen %q, query %q", loads, a.Screen(), a.Find().Query())
	}
	drive(t, m, keys("esc")...)
	if a.Screen() != "explorer" {
		t.Errorf("esc went to %q", a.Screen())
	}
}

// TestFindScreenMoves: the arrows move through the matches, the list
// follows the selection.
func TestFindScreenMoves(t *testing.T) {
	p := demoProfile(t)
	ix := search.New(findSources(p))
	a, m := findApp(t, p, func() (*search.Index, []string, error) { return ix, nil, nil })
	m = drive(t, m, keys("F", "e")...)
	guids, total := a.Find().Matches()
	if total < 3 {
		t.Fatalf("only %d matches for e", total)
	}
	for i := 1; i < 3; i++ {
		m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyDown})
		if sel, _ := a.Find().Selected(); sel.GUID != guids[i] {
			t.Fatalf("down %d: selected %s, want %s", i, sel.GUID, guids[i])
		}
	}
	m = drive(t, m, tea.KeyPressMsg{Code: tea.KeyEnd})
	if sel, _ := a.Find().Selected(); sel.GUID != guids[len(guids)-1] {
		t.Errorf("end: selected %s", sel.GUID)
	}
	if !strings.Contains(content(m), "› ") {
		t.Errorf("the selection is not on screen after end:\n%s", content(m))
	}
	drive(t, m, tea.KeyPressMsg{Code: tea.KeyUp})
	if sel, _ := a.Find().Selected(); sel.GUID != guids[len(guids)-2] {
		t.Errorf("up: selected %s", sel.GUID)
	}
}

// TestFindScreenLoading: what is typed while the sources load is searched
// when they arrive; a loader's error and notes are shown; without a loader
// F does nothing.
func TestFindScreenLoading(t *testing.T) {
	p := demoProfile(t)
	ix := search.New(findSources(p))
	a, m := findApp(t, p, func() (*search.Index, []string, error) {
		return ix, []string{"left out backup:2026-01-01: backup: truncated"}, nil
	})
	// Keys reach the screen before the loader's message comes back.
	m, cmd := m.Update(keys("F")[0])
	for _, k := range keys("bread") {
		m, _ = m.Update(k)
	}
	if a.Find().Index() != nil || !strings.Contains(content(m), "reading every source") {
		t.Fatalf("not loading:\n%s", content(m))
	}
	m = driveCmd(t, m, cmd)
	if _, total := a.Find().Matches(); total == 0 || a.Find().Query() != "bread" {
		t.Errorf("typed text not searched once loaded: %q, %d", a.Find().Query(), total)
	}
	if !strings.Contains(content(m), "left out backup:2026-01-01") {
		t.Errorf("the loader's note is not shown:\n%s", content(m))
	}

	a, m = findApp(t, p, func() (*search.Index, []string, error) { return nil, nil, errors.New("profile folder: gone") })
	m = drive(t, m, keys("F")...)
	if !strings.Contains(content(m), "cannot search: profile folder: gone") {
		t.Errorf("the error is not shown:\n%s", content(m))
	}

	a, m = findApp(t, p, nil)
	m = drive(t, m, keys("F")...)
	if a.Screen() != "explorer" || strings.Contains(content(m), "F find") {
		t.Errorf("F without a loader: screen %q", a.Screen())
	}
}
