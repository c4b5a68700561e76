package scan

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/sqlitepage"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/salvage"
)

// FuzzReadPlaces: any bytes as places.sqlite (and as the mirror) give a
// report, never a panic, and Rebuild takes what was read.
func FuzzReadPlaces(f *testing.F) {
	dir := f.TempDir()
	testutil.Gunzip(f, testutil.Shared(f, "fixtures", "damaged", "a-bookmarks-leaf", "profile", "places.sqlite.gz"), filepath.Join(dir, "a.sqlite"))
	img, err := os.ReadFile(filepath.Join(dir, "a.sqlite"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(img[:4096*8])
	f.Add(img[:4096])
	f.Add([]byte("SQLite format 3\x00"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		pf := &salvage.PlacesFile{Name: PlacesName, Tables: map[string]int{}, BadCells: map[string]int{}}
		m := &salvage.Mirror{Name: MirrorName}
		if db, err := sqlitepage.Open(bytes.NewReader(data), int64(len(data)), sqlitepage.Options{}); err != nil {
			pf.Err, m.Err = err.Error(), err.Error()
		} else {
			placesFrom(pf, db)
			mirrorFrom(m, db)
		}
		if _, err := salvage.Rebuild(&salvage.Input{Places: pf, Mirror: m}, salvage.Options{Now: 1}); err != nil {
			t.Fatal(err)
		}
	})
}
