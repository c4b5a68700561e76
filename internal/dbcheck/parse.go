package dbcheck

import (
	"strconv"
	"strings"
)

// Message is one line of SQLite's integrity report, with what it names.
type Message struct {
	Root   int64  // root page of the b-tree the line is about; 0 if it names none
	Page   int64  // the page the line is about; 0 if it names none
	Object string // a table or index the line names by name ("" if none)
	Line   string // SQLite's own line
}

// Parse splits the rows of PRAGMA quick_check or integrity_check into
// messages. "ok" and the "*** in database X ***" headers are dropped, so a
// sound file gives none. It understands the prefixes of SQLite 3.43 and
// later ("Tree R page P cell C: ") and of earlier versions ("On tree page P
// cell C: ", "Page P: ").
func Parse(rows []string) []Message {
	var out []Message
	for _, row := range rows {
		for _, line := range strings.Split(row, "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line == "ok" || (strings.HasPrefix(line, "*** in database ") && strings.HasSuffix(line, " ***")) {
				continue
			}
			out = append(out, parseLine(line))
		}
	}
	return out
}

func parseLine(line string) Message {
	m := Message{Line: line}
	rest := line
	switch {
	case strings.HasPrefix(rest, "Tree "):
		// "Tree R page P[ cell C| right child]: …"
		var ok bool
		if m.Root, rest, ok = number(rest[len("Tree "):]); !ok {
			return Message{Line: line}
		}
		if p, r, ok := after(rest, " page "); ok {
			m.Page, rest = p, r
		}
	case strings.HasPrefix(rest, "On tree page "):
		m.Page, rest, _ = number(rest[len("On tree page "):])
	case strings.HasPrefix(rest, "On page "):
		m.Page, rest, _ = number(rest[len("On page "):])
	case strings.HasPrefix(rest, "Page "):
		m.Page, rest, _ = number(rest[len("Page "):])
	}
	if m.Page == 0 {
		// "Multiple uses for byte B of page P", "… on page P"
		for _, marker := range []string{" of page ", " on page "} {
			if p, _, ok := after(rest, marker); ok {
				m.Page = p
				break
			}
		}
	}
	m.Object = namedObject(rest)
	return m
}

// namedObject is the table or index a line names: "wrong # of entries in
// index I", "row R missing from index I", "non-unique entry in index I",
// "NULL value in T.C", "CHECK constraint failed in T".
func namedObject(s string) string {
	for _, marker := range []string{" in index ", " from index ", "CHECK constraint failed in "} {
		if i := strings.Index(s, marker); i >= 0 {
			return firstWord(s[i+len(marker):])
		}
	}
	for _, marker := range []string{"NULL value in ", "TEXT value in ", "NUMERIC value in "} {
		if i := strings.Index(s, marker); i >= 0 {
			t := firstWord(s[i+len(marker):])
			if dot := strings.LastIndexByte(t, '.'); dot > 0 {
				return t[:dot]
			}
			return t
		}
	}
	return ""
}

func firstWord(s string) string {
	if i := strings.IndexAny(s, " \t:;,"); i >= 0 {
		return s[:i]
	}
	return s
}

// number reads the decimal number at the start of s.
func number(s string) (n int64, rest string, ok bool) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n <= 0 {
		return 0, s, false
	}
	return n, s[i:], true
}

// after reads the number that follows the first marker in s.
func after(s, marker string) (int64, string, bool) {
	i := strings.Index(s, marker)
	if i < 0 {
		return 0, s, false
	}
	return number(s[i+len(marker):])
}
