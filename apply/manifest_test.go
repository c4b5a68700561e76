package apply

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBackupManifestWhole: a backup folder holds either a whole manifest
// or none; a folder with only the manifest's temporary file (a kill while
// it was written) is no backup. TestSalvageCrash found the bug this
// guards (Undo failed on "bad manifest: unexpected end of JSON input"
// when a kill hit the manifest's write); this test states the invariant.
func TestBackupManifestWhole(t *testing.T) {
	profile := t.TempDir()
	if err := os.WriteFile(filepath.Join(profile, "places.sqlite"), []byte("original"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(profile, BackupFolder)
	now := time.Date(2026, 12, 5, 4, 0, 0, 0, time.UTC)
	dir, err := backupFileList(profile, root, now, []string{"places.sqlite"}, map[string]bool{"places.sqlite": true}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, manifestName+".tmp")); !os.IsNotExist(err) {
		t.Errorf("the manifest's temporary file is left: %v", err)
	}
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil || len(m.Files) != 1 {
		t.Fatalf("manifest %s: %v", data, err)
	}

	// A later backup cut short while its manifest was written.
	cut := filepath.Join(root, "20261205T050000.000000000Z")
	if err := os.MkdirAll(cut, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(cut, manifestName+".tmp"), data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	last, err := LastBackup(profile)
	if err != nil {
		t.Fatal(err)
	}
	if last != dir {
		t.Errorf("LastBackup = %s, want the whole backup %s", last, dir)
	}
}
