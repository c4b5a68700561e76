package sqlitepage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
)

// A Value is one column of a record: nil, int64, float64, string or
// []byte.
type Value = any

var errVarint = errors.New("truncated varint")

// Varint decodes an SQLite varint (big-endian, 1..9 bytes, the ninth
// contributing all 8 bits). n is 0 when b is too short.
func Varint(b []byte) (v uint64, n int) {
	for i := 0; i < 8; i++ {
		if i >= len(b) {
			return 0, 0
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	if len(b) < 9 {
		return 0, 0
	}
	return v<<8 | uint64(b[8]), 9
}

// serialSize is the number of content bytes of a serial type, or -1 for
// the reserved types 10 and 11.
func serialSize(t uint64) int64 {
	switch {
	case t <= 4:
		return [...]int64{0, 1, 2, 3, 4}[t]
	case t == 5:
		return 6
	case t == 6, t == 7:
		return 8
	case t == 8, t == 9:
		return 0
	case t == 10, t == 11:
		return -1
	}
	return int64((t - 12) / 2)
}

// DecodeRecord decodes a record (header of serial types, then the
// values) in the given text encoding. No value aliases payload.
func DecodeRecord(payload []byte, enc Encoding) ([]Value, error) {
	hdrSize, n := Varint(payload)
	if n == 0 {
		return nil, fmt.Errorf("record header size: %w", errVarint)
	}
	if hdrSize < uint64(n) || hdrSize > uint64(len(payload)) {
		return nil, fmt.Errorf("record header size %d outside 1..%d", hdrSize, len(payload))
	}
	hdr := payload[n:hdrSize]
	body := payload[hdrSize:]
	// Count first so that the slice is allocated once; a column needs at
	// least one header byte, which bounds the count by the payload size.
	cols := 0
	for p := 0; p < len(hdr); cols++ {
		_, k := Varint(hdr[p:])
		if k == 0 {
			return nil, fmt.Errorf("serial type of column %d: %w", cols, errVarint)
		}
		p += k
	}
	vals := make([]Value, 0, cols)
	// Text and blobs are cut from one copy of the body: one allocation
	// per record rather than per column.
	var bodyText string
	var bodyBlob []byte
	off := 0
	for p := 0; p < len(hdr); {
		t, k := Varint(hdr[p:])
		p += k
		size := serialSize(t)
		if size < 0 {
			return nil, fmt.Errorf("column %d: reserved serial type %d", len(vals), t)
		}
		if size > int64(len(body)-off) {
			return nil, fmt.Errorf("column %d: serial type %d needs %d bytes, %d left", len(vals), t, size, len(body)-off)
		}
		start, end := off, off+int(size)
		v := body[start:end]
		off = end
		var val Value
		switch {
		case t == 0:
		case t <= 6:
			val = bigEndianInt(v)
		case t == 7:
			val = math.Float64frombits(binary.BigEndian.Uint64(v))
		case t == 8:
			val = int64(0)
		case t == 9:
			val = int64(1)
		case t%2 == 0:
			if bodyBlob == nil {
				bodyBlob = append([]byte{}, body...)
			}
			val = bodyBlob[start:end:end]
		case enc == UTF16LE || enc == UTF16BE:
			val = decodeText(v, enc)
		default:
			if bodyText == "" {
				bodyText = string(body)
			}
			val = bodyText[start:end]
		}
		vals = append(vals, val)
	}
	return vals, nil
}

// bigEndianInt sign-extends a 1..8-byte two's-complement integer.
func bigEndianInt(v []byte) int64 {
	var x int64
	if v[0]&0x80 != 0 {
		x = -1
	}
	for _, c := range v {
		x = x<<8 | int64(c)
	}
	return x
}

func decodeText(v []byte, enc Encoding) string {
	u := make([]uint16, len(v)/2)
	for i := range u {
		if enc == UTF16LE {
			u[i] = binary.LittleEndian.Uint16(v[2*i:])
		} else {
			u[i] = binary.BigEndian.Uint16(v[2*i:])
		}
	}
	return string(utf16.Decode(u))
}
