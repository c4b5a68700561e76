package ui_test

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/teamsg"
	"github.com/bmtui/bmtui/ui"
)

// triageOf is doctor's report on made-up facts: a damaged places.sqlite
// salvage can rebuild, a .corrupt file, no backups.
func triageOf(damaged bool) *doctor.Report {
	now := time.Date(2026, 12, 5, 6, 0, 0, 0, time.UTC)
	f := &doctor.Facts{
		Profile: "/p", Now: now,
		Places:  doctor.File{Path: "/p/places.sqlite", Present: true, Size: 5 << 20},
		Mirror:  doctor.File{Path: "/p/weave/bookmarks.sqlite", Present: true, Size: 384 << 10},
		Local:   &doctor.Tree{Items: 60, Bookmarks: 49, Folders: 11},
		Remote:  &doctor.Tree{Items: 40, Bookmarks: 32, Folders: 6},
		Backups: doctor.Backups{Count: 3, Newest: now.AddDate(0, 0, -1), Oldest: now.AddDate(0, 0, -20), NewestName: "bookmarks-2026-12-04_49_x.jsonlz4"},
	}
	if damaged {
		f.Places.Damage = []dbcheck.Damage{{File: "/p/places.sqlite", Type: "table", Object: "moz_bookmarks", Pages: []int64{69}, Detail: "Tree 2 page 69: btreeInitPage() returns error code 11"}}
		f.Corrupt = &doctor.Corrupt{Path: "/p/places.sqlite.corrupt", Size: 2 << 20, Modified: now.Add(-50 * time.Hour)}
		f.Salvage = &doctor.Salvage{Damaged: true, Bookmarks: 322, Folders: 37, LostFolders: 1}
	}
	return doctor.Diagnose(f, "--profile /p")
}

func appWithTriage(t *testing.T, r *doctor.Report) *ui.App {
	p := demoProfile(t)
	in := appInput(p)
	in.Doctor = func() (*doctor.Report, error) { return r, nil }
	in.Salvage = func() (*ui.SalvagePlan, error) { return &ui.SalvagePlan{}, nil }
	return ui.NewApp(in, opts())
}

func TestDoctorScreenGolden(t *testing.T) {
	a := appWithTriage(t, triageOf(true))
	var m tea.Model = a
	m = teamsg.Drain(m, tea.WindowSizeMsg{Width: 100, Height: 30})
	for _, msg := range teamsg.Collect(a.Init()) {
		m = teamsg.Drain(m, msg)
	}
	if a.Screen() != "doctor" {
		t.Fatalf("screen %s, want doctor first when something is wrong", a.Screen())
	}
	golden.RequireEqual(t, content(m))
}

func TestDoctorScreenFlow(t *testing.T) {
	tests := []struct {
		name       string
		damaged    bool
		keyFirst   bool
		keys       []string
		wantScreen string
	}{
		{"opens first when something is wrong", true, false, nil, "doctor"},
		{"stays on the explorer when nothing is", false, false, nil, "explorer"},
		{"does not take the screen from a user who pressed a key", true, true, nil, "explorer"},
		{"e goes to the explorer", true, false, []string{"e"}, "explorer"},
		{"H opens it again", true, false, []string{"e", "H"}, "doctor"},
		{"H opens it when nothing is wrong", false, false, []string{"H"}, "doctor"},
		{"S opens the salvage preview", true, false, []string{"S"}, "salvage"},
		{"S does nothing when salvage is not suggested", false, false, []string{"H", "S"}, "doctor"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := appWithTriage(t, triageOf(tc.damaged))
			var m tea.Model = a
			m = teamsg.Drain(m, tea.WindowSizeMsg{Width: 100, Height: 30})
			init := teamsg.Collect(a.Init())
			if tc.keyFirst {
				m = send(m, keys("j")...)
			}
			for _, msg := range init {
				m = teamsg.Drain(m, msg)
			}
			for _, k := range tc.keys {
				for _, msg := range keys(k) {
					m = teamsg.Drain(m, msg)
				}
			}
			if a.Screen() != tc.wantScreen {
				t.Errorf("screen %s, want %s", a.Screen(), tc.wantScreen)
			}
		})
	}
}
