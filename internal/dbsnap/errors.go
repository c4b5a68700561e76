package dbsnap

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors that say what is wrong with a database file. Every error
// returned by OpenFile (and by places.Open and mirror.Open) is a *FileError
// that matches exactly one of them with errors.Is, so a caller can tell
// them apart.
var (
	ErrNotFound          = errors.New("not found")
	ErrPermission        = errors.New("permission denied")
	ErrNotAFile          = errors.New("not a regular file")
	ErrEmpty             = errors.New("empty file")
	ErrNotSQLite         = errors.New("not an SQLite database")
	ErrCorrupt           = errors.New("damaged database")
	ErrWrongKind         = errors.New("database of the wrong kind")
	ErrUnsupportedSchema = errors.New("unsupported schema")
)

// FileError is the one-line error for a database file that cannot be used:
// "<what> at <path> <problem>", e.g. "places.sqlite at /p/places.sqlite is
// not a Firefox Places database (it looks like a Sync mirror)".
type FileError struct {
	What    string // "places.sqlite" or "bookmarks.sqlite"
	Path    string
	Kind    error  // one of the sentinel errors above
	Problem string // the human part after the path
	Err     error  // underlying cause, may be nil
}

func (e *FileError) Error() string {
	s := fmt.Sprintf("%s at %s %s", e.What, e.Path, e.Problem)
	if e.Err != nil {
		// SQLite's messages can quote schema SQL, newlines and all; the
		// user sees one line.
		s += ": " + strings.Join(strings.Fields(e.Err.Error()), " ")
	}
	return s
}

// Unwrap gives both the sentinel kind and the cause to errors.Is/As.
func (e *FileError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

// NewError builds a *FileError; kind is one of the sentinels above and err,
// which may be nil, the cause.
func NewError(what, path string, kind error, err error, format string, args ...any) *FileError {
	return &FileError{What: what, Path: path, Kind: kind, Problem: fmt.Sprintf(format, args...), Err: err}
}
