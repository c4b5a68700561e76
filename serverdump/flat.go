package serverdump

import (
	"encoding/json"
	"strings"
)

// Reading a record's envelope and its cleartext with encoding/json
// scans each twice (checking, then decoding) and copies every value:
// 40 % of the CPU time of loading an encrypted dump. Records as the
// server and Firefox write them are compact JSON objects with plain
// keys; flatObject reads those in one pass, without copying, and says
// when it cannot vouch for giving what encoding/json gives, so that the
// caller decodes the record with encoding/json instead (any other shape,
// and every error, takes that road).

// maxFlatDepth bounds the nesting flatObject follows; deeper values
// are left to encoding/json.
const maxFlatDepth = 64

// flatObject reads data, a JSON object without whitespace outside its
// strings, whose keys are ASCII without escapes, and sets vals[i] to the
// raw value of keys[i] (nil when absent), as json.Unmarshal sets a
// json.RawMessage field of that name. It returns false, having checked
// nothing for certain, when data is not such an object or a key would
// match a name of keys only case-insensitively or is given twice.
func flatObject(data []byte, keys []string, vals []json.RawMessage) bool {
	clear(vals)
	if len(data) < 2 || data[0] != '{' {
		return false
	}
	i := 1
	if data[i] == '}' {
		return i+1 == len(data)
	}
	for {
		if i >= len(data) || data[i] != '"' {
			return false
		}
		start := i + 1
		for i = start; i < len(data) && data[i] != '"'; i++ {
			if c := data[i]; c < 0x20 || c >= 0x80 || c == '\\' {
				return false
			}
		}
		if i+1 >= len(data) || data[i+1] != ':' {
			return false
		}
		key := data[start:i]
		i += 2
		end, ok := skipValue(data, i, 0)
		if !ok {
			return false
		}
		found := false
		for k, name := range keys {
			if string(key) == name {
				if vals[k] != nil {
					return false
				}
				vals[k], found = data[i:end:end], true
				break
			}
		}
		if !found {
			for _, name := range keys {
				if strings.EqualFold(string(key), name) {
					return false
				}
			}
		}
		i = end
		if i >= len(data) {
			return false
		}
		switch data[i] {
		case ',':
			i++
		case '}':
			return i+1 == len(data)
		default:
			return false
		}
	}
}

// skipValue returns the end of the JSON value starting at data[i], a
// value without whitespace outside its strings; false when there is none.
func skipValue(data []byte, i, depth int) (int, bool) {
	if i >= len(data) || depth > maxFlatDepth {
		return 0, false
	}
	switch c := data[i]; {
	case c == '"':
		return skipString(data, i)
	case c == '{' || c == '[':
		closing := byte('}')
		if c == '[' {
			closing = ']'
		}
		i++
		if i < len(data) && data[i] == closing {
			return i + 1, true
		}
		for {
			if c == '{' {
				end, ok := skipString(data, i)
				if !ok || end >= len(data) || data[end] != ':' {
					return 0, false
				}
				i = end + 1
			}
			end, ok := skipValue(data, i, depth+1)
			if !ok || end >= len(data) {
				return 0, false
			}
			switch data[end] {
			case ',':
				i = end + 1
			case closing:
				return end + 1, true
			default:
				return 0, false
			}
		}
	case c == '-' || ('0' <= c && c <= '9'):
		return skipNumber(data, i)
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.HasPrefix(string(data[i:min(len(data), i+5)]), lit) {
			return i + len(lit), true
		}
	}
	return 0, false
}

// skipString returns the end of the JSON string starting at data[i].
func skipString(data []byte, i int) (int, bool) {
	if i >= len(data) || data[i] != '"' {
		return 0, false
	}
	for i++; i < len(data); i++ {
		switch c := data[i]; {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			i++
			if i >= len(data) {
				return 0, false
			}
			switch data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(data) {
					return 0, false
				}
				for _, h := range data[i+1 : i+5] {
					if !isHex(h) {
						return 0, false
					}
				}
				i += 4
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// skipNumber returns the end of the JSON number starting at data[i]:
// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func skipNumber(data []byte, i int) (int, bool) {
	digits := func() bool {
		start := i
		for i < len(data) && '0' <= data[i] && data[i] <= '9' {
			i++
		}
		return i > start
	}
	if data[i] == '-' {
		i++
	}
	switch {
	case i < len(data) && data[i] == '0':
		i++
	case !digits():
		return 0, false
	}
	if i < len(data) && data[i] == '.' {
		i++
		if !digits() {
			return 0, false
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if !digits() {
			return 0, false
		}
	}
	return i, true
}

// plainString is the text of a raw JSON string holding only printable
// ASCII without escapes, which encoding/json reads as the bytes
// themselves; false for any other value.
func plainString(v json.RawMessage) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	for _, c := range v[1 : len(v)-1] {
		if c < 0x20 || c >= 0x7f || c == '\\' || c == '"' {
			return "", false
		}
	}
	return string(v[1 : len(v)-1]), true
}

// flatArray is the elements of a raw JSON array as flatObject reads
// values (compact, each checked), as json.Unmarshal into a
// []json.RawMessage gives them; false when it cannot vouch for that.
func flatArray(data []byte) ([]json.RawMessage, bool) {
	if len(data) < 2 || data[0] != '[' {
		return nil, false
	}
	if len(data) == 2 && data[1] == ']' {
		return []json.RawMessage{}, true
	}
	var out []json.RawMessage
	for i := 1; ; {
		end, ok := skipValue(data, i, 1)
		if !ok || end >= len(data) {
			return nil, false
		}
		out = append(out, data[i:end:end])
		switch data[end] {
		case ',':
			i = end + 1
		case ']':
			return out, end+1 == len(data)
		default:
			return nil, false
		}
	}
}
