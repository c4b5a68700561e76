package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/sync/tree"
)

// toWriters hands a write flow's message to the screens that write; each
// takes only its own flow's.
func (a *App) toWriters(msg flowMsg) tea.Cmd {
	var writers []tea.Model
	if a.restore != nil {
		writers = append(writers, a.restore)
	}
	if a.dupes != nil {
		writers = append(writers, a.dupes)
	}
	if a.salvage != nil {
		writers = append(writers, a.salvage)
	}
	var cmds []tea.Cmd
	for _, w := range writers {
		_, cmd := w.Update(msg)
		cmds = append(cmds, cmd)
	}
	return tea.Batch(cmds...)
}

// appReloadedMsg carries the profile opened again after a write.
type appReloadedMsg struct {
	in      AppInput
	err     error
	written string // what the write said
}

// reload opens the profile again (AppInput.Reload) in a command, after a
// screen wrote Places: the trees shown are the file's before the write.
func (a *App) reload(written string) tea.Cmd {
	load := a.in.Reload
	return func() tea.Msg {
		in, err := load()
		return appReloadedMsg{in: in, err: err, written: written}
	}
}

// reloaded replaces the app's screens with the reopened profile's: its
// explorer, at the pane and items the user was at, its status line saying
// what was written. When the profile cannot be opened, the screen that
// wrote stays and says why.
func (a *App) reloaded(msg appReloadedMsg) tea.Cmd {
	if msg.err != nil {
		a.setWriterStatus(msg.written + "; reopening the profile failed: " + msg.err.Error())
		return nil
	}
	place := placeOf(a.explorer)
	size, bg, env := a.size, a.bg, a.env
	*a = *NewApp(msg.in, a.opts)
	a.size, a.bg, a.env = size, bg, env
	cmds := []tea.Cmd{a.explorer.Init()}
	for _, m := range []tea.Msg{deref(bg), deref(env), deref(size)} {
		if m != nil {
			cmds = append(cmds, a.broadcast(m))
		}
	}
	cmds = append(cmds, place.restore(a.explorer))
	a.syncRestoreKey()
	a.explorer.status = msg.written
	if a.in.Damage != nil {
		cmds = append(cmds, checkDamage(a.in.Damage))
	}
	if a.in.Doctor != nil {
		// H triages the new file; its report does not take the screen.
		a.touched = true
		cmds = append(cmds, runDoctor(a.in.Doctor))
	}
	return tea.Batch(cmds...)
}

// setWriterStatus puts text in the status line of the screen shown.
func (a *App) setWriterStatus(text string) {
	switch a.Screen() {
	case "restore":
		a.restore.status = text
	case "dupes":
		a.dupes.status = text
	case "salvage":
		a.salvage.status = text
	default:
		a.explorer.status = text
	}
}

// explorerPlace is where the user was in the explorer: the pane in focus,
// the items selected, the sources compared.
type explorerPlace struct {
	focus           focusArea
	local, remote   string
	compare         bool
	leftID, rightID string
}

func placeOf(e *Explorer) explorerPlace {
	p := explorerPlace{focus: e.lastPane, local: e.local.Selected(), remote: e.remote.Selected()}
	if c := e.in.Compare; c != nil {
		p.compare, p.leftID, p.rightID = true, c.Left, c.Right
	}
	return p
}

// restore puts the new explorer e where the user was: the same selections
// and pane; in compare mode, the sources of each pane (read again in
// commands, as the picker does) but Places, which e shows already.
func (p explorerPlace) restore(e *Explorer) tea.Cmd {
	var cmds []tea.Cmd
	if p.compare && e.in.Compare == nil && e.profileSources() != nil {
		e.enterCompare()
		c := e.in.Compare
		for _, side := range []struct {
			s      tree.Side
			id, is string
		}{{tree.Local, p.leftID, c.Left}, {tree.Remote, p.rightID, c.Right}} {
			src, listed := c.entry(side.id)
			if side.id == side.is || c.Load == nil || !listed {
				continue // a source the new file no longer has (salvaged) is not shown
			}
			s, load := side.s, c.Load
			cmds = append(cmds, func() tea.Msg {
				res, err := load(src)
				return compareLoadedMsg{side: s, id: src.ID, res: res, err: err}
			})
		}
	}
	e.local.Select(p.local)
	e.remote.Select(p.remote)
	e.setFocus(p.focus)
	return tea.Batch(cmds...)
}
