// Package prefs reads a Firefox profile's prefs.js: the preferences
// Firefox saves as lines of `user_pref("name", value);`. The file looks
// like JavaScript but Firefox reads it with a small parser of its own,
// which accepts only pref calls, comments and whitespace; this package
// accepts the same, so nothing in the file is ever run. A malformed
// statement is reported with its line and skipped: one bad line never
// hides the rest.
package prefs

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the type of a pref's value.
type Kind uint8

// Kinds of value.
const (
	String Kind = iota + 1
	Int
	Bool
)

// Value is one pref's value.
type Value struct {
	Kind Kind
	Str  string
	Int  int64
	Bool bool
}

// String renders the value as it would be written in prefs.js.
func (v Value) String() string {
	switch v.Kind {
	case String:
		return strconv.Quote(v.Str)
	case Int:
		return strconv.FormatInt(v.Int, 10)
	case Bool:
		return strconv.FormatBool(v.Bool)
	}
	return "?"
}

// Pref is one statement that set a pref.
type Pref struct {
	Name  string
	Value Value
	// Func is the call that set it: user_pref, pref or sticky_pref.
	Func string
	Line int
}

// LineError is a statement that could not be read.
type LineError struct {
	Line int
	Msg  string
}

func (e LineError) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

// File is what a prefs.js holds. When a name is set twice the later
// statement wins, as in Firefox.
type File struct {
	Prefs     []Pref
	Malformed []LineError
	byName    map[string]int
}

// Get returns the value a name ends with.
func (f *File) Get(name string) (Value, bool) {
	i, ok := f.byName[name]
	if !ok {
		return Value{}, false
	}
	return f.Prefs[i].Value, true
}

// WithPrefix returns the last statement of every name starting with
// prefix, in file order.
func (f *File) WithPrefix(prefix string) []Pref {
	var out []Pref
	for i, p := range f.Prefs {
		if strings.HasPrefix(p.Name, prefix) && f.byName[p.Name] == i {
			out = append(out, p)
		}
	}
	return out
}

// maxErrors bounds what a file of garbage costs to report.
const maxErrors = 100

// Parse reads a prefs.js. It never fails: what it cannot read is in
// Malformed.
func Parse(data []byte) *File {
	f := &File{byName: map[string]int{}}
	lx := lexer{src: data, line: 1}
	for {
		if err := lx.skipSpaceAndComments(); err != nil {
			f.fail(lx.line, err.Error())
			break
		}
		start := lx.line
		tok, err := lx.next()
		if err != nil {
			f.fail(start, err.Error())
			if !lx.recover() {
				break
			}
			continue
		}
		if tok.kind == tEOF {
			break
		}
		p, err := lx.statement(tok)
		if err != nil {
			f.fail(start, err.Error())
			if !lx.recover() {
				break
			}
			continue
		}
		p.Line = start
		f.byName[p.Name] = len(f.Prefs)
		f.Prefs = append(f.Prefs, p)
	}
	return f
}

func (f *File) fail(line int, msg string) {
	if len(f.Malformed) < maxErrors {
		f.Malformed = append(f.Malformed, LineError{Line: line, Msg: msg})
	}
}

type tokKind uint8

const (
	tEOF tokKind = iota
	tIdent
	tString
	tInt
	tPunct
)

type token struct {
	kind tokKind
	text string // identifier, punctuation, or the decoded string
	num  int64
}

type lexer struct {
	src  []byte
	pos  int
	line int
}

