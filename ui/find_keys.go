package ui

import "charm.land/bubbles/v2/key"

// FindKeyMap are the find screen's bindings. Letters are the query's
// text, so moving and leaving use arrows, ctrl and esc.
type FindKeyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Show                                    key.Binding // the selected item in the explorer
	Clear                                   key.Binding
	Back                                    key.Binding
	Help                                    key.Binding
	Quit                                    key.Binding
}

// DefaultFindKeyMap returns the find screen's default bindings.
func DefaultFindKeyMap() FindKeyMap {
	return FindKeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "ctrl+p"), key.WithHelp("↑/ctrl+p", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "ctrl+n"), key.WithHelp("↓/ctrl+n", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("home"), key.WithHelp("home", "first")),
		Bottom:   key.NewBinding(key.WithKeys("end"), key.WithHelp("end", "last")),
		Show:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "show in explorer")),
		Clear:    key.NewBinding(key.WithKeys("ctrl+u"), key.WithHelp("ctrl+u", "clear")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "explorer")),
		Help:     key.NewBinding(key.WithKeys("f1"), key.WithHelp("f1", "more keys")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
	}
}

// findHelp adapts the screen's state to help.KeyMap.
type findHelp struct{ s *FindScreen }

func (h findHelp) ShortHelp() []key.Binding {
	k := h.s.keys
	return []key.Binding{k.Up, k.Down, k.Show, k.Clear, k.Back, k.Help, k.Quit}
}

func (h findHelp) FullHelp() [][]key.Binding {
	k := h.s.keys
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Show, k.Clear, k.Back, k.Help, k.Quit}}
}
