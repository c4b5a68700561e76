package ui_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// TestExplorerDamageGolden: when the check lands, a banner names the file
// and where it is damaged, the counts include it and the problems panel
// lists it first.
func TestExplorerDamageGolden(t *testing.T) {
	m := ui.NewExplorer(input(t, "multiple_parents"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 30})
	before := content(m)
	m = send(m, ui.DamageMsg{Local: []dbcheck.Damage{{File: "/p/places.sqlite", Type: "index", Object: "moz_places_url_hashindex",
		Pages: []int64{37}, Detail: "Tree 6 page 37 cell 2: Extends off end of page (and 3 more lines)"}}})
	m = send(m, keys("P")...)
	if strings.Contains(before, "damaged") {
		t.Fatal("banner before the check landed")
	}
	golden.RequireEqual(t, content(m))
}

// TestAppShowsDamage opens a copy of twoway with one damaged index page:
// the app runs the profile's structural check and shows its banner.
func TestAppShowsDamage(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	path := filepath.Join(dir, "places.sqlite")
	page := testutil.LeafPage(t, path, "moz_places_url_hashindex", 0)
	testutil.DamagePage(t, path, page)
	paths, err := load.Resolve(dir, "", "", "", "linux")
	if err != nil {
		t.Fatal(err)
	}
	tm := time.Unix(1700007200, 0)
	p, err := load.Open(paths, tree.Clocks{Local: tm, Remote: tm})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	a := ui.NewApp(appInput(p), opts())
	var m tea.Model = a
	m = teamsg.Drain(m, tea.WindowSizeMsg{Width: 200, Height: 40})
	for _, msg := range teamsg.Collect(a.Init()) {
		m = teamsg.Drain(m, msg)
	}
	want := fmt.Sprintf("places.sqlite is damaged (index moz_places_url_hashindex, page %d): bmtui will not write to this profile", page)
	if got := content(m); !strings.Contains(got, want) || !strings.Contains(got, "local: 1 problem") {
		t.Fatalf("no banner %q:\n%s", want, got)
	}
}
