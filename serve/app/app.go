// Package app builds the bmtui screens that `bmtui serve` shows each SSH
// session: a serve.ModelFactory over a loaded profile. Operators get the
// full app; viewers get it read-only, and with redaction on they see
// copies of the trees whose titles and URLs are placeholders (serve/redact),
// the same copies for every viewer.
//
// Every session shows the resolutions the hub (serve.Hub) holds, a Shared
// value: an operator's choices and undos go to the hub (and to the audit
// log), and every change of the hub's value reaches every session's merge
// screen as a ui.SetResolutionsMsg. Who is applying reaches it as a
// ui.ApplyingMsg.
//
// The profile comes from a Source. After an operator's apply or salvage
// write the source reads the profile again (Options.Reload), the hub's
// resolutions start over under a new generation, and every session, and
// every later one, shows the merged (or salvaged) profile.
package app

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/doctor"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/mergeview"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/serve/redact"
	"github.com/bmtui/bmtui/source/search"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// ErrNoApply is what an operator gets when the server was started without
// a way to apply.
var ErrNoApply = errors.New("this server cannot apply merges")

// ErrStale is what an operator gets who applies a merge of a profile that
// was replaced since (someone else applied, and the sessions are being
// moved to the merged profile).
var ErrStale = errors.New("the profile was reloaded since this merge was made; apply again from the merged profile")

// Options configure the factory.
type Options struct {
	ProfileName string
	Theme       string
	Now         func() time.Time // clock for relative dates; nil means time.Now
	// Apply writes a confirmed merge of p (the profile the session shows)
	// to disk. It runs in a command, holding the hub's apply lock
	// (serve.Session.Apply). nil: operators are told the server cannot
	// apply.
	Apply func(p *load.Profile, req ui.ApplyRequestedMsg) error
	// Reload reads the profile again after a successful apply or salvage
	// write, still holding the apply lock. The Source then shows what it returns to
	// every session, resets the hub's resolutions and closes the profile
	// replaced. nil: sessions keep showing the profile as it was.
	Reload func() (*load.Profile, error)
	// Salvage scans p's sources and rebuilds its tree for the salvage
	// screen (ScanSalvage does the reading); with write, the plan's Write
	// writes it. Operators get write; viewers the preview only, and
	// redacted viewers no salvage screen (it shows real titles). nil: no
	// salvage screen.
	Salvage func(p *load.Profile, write bool) (*ui.SalvagePlan, error)
	// Doctor triages p (see package doctor) for the first screen of every
	// session but redacted viewers' (the report names files and prefs).
	// It runs once per profile shown. nil: no triage.
	Doctor func(p *load.Profile) (*doctor.Report, error)
	// Find indexes every copy of p's bookmarks for the find screen (F),
	// for every session but redacted viewers' (it shows real titles).
	// nil: no find.
	Find func(p *load.Profile) (*search.Index, []string, error)
	// Sources lists p's other copies (backups, the corrupt file, the
	// salvaged tree) for the explorer's picker (s) and timeline (T), for
	// every session but redacted viewers'. nil: none.
	Sources func(p *load.Profile) *ui.CompareInput
}

// AppliedMsg reports the end of an apply requested in this session.
type AppliedMsg struct {
	Err error
	// Reloaded is set when the profile was read again after the apply;
	// ReloadErr says why reading it again failed (the apply itself
	// succeeded).
	Reloaded  bool
	ReloadErr error
}

// Errors of publishing a change to the hub.
var (
	// ErrNotResolutions: the hub holds something else than resolutions.
	ErrNotResolutions = errors.New("the shared state is not a list of resolutions")
	// ErrAlreadyUndone: the resolution undone is no longer shared
	// (someone else undid it first).
	ErrAlreadyUndone = errors.New("that choice is no longer shared")
	// ErrReloaded: the change was about a profile that was replaced since.
	ErrReloaded = errors.New("the profile was reloaded after an apply")
)

