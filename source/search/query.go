package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Field is the part of an item a term must match.
type Field uint8

// Fields a term can name with a prefix ("title:", "url:", "host:",
// "guid:"); a bare term matches any of them.
const (
	AnyField Field = iota
	TitleField
	URLField
	HostField
	GUIDField
)

var fieldNames = [...]string{"", "title", "url", "host", "guid"}

func (f Field) String() string {
	if int(f) < len(fieldNames) {
		return fieldNames[f]
	}
	return "field?"
}

// Term is one part of a query: folded text that must occur in a field.
type Term struct {
	Field Field
	Text  string // folded (see Fold); never empty
}

// Query is what a user typed, parsed: every term must match (and).
type Query struct {
	Raw   string
	Terms []Term
}

// Empty reports whether the query matches nothing because it asks for
// nothing.
func (q Query) Empty() bool { return len(q.Terms) == 0 }

// Parse reads a query: words separated by spaces, each matched anywhere
// in the title, URL (host included) or GUID; "double quotes" keep a
// phrase together; title:, url:, host: and guid: limit a word or phrase
// to that field. Case and accents never matter. Parse accepts any input;
// what it cannot read as a prefix or a phrase is text.
func Parse(s string) Query {
	q := Query{Raw: s}
	f := newFolder()
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			return q
		}
		field := AnyField
		if name, after, ok := strings.Cut(rest, ":"); ok && !strings.ContainsFunc(name, unicode.IsSpace) {
			if fl, known := fieldByName(name); known && after != "" && !startsWithSpace(after) {
				field, rest = fl, after
			}
		}
		var word string
		if strings.HasPrefix(rest, `"`) {
			end := strings.IndexByte(rest[1:], '"')
			if end < 0 {
				word, rest = rest[1:], ""
			} else {
				word, rest = rest[1:1+end], rest[2+end:]
			}
		} else {
			end := strings.IndexFunc(rest, unicode.IsSpace)
			if end < 0 {
				end = len(rest)
			}
			word, rest = rest[:end], rest[end:]
		}
		text := strings.TrimSpace(string(f.fold(word)))
		if text == "" {
			continue
		}
		q.Terms = append(q.Terms, Term{Field: field, Text: text})
	}
}

func fieldByName(name string) (Field, bool) {
	for i, n := range fieldNames {
		if i > 0 && strings.EqualFold(n, name) {
			return Field(i), true
		}
	}
	return AnyField, false
}

func startsWithSpace(s string) bool {
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsSpace(r)
}

// String writes the query back in a form Parse reads to the same terms.
func (q Query) String() string {
	var b strings.Builder
	for i, t := range q.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		if t.Field != AnyField {
			b.WriteString(t.Field.String())
			b.WriteByte(':')
		}
		if needsQuotes(t.Text) {
			b.WriteByte('"')
			b.WriteString(t.Text)
			b.WriteByte('"')
		} else {
			b.WriteString(t.Text)
		}
	}
	return b.String()
}

// needsQuotes: text Parse would split, or read as a phrase or a prefix.
func needsQuotes(text string) bool {
	if strings.ContainsFunc(text, unicode.IsSpace) || strings.HasPrefix(text, `"`) {
		return true
	}
	name, _, ok := strings.Cut(text, ":")
	_, known := fieldByName(name)
	return ok && known
}
