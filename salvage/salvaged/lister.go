package salvaged

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/salvage/scan"
	"github.com/bmtui/bmtui/source"
)

// ID names the salvaged tree among a profile's sources (source/catalog's
// IDSalvaged).
const ID = "salvaged"

// Entry is the salvaged tree of the profile in dir as a catalog entry,
// listed at the time it is asked for (the rebuild describes the files as
// they are now).
func Entry(dir string) source.Entry {
	return source.Entry{ID: ID, Kind: source.Salvaged, Path: filepath.Join(dir, scan.PlacesName), Time: time.Now(),
		Open: func() (source.Source, error) { return Open(dir) }}
}

// Always lists the salvaged tree whatever the state of the profile: for
// a source named on the command line (--from salvaged).
func Always(dir string) ([]source.Entry, error) { return []source.Entry{Entry(dir)}, nil }

// WhenDamaged lists the salvaged tree only when Places itself is in
// trouble in a way seen without reading it: places.sqlite missing or
// not an SQLite file, or a places.sqlite.corrupt beside it. Listing every
// source of a healthy profile (find, the timeline) then costs no rebuild.
func WhenDamaged(dir string) ([]source.Entry, error) {
	places := filepath.Join(dir, scan.PlacesName)
	if _, err := os.Stat(filepath.Join(dir, scan.CorruptName)); err == nil || !sqliteHeader(places) {
		return Always(dir)
	}
	return nil, nil
}

// WhenPlacesDamaged lists the salvaged tree when reading Places showed
// what WhenDamaged cannot see: places.sqlite did not load (loadErr), or
// SQLite's structural check, which loading it starts, found damage in a
// file with a sound header. The caller decides from what it read anyway,
// so a healthy profile pays no extra check.
func WhenPlacesDamaged(dir string, loadErr error, damage []dbcheck.Damage) []source.Entry {
	if loadErr == nil && len(damage) == 0 {
		return nil
	}
	return []source.Entry{Entry(dir)}
}

// sqliteHeader reports whether path starts with SQLite's magic string.
func sqliteHeader(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	head := make([]byte, 16)
	if _, err := io.ReadFull(f, head); err != nil {
		return false
	}
	return bytes.Equal(head, []byte("SQLite format 3\x00"))
}