// statement reads `func ( "name" , value [, sticky|locked ...] ) ;` after
// its first token.
func (lx *lexer) statement(first token) (Pref, error) {
	var p Pref
	if first.kind != tIdent || (first.text != "user_pref" && first.text != "pref" && first.text != "sticky_pref") {
		return p, fmt.Errorf("expected user_pref(…), found %s", first.describe())
	}
	p.Func = first.text
	if err := lx.expect("("); err != nil {
		return p, err
	}
	name, err := lx.next()
	if err != nil {
		return p, err
	}
	if name.kind != tString {
		return p, fmt.Errorf("expected the pref's name as a string, found %s", name.describe())
	}
	p.Name = name.text
	if err := lx.expect(","); err != nil {
		return p, err
	}
	if p.Value, err = lx.value(); err != nil {
		return p, fmt.Errorf("%s: %w", p.Name, err)
	}
	for {
		t, err := lx.next()
		if err != nil {
			return p, err
		}
		if t.kind == tPunct && t.text == ")" {
			break
		}
		// Default-pref files may carry attributes (", sticky", ", locked").
		if t.kind == tPunct && t.text == "," {
			a, err := lx.next()
			if err != nil {
				return p, err
			}
			if a.kind == tIdent && (a.text == "sticky" || a.text == "locked") {
				continue
			}
			return p, fmt.Errorf("%s: unexpected %s", p.Name, a.describe())
		}
		return p, fmt.Errorf("%s: expected ), found %s", p.Name, t.describe())
	}
	pos, line := lx.pos, lx.line
	if err := lx.expect(";"); err != nil {
		// A missing ';' must not take the next line's statement with it.
		if lx.line > line {
			lx.pos, lx.line = pos, line
		}
		return p, fmt.Errorf("%s: %w", p.Name, err)
	}
	return p, nil
}

func (lx *lexer) value() (Value, error) {
	t, err := lx.next()
	if err != nil {
		return Value{}, err
	}
	switch {
	case t.kind == tString:
		return Value{Kind: String, Str: t.text}, nil
	case t.kind == tInt:
		return Value{Kind: Int, Int: t.num}, nil
	case t.kind == tIdent && t.text == "true":
		return Value{Kind: Bool, Bool: true}, nil
	case t.kind == tIdent && t.text == "false":
		return Value{Kind: Bool, Bool: false}, nil
	case t.kind == tPunct && (t.text == "-" || t.text == "+"):
		n, err := lx.next()
		if err != nil {
			return Value{}, err
		}
		if n.kind != tInt {
			return Value{}, fmt.Errorf("expected a number after %s, found %s", t.text, n.describe())
		}
		if t.text == "-" {
			n.num = -n.num
		}
		return Value{Kind: Int, Int: n.num}, nil
	}
	return Value{}, fmt.Errorf("expected a value, found %s", t.describe())
}

func (lx *lexer) expect(punct string) error {
	t, err := lx.next()
	if err != nil {
		return err
	}
	if t.kind != tPunct || t.text != punct {
		return fmt.Errorf("expected %s, found %s", punct, t.describe())
	}
	return nil
}

// recover skips past the next ';' or the end of the line, whichever
// comes first, so that parsing goes on with the next statement.
func (lx *lexer) recover() bool {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		lx.pos++
		if c == ';' {
			return true
		}
		if c == '\n' {
			lx.line++
			return true
		}
	}
	return false
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "the end of the file"
	case tString:
		return "a string"
	case tInt:
		return "a number"
	}
	return strconv.Quote(t.text)
}

func (lx *lexer) next() (token, error) {
	if err := lx.skipSpaceAndComments(); err != nil {
		return token{}, err
	}
	if lx.pos >= len(lx.src) {
		return token{kind: tEOF}, nil
	}
	c := lx.src[lx.pos]
	switch {
	case c == '"' || c == '\'':
		s, err := lx.str(c)
		return token{kind: tString, text: s}, err
	case c >= '0' && c <= '9':
		start := lx.pos
		for lx.pos < len(lx.src) && lx.src[lx.pos] >= '0' && lx.src[lx.pos] <= '9' {
			lx.pos++
		}
		n, err := strconv.ParseInt(string(lx.src[start:lx.pos]), 10, 32)
		if err != nil {
			// Firefox stores int prefs as 32-bit: a bigger number is an error there too.
			return token{}, fmt.Errorf("number %s out of range", lx.src[start:lx.pos])
		}
		return token{kind: tInt, num: n}, nil
	case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		start := lx.pos
		for lx.pos < len(lx.src) {
			c := lx.src[lx.pos]
			if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				lx.pos++
				continue
			}
			break
		}
		return token{kind: tIdent, text: string(lx.src[start:lx.pos])}, nil
	case strings.IndexByte("(),;-+", c) >= 0:
		lx.pos++
		return token{kind: tPunct, text: string(c)}, nil
	}
	r, size := utf8.DecodeRune(lx.src[lx.pos:])
	lx.pos += size
	return token{}, fmt.Errorf("unexpected character %q", r)
}

