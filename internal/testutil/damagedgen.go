package testutil

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// DamagedScenarios are damaged profiles that are not shared: a
// GeneratedProfiles entry damaged page by page with fforacle's damage.py
// (deterministic: the same spec on the same file gives the same damage),
// the way ../shared/fixtures/damaged makes its cases.
var DamagedScenarios = map[string]struct{ Profile, Damage string }{
	// profile-5k with moz_bookmarks' root interior page zeroed (every leaf
	// cut off from the table), one of its leaves overwritten with garbage
	// (52 rows only the backup and the mirror still hold) and a
	// moz_places leaf torn.
	"damaged-5k": {"profile-5k", `{"seed": 13, "steps": [
		{"op": "btree", "name": "moz_bookmarks", "level": "root", "fill": "zeros"},
		{"op": "btree", "name": "moz_bookmarks", "level": "leaf", "pick": [20], "fill": "garbage"},
		{"op": "btree", "name": "moz_places", "level": "leaf", "pick": [40], "fill": "torn"}]}`},
}

// DamagedProfile is a damaged copy of a generated profile.
type DamagedProfile struct {
	// Dir is the damaged profile: places.sqlite, weave/bookmarks.sqlite,
	// bookmarkbackups/.
	Dir string
	// Intact is the places.sqlite before the damage (outside Dir).
	Intact string
	// OnDamagedLeaves are the GUIDs of moz_bookmarks rows whose leaf page
	// was damaged (rows under a damaged interior page are still on their
	// readable leaves and are not listed).
	OnDamagedLeaves []string
	// Pages are the damaged page numbers.
	Pages []int
}

// Damaged unpacks the named DamagedScenarios profile (built on first use,
// see GeneratedProfile) into a temporary folder and damages it.
func Damaged(tb testing.TB, name string) *DamagedProfile {
	tb.Helper()
	sc, ok := DamagedScenarios[name]
	if !ok {
		tb.Fatalf("no damaged scenario %q", name)
	}
	before := filepath.Join(GeneratedProfile(tb, sc.Profile), "before")
	dir := tb.TempDir()
	UnpackProfile(tb, before, dir)
	places := filepath.Join(dir, "places.sqlite")
	dp := &DamagedProfile{Dir: dir, Intact: filepath.Join(tb.TempDir(), "places.sqlite")}
	data, err := os.ReadFile(places)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(dp.Intact, data, 0o644); err != nil {
		tb.Fatal(err)
	}
	report := filepath.Join(tb.TempDir(), "damage.json")
	cmd := exec.Command("python3", Shared(tb, "tools", "fforacle", "damage.py"), places, sc.Damage, "--json", report)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("damage.py: %v\n%s", err, out)
	}
	var rep struct {
		Steps []struct {
			Pages []struct {
				Page  int      `json:"page"`
				BTree string   `json:"btree"`
				Kind  string   `json:"kind"`
				GUIDs []string `json:"guids"`
			} `json:"pages"`
		} `json:"steps"`
	}
	b, err := os.ReadFile(report)
	if err == nil {
		err = json.Unmarshal(b, &rep)
	}
	if err != nil {
		tb.Fatalf("damage.py's report: %v", err)
	}
	for _, s := range rep.Steps {
		for _, p := range s.Pages {
			dp.Pages = append(dp.Pages, p.Page)
			if p.BTree == "moz_bookmarks" && p.Kind == "table-leaf" {
				dp.OnDamagedLeaves = append(dp.OnDamagedLeaves, p.GUIDs...)
			}
		}
	}
	if len(dp.Pages) == 0 {
		tb.Fatalf("damage.py damaged no page of %s", places)
	}
	return dp
}

// UnpackProfile copies the profile folder src into dst, gunzipping each
// .gz file (places.sqlite.gz becomes places.sqlite).
func UnpackProfile(tb testing.TB, src, dst string) {
	tb.Helper()
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if filepath.Ext(rel) == ".gz" {
			Gunzip(tb, p, out[:len(out)-3])
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
			return err
		}
		return os.WriteFile(out, data, 0o644)
	})
	if err != nil {
		tb.Fatal(err)
	}
}
