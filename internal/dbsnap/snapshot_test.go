package dbsnap

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/testutil"
)

// TestSnapshotRecopies checks that a snapshot retaken because its source
// changed meanwhile copies again (the first copy's file is in the way).
func TestSnapshotRecopies(t *testing.T) {
	src := filepath.Join(testutil.Profile(t, "twoway", "before"), "places.sqlite")
	s, err := TakeSnapshot("places.sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Remove()
	if err := s.copyOnce(); err != nil {
		t.Fatalf("second copy: %v", err)
	}
}

// TestEmptyWALIsNoChange checks that an empty -wal appearing (any reader
// of a WAL database creates one) does not count as the source changing.
func TestEmptyWALIsNoChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "places.sqlite")
	if err := os.WriteFile(path, []byte(sqliteMagic), 0o600); err != nil {
		t.Fatal(err)
	}
	before := stamp(path)
	if err := os.WriteFile(path+"-wal", nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if stamp(path) != before {
		t.Error("an empty -wal changed the stamp")
	}
	if err := os.WriteFile(path+"-wal", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if stamp(path) == before {
		t.Error("a non-empty -wal did not change the stamp")
	}
}