func (lx *lexer) skipSpaceAndComments() error {
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == '\n':
			lx.line++
			lx.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			lx.pos++
		case c == '#' || c == '/' && lx.peek(1) == '/':
			for lx.pos < len(lx.src) && lx.src[lx.pos] != '\n' {
				lx.pos++
			}
		case c == '/' && lx.peek(1) == '*':
			end := strings.Index(string(lx.src[lx.pos+2:]), "*/")
			if end < 0 {
				lx.pos = len(lx.src)
				return fmt.Errorf("comment never closed")
			}
			body := lx.src[lx.pos : lx.pos+2+end+2]
			lx.line += strings.Count(string(body), "\n")
			lx.pos += len(body)
		default:
			return nil
		}
	}
	return nil
}

func (lx *lexer) peek(n int) byte {
	if lx.pos+n < len(lx.src) {
		return lx.src[lx.pos+n]
	}
	return 0
}

// str reads a quoted string with the escapes Firefox's pref parser
// knows: \\ \" \' \n \r \t \xHH \uHHHH (with surrogate pairs).
func (lx *lexer) str(quote byte) (string, error) {
	lx.pos++ // the opening quote
	var b strings.Builder
	for lx.pos < len(lx.src) {
		c := lx.src[lx.pos]
		switch {
		case c == quote:
			lx.pos++
			return b.String(), nil
		case c == '\n':
			return "", fmt.Errorf("string not closed before the end of the line")
		case c == '\\':
			lx.pos++
			if lx.pos >= len(lx.src) {
				return "", fmt.Errorf("string not closed")
			}
			e := lx.src[lx.pos]
			lx.pos++
			switch e {
			case '\\', '"', '\'':
				b.WriteByte(e)
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			case 'x':
				v, err := lx.hex(2)
				if err != nil {
					return "", err
				}
				b.WriteRune(rune(v))
			case 'u':
				v, err := lx.hex(4)
				if err != nil {
					return "", err
				}
				r := rune(v)
				if r >= 0xD800 && r < 0xDC00 && lx.peek(0) == '\\' && lx.peek(1) == 'u' {
					lx.pos += 2
					lo, err := lx.hex(4)
					if err != nil {
						return "", err
					}
					if lo < 0xDC00 || lo >= 0xE000 {
						return "", fmt.Errorf("broken surrogate pair \\u%04X\\u%04X", v, lo)
					}
					r = 0x10000 + (r-0xD800)<<10 + rune(lo-0xDC00)
				}
				b.WriteRune(r)
			default:
				return "", fmt.Errorf("unknown escape \\%c", e)
			}
		default:
			b.WriteByte(c)
			lx.pos++
		}
	}
	return "", fmt.Errorf("string not closed")
}

func (lx *lexer) hex(n int) (uint32, error) {
	if lx.pos+n > len(lx.src) {
		return 0, fmt.Errorf("escape cut short")
	}
	v, err := strconv.ParseUint(string(lx.src[lx.pos:lx.pos+n]), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("bad escape digits %q", lx.src[lx.pos:lx.pos+n])
	}
	lx.pos += n
	return uint32(v), nil
}
