package history40k

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/places/backup"
)

// The profile has its 15 dated backups, each of large-40k's size and none
// the same as the one before.
func TestProfile(t *testing.T) {
	dir := Profile(t)
	ents, err := os.ReadDir(filepath.Join(dir, backup.FolderName))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != Backups {
		t.Fatalf("%d backups, want %d", len(ents), Backups)
	}
	prev := ""
	for i, e := range ents {
		fi, ok := backup.ParseFileName(e.Name())
		if !ok {
			t.Fatalf("%s is not a backup's name", e.Name())
		}
		if want := First.AddDate(0, 0, i).Format("2006-01-02"); fi.Date != want {
			t.Errorf("backup %d dated %s, want %s", i, fi.Date, want)
		}
		if fi.Count < 40000 {
			t.Errorf("%s holds %d items", e.Name(), fi.Count)
		}
		if fi.Hash == prev {
			t.Errorf("%s is the same as the backup before", e.Name())
		}
		prev = fi.Hash
	}
}
