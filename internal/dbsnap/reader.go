package dbsnap

import "fmt"

// SkippedRecord is a row a reader could not feed into the tree builder
// (Firefox would have aborted the merge on it). Reading continues without
// it.
type SkippedRecord struct {
	GUID   string
	Parent string
	Reason string
	Err    error
}

func (s SkippedRecord) String() string {
	if s.Parent != "" {
		return fmt.Sprintf("%s (parent %s): %s", s.GUID, s.Parent, s.Reason)
	}
	return fmt.Sprintf("%s: %s", s.GUID, s.Reason)
}

// AsString converts an SQLite TEXT or BLOB value to a string ("" for NULL).
func AsString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []byte:
		return string(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// AsInt64 converts an SQLite value stored as INTEGER, REAL or numeric TEXT
// (Firefox stores ms timestamps as REAL) to an integer, truncating.
func AsInt64(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case string:
		var f float64
		if _, err := fmt.Sscan(x, &f); err == nil {
			return int64(f)
		}
	case []byte:
		return AsInt64(string(x))
	}
	return 0
}
