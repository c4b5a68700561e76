package ui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/bmtui/bmtui/themes"
)

// writeFlow is the part of a screen that writes Places (restore, dupes,
// salvage): the preview P is made in a command, the user confirms, the
// write runs in a command, its outcome is kept, and a successful write is
// announced with placesWrittenMsg, upon which the app reads the profile
// again. The screen around it shows the preview and decides the words.
type writeFlow[P any] struct {
	keys    WriteKeyMap
	cfg     writeFlowConfig
	writeOf func(P) func() (string, error) // the preview's write, nil: none

	phase   flowPhase
	preview P
	err     error  // why the preview could not be made
	out     string // what the write said
	status  string // the last write's failure, for the status line
	spin    spinner.Model
}

// writeFlowConfig is what differs between the screens.
type writeFlowConfig struct {
	confirm, cancel string // help of the keys: "restore", "back"
	failed          string // the failure's prefix: "not restored: "
	// askOnLoad: the preview is the question (restore, dupes); else the
	// screen asks with ask (salvage's W).
	askOnLoad bool
	// outcome: the write's outcome goes to the status line (the restore
	// screen shows it in its body).
	outcome  bool
	readOnly bool
}

type flowPhase int

const (
	flowIdle    flowPhase = iota // no preview (dupes before F)
	flowLoading                  // the preview is being made
	flowReady                    // a preview (or its error) is shown
	flowConfirm                  // the question is asked
	flowWriting
	flowDone // written
)

// WriteKeyMap are the bindings of a write's confirmation.
type WriteKeyMap struct {
	Confirm, Cancel key.Binding
}

// DefaultWriteKeyMap returns the confirmation's bindings, their help
// saying what confirm and cancel do.
func DefaultWriteKeyMap(confirm, cancel string) WriteKeyMap {
	return WriteKeyMap{
		Confirm: key.NewBinding(key.WithKeys("y", "enter"), key.WithHelp("y/enter", confirm)),
		Cancel:  key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", cancel)),
	}
}

// flowMsg marks the flows' messages, which the app hands to every screen
// that writes (each takes only its own).
type flowMsg interface{ flowMsg() }

type flowLoadedMsg[P any] struct {
	f   *writeFlow[P]
	p   P
	err error
}

type flowWrittenMsg[P any] struct {
	f   *writeFlow[P]
	out string
	err error
}

func (flowLoadedMsg[P]) flowMsg()  {}
func (flowWrittenMsg[P]) flowMsg() {}

// placesWrittenMsg says Places was written: the trees shown are stale.
type placesWrittenMsg struct{ out string }

// flowEvent is what an update did, for the screen to follow.
type flowEvent int

const (
	flowNothing flowEvent = iota
	flowLoaded            // a preview (or its error) arrived
	flowWritten
	flowFailed    // the write failed; the question stays
	flowCancelled // the question was declined
)

func newWriteFlow[P any](cfg writeFlowConfig, writeOf func(P) func() (string, error)) *writeFlow[P] {
	f := &writeFlow[P]{keys: DefaultWriteKeyMap(cfg.confirm, cfg.cancel), cfg: cfg, writeOf: writeOf,
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot))}
	f.syncKeys()
	return f
}

// load makes the preview in a command.
func (f *writeFlow[P]) load(plan func() (P, error)) tea.Cmd {
	f.phase, f.status = flowLoading, ""
	return f.run(func() tea.Msg {
		p, err := plan()
		return flowLoadedMsg[P]{f: f, p: p, err: err}
	})
}

// run runs work in a command with the spinner turning.
func (f *writeFlow[P]) run(work tea.Cmd) tea.Cmd {
	f.syncKeys()
	sp := f.spin
	return tea.Batch(work, func() tea.Msg { return sp.Tick() })
}

// ask asks the question about the preview shown.
func (f *writeFlow[P]) ask() {
	if f.canWrite() {
		f.phase = flowConfirm
	}
	f.syncKeys()
}

// reset drops the preview (dupes: the report's choices change it).
func (f *writeFlow[P]) reset() {
	var zero P
	f.phase, f.preview, f.err = flowIdle, zero, nil
	f.syncKeys()
}

func (f *writeFlow[P]) write() func() (string, error) {
	if f.err != nil || f.phase < flowReady {
		return nil
	}
	return f.writeOf(f.preview)
}

// canWrite: a preview with a write, not written yet, a session that
// writes.
func (f *writeFlow[P]) canWrite() bool {
	return (f.phase == flowReady || f.phase == flowConfirm) && f.write() != nil && !f.cfg.readOnly
}

