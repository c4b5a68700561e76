package ui

import (
	"path/filepath"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui/problems"
)

// DamageMsg is what the structural checks of both files found. They run in
// the background once the profile is open; the explorer shows a banner and
// lists the damage with the problems when it lands.
type DamageMsg struct {
	Local, Remote []dbcheck.Damage
}

// checkDamage waits for the checks in a command.
func checkDamage(wait func() (local, remote []dbcheck.Damage, err error)) tea.Cmd {
	return func() tea.Msg {
		local, remote, _ := wait() // an unfinished check (closed profile) shows nothing
		return DamageMsg{Local: local, Remote: remote}
	}
}

// damageKind is a damage finding's kind, as in validate --json.
const damageKind check.Kind = "damagedFile"

// setDamage shows msg: the banner, the counts and the problems panel.
func (e *Explorer) setDamage(msg DamageMsg) {
	all := append(append([]dbcheck.Damage(nil), msg.Local...), msg.Remote...)
	if len(all) == 0 {
		return
	}
	e.addDamagedSources(msg.Local)
	e.damage = dbcheck.Summary(all) + ": bmtui will not write to this profile"
	e.damaged = map[tree.Side]int{tree.Local: len(msg.Local), tree.Remote: len(msg.Remote)}
	var entries []problems.Entry
	for _, side := range []struct {
		side tree.Side
		ds   []dbcheck.Damage
	}{{tree.Local, msg.Local}, {tree.Remote, msg.Remote}} {
		for _, d := range side.ds {
			f := check.Finding{Side: side.side, Kind: damageKind, Detail: d.Where() + ": " + d.Detail}
			entries = append(entries, problems.Entry{Finding: f, Title: filepath.Base(d.File)})
		}
	}
	entries = append(entries, problems.Entries(e.in.Local, e.in.Remote,
		withDefaultSide(e.in.LocalReport, tree.Local), withDefaultSide(e.in.RemoteReport, tree.Remote))...)
	e.problems.SetEntries(entries)
	e.layout()
}

// damageBanner is the banner line ("" when no damage is known).
func (e *Explorer) damageBanner() string {
	if e.damage == "" {
		return ""
	}
	th := e.common.Theme
	return th.Styles.Error.Render(ansi.Truncate(th.Glyphs.Problem+" "+e.damage, e.width, "…"))
}
