package common

import (
	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"
)

// Component is the shape every component keeps (after soft-serve's
// pkg/ui/common/component.go), so a parent handles them alike: the Elm
// trio, a size in cells and the keys for the help bar. M is the
// component's own model type, returned by Update the Bubble Tea way; the
// pointer to M implements the interface (SetSize changes it).
type Component[M any] interface {
	Init() tea.Cmd
	Update(msg tea.Msg) (M, tea.Cmd)
	View() string
	SetSize(width, height int)
	help.KeyMap
}
