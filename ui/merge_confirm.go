package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/themes"
)

// confirmDialog asks before the merge is applied: what the merge will
// write, and y or n. It holds no state of its own: the screen's mode says
// whether it is open, the shown merge what it says.
type confirmDialog struct{}

// confirmAnswer is the dialog's answer to a key.
type confirmAnswer int

const (
	confirmNone   confirmAnswer = iota // a key the dialog ignores
	confirmApply                       // apply the merge
	confirmCancel                      // close the dialog
)

func (confirmDialog) update(msg tea.KeyPressMsg, k *MergeKeyMap) confirmAnswer {
	switch {
	case key.Matches(msg, k.Confirm):
		return confirmApply
	case key.Matches(msg, k.Cancel):
		return confirmCancel
	}
	return confirmNone
}

// title is the dialog's title.
func (confirmDialog) title() string { return "Apply this merge?" }

// view says what applying s does, in w×h cells at most.
func (confirmDialog) view(th *themes.Theme, s mergeview.Summary, w, h int) string {
	st := &th.Styles
	lines := []string{
		fmt.Sprintf("%d items written here, %d uploaded, %d deleted here, %d deleted on the server.",
			s.AppliedLocally, s.Uploaded, s.DeletedLocally, s.DeletedRemotely),
		fmt.Sprintf("%d conflicts decided by you, %d left at the merge's choice.", s.ConflictsDecided, s.ConflictsOpen),
		"",
		st.Accent.Render("y/enter") + " apply   " + st.Accent.Render("n/esc") + " cancel",
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(" "+l, w, "…")
	}
	if len(lines) > h {
		lines = lines[:h]
	}
	return strings.Join(lines, "\n")
}
