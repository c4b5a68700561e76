package app

import (
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/places/rebuild"
	"github.com/bmtui/bmtui/salvage"
	"github.com/bmtui/bmtui/salvage/scan"
	"github.com/bmtui/bmtui/serve"
	"github.com/bmtui/bmtui/sync/tree"
	"github.com/bmtui/bmtui/ui"
)

// ScanSalvage reads every source of the profile folder dir and rebuilds its
// tree: the result to write, and the plan the salvage screen shows (its
// Write left nil for the caller to set).
func ScanSalvage(dir string, now time.Time) (*salvage.Result, *ui.SalvagePlan, error) {
	in, err := scan.Profile(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("salvage: %w", err)
	}
	res, err := salvage.Rebuild(in, salvage.Options{Now: now.UnixMilli() * 1000})
	if err != nil {
		return nil, nil, fmt.Errorf("salvage: %w", err)
	}
	return res, SalvagePlan(&res.Report), nil
}

// SalvagePlan is what the salvage screen shows of r.
func SalvagePlan(r *salvage.Report) *ui.SalvagePlan {
	p := &ui.SalvagePlan{Why: append([]string(nil), r.Why...)}
	kinds := map[string]string{}
	for _, s := range r.Sources {
		kinds[s.Name] = s.Kind
		p.Sources = append(p.Sources, ui.SalvageSource{
			Name: s.Name, Kind: s.Kind, Err: s.Err, Read: readSummary(s.Read),
			DamagedPages: damagedPages(s.Damage), Complete: s.Complete,
		})
	}
	for _, it := range r.Items {
		o := salvageOrigin(&it, kinds[it.From.Source])
		p.Items = append(p.Items, ui.SalvageItem{
			GUID: it.GUID, ParentGUID: it.ParentGUID, Kind: itemKind(it.Type), Title: it.Title, URL: it.URL,
			Origin: o, From: it.From.String(), Placement: it.Placement,
		})
		if o == ui.OriginBackup || o == ui.OriginOlderBackup {
			p.Counts.FromBackups++
		}
		if it.ParentGUID == salvage.RecoveredGUID {
			p.Counts.Recovered++
		}
	}
	p.Counts.Items = len(r.Items)
	p.Counts.LeftDeleted = len(r.Deleted)
	return p
}

// salvageOrigin is the mark of it: where its place came from when that is
// what needs a look, else where its values were read.
func salvageOrigin(it *salvage.Item, kind string) ui.SalvageOrigin {
	switch {
	case it.ParentGUID == salvage.RecoveredGUID:
		return ui.OriginRecovered
	case it.OnlyInBackup:
		return ui.OriginOlderBackup
	case it.From.WAL:
		return ui.OriginWAL
	case kind == "backup":
		return ui.OriginBackup
	case kind == "mirror":
		return ui.OriginMirror
	}
	return ui.OriginPage
}

func itemKind(t int) tree.Kind {
	switch t {
	case rebuild.TypeFolder:
		return tree.KindFolder
	case rebuild.TypeSeparator:
		return tree.KindSeparator
	}
	return tree.KindBookmark
}

func damagedPages(ds []dbcheck.Damage) int {
	pages := map[int64]bool{}
	for _, d := range ds {
		for _, p := range d.Pages {
			pages[p] = true
		}
	}
	return len(pages)
}

// readSummary lists what was read, the largest counts first.
func readSummary(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool {
		if m[keys[i]] != m[keys[j]] {
			return m[keys[i]] > m[keys[j]]
		}
		return keys[i] < keys[j]
	})
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%d %s", m[k], k)
	}
	return strings.Join(parts, ", ")
}

// SalvageDamage is the damage r's sources report, as the explorer's banner
// and problems panel show it: one entry per file and b-tree, dir the
// profile folder the files are in.
func SalvageDamage(r *salvage.Report, dir string) []dbcheck.Damage {
	var out []dbcheck.Damage
	for _, s := range r.Sources {
		at := map[string]int{}
		for _, d := range s.Damage {
			i, ok := at[d.Object]
			if !ok {
				i = len(out)
				at[d.Object] = i
				out = append(out, dbcheck.Damage{File: filepath.Join(dir, s.Name), Type: d.Type, Object: d.Object, Detail: d.Detail})
			}
			out[i].Pages = append(out[i].Pages, d.Pages...)
		}
	}
	for i := range out {
		slices.Sort(out[i].Pages)
		out[i].Pages = slices.Compact(out[i].Pages)
	}
	return out
}

// SalvageOptions configure SalvageFactory.
type SalvageOptions struct {
	ProfileName string
	Theme       string
	Now         func() time.Time
	// OpenErr says why the profile could not be opened (shown as a note).
	OpenErr error
	// Damage is what the salvage scan found damaged (the banner and the
	// problems panel).
	Damage func() ([]dbcheck.Damage, error)
	// Salvage is as in Options, without a profile to hand over.
	Salvage func(write bool) (*ui.SalvagePlan, error)
	// Open opens the profile once an operator wrote its salvage (still
	// under the apply lock); then every session, and every later one,
	// shows it as Factory does with the options Then gives for its
	// source. nil: the sessions stay on the salvage screen's outcome.
	Open func() (*load.Profile, error)
	Then func(src *Source) Options
}

