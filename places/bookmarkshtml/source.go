package bookmarkshtml

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/bmtui/bmtui/places/backup"
	"github.com/bmtui/bmtui/source"
	"github.com/bmtui/bmtui/sync/tree"
)

// Source is a bookmarks.html file as a bookmark source; the time it
// describes is the file's modification time.
type Source struct {
	path string
	at   time.Time
}

var _ source.Source = (*Source)(nil)

// OpenSource opens the file at path; Load reads it.
func OpenSource(path string) (*Source, error) {
	mod, err := source.FileTime("bookmarks.html", path)
	if err != nil {
		return nil, err
	}
	return &Source{path: path, at: mod}, nil
}

// Provenance says what the source is.
func (s *Source) Provenance() source.Provenance {
	return source.Provenance{Kind: source.HTML, Path: s.path, Label: "Export " + filepath.Base(s.path), At: s.at, Side: tree.Local}
}

// Load parses the file and builds its tree. Every error is one line
// naming the file.
func (s *Source) Load(clock time.Time) (*source.Result, error) {
	data, err := os.ReadFile(s.path)
	if err != nil {
		return nil, fmt.Errorf("bookmarks.html: %w", err)
	}
	root, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.path, err)
	}
	r, err := backup.NodeResult(s.Provenance(), root, clock)
	if err != nil {
		return nil, err
	}
	r.Notes = append(r.Notes, "bookmarks.html keeps no GUIDs: its items have GUIDs made from their folder, title and URL")
	return r, nil
}

// Close does nothing.
func (s *Source) Close() error { return nil }
