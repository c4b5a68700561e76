package ui_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// backupResult is a source result of a backup's JSON: menu children
// given, a toolbar with one bookmark.
func backupResult(t *testing.T, label, menu string) *source.Result {
	t.Helper()
	js := `{"guid":"root________","typeCode":2,"root":"placesRoot","children":[
		{"guid":"menu________","title":"menu","typeCode":2,"children":[` + menu + `]},
		{"guid":"toolbar_____","title":"toolbar","typeCode":2,"children":[
			{"guid":"bmkStays____","title":"Stays put","typeCode":1,"uri":"https://stays.example.com/"}]},
		{"guid":"unfiled_____","title":"unfiled","typeCode":2}]}`
	n, err := backup.Parse([]byte(js))
	if err != nil {
		t.Fatal(err)
	}
	tr, _, err := backup.Tree(n, now.UnixMilli())
	if err != nil {
		t.Fatal(err)
	}
	return &source.Result{Provenance: source.Provenance{Kind: source.Backup, Label: label}, Tree: tr, Report: check.Tree(tree.Local, tr)}
}

func bm(guid, title string) string {
	return fmt.Sprintf(`{"guid":%q,"title":%q,"typeCode":1,"uri":"https://example.com/%s"}`, guid, title, guid)
}

func folder(guid, title string, kids ...string) string {
	return fmt.Sprintf(`{"guid":%q,"title":%q,"typeCode":2,"children":[%s]}`, guid, title, strings.Join(kids, ","))
}

// compareFixture is three days of one profile: on the second a folder
// lost a bookmark, another moved and one was renamed; on the third the
// folder is gone.
func compareFixture(t *testing.T) (ui.ExplorerInput, map[string]*source.Result) {
	day1 := backupResult(t, "Backup 2026-11-01", strings.Join([]string{
		folder("fldProjects_", "Projects", bm("bmkProj1____", "Project one"), bm("bmkProj2____", "Project two")),
		folder("fldArchiveA_", "Archive A", bm("bmkMoved____", "Moved twice")),
		folder("fldArchiveB_", "Archive B"),
		bm("bmkRenamed__", "Old title"),
	}, ","))
	day2 := backupResult(t, "Backup 2026-11-02", strings.Join([]string{
		folder("fldProjects_", "Projects", bm("bmkProj2____", "Project two")),
		folder("fldArchiveA_", "Archive A"),
		folder("fldArchiveB_", "Archive B", bm("bmkMoved____", "Moved twice")),
		bm("bmkRenamed__", "New title"),
		bm("bmkAdded____", "Added on day two"),
	}, ","))
	day3 := backupResult(t, "Backup 2026-11-03", strings.Join([]string{
		folder("fldArchiveA_", "Archive A"),
		folder("fldArchiveB_", "Archive B", bm("bmkMoved____", "Moved twice")),
		bm("bmkRenamed__", "New title"),
		bm("bmkAdded____", "Added on day two"),
	}, ","))
	results := map[string]*source.Result{"backup:2026-11-01": day1, "backup:2026-11-02": day2, "backup:2026-11-03": day3}
	var entries []source.Entry
	for i, id := range []string{"backup:2026-11-01", "backup:2026-11-02", "backup:2026-11-03"} {
		entries = append(entries, source.Entry{ID: id, Kind: source.Backup, Time: time.Date(2026, 11, 1+i, 0, 0, 0, 0, time.Local)})
	}
	entries = append(entries, source.Entry{ID: "broken", Kind: source.Backup, Time: time.Date(2026, 11, 4, 0, 0, 0, 0, time.Local)})
	in := ui.ExplorerInput{
		ProfileName: "test.default",
		Local:       day1.Tree, LocalReport: day1.Report,
		Remote: day2.Tree, RemoteReport: day2.Report,
		Compare: &ui.CompareInput{
			Sources: entries,
			Load: func(e source.Entry) (*source.Result, error) {
				if r, ok := results[e.ID]; ok {
					return r, nil
				}
				return nil, errors.New("backup broken: mozLz40 data truncated")
			},
			LoadAll: func(es []source.Entry) ([]*source.Result, error) {
				rs := make([]*source.Result, len(es))
				for i, e := range es {
					rs[i] = results[e.ID]
				}
				return rs, errors.New("broken: backup broken: mozLz40 data truncated")
			},
			Left: "backup:2026-11-01", Right: "backup:2026-11-02",
			LeftLabel: day1.Provenance.Label, RightLabel: day2.Provenance.Label,
		},
	}
	return in, results
}

