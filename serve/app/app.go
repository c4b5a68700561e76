// Package app builds the bmtui screens that `bmtui serve` shows each SSH
// session: a serve.ModelFactory over a loaded profile. Operators get the
// full app; viewers get it read-only, and with redaction on they see
// copies of the trees whose titles and URLs are placeholders (serve/redact),
// the same copies for every viewer.
//
// Every session shows the resolutions the hub (serve.Hub) holds, a
// []mergeview.Resolution: an operator's choices and undos go to the hub
// (and to the audit log), and every change of the hub's value reaches
// every session's merge screen as a ui.SetResolutionsMsg. Who is applying
// reaches it as a ui.ApplyingMsg.
package app

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/redact"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/ui"
)

// ErrNoApply is what an operator gets when the server was started without
// a way to apply.
var ErrNoApply = errors.New("this server cannot apply merges")

// Options configure the factory.
type Options struct {
	ProfileName string
	Theme       string
	Now         func() time.Time // clock for relative dates; nil means time.Now
	// Apply writes a confirmed merge to the profile. It runs in a command,
	// holding the hub's apply lock (serve.Session.Apply). nil: operators
	// are told the server cannot apply.
	Apply func(ui.ApplyRequestedMsg) error
}

// AppliedMsg reports the end of an apply requested in this session.
type AppliedMsg struct{ Err error }

// Errors of publishing a change to the hub.
var (
	// ErrNotResolutions: the hub holds something else than resolutions.
	ErrNotResolutions = errors.New("the shared state is not a list of resolutions")
	// ErrAlreadyUndone: the resolution undone is no longer shared
	// (someone else undid it first).
	ErrAlreadyUndone = errors.New("that choice is no longer shared")
)

// resyncMsg brings the app back to the hub's state after a change of this
// session's was refused.
type resyncMsg struct {
	state serve.StateMsg
	why   string
}

// Factory returns the model factory for p.
func Factory(p *load.Profile, o Options) serve.ModelFactory {
	var (
		once     sync.Once
		redacted ui.AppInput
		redErr   error
	)
	return func(s *serve.Session) tea.Model {
		in := ui.AppInput{ProfileName: o.ProfileName, Profile: p}
		if s.Redacted() {
			once.Do(func() { redacted, redErr = Redacted(p) })
			in = redacted
			if redErr != nil {
				in.Notes = append(in.Notes, "redaction failed: "+redErr.Error())
			}
		}
		// A late joiner starts from what everyone sees; the hub's
		// deliveries of this version or older change nothing.
		snap := s.Hub().Snapshot()
		m := &Model{session: s, shared: snap, forwarded: snap.Version}
		if res, ok := resolutionsOf(snap.Value); ok && res != nil {
			in.Resolutions = m.forApp(res)
		}
		if !s.ReadOnly() {
			in.OnResolve = m.publish
			in.OnApply = func(req ui.ApplyRequestedMsg) tea.Cmd {
				m.applying = true
				return func() tea.Msg {
					err := s.Apply(func() error {
						if o.Apply == nil {
							return ErrNoApply
						}
						return o.Apply(req)
					})
					return AppliedMsg{Err: err}
				}
			}
		}
		m.app = ui.NewApp(in, ui.Options{Theme: o.Theme, NoColor: s.NoColor(), Now: o.Now, ReadOnly: s.ReadOnly()})
		if a := snap.Applying; a != "" {
			m.app.Update(ui.ApplyingMsg{By: a})
		}
		return m
	}
}

// resolutionsOf reads the hub's value: a list of resolutions, or nil for
// none yet.
func resolutionsOf(v any) ([]mergeview.Resolution, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case []mergeview.Resolution:
		return v, true
	}
	return nil, false
}

// Redacted is what a redacted viewer is shown of p: both trees redacted by
// one Redactor, their reports computed again from the copies (so details
// name placeholders), the profile's notes replaced by a count, and no
// profile name.
func Redacted(p *load.Profile) (ui.AppInput, error) {
	in := ui.AppInput{
		ProfileName: "profile (redacted)",
		Times:       mergeview.Times{Local: p.Times.Local, Remote: p.Times.Remote},
	}
	r := redact.New()
	var err error
	if in.Local, err = r.Tree(p.Local); in.Local == nil && p.Local != nil {
		return in, fmt.Errorf("local tree: %w", err)
	}
	in.MergeErr = p.LocalErr
	in.LocalReport = check.Tree(check.Local, in.Local)
	if p.Remote != nil {
		if in.Remote, err = r.Tree(p.Remote); in.Remote == nil {
			return in, fmt.Errorf("remote tree: %w", err)
		}
		in.RemoteReport = check.Tree(check.Remote, in.Remote)
		if in.MergeErr == nil {
			in.MergeErr = p.RemoteErr
		}
	}
	if n := len(p.Notes); n > 0 {
		in.Notes = []string{fmt.Sprintf("%d notes about the profile hidden (redacted)", n)}
	}
	return in, nil
}

