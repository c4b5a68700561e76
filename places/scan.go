package places

import (
	"database/sql"
	"strconv"
	"strings"
)

// Reading many rows through database/sql costs about a microsecond per
// column, which dominated reading a 40k-bookmark tree. ScanRows therefore
// has SQLite join each row's fields into one string (separated by the
// unit separator U+001F) and splits it in Go: one column per row. A row
// whose text happens to contain U+001F makes the whole read fall back to
// one column per field, so the result is always exact.

const unitSep = "\x1f"

// Expression helpers for ScanRows fields.

// Int selects an integer column; NULL reads as "".
func Int(expr string) string { return "IFNULL(" + expr + ", '')" }

// Text selects a text column as "=" + value; NULL reads as "".
func Text(expr string) string { return "IFNULL('=' || " + expr + ", '')" }

// ScanRows runs "SELECT <fields> <tail>" and calls fn with each row's
// fields as strings (see Int and Text). fields must be Int or Text
// expressions. The slice passed to fn is reused. If the read has to start
// over (a row's text contains U+001F), reset is called first, so the
// caller can drop what fn collected.
func ScanRows(db *sql.DB, fields []string, tail string, reset func(), fn func(f []string) error) error {
	ok, err := scanPacked(db, fields, tail, fn)
	if err != nil || ok {
		return err
	}
	if reset != nil {
		reset()
	}
	return scanPlain(db, fields, tail, fn)
}

func scanPacked(db *sql.DB, fields []string, tail string, fn func(f []string) error) (bool, error) {
	q := "SELECT " + strings.Join(fields, " || char(31) || ") + " " + tail
	rows, err := db.Query(q)
	if err != nil {
		return false, err
	}
	defer rows.Close()
	buf := make([]string, len(fields))
	var s string
	for rows.Next() {
		if err := rows.Scan(&s); err != nil {
			return false, err
		}
		if strings.Count(s, unitSep) != len(fields)-1 {
			return false, nil // start over, one column per field
		}
		for i := range buf {
			j := strings.IndexByte(s, 0x1f)
			if j < 0 {
				buf[i], s = s, ""
			} else {
				buf[i], s = s[:j], s[j+1:]
			}
		}
		if err := fn(buf); err != nil {
			return false, err
		}
	}
	return true, rows.Err()
}

func scanPlain(db *sql.DB, fields []string, tail string, fn func(f []string) error) error {
	rows, err := db.Query("SELECT " + strings.Join(fields, ", ") + " " + tail)
	if err != nil {
		return err
	}
	defer rows.Close()
	vals := make([]sql.NullString, len(fields))
	ptrs := make([]any, len(fields))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	buf := make([]string, len(fields))
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		for i, v := range vals {
			buf[i] = v.String
		}
		if err := fn(buf); err != nil {
			return err
		}
	}
	return rows.Err()
}

// FieldInt parses an Int field ("" is 0; REAL text is truncated).
func FieldInt(s string) int64 {
	if s == "" {
		return 0
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return int64(f)
	}
	return 0
}

// FieldText parses a Text field: the value and whether it was not NULL.
// The returned string shares memory with the row; clone what you keep
// beyond fn (the scanners pass a fresh row string each time, so keeping
// it is safe).
func FieldText(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	return s[1:], true
}
