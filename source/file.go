package source

import (
	"fmt"
	"os"
	"time"
)

// FileTime checks that path is a file a source can be opened from, not a
// folder, and returns its modification time. what names the kind of file
// in the error ("backup", "bookmarks.html").
func FileTime(what, path string) (time.Time, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", what, err)
	}
	if fi.IsDir() {
		return time.Time{}, fmt.Errorf("%s: %s is a folder, not a %s file", what, path, what)
	}
	return fi.ModTime(), nil
}
