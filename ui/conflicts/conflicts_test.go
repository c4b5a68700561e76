package conflicts_test

import (
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/themes"
	"github.com/bmtui/bmtui/ui/common"
	"github.com/bmtui/bmtui/ui/conflicts"
)

var list = []mergeview.Conflict{
	{ID: "value:bmkA", Kind: mergeview.ConflictValue, GUID: "bmkA", Title: "MDN", Choosable: true,
		Alternatives: []mergeview.Alternative{{ID: "local", Label: "keep local title “MDN”"}, {ID: "remote", Label: "keep remote title “MDN Web Docs”"}},
		Default:      "remote", Current: "remote", Reason: "remote copy is newer: 2 h vs 5 h ago"},
	{ID: "order:fld", Kind: mergeview.ConflictChildOrder, GUID: "fld", Title: "Dev",
		Alternatives: []mergeview.Alternative{{ID: "local", Label: "use the local order"}, {ID: "remote", Label: "use the server's order"}},
		Default:      "local", Current: "local", Reason: "only the local folder changed, so its order is the base"},
	{ID: "deletion:bmkC", Kind: mergeview.ConflictDeletion, GUID: "bmkC", Title: "Curry", Choosable: true, Decided: true,
		Alternatives: []mergeview.Alternative{{ID: "keep", Label: "keep “Curry”"}, {ID: "delete", Label: "delete “Curry”"}},
		Default:      "keep", Current: "delete", Reason: "you chose to delete “Curry”; by default: changed locally 1 h ago while it was deleted on the server: a changed item beats a deletion"},
}

func newPanel(ro bool) conflicts.Model {
	m := conflicts.New(common.Common{Theme: themes.Mono(true)})
	m.SetSize(60, 9)
	m.SetReadOnly(ro)
	m.SetFocused(true)
	m.SetConflicts(list)
	return m
}

func TestGolden(t *testing.T) {
	m := newPanel(false)
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	m, _ = m.Update(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if m.Selected().ID != "deletion:bmkC" {
		t.Fatalf("selected %s", m.Selected().ID)
	}
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestReadOnlyHasNoNumbers(t *testing.T) {
	m := newPanel(true)
	golden.RequireEqual(t, ansi.Strip(m.View()))
}

func TestSelectionSurvivesNewList(t *testing.T) {
	m := newPanel(false)
	m.SelectID("deletion:bmkC")
	m.SetConflicts(append([]mergeview.Conflict{{ID: "dedupe:x|y", Kind: mergeview.ConflictDedupe}}, list...))
	if m.Selected().ID != "deletion:bmkC" || m.Cursor() != 3 {
		t.Fatalf("selected %s at %d", m.Selected().ID, m.Cursor())
	}
}