// SalvageFactory serves a profile too damaged to open: every session
// starts on the salvage screen; operators may write the salvage (under
// the hub's apply lock), viewers see the preview, redacted viewers only
// the damage. Once written (with Open), the profile is served as Factory
// serves it, as the local app opens it after the write.
func SalvageFactory(o SalvageOptions) serve.ModelFactory {
	sv := &salvageServer{o: o}
	return func(s *serve.Session) tea.Model {
		if full := sv.opened(); full != nil {
			return full(s)
		}
		return &salvageModel{sv: sv, session: s, app: sv.app(s)}
	}
}

// salvageServer is what the sessions of SalvageFactory share: the
// factory of the opened profile, once the salvage is written.
type salvageServer struct {
	o    SalvageOptions
	mu   sync.Mutex
	full serve.ModelFactory
	made string // the status line of the sessions moved to it
}

func (sv *salvageServer) opened() serve.ModelFactory {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.full
}

// app is the salvage screen's app for session s.
func (sv *salvageServer) app(s *serve.Session) *ui.App {
	o := sv.o
	in := ui.AppInput{ProfileName: o.ProfileName}
	if o.OpenErr != nil {
		in.Notes = []string{o.OpenErr.Error()}
	}
	if o.Damage != nil {
		in.Damage = func() (local, remote []dbcheck.Damage, err error) {
			ds, err := o.Damage()
			return ds, nil, err
		}
	}
	if o.Salvage != nil && !s.Redacted() {
		in.StartInSalvage = true
		in.Salvage = func() (*ui.SalvagePlan, error) {
			plan, err := o.Salvage(!s.ReadOnly())
			return lockedWrite(s, plan, sv.openAfter(s)), err
		}
	}
	return ui.NewApp(in, ui.Options{Theme: o.Theme, NoColor: s.NoColor(), Now: o.Now, ReadOnly: s.ReadOnly()})
}

// openAfter opens the salvaged profile as generation 1 of a new source
// and tells every session through the hub; nil without Open.
func (sv *salvageServer) openAfter(s *serve.Session) func() error {
	if sv.o.Open == nil || sv.o.Then == nil {
		return nil
	}
	return func() error {
		p, err := sv.o.Open()
		if err != nil {
			s.Record("reload", "failed: "+err.Error())
			return err
		}
		by := s.Info().Name()
		src := &Source{cur: &generation{n: 1, p: p, by: by, made: salvaged}}
		full := Factory(src, sv.o.Then(src))
		if _, err := s.Hub().Update(by, func(any) (any, error) {
			sv.mu.Lock()
			sv.full, sv.made = full, src.cur.status()
			sv.mu.Unlock()
			return Shared{Generation: 1}, nil
		}); err != nil { // cannot happen: the update always succeeds
			p.Close()
			return err
		}
		s.Record("reload", "showing the salvaged profile (generation 1)")
		return nil
	}
}

// salvageModel is a session of SalvageFactory: the salvage screen's app
// until the profile is opened, then the opened profile's model.
type salvageModel struct {
	sv      *salvageServer
	session *serve.Session
	app     *ui.App
	full    tea.Model // once opened
	term    terminal
}

func (m *salvageModel) Init() tea.Cmd { return m.app.Init() }

func (m *salvageModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.full != nil {
		_, cmd := m.full.Update(msg)
		return m, cmd
	}
	m.term.remember(msg)
	if _, ok := msg.(serve.StateMsg); ok {
		if full := m.sv.opened(); full != nil {
			return m, m.open(full)
		}
	}
	_, cmd := m.app.Update(msg)
	return m, cmd
}

// open moves the session to the opened profile's model.
func (m *salvageModel) open(full serve.ModelFactory) tea.Cmd {
	m.full = full(m.session)
	cmds := append([]tea.Cmd{m.full.Init()}, m.term.tell(m.full)...)
	_, cmd := m.full.Update(ui.StatusMsg{Text: m.sv.status()})
	return tea.Batch(append(cmds, cmd)...)
}

func (sv *salvageServer) status() string {
	sv.mu.Lock()
	defer sv.mu.Unlock()
	return sv.made
}

func (m *salvageModel) View() tea.View {
	if m.full != nil {
		return m.full.View()
	}
	return m.app.View()
}

// lockedWrite makes plan's Write an operator's, run under the hub's apply
// lock and recorded, then (still under the lock, when not nil) after; a
// viewer's plan has none. after's failure is told with the write's
// outcome: the write itself succeeded.
func lockedWrite(s *serve.Session, plan *ui.SalvagePlan, after func() error) *ui.SalvagePlan {
	if plan == nil || plan.Write == nil {
		return plan
	}
	if s.ReadOnly() {
		plan.Write = nil
		return plan
	}
	write := plan.Write
	plan.Write = func() (string, error) {
		var out string
		err := s.Apply(func() error {
			var err error
			if out, err = write(); err != nil {
				s.Record("salvage", "not written: "+err.Error())
				return err
			}
			s.Record("salvage", out)
			if after != nil {
				if err := after(); err != nil {
					out += "; reading the profile again failed: " + err.Error()
				}
			}
			return nil
		})
		return out, err
	}
	return plan
}
