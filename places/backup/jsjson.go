package backup

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsValue turns a value scanned from SQLite into the value Firefox's JS sees
// through mozStorage: TEXT goes through sqlite3_column_text16, i.e.
// SQLite's own UTF-8 → UTF-16 conversion (see sqliteText); integers and
// reals stay numbers; NULL stays null; BLOBs stay byte arrays.
func jsValue(v any) any {
	switch v := v.(type) {
	case string:
		return sqliteText(v)
	case []byte:
		return append([]byte(nil), v...)
	case int64, float64, nil:
		return v
	case int:
		return int64(v)
	case bool:
		if v {
			return int64(1)
		}
		return int64(0)
	default:
		return v
	}
}

// isASCII reports whether s is all ASCII (most titles and every URL Places
// stores): valid UTF-8 without U+FFFE or U+FFFF, checked a byte at a time.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// sqliteText returns the string a JS caller gets for a TEXT value holding
// the bytes s: SQLite's READ_UTF8 / WRITE_UTF16 rules, then back to UTF-8.
// For valid UTF-8 this is the identity. Otherwise: a stray continuation byte
// becomes the code point of its own value, a lead byte swallows every
// following continuation byte, and overlong forms, surrogates and
// U+FFFE/U+FFFF become U+FFFD. (Firefox stores lone surrogates that way,
// so they too come back as U+FFFD.)
func sqliteText(s string) string {
	if isASCII(s) || utf8.ValidString(s) && !strings.Contains(s, "\uFFFE") && !strings.Contains(s, "\uFFFF") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		c := uint32(s[i])
		i++
		if c >= 0xC0 {
			c = uint32(utf8Trans1[c-0xC0])
			for i < len(s) && s[i]&0xC0 == 0x80 {
				c = (c << 6) + uint32(s[i]&0x3F)
				i++
			}
			if c < 0x80 || c&0xFFFFF800 == 0xD800 || c&0xFFFFFFFE == 0xFFFE {
				c = 0xFFFD
			}
		}
		if c > 0xFFFF {
			// WRITE_UTF16 keeps 20 bits: always a valid surrogate pair.
			hi := 0xD800 + ((c >> 10) & 0x3F) + (((c - 0x10000) >> 10) & 0xC0) + (((c-0x10000)>>18)&0x03)<<8
			lo := 0xDC00 + (c & 0x3FF)
			c = 0x10000 + (hi-0xD800)<<10 + (lo - 0xDC00)
		}
		b.WriteRune(rune(c))
	}
	return b.String()
}

// utf8Trans1 is SQLite's sqlite3Utf8Trans1: the payload bits of a lead
// byte 0xC0..0xFF.
var utf8Trans1 = [64]byte{
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x00, 0x01, 0x02, 0x03, 0x00, 0x01, 0x00, 0x00,
}

// jsWriter builds JSON.stringify output, then UTF-8 as TextEncoder writes it.
type jsWriter struct{ buf []byte }

func (w *jsWriter) item(it *item) {
	w.buf = append(w.buf, '{')
	for i, f := range it.fields {
		if i > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = appendJSString(w.buf, f.key)
		w.buf = append(w.buf, ':')
		w.value(f.val)
	}
	if len(it.children) > 0 {
		if len(it.fields) > 0 {
			w.buf = append(w.buf, ',')
		}
		w.buf = append(w.buf, `"children":[`...)
		for i, c := range it.children {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.item(c)
		}
		w.buf = append(w.buf, ']')
	}
	w.buf = append(w.buf, '}')
}

func (w *jsWriter) value(v any) {
	switch v := v.(type) {
	case nil:
		w.buf = append(w.buf, "null"...)
	case string:
		w.buf = appendJSString(w.buf, v)
	case int64:
		// Up to 2^53 a JS number holds the integer exactly and prints its
		// digits; beyond, it is rounded to a float first.
		if v >= -1<<53 && v <= 1<<53 {
			w.buf = strconv.AppendInt(w.buf, v, 10)
		} else {
			w.buf = append(w.buf, jsNumber(float64(v))...)
		}
	case float64:
		w.buf = append(w.buf, jsNumber(v)...)
	case []byte: // a BLOB reaches JS as an array of octets
		w.buf = append(w.buf, '[')
		for i, c := range v {
			if i > 0 {
				w.buf = append(w.buf, ',')
			}
			w.buf = strconv.AppendInt(w.buf, int64(c), 10)
		}
		w.buf = append(w.buf, ']')
	default:
		w.buf = appendJSString(w.buf, jsString(v))
	}
}

// appendJSString quotes s exactly like JSON.stringify (ES2019+): only `"`,
// `\` and the C0 controls are escaped (\b \t \n \f \r by name, the rest as
// lowercase \u00xx); `<`, `>`, `&`, U+2028 and U+2029 stay as they are.
// s is valid UTF-8 (see sqliteText), so it holds no lone surrogates.
func appendJSString(dst []byte, s string) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"':
			dst = append(dst, '\\', '"')
		case '\\':
			dst = append(dst, '\\', '\\')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		start = i + 1
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// jsNumber formats f like JavaScript's Number.prototype.toString() (as
// JSON.stringify does), with NaN and ±Infinity as null.
func jsNumber(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	if f == 0 {
		return "0" // -0 too
	}
	sign := ""
	if f < 0 {
		sign = "-"
		f = -f
	}
	// Shortest round-tripping digits, as ECMAScript requires.
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddde±x
	mant, expPart, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(expPart)
	k, n := len(digits), x+1
	var out string
	switch {
	case k <= n && n <= 21:
		out = digits + strings.Repeat("0", n-k)
	case 0 < n && n <= 21:
		out = digits[:n] + "." + digits[n:]
	case -6 < n && n <= 0:
		out = "0." + strings.Repeat("0", -n) + digits
	default:
		exp := n - 1
		es := "+"
		if exp < 0 {
			es = "-"
			exp = -exp
		}
		out = digits[:1]
		if k > 1 {
			out += "." + digits[1:]
		}
		out += "e" + es + strconv.Itoa(exp)
	}
	return sign + out
}