// resyncMsg brings the app back to the hub's state after a change of this
// session's was refused.
type resyncMsg struct {
	state serve.StateMsg
	why   string
}

// Shared is the hub's value: the resolutions chosen so far, for the
// profile of one generation of the Source. A hub holding nil or a plain
// []mergeview.Resolution is read as generation 0.
type Shared struct {
	Generation  uint64
	Resolutions []mergeview.Resolution
}

// SharedOf reads the hub's value.
func SharedOf(v any) (Shared, bool) {
	switch v := v.(type) {
	case nil:
		return Shared{}, true
	case []mergeview.Resolution:
		return Shared{Resolutions: v}, true
	case Shared:
		return v, true
	}
	return Shared{}, false
}

// Source is the profile the sessions show. After an apply (with
// Options.Reload) it holds the profile read again, under a new
// generation; sessions showing an older generation build their app again.
type Source struct {
	mu  sync.Mutex
	cur *generation
}

// generation is one profile the source held, with its redacted copy
// (made once, for every redacted viewer).
type generation struct {
	n    uint64
	p    *load.Profile
	by   string // who applied or salvaged, making this generation ("" for the first)
	made change // which of the two (zero for the first)

	once     sync.Once
	redacted ui.AppInput
	redErr   error

	doctorOnce sync.Once
	doctor     *doctor.Report
	doctorErr  error
}

// status is what the sessions' status lines say of how g was made:
// "applied by NAME; showing the merged profile".
func (g *generation) status() string {
	by, made := g.by, g.made
	if by == "" {
		by = "someone"
	}
	if made == (change{}) {
		made = applied
	}
	return made.verb + " " + by + "; showing the " + made.shows + " profile"
}

// triage is doctor's report on the generation's profile, made once for
// every session.
func (g *generation) triage(fn func(p *load.Profile) (*doctor.Report, error)) (*doctor.Report, error) {
	g.doctorOnce.Do(func() { g.doctor, g.doctorErr = fn(g.p) })
	return g.doctor, g.doctorErr
}

func (g *generation) redactedInput() (ui.AppInput, error) {
	g.once.Do(func() { g.redacted, g.redErr = Redacted(g.p) })
	return g.redacted, g.redErr
}

// NewSource returns a source showing p as generation 0. The source owns
// the profiles: it closes each one it replaces, and Close closes the
// current one (p included, which may be closed again by its opener:
// load.Profile's Close can be called twice).
func NewSource(p *load.Profile) *Source {
	return &Source{cur: &generation{p: p}}
}

