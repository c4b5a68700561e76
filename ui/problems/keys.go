package problems

import (
	"charm.land/bubbles/v2/key"

	"github.com/bmtui/bmtui/ui/internal/viewport"
)

// KeyMap are the list's bindings.
type KeyMap struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
	Jump     key.Binding
}

// DefaultKeyMap returns vim-style and arrow bindings.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b", "ctrl+u"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f", "ctrl+d"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g/home", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G/end", "bottom")),
		Jump:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "go to item")),
	}
}

// ShortHelp implements help.KeyMap.
func (k KeyMap) ShortHelp() []key.Binding { return []key.Binding{k.Up, k.Down, k.Jump} }

// FullHelp implements help.KeyMap.
func (k KeyMap) FullHelp() [][]key.Binding {
	return [][]key.Binding{{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Jump}}
}

// nav is the movement bindings of k.
func (k *KeyMap) nav() viewport.Keys {
	return viewport.Keys{Up: &k.Up, Down: &k.Down, PageUp: &k.PageUp, PageDown: &k.PageDown, Top: &k.Top, Bottom: &k.Bottom}
}
