// Package app builds the bmtui screens that `bmtui serve` shows each SSH
// session: a serve.ModelFactory over a loaded profile. Operators get the
// full app; viewers get it read-only, and with redaction on they see
// copies of the trees whose titles and URLs are placeholders (serve/redact),
// the same copies for every viewer.
package app

import (
	"errors"
	"fmt"
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
		if !s.ReadOnly() {
			in.OnApply = func(req ui.ApplyRequestedMsg) tea.Cmd {
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
		m := ui.NewApp(in, ui.Options{Theme: o.Theme, NoColor: s.NoColor(), Now: o.Now, ReadOnly: s.ReadOnly()})
		return &Model{app: m, session: s}
	}
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
type Model struct {
	app     *ui.App
	session *serve.Session
	shared  serve.StateMsg
	status  string
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
		if msg.Applying != m.shared.Applying && msg.Applying != "" {
			m.status = msg.Applying + " is applying"
		}
		m.shared = msg
		return m, nil
	case AppliedMsg:
		switch {
		case msg.Err == nil:
			m.status = "applied"
		default:
			m.status = "not applied: " + msg.Err.Error()
		}
		return m, nil
	}
	_, cmd := m.app.Update(msg)
	return m, cmd
}

// View is the app's view.
func (m *Model) View() tea.View { return m.app.View() }
