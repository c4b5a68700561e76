package dbsnap

import (
	"errors"
	"io/fs"
	"syscall"
	"testing"
)

// TestPermissionErrorClassified checks the mapping of EACCES (a test
// through an unreadable file cannot run as root).
func TestPermissionErrorClassified(t *testing.T) {
	err := statErr("places.sqlite", "/p/places.sqlite", &fs.PathError{Op: "open", Path: "/p/places.sqlite", Err: syscall.EACCES})
	if !errors.Is(err, ErrPermission) || err.Error() != "places.sqlite at /p/places.sqlite cannot be read: permission denied" {
		t.Errorf("%v", err)
	}
}
