package load_test

import (
	"path/filepath"
	"testing"

	"github.com/bmtui/bmtui/internal/load"
	"github.com/bmtui/bmtui/internal/testutil"
)

// TestResolveAbsolute: relative profile flags resolve to absolute paths,
// the same as naming the profile absolutely.
func TestResolveAbsolute(t *testing.T) {
	dir := testutil.Profile(t, "twoway", "before")
	want := load.Paths{Dir: dir, Places: filepath.Join(dir, "places.sqlite"), Mirror: filepath.Join(dir, "weave", "bookmarks.sqlite")}
	t.Chdir(filepath.Dir(dir))
	name := filepath.Base(dir)
	tests := []struct{ profile, places, mirror string }{
		{profile: dir},
		{profile: name},
		{profile: "./" + name + "/"},
		{places: filepath.Join(name, "places.sqlite"), mirror: filepath.Join(name, "weave", "bookmarks.sqlite")},
	}
	for _, tt := range tests {
		got, err := load.Resolve(tt.profile, tt.places, tt.mirror, "", "linux")
		if err != nil {
			t.Fatalf("%+v: %v", tt, err)
		}
		if got != want || !got.Standard() {
			t.Errorf("%+v: got %+v, want %+v", tt, got, want)
		}
	}
}
