package main

import (
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/internal/testutil"
)

// TestPickerListsSalvagedOnDamage: a profile whose places.sqlite has a
// sound header and one damaged index page opens as usual; once the
// structural check lands, the explorer's source picker (s) lists the
// salvaged tree, and picking it shows it. A healthy copy never lists it.
func TestPickerListsSalvagedOnDamage(t *testing.T) {
	for _, damaged := range []bool{false, true} {
		name := map[bool]string{false: "healthy", true: "damaged"}[damaged]
		t.Run(name, func(t *testing.T) {
			dir := testutil.Profile(t, "twoway", "before")
			if damaged {
				path := filepath.Join(dir, "places.sqlite")
				testutil.DamagePage(t, path, testutil.LeafPage(t, path, "moz_places_url_hashindex", 0))
			}
			d := driveApp(t, &profileFlags{profile: dir})
			app, run, screen := d.app, d.run, d.screen
			// A key first keeps the app on the explorer when the triage lands.
			run(tea.WindowSizeMsg{Width: 160, Height: 40}, press('j'))
			run(teamsg.Collect(app.Init())...)
			if app.Screen() != "explorer" {
				t.Fatalf("screen %q:\n%s", app.Screen(), screen())
			}
			run(press('s'))
			picker := screen()
			if listed := strings.Contains(picker, "salvaged"); listed != damaged {
				t.Fatalf("picker lists salvaged: %v, want %v\n%s", listed, damaged, picker)
			}
			if !damaged {
				return
			}
			for i := 0; !strings.Contains(screen(), "› salvaged"); i++ {
				if i > 20 {
					t.Fatalf("no cursor on salvaged:\n%s", screen())
				}
				run(press('j'))
			}
			run(tea.KeyPressMsg{Code: tea.KeyEnter})
			if got := screen(); !strings.Contains(got, "L salvaged") {
				t.Fatalf("after picking salvaged:\n%s", got)
			}
		})
	}
}