// Model is the session's root model: the app, plus the shared state the
// hub sends.
//
// Changes flow one way round: the merge screen reports the operator's
// choice or undo (ui.ResolveEvent) and the model applies it to the hub's
// list, under the hub's lock, so concurrent operators' changes compose;
// the hub then tells every session, this one included, and the model
// hands the new list to the app as a ui.SetResolutionsMsg, which the
// screen never reports back. The echo of the operator's own change finds
// the screen already showing that list and changes nothing. Versions keep
// the order: a delivery older than the last change this session made is
// skipped (the newer state follows), and so is a version already handed
// on.
type Model struct {
	app       *ui.App
	session   *serve.Session
	shared    serve.StateMsg
	forwarded uint64 // the newest version handed to the app
	published uint64 // the version this session's last change made
	applying  bool   // an apply requested here is running
	status    string
}

// App is the hosted app.
func (m *Model) App() *ui.App { return m.app }

// Shared is the last shared state received.
func (m *Model) Shared() serve.StateMsg { return m.shared }

// Status is the last apply result or lock message shown.
func (m *Model) Status() string { return m.status }

// Init starts the app.
func (m *Model) Init() tea.Cmd { return m.app.Init() }

// Update keeps the shared state and hands everything else to the app.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case serve.StateMsg:
		var cmds []tea.Cmd
		if msg.Applying != m.shared.Applying {
			if msg.Applying != "" {
				m.status = msg.Applying + " is applying"
			}
			_, cmd := m.app.Update(ui.ApplyingMsg{By: msg.Applying, Self: m.applying && msg.Applying == m.session.Info().Name()})
			cmds = append(cmds, cmd)
		}
		if msg.Version > m.forwarded && msg.Version >= m.published {
			cmds = append(cmds, m.forward(msg, ""))
		}
		m.shared = msg
		return m, tea.Batch(cmds...)
	case resyncMsg:
		if msg.state.Version >= m.forwarded && msg.state.Version >= m.published {
			return m, m.forward(msg.state, msg.why)
		}
		return m, nil
	case AppliedMsg:
		m.applying = false
		switch {
		case msg.Err == nil:
			m.status = "applied: the merge is written to the profile (bmtui undo restores it)"
		default:
			m.status = "not applied: " + msg.Err.Error()
		}
		_, cmd := m.app.Update(ui.StatusMsg{Text: m.status})
		return m, cmd
	}
	_, cmd := m.app.Update(msg)
	return m, cmd
}

// forward hands the hub's list to the app; status, if set, is what its
// status line says.
func (m *Model) forward(st serve.StateMsg, status string) tea.Cmd {
	res, ok := resolutionsOf(st.Value)
	if !ok {
		return nil
	}
	m.forwarded = max(m.forwarded, st.Version)
	_, cmd := m.app.Update(ui.SetResolutionsMsg{Resolutions: m.forApp(res), By: st.By, Status: status})
	return cmd
}

// forApp is the hub's list as this session may see it: without labels
// when redacted (they quote titles; the screen makes its own from the
// redacted trees).
func (m *Model) forApp(res []mergeview.Resolution) []mergeview.Resolution {
	if !m.session.Redacted() {
		return res
	}
	out := make([]mergeview.Resolution, len(res))
	for i, r := range res {
		out[i] = mergeview.Resolution{Conflict: r.Conflict, Choice: r.Choice}
	}
	return out
}

// publish applies an operator's choice or undo to the hub's list and
// records it. It runs on the update loop, so a session's changes reach the
// hub in the order they were made. A refused change (someone undid the
// same choice first) puts the app back on the hub's list.
func (m *Model) publish(e ui.ResolveEvent) tea.Cmd {
	s := m.session
	r := e.Resolution
	st, err := s.Update(func(old any) (any, error) {
		cur, ok := resolutionsOf(old)
		if !ok {
			return nil, ErrNotResolutions
		}
		if !e.Undo {
			return append(slices.Clip(cur), r), nil
		}
		// Undo this choice: the last one unless someone else chose
		// meanwhile.
		for i := len(cur) - 1; i >= 0; i-- {
			if cur[i].Conflict == r.Conflict && cur[i].Choice == r.Choice {
				return slices.Delete(slices.Clone(cur), i, i+1), nil
			}
		}
		return nil, ErrAlreadyUndone
	})
	detail := r.Conflict + "=" + r.Choice
	if err != nil {
		s.Record(e.Action(), detail+" refused: "+err.Error())
		why := "not shared: " + err.Error()
		m.status = why
		return func() tea.Msg { return resyncMsg{st, why} }
	}
	m.published = max(m.published, st.Version)
	s.Record(e.Action(), detail)
	return nil
}

// View is the app's view.
func (m *Model) View() tea.View { return m.app.View() }
