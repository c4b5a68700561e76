package serverdump

import (
	"bytes"
	"errors"
	"fmt"
)

// splitArray cuts a JSON array into its elements without decoding them,
// so that they can be decoded on all cores. It checks only the array's
// frame (brackets, strings, nesting); each element's own syntax is
// checked when it is decoded.
func splitArray(data []byte) ([][]byte, error) {
	data = bytes.TrimSpace(data)
	if len(data) < 2 || data[0] != '[' || data[len(data)-1] != ']' {
		return nil, errors.New("not a JSON array")
	}
	var out [][]byte
	depth, start := 0, -1
	inString, escaped := false, false
	body := data[1 : len(data)-1]
	for i := 0; i < len(body); i++ {
		c := body[i]
		if inString {
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
			continue
		}
		switch c {
		case ' ', '\t', '\n', '\r':
			continue
		case '"':
			inString = true
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth < 0 {
				return nil, fmt.Errorf("invalid JSON at byte %d", i+2)
			}
		case ',':
			if depth == 0 {
				if start < 0 {
					return nil, fmt.Errorf("invalid JSON at byte %d: an empty element", i+2)
				}
				out = append(out, body[start:i])
				start = -1
				continue
			}
		}
		if start < 0 {
			start = i
		}
	}
	switch {
	case inString || depth != 0:
		return nil, errors.New("invalid JSON: the array is cut short")
	case start >= 0:
		out = append(out, bytes.TrimSpace(body[start:]))
	case len(out) > 0:
		return nil, errors.New("invalid JSON: a comma before the closing bracket")
	}
	for i := range out {
		out[i] = bytes.TrimSpace(out[i])
	}
	return out, nil
}
