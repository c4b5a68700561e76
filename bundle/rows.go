package bundle

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// Tables are the bookmark tables of one database as rows: what a bundle
// of version 2 holds instead of an SQLite file. Writing rows costs a
// fraction of inserting them into a new SQLite file (whose B-trees were
// most of the time a bundle took); the reader builds the SQLite file
// back when a case is opened (materialize), so that the case is read by
// the very code that reads a profile.
type Tables struct {
	UserVersion int64 // the source's PRAGMA user_version (its schema version)
	Tables      []Table
}

// Table is one table: its CREATE TABLE statement as the source has it,
// its columns and its rows, each value nil, int64, float64, string or
// []byte (what sqlraw.Row.Value reads).
type Table struct {
	Name, Create string
	Columns      []string
	Rows         [][]any
}

// rowsMagic starts every rows member; the manifest's version says the
// rest of the format.
const rowsMagic = "bmtui-rows\n"

// Markers before each row and after a table's last.
const (
	rowsEnd byte = 0
	rowNext byte = 1
)

// Value tags.
const (
	tagNull byte = iota
	tagInt
	tagFloat
	tagText
	tagBlob
)

// Encode encodes t: the magic, the user version (a varint), the number
// of tables, then each table's name, CREATE statement, number of columns
// and columns, and its rows, each row rowNext then its values (a tag and
// the value: a varint, 8 bytes of a float or a string), the last followed
// by rowsEnd; every count is a uvarint and every string its length then
// its bytes. Stage encodes the same way as it reads, without knowing
// beforehand how many rows a table has.
func (t *Tables) Encode(w io.Writer) error {
	buf := []byte(rowsMagic)
	buf = binary.AppendVarint(buf, t.UserVersion)
	buf = binary.AppendUvarint(buf, uint64(len(t.Tables)))
	for _, tb := range t.Tables {
		buf = appendString(buf, tb.Name)
		buf = appendString(buf, tb.Create)
		buf = binary.AppendUvarint(buf, uint64(len(tb.Columns)))
		for _, c := range tb.Columns {
			buf = appendString(buf, c)
		}
		for _, row := range tb.Rows {
			if len(row) != len(tb.Columns) {
				return fmt.Errorf("%s: a row of %d values for %d columns", tb.Name, len(row), len(tb.Columns))
			}
			buf = append(buf, rowNext)
			for _, v := range row {
				switch v.(type) {
				case nil, int64, float64, string, []byte:
				default:
					return fmt.Errorf("%s: cannot encode a %T", tb.Name, v)
				}
				buf = appendValue(buf, v)
			}
		}
		buf = append(buf, rowsEnd)
	}
	_, err := w.Write(buf)
	return err
}

func appendString(b []byte, s string) []byte {
	return append(binary.AppendUvarint(b, uint64(len(s))), s...)
}

func appendText(b []byte, s string) []byte { return appendString(append(b, tagText), s) }

// appendValue encodes v: nil, int64, float64, string or []byte (anything
// else as NULL; Encode refuses it first).
func appendValue(b []byte, v any) []byte {
	switch v := v.(type) {
	case int64:
		return binary.AppendVarint(append(b, tagInt), v)
	case float64:
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(v))
	case string:
		return appendText(b, v)
	case []byte:
		return appendString(append(b, tagBlob), string(v))
	}
	return append(b, tagNull)
}

// DecodeTables decodes what Encode wrote. Any other bytes give an error
// matching ErrDamaged, never a panic; no count is trusted beyond the
// bytes that remain.
func DecodeTables(b []byte) (*Tables, error) {
	t := &Tables{}
	v, err := walkTables(b, func(tb *Table) error {
		t.Tables = append(t.Tables, *tb)
		return nil
	}, func(rows [][]any) error {
		last := &t.Tables[len(t.Tables)-1]
		last.Rows = append(last.Rows, rows...)
		return nil
	})
	if err != nil {
		return nil, err
	}
	t.UserVersion = v
	return t, nil
}

