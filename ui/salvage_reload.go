package ui

import tea "charm.land/bubbletea/v2"

// appReloadedMsg carries the profile opened again after a salvage write.
type appReloadedMsg struct {
	in      AppInput
	err     error
	written string // what the write said
}

// reload opens the profile again (AppInput.Reload) in a command, after
// the salvage screen wrote a new file: the trees shown are the damaged
// file's.
func (a *App) reload(written string) tea.Cmd {
	load := a.in.Reload
	return func() tea.Msg {
		in, err := load()
		return appReloadedMsg{in: in, err: err, written: written}
	}
}

// reloaded replaces the app's screens with the reopened profile's: the
// explorer of the salvaged file, its status line saying what was written.
// When the profile cannot be opened, the salvage screen stays and says
// why.
func (a *App) reloaded(msg appReloadedMsg) tea.Cmd {
	if msg.err != nil {
		if a.salvage != nil {
			a.salvage.status = msg.written + "; reopening the profile failed: " + msg.err.Error()
		}
		return nil
	}
	size, bg, env := a.size, a.bg, a.env
	*a = *NewApp(msg.in, a.opts)
	a.size, a.bg, a.env = size, bg, env
	cmds := []tea.Cmd{a.explorer.Init()}
	for _, m := range []tea.Msg{deref(bg), deref(env), deref(size)} {
		if m != nil {
			cmds = append(cmds, a.broadcast(m))
		}
	}
	a.explorer.status = msg.written
	if a.in.Damage != nil {
		cmds = append(cmds, checkDamage(a.in.Damage))
	}
	return tea.Batch(cmds...)
}
