package conflicts

import (
	"charm.land/bubbles/v2/key"
)

// KeyMap are the panel's bindings (when it has the keyboard).
type KeyMap struct {
	Up   key.Binding
	Down key.Binding
}

// DefaultKeyMap returns the default bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:   key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "previous conflict")),
		Down: key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "next conflict")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding { return [][]key.Binding{{k.Up, k.Down}} }
