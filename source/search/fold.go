package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// folder turns text into the form both the index and queries are matched
// in: canonically decomposed, combining marks dropped (é → e), full Unicode
// case folding (ß → ss, K → k), separators the index uses removed. A
// folder is not safe for concurrent use; each index build and each query
// makes its own.
type folder struct {
	t   transform.Transformer
	buf []byte
}

func newFolder() *folder {
	return &folder{t: transform.Chain(
		norm.NFD,
		runes.Remove(runes.In(unicode.Mn)),
		cases.Fold(),
		norm.NFC,
	)}
}

// fold returns s folded. The result shares no memory with s and stays
// valid until the next call only when it had to be transformed, so callers
// copy it (append) before folding again.
func (f *folder) fold(s string) []byte {
	f.buf = f.buf[:0]
	if isPlainASCII(s) {
		for i := 0; i < len(s); i++ {
			c := s[i]
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			f.buf = append(f.buf, c)
		}
		return f.buf
	}
	// Invalid bytes go first: after one the normaliser can leave the next
	// character whole, so a damaged title's "\xf7ȧ" kept its dot, and a
	// query for "a" did not find it.
	s = strings.ToValidUTF8(s, "")
	f.t.Reset()
	out, _, err := transform.String(f.t, s)
	if err != nil { // only on invalid state; keep the text as it was
		out = s
	}
	for _, r := range out {
		if r == utf8.RuneError || isSeparator(r) {
			continue
		}
		f.buf = utf8.AppendRune(f.buf, cherokee(r))
	}
	return f.buf
}

// Fold returns s as the index compares it: case- and accent-insensitive.
func Fold(s string) string { return string(newFolder().fold(s)) }

// isPlainASCII: printable ASCII only, which folding only lower-cases.
func isPlainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || c < ' ' {
			return false
		}
	}
	return true
}

// isSeparator: the control characters the index separates fields and
// documents with never appear in folded text.
func isSeparator(r rune) bool { return r < ' ' }

// cherokee maps Cherokee letters to the capitals Unicode's case folding
// takes them to: x/text's Fold (v0.43) maps them one way or the other
// depending on the text around them, so folding twice differed.
func cherokee(r rune) rune {
	if 0x13a0 <= r && r <= 0x13ff || 0xab70 <= r && r <= 0xabbf {
		return unicode.ToUpper(r)
	}
	return r
}
