package sqlitepage

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf16"
	"unsafe"
)

// A Value is one column of a record: NULL (the zero Value), an integer,
// a real, text or a blob. It is a plain struct rather than an interface
// so that decoding a row allocates nothing per column: a 40,000-bookmark
// profile has millions of integers, each of which an interface boxed.
type Value struct {
	kind Kind
	n    int64  // the integer, or the real's bits
	s    string // the text, or the blob's bytes
}

// Kind is a Value's storage class.
type Kind uint8

// Storage classes.
const (
	Null Kind = iota
	Integer
	Real
	Text
	Blob
)

// IntValue, RealValue, TextValue and BlobValue make Values (NULL is the
// zero Value).
func IntValue(n int64) Value       { return Value{kind: Integer, n: n} }
func RealValue(f float64) Value    { return Value{kind: Real, n: int64(math.Float64bits(f))} }
func TextValue(s string) Value     { return Value{kind: Text, s: s} }
func BlobValue(b []byte) Value     { return Value{kind: Blob, s: string(b)} }
func (v Value) Kind() Kind         { return v.kind }
func (v Value) IsNull() bool       { return v.kind == Null }
func (v Value) realValue() float64 { return math.Float64frombits(uint64(v.n)) }

// Int is the integer, ok only for an integer.
func (v Value) Int() (n int64, ok bool) { return v.n, v.kind == Integer }

// Real is the real, ok only for a real.
func (v Value) Real() (f float64, ok bool) { return v.realValue(), v.kind == Real }

// Text is the text, ok only for text.
func (v Value) Text() (s string, ok bool) { return v.s, v.kind == Text }

// Blob is a copy of the blob, ok only for a blob.
func (v Value) Blob() (b []byte, ok bool) {
	if v.kind != Blob {
		return nil, false
	}
	return []byte(v.s), true
}

// Any is the value as database/sql scans it into an any: nil, int64,
// float64, string or []byte.
func (v Value) Any() any {
	switch v.kind {
	case Integer:
		return v.n
	case Real:
		return v.realValue()
	case Text:
		return v.s
	case Blob:
		return []byte(v.s)
	}
	return nil
}

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
	return decodeRecord(nil, payload, enc, false)
}

// decodeRecord is DecodeRecord into dst's memory when it has room; with
// alias, text and blobs share payload's bytes instead of a copy, which
// the caller promises are never written again.
func decodeRecord(dst []Value, payload []byte, enc Encoding, alias bool) ([]Value, error) {
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
	vals := dst[:0]
	if cap(vals) < cols {
		vals = make([]Value, 0, cols)
	}
	// Text and blobs are cut from one copy of the body (one allocation
	// per record rather than per column), or from payload itself.
	var bodyText string
	if alias && len(body) > 0 {
		bodyText = unsafe.String(&body[0], len(body))
	}
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
			val = IntValue(bigEndianInt(v))
		case t == 7:
			val = Value{kind: Real, n: int64(binary.BigEndian.Uint64(v))}
		case t == 8:
			val = IntValue(0)
		case t == 9:
			val = IntValue(1)
		case t%2 == 0:
			if bodyText == "" {
				bodyText = string(body)
			}
			val = Value{kind: Blob, s: bodyText[start:end]}
		case enc == UTF16LE || enc == UTF16BE:
			val = TextValue(decodeText(v, enc))
		default:
			if bodyText == "" {
				bodyText = string(body)
			}
			val = TextValue(bodyText[start:end])
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
