package ui_test

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/serve/app"
	"github.com/bmtui/bmtui/ui"
)

// damagedPlan scans and rebuilds the damaged fixture, unpacked into a
// temporary folder, as the app's callback does.
func damagedPlan(t *testing.T) *ui.SalvagePlan {
	t.Helper()
	src := testutil.Shared(t, "fixtures", "damaged", "a-bookmarks-leaf", "profile")
	dst := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		in, err := testutil.OpenMaybeGzip(p)
		if err != nil {
			return err
		}
		defer in.Close()
		out := filepath.Join(dst, strings.TrimSuffix(rel, ".gz"))
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		f, err := os.Create(out)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, in); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	})
	if err != nil {
		t.Fatal(err)
	}
	_, plan, err := app.ScanSalvage(dst, now)
	if err != nil {
		t.Fatal(err)
	}
	return plan
}

// drive sends msgs and runs the commands they return (spinner ticks are
// dropped: they only animate), feeding the results back.
func drive(t *testing.T, m tea.Model, msgs ...tea.Msg) tea.Model {
	t.Helper()
	return driveCmd(t, m, nil, msgs...)
}

// driveCmd runs first (Init's command), then sends msgs as drive does.
func driveCmd(t *testing.T, m tea.Model, first tea.Cmd, msgs ...tea.Msg) tea.Model {
	t.Helper()
	var run func(cmd tea.Cmd, depth int)
	run = func(cmd tea.Cmd, depth int) {
		if cmd == nil || depth > 8 {
			return
		}
		switch out := cmd().(type) {
		case nil, spinner.TickMsg, tea.QuitMsg:
		case tea.BatchMsg:
			for _, c := range out {
				run(c, depth+1)
			}
		default:
			var next tea.Cmd
			m, next = m.Update(out)
			run(next, depth+1)
		}
	}
	run(first, 0)
	for _, msg := range msgs {
		var cmd tea.Cmd
		m, cmd = m.Update(msg)
		run(cmd, 0)
	}
	return m
}

var someDamage = ui.DamageMsg{Local: []dbcheck.Damage{{File: "/p/places.sqlite", Type: "table", Object: "moz_bookmarks",
	Pages: []int64{12}, Detail: "Tree 4 page 12: btreeInitPage() returns error code 11"}}}

// TestSalvageScreen: S is disabled until damage is found; then it opens the
// preview of the damaged fixture (sources, rebuilt tree with origins, why),
// W asks with the counts, y runs the caller's write once and shows what
// it did, and e goes back to the explorer.
func TestSalvageScreen(t *testing.T) {
	plan := damagedPlan(t)
	if plan.Counts.Items == 0 || len(plan.Sources) < 2 {
		t.Fatalf("the fixture's plan is empty: %+v", plan.Counts)
	}
	writes := 0
	plan.Write = func() (string, error) {
		writes++
		return "wrote places.sqlite", nil
	}
	loads := 0
	in := salvageAppInput(t)
	in.Salvage = func() (*ui.SalvagePlan, error) { loads++; return plan, nil }
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 140, Height: 32})
	m = drive(t, m, keys("S")...)
	if got := m.(*ui.App).Screen(); got != "explorer" {
		t.Fatalf("S before any damage opened %q", got)
	}
	if strings.Contains(content(m), "salvage") {
		t.Errorf("help offers salvage before damage is found:\n%s", content(m))
	}
	m = drive(t, m, someDamage)
	if !strings.Contains(content(m), "S salvage preview") {
		t.Errorf("help does not offer salvage once damage is found:\n%s", content(m))
	}
	m = drive(t, m, keys("S")...)
	a := m.(*ui.App)
	if a.Screen() != "salvage" || loads != 1 {
		t.Fatalf("screen %q, %d loads", a.Screen(), loads)
	}
	// The first item a backup gave: its origin and place are explained.
	var fromBackup string
	for _, it := range plan.Items {
		if it.Origin == ui.OriginBackup || it.Origin == ui.OriginOlderBackup || it.Origin == ui.OriginRecovered {
			fromBackup = it.GUID
			break
		}
	}
	if fromBackup == "" || !a.Salvage().Select(fromBackup) {
		t.Fatalf("no item from a backup shown (%q)", fromBackup)
	}
	preview := content(m)
	golden.RequireEqual(t, preview)
	for _, want := range []string{"Sources", "Rebuilt tree", "Why", "origin:", "W write"} {
		if !strings.Contains(preview, want) {
			t.Errorf("preview lacks %q", want)
		}
	}

	m = drive(t, m, keys("W")...)
	dialog := content(m)
	c := plan.Counts
	if want := strings.Join([]string{itoa(c.Items) + " items", itoa(c.FromBackups) + " from backups",
		itoa(c.Recovered) + " placed in Recovered", itoa(c.LeftDeleted) + " left deleted"}, ", "); !strings.Contains(dialog, want) {
		t.Errorf("confirmation lacks %q:\n%s", want, dialog)
	}
	m = drive(t, m, keys("n")...)
	if writes != 0 || strings.Contains(content(m), "y/enter") {
		t.Fatalf("n did not cancel (%d writes)", writes)
	}
	m = drive(t, m, keys("W", "y")...)
	if writes != 1 {
		t.Fatalf("write called %d times, want 1", writes)
	}
	done := content(m)
	if !strings.Contains(done, "wrote places.sqlite") {
		t.Errorf("outcome not shown:\n%s", done)
	}
	m = drive(t, m, keys("W", "y")...)
	if writes != 1 {
		t.Errorf("a second W wrote again (%d writes)", writes)
	}
	m = drive(t, m, keys("e")...)
	if got := m.(*ui.App).Screen(); got != "explorer" {
		t.Errorf("e went to %q", got)
	}
	m = drive(t, m, keys("S")...)
	if loads != 1 {
		t.Errorf("reopening scanned again (%d loads)", loads)
	}
}