func (s *Source) current() *generation {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Profile is the profile shown now.
func (s *Source) Profile() *load.Profile { return s.current().p }

// Generation counts the profiles replaced so far.
func (s *Source) Generation() uint64 { return s.current().n }

// Close closes the current profile.
func (s *Source) Close() error { return s.current().p.Close() }

// reload reads the profile again and shows it: the swap and the reset of
// the hub's resolutions happen in one hub update, so every later change
// of the hub is about the new profile. The replaced profile is closed
// (the sessions' apps keep its trees, which are in memory; they never use
// its databases). made says what was done, for the sessions' status
// lines.
func (s *Source) reload(se *serve.Session, open func() (*load.Profile, error), made change) (uint64, error) {
	np, err := open()
	if err != nil {
		return 0, err
	}
	by := se.Info().Name()
	var old *generation
	var n uint64
	_, err = se.Hub().Update(by, func(any) (any, error) {
		s.mu.Lock()
		old = s.cur
		n = old.n + 1
		s.cur = &generation{n: n, p: np, by: by, made: made}
		s.mu.Unlock()
		return Shared{Generation: n}, nil
	})
	if err != nil { // cannot happen: the update always succeeds
		np.Close()
		return 0, err
	}
	if cerr := old.p.Close(); cerr != nil {
		se.Record("reload", "closing the old profile: "+cerr.Error())
	}
	return n, nil
}

// Factory returns the model factory for the profiles of src.
func Factory(src *Source, o Options) serve.ModelFactory {
	return func(s *serve.Session) tea.Model {
		// A late joiner starts from what everyone sees; the hub's
		// deliveries of this version or older change nothing. A newer
		// generation in the hub than g (a reload between the two reads)
		// makes the first delivery build the app again.
		g := src.current()
		snap := s.Hub().Snapshot()
		m := &Model{session: s, src: src, opts: o, shared: snap, forwarded: snap.Version}
		m.build(g, snap)
		return m
	}
}

// build makes the app of generation g, starting from st's resolutions
// when they are of g.
func (m *Model) build(g *generation, st serve.StateMsg) {
	s, o := m.session, m.opts
	m.gen = g
	in := Input(g.p, o.ProfileName)
	if s.Redacted() {
		red, err := g.redactedInput()
		in = red
		if err != nil {
			in.Notes = append(slices.Clip(in.Notes), "redaction failed: "+err.Error())
		}
	}
	if sh, ok := SharedOf(st.Value); ok && sh.Generation == g.n && sh.Resolutions != nil {
		in.Resolutions = m.forApp(sh.Resolutions)
	}
	if o.Salvage != nil && !s.Redacted() {
		in.Salvage = func() (*ui.SalvagePlan, error) { return m.salvagePlan(g) }
	}
	if o.Doctor != nil && !s.Redacted() {
		in.Doctor = func() (*doctor.Report, error) { return g.triage(o.Doctor) }
	}
	if o.Find != nil && !s.Redacted() {
		in.Find = func() (*search.Index, []string, error) { return o.Find(g.p) }
	}
	if o.Sources != nil && !s.Redacted() {
		in.Sources = o.Sources(g.p)
	}
	if !s.ReadOnly() {
		in.OnResolve = m.publish
		in.OnApply = func(req ui.ApplyRequestedMsg) tea.Cmd {
			m.applying = true
			return func() tea.Msg { return m.apply(g, req) }
		}
	}
	m.app = ui.NewApp(in, ui.Options{Theme: o.Theme, NoColor: s.NoColor(), Now: o.Now, ReadOnly: s.ReadOnly()})
	if a := st.Applying; a != "" {
		m.app.Update(ui.ApplyingMsg{By: a, Self: m.applying && a == s.Info().Name()})
	}
}

// salvagePlan is the salvage screen's plan of generation g; an operator's
// write holds the hub's apply lock, so it never runs beside a merge's,
// and then, as after an apply, the profile is read again for every
// session (Options.Reload).
func (m *Model) salvagePlan(g *generation) (*ui.SalvagePlan, error) {
	plan, err := m.opts.Salvage(g.p, !m.session.ReadOnly())
	return lockedWrite(m.session, plan, m.reloadAfter(salvaged)), err
}

// change is what made a generation, for the status lines: who did it
// ("applied by"), and what the profile shown now is ("merged").
type change struct{ verb, shows string }

var (
	applied  = change{"applied by", "merged"}
	salvaged = change{"salvage written by", "salvaged"}
)

// reloadAfter is what runs after a write, under the apply lock: the
// source reads the profile again (Options.Reload; nothing without it) and
// the audit log says so. Its error is the reload's, not the write's.
func (m *Model) reloadAfter(made change) func() error {
	s, reload := m.session, m.opts.Reload
	return func() error {
		if reload == nil {
			return nil
		}
		n, err := m.src.reload(s, reload, made)
		if err != nil {
			s.Record("reload", "failed: "+err.Error())
			return err
		}
		s.Record("reload", fmt.Sprintf("showing the %s profile (generation %d)", made.shows, n))
		return nil
	}
}

// apply runs in a command: it writes the merge of generation g, holding
// the apply lock, then reads the profile again.
func (m *Model) apply(g *generation, req ui.ApplyRequestedMsg) tea.Msg {
	s, o := m.session, m.opts
	var msg AppliedMsg
	msg.Err = s.Apply(func() error {
		// Reloads happen under this lock: the generation cannot change
		// while the merge is written.
		if m.src.current() != g || req.View == nil ||
			g.p.Remote == nil || req.View.Local() != g.p.Local.Tree || req.View.Remote() != g.p.Remote.Tree {
			return ErrStale
		}
		if o.Apply == nil {
			return ErrNoApply
		}
		if err := o.Apply(g.p, req); err != nil {
			return err
		}
		if o.Reload != nil {
			msg.ReloadErr = m.reloadAfter(applied)()
			msg.Reloaded = msg.ReloadErr == nil
		}
		return nil
	})
	return msg
}

// Input is what the app shows of p: both sources' results, the profile's
// notes and clocks.
func Input(p *load.Profile, name string) ui.AppInput {
	in := ui.SourcesInput(name, p.Local, p.Remote)
	in.Notes = slices.Clone(p.Notes)
	in.Times = p.Clocks
	in.Damage = p.Damage
	return in
}

// Redacted is what a redacted viewer is shown of p: both trees redacted by
// one Redactor, their reports computed again from the copies (so details
// name placeholders), the profile's notes replaced by a count, and no
// profile name.
func Redacted(p *load.Profile) (ui.AppInput, error) {
	in := ui.AppInput{
		ProfileName: "profile (redacted)",
		Times:       p.Clocks,
	}
	r := redact.New()
	var err error
	if in.Local, err = r.Tree(p.Local.Tree); in.Local == nil {
		return in, fmt.Errorf("local tree: %w", err)
	}
	in.MergeErr = p.Local.TreeErr
	in.LocalReport = check.Tree(tree.Local, in.Local)
	if p.Remote != nil {
		if in.Remote, err = r.Tree(p.Remote.Tree); in.Remote == nil {
			return in, fmt.Errorf("remote tree: %w", err)
		}
		in.RemoteReport = check.Tree(tree.Remote, in.Remote)
		if in.MergeErr == nil {
			in.MergeErr = p.Remote.TreeErr
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
//
// After an apply, the hub's value names a new generation of the Source:
// the model then builds its app again from the profile read again (with
// the session's role, redaction and theme, at the terminal's size), and
// changes made meanwhile to the old one are refused.
type Model struct {
	app       *ui.App
	session   *serve.Session
	src       *Source
	opts      Options
	gen       *generation // what the app shows
	shared    serve.StateMsg
	forwarded uint64 // the newest version handed to the app
	published uint64 // the version this session's last change made
	applying  bool   // an apply requested here is running
	status    string
	term      terminal // what the terminal told the app
}

// App is the hosted app.
func (m *Model) App() *ui.App { return m.app }

// Shared is the last shared state received.
func (m *Model) Shared() serve.StateMsg { return m.shared }

// Status is the last apply result or lock message shown.
func (m *Model) Status() string { return m.status }

// Generation is the generation of the Source the app shows.
func (m *Model) Generation() uint64 { return m.gen.n }

// Init starts the app.
func (m *Model) Init() tea.Cmd { return m.app.Init() }

// Update keeps the shared state and hands everything else to the app.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	m.term.remember(msg)
	switch msg := msg.(type) {
	case serve.StateMsg:
		if m.newer(msg) {
			return m, m.rebuild(msg, "")
		}
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
		if m.newer(msg.state) {
			return m, m.rebuild(msg.state, "")
		}
		if msg.state.Version >= m.forwarded && msg.state.Version >= m.published {
			return m, m.forward(msg.state, msg.why)
		}
		return m, nil
	case AppliedMsg:
		m.applying = false
		switch {
		case msg.Err != nil:
			m.status = "not applied: " + msg.Err.Error()
		case msg.ReloadErr != nil:
			m.status = "applied: the merge is written to the profile (bmtui undo restores it), but reading it again failed: " + msg.ReloadErr.Error()
		case msg.Reloaded:
			m.status = "applied: the merge is written to the profile, shown now (bmtui undo restores it)"
			if m.src.current() != m.gen {
				// The hub's delivery of the new generation is still on
				// its way: build the app now, from the hub's state.
				return m, m.rebuild(m.session.Hub().Snapshot(), m.status)
			}
		default:
			m.status = "applied: the merge is written to the profile (bmtui undo restores it)"
		}
		_, cmd := m.app.Update(ui.StatusMsg{Text: m.status})
		return m, cmd
	}
	_, cmd := m.app.Update(msg)
	return m, cmd
}

// newer reports whether st is about a newer generation than the app shows.
func (m *Model) newer(st serve.StateMsg) bool {
	sh, ok := SharedOf(st.Value)
	return ok && sh.Generation > m.gen.n
}

// rebuild builds the app again from the source's current profile (at
// least as new as st's generation), tells it what the terminal told the
// old one, and shows status (by default, who applied).
func (m *Model) rebuild(st serve.StateMsg, status string) tea.Cmd {
	g := m.src.current()
	m.build(g, st)
	if sh, ok := SharedOf(st.Value); ok && sh.Generation == g.n {
		m.forwarded = max(m.forwarded, st.Version)
	}
	m.shared = st
	cmds := append([]tea.Cmd{m.app.Init()}, m.term.tell(m.app)...)
	if status == "" {
		status = g.status()
	}
	m.status = status
	_, cmd := m.app.Update(ui.StatusMsg{Text: status})
	cmds = append(cmds, cmd)
	return tea.Batch(cmds...)
}

// terminal is what a session's terminal told its app, to tell an app
// built again.
type terminal struct {
	size *tea.WindowSizeMsg
	bg   *tea.BackgroundColorMsg
	env  *tea.EnvMsg
}

// remember keeps msg when it is about the terminal.
func (t *terminal) remember(msg tea.Msg) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		t.size = &msg
	case tea.BackgroundColorMsg:
		t.bg = &msg
	case tea.EnvMsg:
		t.env = &msg
	}
}

// tell tells m what the terminal said.
func (t *terminal) tell(m tea.Model) []tea.Cmd {
	var cmds []tea.Cmd
	for _, msg := range []tea.Msg{deref(t.bg), deref(t.env), deref(t.size)} {
		if msg != nil {
			_, cmd := m.Update(msg)
			cmds = append(cmds, cmd)
		}
	}
	return cmds
}

func deref[T any](p *T) tea.Msg {
	if p == nil {
		return nil
	}
	return *p
}

// forward hands the hub's list to the app; status, if set, is what its
// status line says. A list of another generation than the app's is not
// handed on.
func (m *Model) forward(st serve.StateMsg, status string) tea.Cmd {
	sh, ok := SharedOf(st.Value)
	if !ok || sh.Generation != m.gen.n {
		return nil
	}
	m.forwarded = max(m.forwarded, st.Version)
	_, cmd := m.app.Update(ui.SetResolutionsMsg{Resolutions: m.forApp(sh.Resolutions), By: st.By, Status: status})
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
// same choice first, or the profile was reloaded) puts the app back on the
// hub's state.
func (m *Model) publish(e ui.ResolveEvent) tea.Cmd {
	s := m.session
	r := e.Resolution
	gen := m.gen.n
	st, err := s.Update(func(old any) (any, error) {
		sh, ok := SharedOf(old)
		switch {
		case !ok:
			return nil, ErrNotResolutions
		case sh.Generation != gen:
			return nil, ErrReloaded
		}
		cur := sh.Resolutions
		if !e.Undo {
			return Shared{Generation: gen, Resolutions: append(slices.Clip(cur), r)}, nil
		}
		// Undo this choice: the last one unless someone else chose
		// meanwhile.
		for i := len(cur) - 1; i >= 0; i-- {
			if cur[i].Conflict == r.Conflict && cur[i].Choice == r.Choice {
				return Shared{Generation: gen, Resolutions: slices.Delete(slices.Clone(cur), i, i+1)}, nil
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
