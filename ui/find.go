package ui

import (
	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/spinner"
	tea "charm.land/bubbletea/v2"

	"github.com/bmtui/bmtui/source/search"
)

// FindLoader loads every source of the profile and indexes them, with
// notes for people (a source left out); the find screen runs it in a
// command, once.
type FindLoader func() (*search.Index, []string, error)

// findLoadedMsg carries the caller's index back.
type findLoadedMsg struct {
	s     *FindScreen
	ix    *search.Index
	notes []string
	err   error
}

// FindShowMsg asks the app to show an item that lives in Places in the
// explorer.
type FindShowMsg struct{ GUID string }

// findLimit bounds the matches a keystroke collects: the list shows the
// first ones, the count says how many there are.
const findLimit = 1000

// FindScreen searches every source as the user types: the matches, and
// for the selected one where each source has it, whether and when it was
// deleted, whether the server has it and where it lives now.
type FindScreen struct {
	screen
	profile string
	load    FindLoader
	ix      *search.Index
	notes   []string
	err     error
	loading bool
	spin    spinner.Model
	keys    FindKeyMap

	query   string // the text last searched
	guids   []string
	total   int
	matches map[string]search.Match // described so far
	cursor  int
	offset  int
}

func newFindScreen(profile string, load FindLoader, opts Options) *FindScreen {
	s := &FindScreen{screen: newScreen(opts), profile: profile, load: load, keys: DefaultFindKeyMap(),
		spin: spinner.New(spinner.WithSpinner(spinner.MiniDot)), matches: map[string]search.Match{}}
	s.filter.Prompt = "find: "
	s.filter.Placeholder = "title, URL, host or GUID in every source"
	s.selectTheme()
	s.filter.Focus()
	return s
}

// start runs the caller's loader in a command.
func (s *FindScreen) start() tea.Cmd {
	s.loading = true
	load, sp := s.load, s.spin
	return tea.Batch(func() tea.Msg {
		ix, notes, err := load()
		return findLoadedMsg{s: s, ix: ix, notes: notes, err: err}
	}, func() tea.Msg { return sp.Tick() }, s.filter.Focus())
}

// Index is the index searched (nil while loading or after an error).
func (s *FindScreen) Index() *search.Index { return s.ix }

// Query is the text searched.
func (s *FindScreen) Query() string { return s.query }

// Matches are the GUIDs found for the query (at most findLimit) and how
// many match in all.
func (s *FindScreen) Matches() ([]string, int) { return s.guids, s.total }

// Selected is the selected match, ok false when there is none.
func (s *FindScreen) Selected() (search.Match, bool) {
	if s.cursor < 0 || s.cursor >= len(s.guids) {
		return search.Match{}, false
	}
	return s.describe(s.guids[s.cursor]), true
}

func (s *FindScreen) busy() bool { return s.loading }

// SetQuery types q as the query and searches.
func (s *FindScreen) SetQuery(q string) {
	s.filter.SetValue(q)
	s.search()
}

// search runs the query if it changed; only the matches shown are
// described, as they are drawn.
func (s *FindScreen) search() {
	q := s.filter.Value()
	if q == s.query && s.guids != nil {
		return
	}
	s.query = q
	s.guids, s.total = nil, 0
	if len(s.matches) > 4096 { // the index does not change: keep what was described
		clear(s.matches)
	}
	s.cursor, s.offset = 0, 0
	if s.ix == nil {
		return
	}
	s.guids, s.total = s.ix.Search(search.Parse(q), findLimit)
	if s.guids == nil {
		s.guids = []string{}
	}
}

func (s *FindScreen) describe(guid string) search.Match {
	if m, ok := s.matches[guid]; ok {
		return m
	}
	m, _ := s.ix.Describe(guid)
	s.matches[guid] = m
	return m
}

// Init implements tea.Model.
func (s *FindScreen) Init() tea.Cmd { return nil }

// Update implements tea.Model.
func (s *FindScreen) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if s.terminalMsg(msg, s.layout, func() { s.selectTheme() }) {
		return s, nil
	}
	switch msg := msg.(type) {
	case findLoadedMsg:
		if msg.s != s {
			return s, nil
		}
		s.loading = false
		s.ix, s.notes, s.err = msg.ix, msg.notes, msg.err
		s.query = "\x00" // search what was typed meanwhile
		s.search()
		return s, nil
	case spinner.TickMsg:
		if s.loading {
			var cmd tea.Cmd
			s.spin, cmd = s.spin.Update(msg)
			return s, cmd
		}
		return s, nil
	case tea.KeyPressMsg:
		return s, s.key(msg)
	case tea.PasteMsg:
		cmd := s.filterMsg(msg)
		s.search()
		return s, cmd
	}
	return s, nil
}

func (s *FindScreen) key(msg tea.KeyPressMsg) tea.Cmd {
	k := &s.keys
	rows := s.listRows()
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		s.help.ShowAll = !s.help.ShowAll
		s.layout()
	case key.Matches(msg, k.Up):
		s.move(-1, rows)
	case key.Matches(msg, k.Down):
		s.move(1, rows)
	case key.Matches(msg, k.PageUp):
		s.move(-rows, rows)
	case key.Matches(msg, k.PageDown):
		s.move(rows, rows)
	case key.Matches(msg, k.Top):
		s.move(-len(s.guids), rows)
	case key.Matches(msg, k.Bottom):
		s.move(len(s.guids), rows)
	case key.Matches(msg, k.Clear):
		s.SetQuery("")
	case key.Matches(msg, k.Show):
		if m, ok := s.Selected(); ok && m.Now != nil {
			g := m.GUID
			return func() tea.Msg { return FindShowMsg{GUID: g} }
		}
	default:
		cmd := s.filterMsg(msg)
		s.search()
		return cmd
	}
	return nil
}

// move moves the selection by d rows, keeping it in the window of rows.
func (s *FindScreen) move(d, rows int) {
	if len(s.guids) == 0 {
		return
	}
	s.cursor = min(max(s.cursor+d, 0), len(s.guids)-1)
	if s.cursor < s.offset {
		s.offset = s.cursor
	}
	if rows > 0 && s.cursor >= s.offset+rows {
		s.offset = s.cursor - rows + 1
	}
}

func (s *FindScreen) layout() {
	s.sizeFilter(" 1,000 of 600,000 match")
	s.help.SetWidth(s.width)
}
