package bundle

import (
	"encoding/binary"
	"fmt"
	"math"
	"strings"
)

// Value is one value of a rows member as ScanRows reads it: NULL, an
// integer, a float, text or a blob, its bytes those of the member (not
// copied).
type Value struct {
	tag   byte
	i     int64
	f     float64
	bytes []byte
}

// Null reports whether v is NULL.
func (v Value) Null() bool { return v.tag == tagNull }

// Int is v as an integer column reads it: NULL is 0; ok is false for a
// float, text or blob (whose conversion SQLite would decide).
func (v Value) Int() (n int64, ok bool) {
	switch v.tag {
	case tagInt:
		return v.i, true
	case tagNull:
		return 0, true
	}
	return 0, false
}

// Text is v as a text column reads it: NULL is "" and not valid; ok is
// false for a number or blob (whose conversion SQLite would decide).
func (v Value) Text() (s string, valid, ok bool) {
	switch v.tag {
	case tagText:
		return string(v.bytes), true, true
	case tagNull:
		return "", false, true
	}
	return "", false, false
}

// ScanRows reads an encoded rows member (Stage's, Tables.Encode's)
// without holding its values: table is called with each table's name and
// columns and returns what to call with each of its rows (nil to skip
// them); a row's values are reused for the next row. It is how bmtui
// bundle builds the trees from the rows it has just copied. Decoding
// errors match ErrDamaged; the callbacks' errors are returned as they are.
func ScanRows(b []byte, table func(name string, cols []string) func(row []Value) error) error {
	d := &decoder{b: b}
	if !strings.HasPrefix(string(b), rowsMagic) {
		return fmt.Errorf("%w: not rows", ErrDamaged)
	}
	d.b = b[len(rowsMagic):]
	d.varint()
	n := d.count(1)
	for range n {
		if d.err != nil {
			break
		}
		name := d.str()
		d.str() // the CREATE statement
		cols := make([]string, d.count(1))
		for i := range cols {
			cols[i] = d.str()
		}
		if d.err != nil {
			break
		}
		each := table(name, cols)
		row := make([]Value, len(cols))
		for d.nextRow(len(cols)) {
			for i := range row {
				row[i] = d.scanValue()
			}
			if each != nil && d.err == nil {
				if err := each(row); err != nil {
					return err
				}
			}
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail(fmt.Sprintf("%d bytes after the last table", len(d.b)))
	}
	if d.err != nil {
		return fmt.Errorf("%w: rows: %v", ErrDamaged, d.err)
	}
	return nil
}

// scanValue is value without boxing or copying.
func (d *decoder) scanValue() Value {
	if len(d.b) == 0 {
		d.fail("truncated")
		return Value{}
	}
	tag := d.b[0]
	d.b = d.b[1:]
	switch tag {
	case tagNull:
		return Value{}
	case tagInt:
		return Value{tag: tagInt, i: d.varint()}
	case tagFloat:
		if len(d.b) < 8 {
			d.fail("truncated")
			return Value{}
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
		return Value{tag: tagFloat, f: v}
	case tagText, tagBlob:
		return Value{tag: tag, bytes: d.bytes()}
	}
	d.fail(fmt.Sprintf("unknown value tag %d", tag))
	return Value{}
}
