package salvaged_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/dbcheck"
	"github.com/bmtui/bmtui/internal/testutil"
	"github.com/bmtui/bmtui/salvage/salvaged"
	"github.com/bmtui/bmtui/source/catalog"
)

func TestWhenDamagedLists(t *testing.T) {
	tests := []struct {
		name string
		edit func(t *testing.T, dir string)
		want bool
	}{
		{"healthy", func(*testing.T, string) {}, false},
		{"a .corrupt beside it", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "places.sqlite.corrupt"), []byte("x"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"not SQLite", func(t *testing.T, dir string) {
			if err := os.WriteFile(filepath.Join(dir, "places.sqlite"), []byte("garbage garbage garbage"), 0o644); err != nil {
				t.Fatal(err)
			}
		}, true},
		{"missing", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "places.sqlite")); err != nil {
				t.Fatal(err)
			}
		}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := testutil.Profile(t, "twoway", "before")
			tc.edit(t, dir)
			entries, err := catalog.List(dir, salvaged.WhenDamaged)
			if err != nil {
				t.Fatal(err)
			}
			got := false
			for _, e := range entries {
				got = got || e.ID == salvaged.ID
			}
			if got != tc.want {
				t.Errorf("salvaged listed: %v, want %v", got, tc.want)
			}
		})
	}
	// Named explicitly, it is always there.
	dir := testutil.Profile(t, "twoway", "before")
	e, err := catalog.Find(dir, "salvaged", salvaged.Always)
	if err != nil || e.ID != salvaged.ID {
		t.Fatalf("Find salvaged: %v %v", e.ID, err)
	}
}

// What reading Places found decides: a failed load or damage lists the
// salvaged tree; a sound read does not.
func TestWhenPlacesDamaged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		damage []dbcheck.Damage
		want   bool
	}{
		{"sound", nil, nil, false},
		{"did not load", errors.New("places.sqlite is damaged"), nil, true},
		{"damaged index", nil, []dbcheck.Damage{{File: "places.sqlite", Type: "index", Object: "moz_places_url_hashindex"}}, true},
	} {
		got := salvaged.WhenPlacesDamaged("/p", tc.err, tc.damage)
		if listed := len(got) == 1 && got[0].ID == salvaged.ID; listed != tc.want || (!tc.want && len(got) > 0) {
			t.Errorf("%s: listed %v, want %v", tc.name, got, tc.want)
		}
	}
}