func (f *writeFlow[P]) busy() bool       { return f.phase == flowLoading || f.phase == flowWriting }
func (f *writeFlow[P]) confirming() bool { return f.phase == flowConfirm }
func (f *writeFlow[P]) written() bool    { return f.phase == flowDone }
func (f *writeFlow[P]) loaded() bool     { return f.phase >= flowReady }

func (f *writeFlow[P]) syncKeys() {
	f.keys.Confirm.SetEnabled(f.confirming() && f.canWrite())
	f.keys.Cancel.SetEnabled(f.confirming())
}

// update takes the flow's own messages, its spinner's ticks and, while it
// asks, its keys; handled says msg was the flow's.
func (f *writeFlow[P]) update(msg tea.Msg) (handled bool, ev flowEvent, cmd tea.Cmd) {
	defer f.syncKeys()
	switch msg := msg.(type) {
	case flowLoadedMsg[P]:
		if msg.f != f {
			return false, flowNothing, nil
		}
		f.preview, f.err, f.phase = msg.p, msg.err, flowReady
		if f.cfg.askOnLoad && msg.err == nil {
			f.phase = flowConfirm
		}
		return true, flowLoaded, nil
	case flowWrittenMsg[P]:
		if msg.f != f {
			return false, flowNothing, nil
		}
		if msg.err != nil {
			f.phase, f.status = flowConfirm, f.cfg.failed+msg.err.Error()
			return true, flowFailed, nil
		}
		f.phase, f.out, f.status = flowDone, msg.out, ""
		out := msg.out
		return true, flowWritten, func() tea.Msg { return placesWrittenMsg{out: out} }
	case spinner.TickMsg:
		if !f.busy() {
			return false, flowNothing, nil
		}
		f.spin, cmd = f.spin.Update(msg)
		return true, flowNothing, cmd
	case tea.KeyPressMsg:
		switch {
		case key.Matches(msg, f.keys.Confirm):
			write := f.write()
			f.phase, f.status = flowWriting, ""
			return true, flowNothing, f.run(func() tea.Msg {
				out, err := write()
				return flowWrittenMsg[P]{f: f, out: out, err: err}
			})
		case key.Matches(msg, f.keys.Cancel):
			f.phase = flowReady
			return true, flowCancelled, nil
		}
	}
	return false, flowNothing, nil
}

// updateFlow hands msg to the screen's flow f and puts what the write
// said (its failure; its outcome with cfg.outcome) in s's status line.
func updateFlow[P any](s *screen, f *writeFlow[P], msg tea.Msg) (handled bool, ev flowEvent, cmd tea.Cmd) {
	handled, ev, cmd = f.update(msg)
	switch {
	case ev == flowFailed:
		s.status = f.status
	case ev == flowWritten && f.cfg.outcome:
		s.status = f.out
	case ev == flowWritten:
		s.status = ""
	}
	return handled, ev, cmd
}

// working is the spinner with what runs, for a status line or a body.
func (f *writeFlow[P]) working(st *themes.Styles, what string) string {
	return f.spin.View() + st.Accent.Render(" "+what)
}

// keysLine says what the confirmation's keys do ("y/enter restore   n/esc
// back"); without a write, only how to go back.
func (f *writeFlow[P]) keysLine(st *themes.Styles) string {
	c, n := f.keys.Confirm.Help(), f.keys.Cancel.Help()
	if f.write() == nil || f.cfg.readOnly {
		return st.Accent.Render(n.Key) + " back (read-only)"
	}
	return st.Accent.Render(c.Key) + " " + c.Desc + "   " + st.Accent.Render(n.Key) + " " + n.Desc
}

// dialog frames the question: lines, then the keys, in w×h cells (the
// last lines stay when they do not fit).
func (f *writeFlow[P]) dialog(th *themes.Theme, title string, lines []string, w, h int) string {
	lines = append(append([]string{}, lines...), "", f.keysLine(&th.Styles))
	if len(lines) > h {
		lines = append(lines[:max(h-3, 0)], lines[len(lines)-3:]...)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(" "+l, w, "…")
	}
	return drawFrame(th.Styles.Dialog, title, strings.Join(lines, "\n"), rect{w: w, h: h})
}

// ShortHelp implements help.KeyMap: the confirmation's keys.
func (f *writeFlow[P]) ShortHelp() []key.Binding { return []key.Binding{f.keys.Confirm, f.keys.Cancel} }

// FullHelp implements help.KeyMap.
func (f *writeFlow[P]) FullHelp() [][]key.Binding { return [][]key.Binding{f.ShortHelp()} }