// TestSalvageScreenViewer: without a write callback (a viewer over SSH)
// W is disabled and help does not offer it; a failed write says so.
func TestSalvageScreenViewer(t *testing.T) {
	plan := damagedPlan(t)
	in := salvageAppInput(t)
	in.Salvage = func() (*ui.SalvagePlan, error) { return plan, nil }
	var m tea.Model = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 140, Height: 32}, someDamage)
	m = drive(t, m, keys("S", "W")...)
	v := content(m)
	if strings.Contains(v, "y/enter") || strings.Contains(v, "W write") {
		t.Errorf("a viewer is offered the write:\n%s", v)
	}
	if !strings.Contains(v, "read-only") {
		t.Errorf("the viewer is not told why:\n%s", v)
	}

	failing := *plan
	failing.Write = func() (string, error) { return "", errors.New("Firefox is running") }
	in.Salvage = func() (*ui.SalvagePlan, error) { return &failing, nil }
	m = ui.NewApp(in, opts())
	m = drive(t, m, tea.WindowSizeMsg{Width: 140, Height: 32}, someDamage)
	m = drive(t, m, keys("S", "W", "y")...)
	if v := content(m); !strings.Contains(v, "not written: Firefox is running") {
		t.Errorf("failure not shown:\n%s", v)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func salvageAppInput(t *testing.T) ui.AppInput {
	e := input(t, "multiple_parents")
	return ui.AppInput{ProfileName: e.ProfileName, Local: e.Local, Remote: e.Remote,
		LocalReport: e.LocalReport, RemoteReport: e.RemoteReport}
}

// TestSalvageScreenFirst: a profile too damaged to open starts on the
// salvage screen with no trees; e shows the explorer with the damage in
// its banner, and S comes back.
func TestSalvageScreenFirst(t *testing.T) {
	plan := damagedPlan(t)
	in := ui.AppInput{ProfileName: "broken.default", StartInSalvage: true,
		Salvage: func() (*ui.SalvagePlan, error) { return plan, nil },
		Damage: func() (local, remote []dbcheck.Damage, err error) {
			return someDamage.Local, nil, nil
		},
	}
	a := ui.NewApp(in, opts())
	var m tea.Model = a
	m = drive(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	m = driveCmd(t, m, a.Init())
	if a.Screen() != "salvage" || !strings.Contains(content(m), "Rebuilt tree") {
		t.Fatalf("screen %q:\n%s", a.Screen(), content(m))
	}
	m = drive(t, m, keys("e")...)
	v := content(m)
	if a.Screen() != "explorer" || !strings.Contains(v, "places.sqlite is damaged") || !strings.Contains(v, "S salvage preview") {
		t.Fatalf("explorer without the damage or S:\n%s", v)
	}
	m = drive(t, m, keys("S")...)
	if a.Screen() != "salvage" {
		t.Errorf("S went to %q", a.Screen())
	}
}

// TestSalvageWriteReloads: once W wrote the salvage, the app opens the
// profile again and shows the healthy explorer (its trees, no damage
// banner, the write's outcome in the status line); when reopening fails,
// the salvage screen stays and says why.
func TestSalvageWriteReloads(t *testing.T) {
	plan := damagedPlan(t)
	plan.Write = func() (string, error) { return "wrote places.sqlite", nil }
	healthy := salvageAppInput(t)
	for _, c := range []struct {
		name      string
		reloadErr error
	}{{"reopened", nil}, {"reopen-fails", errors.New("database is locked")}} {
		t.Run(c.name, func(t *testing.T) {
			reloads := 0
			in := ui.AppInput{ProfileName: "broken.default", StartInSalvage: true,
				Salvage: func() (*ui.SalvagePlan, error) { return plan, nil },
				Damage: func() (local, remote []dbcheck.Damage, err error) {
					return someDamage.Local, nil, nil
				},
				Reload: func() (ui.AppInput, error) { reloads++; return healthy, c.reloadErr },
			}
			a := ui.NewApp(in, opts())
			var m tea.Model = a
			m = drive(t, m, tea.WindowSizeMsg{Width: 140, Height: 32})
			m = driveCmd(t, m, a.Init())
			m = drive(t, m, keys("W")...)
			if reloads != 0 {
				t.Fatalf("reloaded before the write")
			}
			m = drive(t, m, keys("y")...)
			a = m.(*ui.App)
			v := content(m)
			if reloads != 1 {
				t.Fatalf("%d reloads after the write, want 1", reloads)
			}
			if c.reloadErr != nil {
				if a.Screen() != "salvage" || !strings.Contains(v, "reopening the profile failed: database is locked") {
					t.Fatalf("screen %q without the failure:\n%s", a.Screen(), v)
				}
				return
			}
			if a.Screen() != "explorer" {
				t.Fatalf("screen %q after the write", a.Screen())
			}
			if strings.Contains(v, "places.sqlite is damaged") || strings.Contains(v, "S salvage preview") {
				t.Errorf("the reloaded explorer still shows the damage:\n%s", v)
			}
			if !strings.Contains(v, "wrote places.sqlite") {
				t.Errorf("the write's outcome is not shown:\n%s", v)
			}
			// The same explorer a fresh app on the healthy profile shows.
			fresh := drive(t, ui.NewApp(healthy, opts()), tea.WindowSizeMsg{Width: 140, Height: 32})
			if got, want := firstLines(v, 10), firstLines(content(fresh), 10); got != want || strings.Contains(v, "Rebuilt tree") {
				t.Errorf("the healthy explorer is not shown:\n%s\nwant:\n%s", v, want)
			}
		})
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "\n")
}