// batchRows is how many rows walkTables hands over at once: a reader
// holds one batch of values, not a whole table (a value takes 16 bytes
// or more in memory and may take one in the member).
const batchRows = 4096

// walkTables decodes b and returns its user version, calling table with
// each table (its rows not read yet) and rows with each batch of its
// rows; the batch is reused after rows returns. Decoding errors match
// ErrDamaged; the callbacks' errors are returned as they are.
func walkTables(b []byte, table func(*Table) error, rows func([][]any) error) (int64, error) {
	d := &decoder{b: b}
	if !strings.HasPrefix(string(b), rowsMagic) {
		return 0, fmt.Errorf("%w: not rows", ErrDamaged)
	}
	d.b = b[len(rowsMagic):]
	version := d.varint()
	n := d.count(1)
	batch := make([][]any, 0, batchRows)
	for range n {
		if d.err != nil {
			break
		}
		tb := &Table{Name: d.str(), Create: d.str()}
		cols := d.count(1)
		tb.Columns = make([]string, 0, cols)
		for range cols {
			tb.Columns = append(tb.Columns, d.str())
		}
		if d.err != nil {
			break
		}
		if err := table(tb); err != nil {
			return 0, err
		}
		batch = batch[:0]
		for d.nextRow(len(tb.Columns)) {
			row := make([]any, len(tb.Columns))
			for i := range row {
				row[i] = d.value()
			}
			if batch = append(batch, row); len(batch) == batchRows {
				if err := rows(batch); err != nil {
					return 0, err
				}
				batch = batch[:0]
			}
		}
		if d.err == nil && len(batch) > 0 {
			if err := rows(batch); err != nil {
				return 0, err
			}
		}
	}
	if d.err == nil && len(d.b) > 0 {
		d.fail(fmt.Sprintf("%d bytes after the last table", len(d.b)))
	}
	if d.err != nil {
		return 0, fmt.Errorf("%w: rows: %v", ErrDamaged, d.err)
	}
	return version, nil
}

type decoder struct {
	b   []byte
	err error
}

// nextRow reads a table's next row marker: true when a row of cols
// values follows, false at the table's end or on damage (d.err says).
func (d *decoder) nextRow(cols int) bool {
	if d.err != nil {
		return false
	}
	if len(d.b) == 0 {
		d.fail("truncated")
		return false
	}
	next := d.b[0]
	d.b = d.b[1:]
	switch {
	case next == rowsEnd:
		return false
	case next != rowNext:
		d.fail(fmt.Sprintf("unknown row marker %d", next))
		return false
	case cols == 0:
		d.fail("a row without columns")
		return false
	}
	return true
}

func (d *decoder) fail(msg string) {
	if d.err == nil {
		d.err = errors.New(msg)
	}
	d.b = nil
}

func (d *decoder) uvarint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.fail("truncated")
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b)
	if n <= 0 {
		d.fail("truncated")
		return 0
	}
	d.b = d.b[n:]
	return v
}

// count reads a count of things each at least size bytes long.
func (d *decoder) count(size int) int {
	v := d.uvarint()
	if v > uint64(len(d.b)/size) {
		d.fail("a count larger than what follows")
		return 0
	}
	return int(v)
}

func (d *decoder) bytes() []byte {
	n := d.count(1)
	if d.err != nil {
		return nil
	}
	s := d.b[:n]
	d.b = d.b[n:]
	return s
}

func (d *decoder) str() string { return string(d.bytes()) }

func (d *decoder) value() any {
	if len(d.b) == 0 {
		d.fail("truncated")
		return nil
	}
	tag := d.b[0]
	d.b = d.b[1:]
	switch tag {
	case tagNull:
		return nil
	case tagInt:
		return d.varint()
	case tagFloat:
		if len(d.b) < 8 {
			d.fail("truncated")
			return nil
		}
		v := math.Float64frombits(binary.LittleEndian.Uint64(d.b))
		d.b = d.b[8:]
		return v
	case tagText:
		return d.str()
	case tagBlob:
		return append([]byte{}, d.bytes()...)
	}
	d.fail(fmt.Sprintf("unknown value tag %d", tag))
	return nil
}
