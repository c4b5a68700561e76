package dbsnap

import (
	"database/sql"
	"os"
	"syscall"
	"time"
)

// FileID identifies a database file on disk at the time it was read: any
// write by anyone changes it.
type FileID struct {
	Path    string // as given: callers name files by absolute path
	Size    int64
	ModTime time.Time
	Dev     uint64
	Ino     uint64
	// Companion is the size and modification time of the -wal (Places) or
	// -journal (mirror) file, zero when absent.
	CompanionSize    int64
	CompanionModTime time.Time
}

// StatFile returns the identity of a database file and its companion file
// (suffix "-wal" or "-journal").
func StatFile(path, companionSuffix string) (FileID, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return FileID{}, err
	}
	id := FileID{Path: path, Size: fi.Size(), ModTime: fi.ModTime()}
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		id.Dev, id.Ino = uint64(st.Dev), uint64(st.Ino)
	}
	// An empty companion carries nothing (Firefox leaves an empty -wal
	// after a clean quit, and any connection creates one): it counts as
	// absent.
	if ci, err := os.Stat(path + companionSuffix); err == nil && ci.Size() > 0 {
		id.CompanionSize, id.CompanionModTime = ci.Size(), ci.ModTime()
	}
	return id, nil
}

// Same reports whether two identities describe the same unchanged file.
func (a FileID) Same(b FileID) bool {
	return a.Path == b.Path && a.Size == b.Size && a.ModTime.Equal(b.ModTime) && a.Dev == b.Dev && a.Ino == b.Ino &&
		a.CompanionSize == b.CompanionSize && a.CompanionModTime.Equal(b.CompanionModTime)
}

// Queryer is what a fingerprint query needs: *sql.DB and *sql.Tx qualify.
type Queryer interface {
	QueryRow(query string, args ...any) *sql.Row
}
