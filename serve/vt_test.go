package serve_test

import (
	"strings"
	"sync"

	"github.com/charmbracelet/x/ansi"
)

// screen is a minimal terminal: enough of VT100/xterm to follow what
// Bubble Tea's renderer sends (cursor moves, erases, inserts, scrolling),
// so tests can read the screen rather than the byte stream, which only
// carries the cells that changed.
type screen struct {
	mu         sync.Mutex
	w, h       int
	cells      [][]rune
	x, y       int
	top, bot   int // scroll region, inclusive
	p          *ansi.Parser
	last       rune
	savedX     int
	savedY     int
	unknownCSI map[string]int
}

func newScreen(w, h int) *screen {
	s := &screen{p: ansi.NewParser(), unknownCSI: map[string]int{}}
	s.resize(w, h)
	s.p.SetHandler(ansi.Handler{
		Print:     s.print,
		Execute:   s.execute,
		HandleCsi: s.csi,
		HandleEsc: s.esc,
	})
	return s
}

func (s *screen) resize(w, h int) {
	cells := make([][]rune, h)
	for y := range cells {
		cells[y] = make([]rune, w)
		for x := range cells[y] {
			cells[y][x] = ' '
			if y < len(s.cells) && x < len(s.cells[y]) {
				cells[y][x] = s.cells[y][x]
			}
		}
	}
	s.cells, s.w, s.h = cells, w, h
	s.top, s.bot = 0, h-1
	s.clamp()
}

// Write feeds output to the terminal.
func (s *screen) Write(b []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range b {
		s.p.Advance(c)
	}
	return len(b), nil
}

// String is the screen's text, trailing spaces trimmed.
func (s *screen) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	for y, row := range s.cells {
		if y > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(strings.TrimRight(string(row), " "))
	}
	return b.String()
}

func (s *screen) clamp() {
	s.x = max(0, min(s.x, s.w-1))
	s.y = max(0, min(s.y, s.h-1))
}

func (s *screen) print(r rune) {
	width := max(1, ansi.StringWidth(string(r)))
	if s.x >= s.w {
		s.x = 0
		s.lineFeed()
	}
	s.cells[s.y][s.x] = r
	for i := 1; i < width && s.x+i < s.w; i++ {
		s.cells[s.y][s.x+i] = 0 // the wide rune's second cell
	}
	s.x += width
	s.last = r
	if s.x > s.w {
		s.x = s.w
	}
}

func (s *screen) lineFeed() {
	if s.y == s.bot {
		s.scrollUp(1)
	} else if s.y < s.h-1 {
		s.y++
	}
}

func (s *screen) blank() []rune {
	row := make([]rune, s.w)
	for i := range row {
		row[i] = ' '
	}
	return row
}

func (s *screen) scrollUp(n int) {
	for range n {
		copy(s.cells[s.top:s.bot], s.cells[s.top+1:s.bot+1])
		s.cells[s.bot] = s.blank()
	}
}

func (s *screen) scrollDown(n int) {
	for range n {
		copy(s.cells[s.top+1:s.bot+1], s.cells[s.top:s.bot])
		s.cells[s.top] = s.blank()
	}
}

func (s *screen) execute(b byte) {
	switch b {
	case '\r':
		s.x = 0
	case '\n', '\v', '\f':
		s.lineFeed()
	case '\b':
		if s.x > 0 {
			s.x--
		}
	case '\t':
		s.x = min(s.w-1, (s.x/8+1)*8)
	}
}

func (s *screen) esc(cmd ansi.Cmd) {
	switch cmd.Final() {
	case 'M': // reverse index
		if s.y == s.top {
			s.scrollDown(1)
		} else if s.y > 0 {
			s.y--
		}
	case 'D':
		s.lineFeed()
	case 'E':
		s.x = 0
		s.lineFeed()
	case '7':
		s.savedX, s.savedY = s.x, s.y
	case '8':
		s.x, s.y = s.savedX, s.savedY
	}
}

func (s *screen) erase(y, from, to int) {
	for x := max(0, from); x < min(to, s.w); x++ {
		s.cells[y][x] = ' '
	}
}

func (s *screen) csi(cmd ansi.Cmd, params ansi.Params) {
	if cmd.Prefix() != 0 || cmd.Intermediate() != 0 {
		return // private modes, queries
	}
	p := func(i, def int) int {
		v, _, _ := params.Param(i, def)
		if v == 0 && def == 1 {
			return 1
		}
		return v
	}
	switch cmd.Final() {
	case 'H', 'f':
		s.y, s.x = p(0, 1)-1, p(1, 1)-1
	case 'A':
		s.y -= p(0, 1)
	case 'B':
		s.y += p(0, 1)
	case 'C':
		s.x += p(0, 1)
	case 'D':
		s.x -= p(0, 1)
	case 'E':
		s.y += p(0, 1)
		s.x = 0
	case 'F':
		s.y -= p(0, 1)
		s.x = 0
	case 'G', '`':
		s.x = p(0, 1) - 1
	case 'd':
		s.y = p(0, 1) - 1
	case 'J':
		switch p(0, 0) {
		case 0:
			s.erase(s.y, s.x, s.w)
			for y := s.y + 1; y < s.h; y++ {
				s.erase(y, 0, s.w)
			}
		case 1:
			s.erase(s.y, 0, s.x+1)
			for y := 0; y < s.y; y++ {
				s.erase(y, 0, s.w)
			}
		default:
			for y := 0; y < s.h; y++ {
				s.erase(y, 0, s.w)
			}
		}
	case 'K':
		switch p(0, 0) {
		case 0:
			s.erase(s.y, s.x, s.w)
		case 1:
			s.erase(s.y, 0, s.x+1)
		default:
			s.erase(s.y, 0, s.w)
		}
	case 'X':
		s.erase(s.y, s.x, s.x+p(0, 1))
	case '@':
		n := min(p(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x+n:], row[s.x:s.w-n])
		s.erase(s.y, s.x, s.x+n)
	case 'P':
		n := min(p(0, 1), s.w-s.x)
		row := s.cells[s.y]
		copy(row[s.x:], row[s.x+n:])
		s.erase(s.y, s.w-n, s.w)
	case 'b':
		for range p(0, 1) {
			s.print(s.last)
		}
	case 'S':
		s.scrollUp(p(0, 1))
	case 'T':
		s.scrollDown(p(0, 1))
	case 'L', 'M':
		if s.y < s.top || s.y > s.bot {
			break
		}
		top := s.top
		s.top = s.y
		if cmd.Final() == 'L' {
			s.scrollDown(p(0, 1))
		} else {
			s.scrollUp(p(0, 1))
		}
		s.top = top
	case 'r':
		s.top, s.bot = p(0, 1)-1, p(1, s.h)-1
		if s.bot >= s.h || s.bot <= s.top {
			s.top, s.bot = 0, s.h-1
		}
		s.x, s.y = 0, 0
	case 'm', 'n', 'c', 't', 'q', 'h', 'l', 's', 'u':
		// attributes, reports, modes: no text
	default:
		s.unknownCSI[string(rune(cmd.Final()))]++
	}
	s.clamp()
}
