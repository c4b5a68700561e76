package backup

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/check"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a Firefox bookmark backup (.jsonlz4 or .json) as a bookmark
// source. Opening only looks at the file; Load reads, decompresses and
// parses it.
type Source struct {
	path string
	at   time.Time
}

var _ source.Source = (*Source)(nil)

// OpenSource opens the backup at path. The time it describes is
// FileTime's.
func OpenSource(path string) (*Source, error) {
	mod, err := source.FileTime("backup", path)
	if err != nil {
		return nil, err
	}
	return &Source{path: path, at: FileTime(filepath.Base(path), mod)}, nil
}

// FileTime is the moment a backup describes: the date in its file name
// (Firefox's bookmarks-YYYY-MM-DD…, the user's local date), made precise
// by the file's modification time when that falls on the same day, else
// the start of that day; for a file named otherwise, its modification
// time.
func FileTime(name string, mtime time.Time) time.Time {
	fi, ok := ParseFileName(name)
	if !ok {
		return mtime
	}
	day, err := time.ParseInLocation("2006-01-02", fi.Date, time.Local)
	if err != nil {
		return mtime
	}
	if m := mtime.In(time.Local); m.Year() == day.Year() && m.YearDay() == day.YearDay() {
		return mtime
	}
	return day
}

// Provenance says what the source is.
func (s *Source) Provenance() source.Provenance {
	label := "Backup " + filepath.Base(s.path)
	if fi, ok := ParseFileName(filepath.Base(s.path)); ok {
		label = "Backup " + fi.Date
	}
	return source.Provenance{Kind: source.Backup, Path: s.path, Label: label, At: s.at, Side: tree.Local}
}

// Load reads the backup and builds its tree, ages measured against clock.
// Every error is one line naming the file.
func (s *Source) Load(clock time.Time) (*source.Result, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return Result(s.Provenance(), data, clock)
}

// Result parses backup bytes (mozLz40 or JSON) into a source result
// with the given provenance.
func Result(p source.Provenance, data []byte, clock time.Time) (*source.Result, error) {
	root, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("backup %s: %w", p.Path, err)
	}
	return NodeResult(p, root, clock)
}

// NodeResult builds a parsed backup's tree into a source result.
func NodeResult(p source.Provenance, root *Node, clock time.Time) (*source.Result, error) {
	t, notes, err := Tree(root, tree.NowMillis(clock))
	if t == nil {
		return nil, fmt.Errorf("%s: %w", p.Path, err)
	}
	return &source.Result{
		Provenance: p,
		Tree:       t,
		Report:     check.Tree(p.Side, t),
		TreeErr:    err,
		Notes:      notes,
	}, nil
}

// Close does nothing: the file is read whole by Load.
func (s *Source) Close() error { return nil }
