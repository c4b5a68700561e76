package ui_test

import (
	"errors"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/dupes"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// TestWriteReloads: after each screen that writes Places (restore, dupes,
// salvage) wrote, the app opens the profile again once and shows its
// explorer with what was written; the next D or S works on the new
// profile's data. When reopening fails, the screen that wrote stays and
// says why. A failed write reloads nothing.
func TestWriteReloads(t *testing.T) {
	plan := damagedPlan(t)
	for _, screen := range []string{"restore", "dupes", "salvage"} {
		for _, c := range []struct {
			name                string
			writeErr, reloadErr error
		}{{"reopened", nil, nil}, {"reopen-fails", nil, errors.New("database is locked")}, {"write-fails", errors.New("Firefox is running"), nil}} {
			t.Run(screen+"/"+c.name, func(t *testing.T) {
				writes, reloads, finds := 0, 0, 0
				write := func() (string, error) {
					writes++
					if c.writeErr != nil {
						return "", c.writeErr
					}
					return "wrote it", nil
				}
				var in ui.AppInput
				in = salvageAppInput(t)
				in.Restore = func(ui.RestoreRequest) (*ui.RestorePreview, error) {
					p := restorePreview(&writes)
					p.Write = write
					return p, nil
				}
				in.Dupes = func() (*ui.DupesInput, error) {
					finds++
					tr := dupesTree(t)
					return &ui.DupesInput{Profile: "test.default", Report: dupes.Find(dupes.Input{Tree: tr, Side: tree.Local}),
						Plan: func(*dupes.Report) (*ui.DupesFix, error) {
							return &ui.DupesFix{Lines: []string{"removes 3 items"}, Write: write}, nil
						}}, nil
				}
				salvage := *plan
				salvage.Write = write
				in.Salvage = func() (*ui.SalvagePlan, error) { return &salvage, nil }
				in.Reload = func() (ui.AppInput, error) {
					reloads++
					again := in
					// A damaged file found by the new triage: H offers it,
					// the screen stays the explorer.
					again.Doctor = func() (*doctor.Report, error) { return triageOf(true), nil }
					return again, c.reloadErr
				}
				a := ui.NewApp(in, opts())
				var m tea.Model = drive(t, a, tea.WindowSizeMsg{Width: 140, Height: 32}, someDamage)
				var ask []tea.Msg
				switch screen {
				case "restore":
					ask = keys("tab", "R", "y")
				case "dupes":
					ask = keys("D", "F", "y")
				case "salvage":
					ask = keys("S", "W", "y")
				}
				m = drive(t, m, ask[:len(ask)-1]...)
				if a.Screen() != screen || reloads != 0 {
					t.Fatalf("screen %q, %d reloads before the write:\n%s", a.Screen(), reloads, content(m))
				}
				m = drive(t, m, ask[len(ask)-1])
				v := content(m)
				switch {
				case writes != 1:
					t.Fatalf("%d writes", writes)
				case c.writeErr != nil:
					if reloads != 0 || a.Screen() != screen || !strings.Contains(v, "Firefox is running") {
						t.Errorf("a failed write: %d reloads, screen %q:\n%s", reloads, a.Screen(), v)
					}
				case reloads != 1:
					t.Fatalf("%d reloads after the write", reloads)
				case c.reloadErr != nil:
					if a.Screen() != screen || !strings.Contains(v, "wrote it; reopening the profile failed: database is locked") {
						t.Errorf("screen %q without the failure:\n%s", a.Screen(), v)
					}
				default:
					if a.Screen() != "explorer" || !strings.Contains(v, "wrote it") {
						t.Errorf("screen %q after the reload:\n%s", a.Screen(), v)
					}
					if drive(t, m, keys("H")...); a.Screen() != "doctor" {
						t.Errorf("H after the reload: screen %q", a.Screen())
					}
					m = drive(t, m, keys("e")...)
					if screen == "dupes" {
						m = drive(t, m, keys("D")...)
						if a.Screen() != "dupes" || finds != 2 {
							t.Errorf("D after the reload: screen %q, %d finds (want a new search)", a.Screen(), finds)
						}
					}
				}
			})
		}
	}
}

// TestRestoreReloadKeepsPlace: after a restore from a source picked in
// compare mode, the reloaded explorer compares the same sources (read
// again) and keeps the right pane in focus, so the next R restores from
// the same source.
func TestRestoreReloadKeepsPlace(t *testing.T) {
	cmp, _ := compareFixture(t)
	var asked []ui.RestoreRequest
	writes := 0
	var in ui.AppInput
	in = ui.AppInput{ProfileName: cmp.ProfileName, Local: cmp.Local, Remote: cmp.Remote,
		LocalReport: cmp.LocalReport, RemoteReport: cmp.RemoteReport, Compare: cmp.Compare,
		Restore: func(req ui.RestoreRequest) (*ui.RestorePreview, error) {
			asked = append(asked, req)
			return restorePreview(&writes), nil
		},
		Reload: func() (ui.AppInput, error) {
			// The profile opened again: Places and the mirror, the other
			// sources offered (s).
			again := in
			again.Compare, again.Sources = nil, cmp.Compare
			return again, nil
		},
	}
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 200, Height: 24})
	m = drive(t, m, keys("tab", "R", "y")...)
	a := m.(*ui.App)
	if writes != 1 || a.Screen() != "explorer" {
		t.Fatalf("%d writes, screen %q", writes, a.Screen())
	}
	v := content(m)
	for _, want := range []string{"L backup:2026-11-01 (Backup 2026-11-01)", "R backup:2026-11-02 (Backup 2026-11-02)"} {
		if !strings.Contains(v, want) {
			t.Errorf("the reloaded explorer lacks %q:\n%s", want, v)
		}
	}
	if a.Explorer().Focus() != "remote" {
		t.Errorf("focus %q after the reload", a.Explorer().Focus())
	}
	m = drive(t, m, keys("R")...)
	if len(asked) != 2 || asked[1].Source != "backup:2026-11-02" {
		t.Errorf("the next R asked %+v", asked)
	}
}