func TestCompareGolden(t *testing.T) {
	in, _ := compareFixture(t)
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 120, Height: 28})
	m = send(m, keys("L", "tab", "L")...)
	golden.RequireEqual(t, content(m))
}

func TestComparePickerGolden(t *testing.T) {
	in, _ := compareFixture(t)
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	m = send(m, keys("tab", "s", "j")...)
	golden.RequireEqual(t, content(m))
}

// Picking a source for a pane shows it there and marks the differences
// anew; one that fails to read leaves the panes as they were and says why.
func TestComparePick(t *testing.T) {
	in, _ := compareFixture(t)
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 100, Height: 24})
	if got := content(m); !strings.Contains(got, "− 1 removed") || !strings.Contains(got, "+ 1 added") {
		t.Fatalf("day 1 to day 2 status:\n%s", got)
	}
	// The right pane gets day 3: the Projects folder is gone.
	m = send(m, keys("tab", "s", "j", "enter")...)
	got := content(m)
	if !strings.Contains(got, "R backup:2026-11-03 (Backup 2026-11-03)") || !strings.Contains(got, "− 3 removed") {
		t.Fatalf("after picking day 3:\n%s", got)
	}
	if strings.Contains(got, "Source for the right pane") {
		t.Fatalf("the picker stayed open:\n%s", got)
	}
	// A source that fails.
	m = send(m, keys("s", "j", "enter")...)
	got = content(m)
	if !strings.Contains(got, "broken: backup broken: mozLz40 data truncated") || !strings.Contains(got, "R backup:2026-11-03") {
		t.Fatalf("after a failed pick:\n%s", got)
	}
	// esc closes the picker without a change.
	m = send(m, keys("esc")...)
	if got := content(m); strings.Contains(got, "Source for the") || !strings.Contains(got, "R backup:2026-11-03") {
		t.Fatalf("after esc:\n%s", got)
	}
}

func TestCompareTimelineGolden(t *testing.T) {
	in, _ := compareFixture(t)
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 24})
	m = send(m, keys("T", "j", "j")...)
	golden.RequireEqual(t, content(m))
}

// Enter on a step of the timeline compares it with the source before.
func TestCompareTimelineShowsStep(t *testing.T) {
	in, _ := compareFixture(t)
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 24})
	m = send(m, keys("T", "j", "j", "enter")...)
	got := content(m)
	if !strings.Contains(got, "L backup:2026-11-02 (") || !strings.Contains(got, "R backup:2026-11-03 (") || !strings.Contains(got, "− 2 removed") {
		t.Fatalf("after enter on day 3:\n%s", got)
	}
	if strings.Contains(got, "Timeline ·") {
		t.Fatalf("the timeline stayed open:\n%s", got)
	}
	// A source that did not read cannot be shown.
	m = send(m, keys("T", "j", "enter")...)
	if got := content(m); !strings.Contains(got, "Timeline ·") || !strings.Contains(got, "not read") {
		t.Fatalf("enter on a source that did not read:\n%s", got)
	}
}

// The normal explorer offers a profile's other sources: s turns it into
// compare mode, Places left and the mirror right.
func TestExplorerPicksSources(t *testing.T) {
	cmp, _ := compareFixture(t)
	in := input(t, "multiple_parents")
	in.Sources = cmp.Compare
	m := ui.NewExplorer(in, opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 26})
	if got := content(m); !strings.Contains(got, "L Local (Places)") || !strings.Contains(got, "s pick source") {
		t.Fatalf("before s:\n%s", got)
	}
	m = send(m, keys("s")...)
	got := content(m)
	if !strings.Contains(got, "L places (Local (Places))") || !strings.Contains(got, "Source for the left pane") {
		t.Fatalf("after s:\n%s", got)
	}
	m = send(m, keys("enter")...) // the first source, day 1, on the left
	if got := content(m); !strings.Contains(got, "L backup:2026-11-01 (Backup 2026-11-01)") || !strings.Contains(got, "R mirror (Remote (Sync mirror))") {
		t.Fatalf("after picking day 1:\n%s", got)
	}
	// Without sources there is no s.
	m = ui.NewExplorer(input(t, "multiple_parents"), opts())
	m = send(m, tea.WindowSizeMsg{Width: 110, Height: 26})
	m = send(m, keys("s")...)
	if got := content(m); strings.Contains(got, "pick source") || strings.Contains(got, "Source for") {
		t.Fatalf("s without sources:\n%s", got)
	}
}
